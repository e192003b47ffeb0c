"""What a DKIM signature costs per message: building the sample digest signed and unsigned.

    .venv/bin/python benchmarks/dkim_cost.py [--messages 2000] [--bits 2048] [--subscribers 2000]

Builds one recipient's copy of the sample issue's digest (events/demo/sample-issue.txt)
the way a batch does (MessageTemplate.build), first without a key, then signed with a freshly
generated RSA key (newsletter.dkim: relaxed/simple, OpenSSL for the RSA step), and prints the
time per message, the ratio and the single-core ceiling each gives; then sends the digest
through the real pipeline (one lane) to a local aiosmtpd sink, unsigned and signed. Uses a
throwaway SQLite or PostgreSQL test database.
"""

import argparse
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aidaily.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only")


def write_key(bits: int, directory: str) -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    path = Path(directory) / "dkim.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    return str(path)


def per_message(template, n: int) -> tuple[float, int]:
    """Seconds per built message and the size of the last one."""
    start = time.perf_counter()
    for i in range(n):
        data = template.build(
            to=f"reader{i}@mail.example", token=f"token{i:027d}", message_id=f"<{i}@b>"
        )
    return (time.perf_counter() - start) / n, len(data)


def send_rates(args, issue, mailing) -> tuple[float, float]:
    """The real pipeline (claim, build, send, mark) to a local sink: unsigned, then signed."""
    from django.conf import settings

    from benchmarks.digest import make_subscribers, pipeline, start_sink
    from events.models import Correction
    from newsletter.models import Mailing

    port, _count, stop, process = start_sink()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.NEWSLETTER_RATE_LIMIT = 0
    make_subscribers(args.subscribers, "reader")
    key_file, settings.DKIM_PRIVATE_KEY_FILE = settings.DKIM_PRIVATE_KEY_FILE, ""
    try:
        rates = []
        for signed in (False, True):
            settings.DKIM_PRIVATE_KEY_FILE = key_file if signed else ""
            copy = Mailing.objects.create(
                issue=issue,
                kind=Mailing.Kind.CORRECTION,
                correction=Correction.objects.create(issue=issue, text=f"signed {signed}"),
                subject=mailing.subject,
                html=mailing.html,
                text=mailing.text,
            )
            rates.append(args.subscribers / pipeline(copy, 1))
        return rates[0], rates[1]
    finally:
        settings.DKIM_PRIVATE_KEY_FILE = key_file
        stop.set()
        process.join(10)


def run(args, workdir):
    from django.conf import settings

    from benchmarks.digest import published_issue
    from newsletter import mailings
    from newsletter.message import MessageTemplate

    settings.SITE_URL = "https://daily.example.org"
    issue = published_issue()
    mailing = mailings.digest_for(issue)
    template = MessageTemplate.for_mailing(mailing)
    per_message(template, 50)  # warm up
    unsigned, size = per_message(template, args.messages)
    settings.DKIM_DOMAIN, settings.DKIM_SELECTOR = "daily.example.org", "bench"
    settings.DKIM_PRIVATE_KEY_FILE = write_key(args.bits, workdir)
    signed, signed_size = per_message(template, args.messages)
    print(f"message: {size / 1024:.1f} KB; signature adds {signed_size - size} bytes")
    print(f"unsigned build: {unsigned * 1000:.3f} ms/message = {1 / unsigned:,.0f} msg/s/core")
    print(
        f"signed build (RSA-{args.bits}): {signed * 1000:.3f} ms/message = "
        f"{1 / signed:,.0f} msg/s/core"
    )
    print(
        f"signing costs {(signed - unsigned) * 1000:.3f} ms/message; "
        f"signed/unsigned = {signed / unsigned:.1f}x"
    )
    plain_rate, signed_rate = send_rates(args, issue, mailing)
    print(
        f"pipeline, 1 lane, {args.subscribers} recipients: unsigned {plain_rate:.0f} msg/s, "
        f"signed {signed_rate:.0f} msg/s (signed/unsigned {signed_rate / plain_rate:.2f})"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2_000)
    parser.add_argument("--bits", type=int, default=2048)
    parser.add_argument("--subscribers", type=int, default=2_000, help="for the send rates")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    for name in ("celery", "aidaily", "sources", "events", "newsletter"):
        logging.getLogger(name).setLevel(logging.WARNING)
    workdir = tempfile.mkdtemp(prefix="aidaily-bench-")
    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = str(Path(workdir) / "bench.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run(args, workdir)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
