"""The public pages under load, every row of the comparison in one run (see archive.py).

Servers run one at a time on the two cores: nginx (a plain file of the issue page's bytes, and
the baked pages through deploy/nginx), then gunicorn with 2 sync workers in four set-ups — local
memory or Redis cache, with or without baked pages. Each gunicorn set-up also serves
/bench/trivial/ (the issue page's bytes through the same middleware, no database: the
framework's ceiling); rounds alternate the rows with that baseline so drift hits both alike.
"""

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from . import local_nginx

PORT, NGINX_PORT, PLAIN_PORT = 8931, 8932, 8933
CONNECTIONS = 32
REDIS_CACHE = "rediscache://127.0.0.1:6379/4"
SETUPS = [  # label, cache, baked
    ("local-memory cache, rendered", "locmemcache://bench", False),
    ("Redis cache, rendered", REDIS_CACHE, False),
    ("local-memory cache, baked files", "locmemcache://bench", True),
    ("Redis cache, baked files", REDIS_CACHE, True),
]


def load_with_wrk(url: str, seconds: int) -> float:
    import re

    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if failed:
        raise RuntimeError(f"{url}: {failed.group(1)} failed responses")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def load_with_threads(url: str, seconds: int) -> float:
    from .load import load as threaded_load

    host_port, path = url.split("//", 1)[1].split("/", 1)
    result = threaded_load(int(host_port.rsplit(":", 1)[1]), [f"/{path}"], CONNECTIONS, seconds)
    if result["errors"]:
        raise RuntimeError(f"{url}: {result['errors'][0]}")
    return sum(len(v) for v in result["latencies"].values()) / result["elapsed"]


def measure(urls: dict[str, str], seconds: int, rounds: int) -> dict[str, list[float]]:
    """Each url's rate in each round; the urls alternate within every round."""
    load = load_with_wrk if shutil.which("wrk") else load_with_threads
    for url in urls.values():
        for _ in range(20):
            urllib.request.urlopen(url).read()  # warm every worker and cache
    rates = {name: [] for name in urls}
    for _ in range(rounds):
        for name, url in urls.items():
            rates[name].append(load(url, seconds))
    return rates


def gunicorn_env(code_dir: Path, database_url: str, cache_url: str, pages: str, body: Path):
    return {
        **os.environ,
        "PYTHONPATH": str(code_dir),
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "CACHE_URL": cache_url,
        "STATIC_PAGES_ROOT": pages,
        "CONN_MAX_AGE": "600",
        "DEBUG": "0",
        "AIDAILY_EMBEDDED": "1",
        "SECRET_KEY": "benchmark-only-secret-key",
        "LOG_LEVEL": "WARNING",
        "BENCH_BODY_FILE": str(body),
    }


