"""Run deploy/nginx/aidaily.conf.template with this machine's nginx (benchmarks and tests).

The template is rendered as the official image's entrypoint renders it (only our three
${VARIABLES} replaced) and wrapped in a minimal nginx.conf under a scratch prefix.
"""

import os
import pwd
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
TEMPLATE = BASE_DIR / "deploy" / "nginx" / "aidaily.conf.template"
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so")
MIME_TYPES = Path("/etc/nginx/mime.types")

MAIN = """{load_modules}
{user}
worker_processes {workers};
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include {mime_types};
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    {brotli}
    include {prefix}/aidaily.conf;
    server {{
        listen 127.0.0.1:{plain_port};
        root {plain_root};
        location / {{ try_files $uri =404; }}
    }}
}}
"""


def available() -> bool:
    return shutil.which("nginx") is not None and MIME_TYPES.exists()


def render(*, pages_root: str, upstream: str, listen: str) -> str:
    values = {
        "AIDAILY_PAGES_ROOT": pages_root,
        "AIDAILY_UPSTREAM": upstream,
        "NGINX_LISTEN": listen,
    }
    return re.sub(r"\$\{(\w+)\}", lambda m: values.get(m[1], m[0]), TEMPLATE.read_text())


def write_config(prefix: Path, *, pages_root, upstream, port, plain_root, plain_port, workers=1):
    """The main config under `prefix`: aidaily on `port`, a plain file server on `plain_port`."""
    prefix.mkdir(parents=True, exist_ok=True)
    listen = f"127.0.0.1:{port}"
    conf = render(pages_root=str(pages_root), upstream=upstream, listen=listen)
    (prefix / "aidaily.conf").write_text(conf)
    brotli = BROTLI_MODULE.exists()
    main = MAIN.format(
        load_modules=f"load_module {BROTLI_MODULE};" if brotli else "",
        # Run as root (CI, containers), the workers would be nobody and could not read a
        # private scratch directory: they run as the caller instead.
        user=f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else "",
        brotli="brotli_static on;" if brotli else "",
        workers=workers,
        prefix=prefix,
        mime_types=MIME_TYPES,
        plain_port=plain_port,
        plain_root=plain_root,
    )
    (prefix / "nginx.conf").write_text(main)
    return prefix / "nginx.conf"


def check(config: Path) -> subprocess.CompletedProcess:
    """`nginx -t` on the config: the exit status and nginx's own words."""
    prefix = config.parent
    return subprocess.run(
        ["nginx", "-t", "-p", str(prefix), "-c", str(config)],
        capture_output=True,
        text=True,
        check=False,
    )


def start(config: Path, port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        ["nginx", "-p", str(config.parent), "-c", str(config), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return process
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited: {process.stderr.read().decode()}")
        time.sleep(0.05)
    process.kill()
    raise RuntimeError("nginx did not start")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
