"""What a DKIM signature costs per message: building the sample digest signed and unsigned.

    .venv/bin/python benchmarks/dkim_cost.py [--messages 2000] [--bits 2048]

Builds one recipient's copy of the sample issue's digest (tests/verification/seed-2026-04-08.txt)
the way a batch does (MessageTemplate.build), first without a key, then signed with a freshly
generated RSA key (newsletter.dkim: relaxed/simple, OpenSSL for the RSA step), and prints the
time per message, the ratio, and the single-core ceiling each gives. Needs the dev extra
(cryptography, to make the key). Uses a throwaway SQLite or PostgreSQL test database.
"""

import argparse
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


def run(args, workdir):
    from django.conf import settings

    from benchmarks.digest import published_issue
    from newsletter import mailings
    from newsletter.message import MessageTemplate

    settings.SITE_URL = "https://daily.example.org"
    template = MessageTemplate.for_mailing(mailings.digest_for(published_issue()))
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2_000)
    parser.add_argument("--bits", type=int, default=2048)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

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
