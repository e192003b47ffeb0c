"""The test suite's settings: the project's own, running tasks in-process on purpose.

aidaily refuses to start with DEBUG off and no broker unless told AIDAILY_EMBEDDED=1; a bare
`pytest` has no broker and tests the production defaults (DEBUG off), so it says so here. CI sets
CELERY_BROKER_URL, and the flag then changes nothing.
"""

import os

os.environ.setdefault("AIDAILY_EMBEDDED", "1")

from aidaily.settings import *  # noqa: F403 - the suite tests the real configuration

# Seconds of PDF and image rendering per publication: only the editions tests turn it on.
EDITIONS_ON_PUBLISH = False
# Baked pages off by default: a file left by one test would answer the next one's request. The
# tests of baking point it at a temporary directory.
STATIC_PAGES_ROOT = ""
# Django's own advice for test suites: the production hasher (PBKDF2, a million iterations) costs
# about 0.3 s a password here, paid by every user a test creates or logs in; the suite is not
# testing the hash. aidaily/settings.py keeps the real hashers.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
