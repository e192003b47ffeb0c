"""Headless Chromium through Playwright, for every test that looks at a page as a person would.

The `browser` fixture is registered in tests/conftest.py. The launch flags keep Chromium off the
network: without the background-networking ones it keeps trying hosts this machine cannot reach.
Screenshots go under var/e2e/ (the editors' guide uses them).
"""

import os
import shutil
from pathlib import Path

import pytest
from django.db import connections

from .conftest import missing_service

SCREENSHOTS = Path(__file__).resolve().parents[1] / "var" / "e2e"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PASSWORD = "correct horse battery staple"  # the factories' password
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser():
    """A launched Chromium (skipped on a bare machine, a failure in CI when it is missing)."""
    if not os.path.exists(CHROMIUM):
        missing_service("Chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_service("Playwright is not installed")
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test are
    # still synchronous, so Django's async-safety guard is lifted for this test only.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
            # While its loop runs, Django keeps this thread's connections apart from the ones
            # it has outside it (asgiref's Local sees a running loop): close them here, or the
            # test database cannot be dropped at the end of the run.
            connections.close_all()
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def shot(page, name):
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


def log_in(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")


def press(page, label):
    page.locator(".workflow-panel button", has_text=label).first.click()
    page.wait_for_load_state()
