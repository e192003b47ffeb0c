"""Digest sending speed: the real pipeline against a raw smtplib loop, in one run.

    .venv/bin/python benchmarks/digest.py [--subscribers 20000] [--deliveries 100000]

Sends the project's sample issue (events/demo/sample-issue.txt) to N subscribers
through the real pipeline (claim with a lease, build each copy from the stored rendering, one
SMTP connection per batch, each delivery marked sent right after the server accepts it) and,
as the baseline, the same pre-built messages through one smtplib connection. Both go to a local
aiosmtpd sink running in its own process. Then it times creating and queueing the deliveries of
one issue for a larger list. Uses a throwaway test database (SQLite file, or PostgreSQL when
DATABASE_URL is set).
"""

import argparse
import datetime
import logging
import multiprocessing
import os
import smtplib
import socket
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aidaily.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only")
os.environ.setdefault("AIDAILY_EMBEDDED", "1")  # the send runs in this process, on purpose
SEED = ROOT / "events" / "demo" / "sample-issue.txt"


def _sink(port, ready, stop, count):
    """An SMTP server that accepts and counts every message (its own process: no shared GIL)."""
    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            with count.get_lock():
                count.value += 1
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


def start_sink():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    ready, stop = multiprocessing.Event(), multiprocessing.Event()
    count = multiprocessing.Value("q", 0)
    process = multiprocessing.Process(target=_sink, args=(port, ready, stop, count), daemon=True)
    process.start()
    ready.wait(30)
    return port, count, stop, process


def make_subscribers(n, prefix):
    from django.utils import timezone

    from newsletter.models import Subscriber

    now = timezone.now()
    Subscriber.objects.bulk_create(
        [
            Subscriber(email=f"{prefix}{i}@bench.example", status="active", confirmed_at=now)
            for i in range(n)
        ],
        batch_size=5000,
    )


@contextmanager
def no_captures():
    """The sample cites real sites: importing it would capture them (resolving openai.com and the
    rest) in this process. The benchmark measures sending, so its sources stay uncaptured."""
    from django.db.models.signals import post_save

    from events.models import Citation
    from events.receivers import capture_newly_cited_source

    post_save.disconnect(capture_newly_cited_source, sender=Citation)
    try:
        yield
    finally:
        post_save.connect(capture_newly_cited_source, sender=Citation)


def published_issue(date=None):
    from django.utils import timezone

    from events.dailyformat.importer import import_text
    from events.models import Issue

    if date is None:
        with no_captures():
            issue = import_text(SEED.read_text(encoding="utf-8")).issue
    else:
        issue = Issue.objects.create(
            date=date, coverage_start=date - datetime.timedelta(days=7), coverage_end=date
        )
    Issue.objects.filter(pk=issue.pk).update(status="published", published_at=timezone.now())
    issue.refresh_from_db()
    return issue


def raw_loop(port, messages, envelope_from) -> float:
    """The baseline: pre-built messages over one smtplib connection, nothing else."""
    started = time.perf_counter()
    smtp = smtplib.SMTP("127.0.0.1", port)
    for to, data in messages:
        smtp.sendmail(envelope_from, [to], data)
    smtp.quit()
    return time.perf_counter() - started


def django_loop(port, mailing, recipients) -> float:
    """For reference: Django's EmailMultiAlternatives, rendered per recipient, one connection."""
    from django.core.mail import EmailMultiAlternatives, get_connection

    started = time.perf_counter()
    connection = get_connection()
    connection.open()
    for to, token in recipients:
        message = EmailMultiAlternatives(
            mailing.subject,
            mailing.text.replace("AIDAILYUNSUBSCRIBETOKEN", token),
            to=[to],
            connection=connection,
        )
        message.attach_alternative(
            mailing.html.replace("AIDAILYUNSUBSCRIBETOKEN", token), "text/html"
        )
        message.send()
    connection.close()
    return time.perf_counter() - started