def start_gunicorn(code_dir: Path, env: dict) -> subprocess.Popen:
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    server = subprocess.Popen(
        [gunicorn, "aidaily.wsgi", "-w", "2", "-b", f"127.0.0.1:{PORT}", "--log-level", "warning"],
        cwd=code_dir,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/robots.txt", timeout=2).read()
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait(timeout=30)


def bake(code_dir: Path, env: dict, day: str) -> bool:
    """What publishing the newest issue bakes, by `manage.py bake DATE` in the measured code
    (the whole archive would take minutes); False where that code cannot bake."""
    if not (code_dir / "events" / "static_pages").is_dir():
        return False
    command = [sys.executable, "manage.py", "bake", day]
    subprocess.run(command, cwd=code_dir, env=env, check=True, timeout=900)
    return True


def flush_redis() -> None:
    subprocess.run(["redis-cli", "-n", "4", "flushdb"], capture_output=True, check=False)


def gunicorn_rows(code_dir, database_url, paths, scratch, seconds, rounds) -> dict:
    """{set-up: {row: rates}} for every gunicorn set-up this code can run."""
    pages, body = scratch / "pages", scratch / "page.html"
    results, baked = {}, None
    for label, cache_url, with_files in SETUPS:
        env = gunicorn_env(
            code_dir, database_url, cache_url, str(pages) if with_files else "", body
        )
        if with_files and baked is None:
            baked = bake(code_dir, env, paths["issue page"].strip("/").rsplit("/", 1)[1])
        if with_files and not baked:
            print(f"{label}: skipped (this code does not bake pages)")
            continue
        flush_redis()
        server = start_gunicorn(code_dir, env)
        try:
            base = f"http://127.0.0.1:{PORT}"
            if not body.exists():  # the trivial view serves exactly these bytes
                body.write_bytes(urllib.request.urlopen(base + paths["issue page"]).read())
            urls = {"trivial": f"{base}/bench/trivial/"}
            urls.update({row: base + path for row, path in paths.items()})
            results[label] = measure(urls, seconds, rounds)
        finally:
            stop(server)
    return results


def nginx_rows(paths, scratch, seconds, rounds) -> dict:
    """nginx: the issue page's bytes as a plain file, and the baked pages (gunicorn down)."""
    if not local_nginx.available():
        print("nginx rows: skipped (apt-get install nginx)")
        return {}
    config = local_nginx.write_config(
        scratch / "nginx",
        pages_root=scratch / "pages",
        upstream=f"127.0.0.1:{PORT}",
        port=NGINX_PORT,
        plain_root=scratch,
        plain_port=PLAIN_PORT,
        workers=2,
    )
    server = local_nginx.start(config, NGINX_PORT)
    try:
        urls = {"plain file": f"http://127.0.0.1:{PLAIN_PORT}/page.html"}
        if (scratch / "pages").is_dir():
            urls.update(
                {row: f"http://127.0.0.1:{NGINX_PORT}{path}" for row, path in paths.items()}
            )
        return measure(urls, seconds, rounds)
    finally:
        local_nginx.stop(server)


def ratio(rates: list[float], baseline: list[float]) -> float:
    """The median of the per-round ratios (rounds are back to back)."""
    return statistics.median(r / b for r, b in zip(rates, baseline, strict=True))


def report(django: dict, nginx: dict) -> None:
    first = next(iter(django.values()))
    print(f"\n{'page':<58} {'req/s':>8} {'× plain Django':>15} {'× nginx file':>13}")
    if nginx:
        plain = nginx["plain file"]
        line("nginx: the issue page's bytes as a plain file", plain, None, plain)
        for row in (r for r in nginx if r != "plain file"):
            line(f"nginx: {row}, baked file", nginx[row], None, plain)
    print(f"{'(nginx rows × plain Django: against the first set-up below)':<58}")
    line("plain Django view, no database (framework ceiling)", first["trivial"], first["trivial"])
    for label, rows in django.items():
        for row in (r for r in rows if r != "trivial"):
            line(f"aidaily {row}, {label}", rows[row], rows["trivial"])
    if nginx:
        print("\nnginx rows against plain Django (first set-up's trivial view), medians:")
        for row, rates in nginx.items():
            times = statistics.median(rates) / statistics.median(first["trivial"])
            print(f"  {row:<20} {times:6.1f}×")


def line(label: str, rates, django_baseline, nginx_baseline=None) -> None:
    django = f"{ratio(rates, django_baseline):15.2f}" if django_baseline else f"{'':>15}"
    plain = f"{ratio(rates, nginx_baseline):13.2f}" if nginx_baseline else f"{'':>13}"
    print(f"{label:<58} {statistics.median(rates):8.0f} {django} {plain}")


def run(database_url: str, issue_path: str, *, code_dir: Path, seconds: int, rounds: int) -> None:
    """Every row, in one run; prints the table with each ratio."""
    scratch = Path(tempfile.mkdtemp(prefix="aidaily-pages-bench-"))
    os.chmod(scratch, 0o755)  # nginx's workers read it
    paths = {"issue page": issue_path, "archive list /issues/": "/issues/", "/feed/": "/feed/"}
    tool = "wrk" if shutil.which("wrk") else "threads"
    print(f"\nload: {tool}, {CONNECTIONS} connections, {rounds} rounds × {seconds} s per row")
    print(f"load average before: {os.getloadavg()[0]:.1f} (shared machine); code: {code_dir}")
    try:
        django = gunicorn_rows(code_dir, database_url, paths, scratch, seconds, rounds)
        nginx = nginx_rows(paths, scratch, seconds, rounds)
        report(django, nginx)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
