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
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s", url],
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
            drain(url)
    print(
        "  rounds: "
        + "; ".join(f"{n} {', '.join(f'{r:.0f}' for r in v)}" for n, v in rates.items())
    )
    return rates


def drain(url: str) -> None:
    """Wait until the server is idle again: a slow page leaves requests queued after wrk stops
    (which would time out the next row's); one more request is answered after all of them."""
    try:
        urllib.request.urlopen(url, timeout=300).read()
    except OSError:
        time.sleep(5)


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
        "BENCH_BODY_DIR": str(body.parent / "bodies"),
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
            if not body.exists():  # the trivial views serve exactly these bytes
                capture(base, paths, scratch)
            urls = {}
            for row, path in paths.items():
                urls[f"trivial {slug(row)}"] = f"{base}/bench/trivial/{slug(row)}/"
                urls[row] = base + path
            print(f"gunicorn, 2 sync workers, {label}:")
            results[label] = measure(urls, seconds, rounds)
        finally:
            stop(server)
    return results


def slug(row: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in row).strip("_")


def capture(base: str, paths: dict, scratch: Path) -> None:
    """Each row's bytes, for the plain Django view and nginx's plain file of the same size."""
    (scratch / "bodies").mkdir()
    for row, path in paths.items():
        data = urllib.request.urlopen(base + path).read()
        (scratch / "bodies" / slug(row)).write_bytes(data)
    (scratch / "page.html").write_bytes((scratch / "bodies" / slug("issue page")).read_bytes())


def nginx_rows(paths, scratch, seconds, rounds) -> dict:
    """nginx: each page's bytes as a plain file, and the baked pages (gunicorn down)."""
    if not local_nginx.available():
        print("nginx rows: skipped (apt-get install nginx)")
        return {}
    config = local_nginx.write_config(
        scratch / "nginx",
        pages_root=scratch / "pages",
        upstream=f"127.0.0.1:{PORT}",
        port=NGINX_PORT,
        plain_root=scratch / "bodies",
        plain_port=PLAIN_PORT,
        workers=2,
    )
    server = local_nginx.start(config, NGINX_PORT)
    try:
        urls = {}
        for row, path in paths.items():
            urls[f"plain {slug(row)}"] = f"http://127.0.0.1:{PLAIN_PORT}/{slug(row)}"
            if (scratch / "pages").is_dir():
                urls[row] = f"http://127.0.0.1:{NGINX_PORT}{path}"
        print("nginx, 2 workers:")
        return measure(urls, seconds, rounds)
    finally:
        local_nginx.stop(server)


def ratio(rates: list[float], baseline: list[float]) -> float:
    """The median of the per-round ratios (rounds are back to back)."""
    pairs = zip(rates, baseline, strict=True)
    return statistics.median(r / b if b else float("nan") for r, b in pairs)


def report(django: dict, nginx: dict, paths: dict) -> None:
    """The table: each row's rate, against the same bytes from the plain Django view (the
    issue page's bytes: the framework's ceiling) and against nginx serving them as a file."""
    first = next(iter(django.values()))
    ceiling = first["trivial issue_page"]
    print(f"\n{'page':<62} {'req/s':>7} {'× plain Django':>14} {'× same bytes':>12}")
    for row in paths:
        if f"plain {slug(row)}" in nginx:
            plain = nginx[f"plain {slug(row)}"]
            line(f"nginx: plain file of the {row}'s bytes", plain, ceiling, plain)
        if row in nginx:
            line(f"nginx: {row}, baked file", nginx[row], ceiling, plain)
    line("plain Django view, issue page's bytes, no database", ceiling, ceiling, ceiling)
    for label, rows in django.items():
        for row in paths:
            same = rows[f"trivial {slug(row)}"]
            line(f"aidaily {row}, {label}", rows[row], rows["trivial issue_page"], same)
    print("× plain Django: against the plain view in the same server (nginx rows: the first);")
    print("× same bytes: against nginx's plain file or the plain Django view of those bytes.")


def line(label: str, rates, django_baseline, same_bytes) -> None:
    rate = statistics.median(rates)
    django = rate / statistics.median(django_baseline)
    print(f"{label:<62} {rate:7.0f} {django:14.2f} {ratio(rates, same_bytes):12.2f}")


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
        report(django, nginx, paths)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