def pipeline(mailing, lanes: int) -> float:
    """The real pipeline: deliveries created, then batches claimed, sent and marked.

    `lanes` threads stand for the worker's concurrent batch tasks of one mailing
    (NEWSLETTER_LANES), each with its own SMTP connection and database connection.
    """
    from django.db import connection

    from newsletter import sending

    def lane():
        try:
            while sending.send_batch(mailing_id=mailing.pk).claimed:
                pass
        finally:
            connection.close()

    started = time.perf_counter()
    sending.create_deliveries(mailing)
    threads = [threading.Thread(target=lane) for _ in range(lanes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def run(args):
    from django.conf import settings

    from aidaily.celery import app
    from events.models import Correction
    from newsletter import mailings, sending
    from newsletter.message import MessageTemplate
    from newsletter.models import Delivery, Mailing, Subscriber
    from newsletter.tasks import send_mailing

    port, count, stop, process = start_sink()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.NEWSLETTER_RATE_LIMIT = 0
    settings.SITE_URL = "https://daily.example.org"
    try:
        n = args.subscribers
        issue = published_issue()
        make_subscribers(n, "reader")
        mailing = mailings.digest_for(issue)
        template = MessageTemplate.for_mailing(mailing)
        recipients = list(Subscriber.objects.values_list("email", "token"))
        messages = [
            (to, template.build(to=to, token=token, message_id=template.message_id("raw", i)))
            for i, (to, token) in enumerate(recipients)
        ]
        size = sum(len(data) for _to, data in messages) / len(messages)
        print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
        html_kb = len(mailing.html.encode()) / 1024
        print(f"message: {size / 1024:.1f} KB on the wire (HTML {html_kb:.1f} KB)")

        raw_seconds = raw_loop(port, messages, template.envelope_from)
        del messages
        raw_rate = n / raw_seconds
        print(f"raw smtplib loop, pre-built: {n} in {raw_seconds:.2f} s = {raw_rate:.0f} msg/s")

        sample = recipients[: args.django_sample]
        django_seconds = django_loop(port, mailing, sample)
        print(
            f"Django EmailMultiAlternatives (reference, {len(sample)}): "
            f"{len(sample) / django_seconds:.0f} msg/s"
        )

        for lanes in args.lanes:
            lane_mailing = mailing
            if lanes != args.lanes[0]:  # a fresh mailing of the same rendering for each run
                lane_mailing = Mailing.objects.create(
                    issue=issue,
                    kind=Mailing.Kind.CORRECTION,
                    correction=Correction.objects.create(issue=issue, text=f"lanes {lanes}"),
                    subject=mailing.subject,
                    html=mailing.html,
                    text=mailing.text,
                )
            before = count.value
            pipe_seconds = pipeline(lane_mailing, lanes)
            pipe_rate = n / pipe_seconds
            counts = Delivery.objects.filter(mailing=lane_mailing).counts_by_status()
            print(
                f"pipeline, {lanes} lane(s) (create, claim, send, mark): {n} in "
                f"{pipe_seconds:.2f} s = {pipe_rate:.0f} msg/s; "
                f"ratio to raw {pipe_rate / raw_rate:.2f} (goal >= 0.70)"
            )
            assert counts == {"sent": n}, counts
            time.sleep(0.5)
            assert count.value - before == n, (count.value, before)

        # Creating and queueing the deliveries of one issue for a large list.
        make_subscribers(args.deliveries - n, "more")
        second = published_issue(issue.date + datetime.timedelta(days=1))
        big = mailings.digest_for(second)
        app.conf.task_always_eager = False
        app.conf.broker_url = "memory://"
        started = time.perf_counter()
        created = sending.create_deliveries(big)
        send_mailing.delay(big.pk)
        queue_seconds = time.perf_counter() - started
        print(f"create + queue {created} deliveries: {queue_seconds:.2f} s")
    finally:
        stop.set()
        process.join(10)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=20_000)
    parser.add_argument("--deliveries", type=int, default=100_000)
    parser.add_argument("--django-sample", type=int, default=2_000)
    parser.add_argument(
        "--lanes", type=int, nargs="+", default=[1, 2], help="concurrent batches per mailing"
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    logging.getLogger("celery").setLevel(logging.WARNING)
    logging.getLogger("aidaily").setLevel(logging.WARNING)
    workdir = tempfile.mkdtemp(prefix="aidaily-bench-")
    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = str(Path(workdir) / "bench.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run(args)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
