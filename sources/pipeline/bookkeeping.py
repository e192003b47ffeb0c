"""The transaction capture bookkeeping is written in."""

from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def bookkeeping():
    """A transaction for capture bookkeeping that does not wait for the disk on PostgreSQL.

    Losing the last claims or finishes in a database crash is harmless: the files are written
    before the row points at them, and a row left queued, running or captured is retried, swept
    or extracted again. Not waiting for the WAL flush is what lets a worker keep up with the
    network.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield
