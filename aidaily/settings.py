"""Settings for aidaily, read from the environment (and a `.env` file when present).

With nothing set, aidaily runs embedded: SQLite under var/, tasks in-process, emails written as
files under var/mail/. Production sets DATABASE_URL, CELERY_BROKER_URL, SECRET_KEY and friends; see
.env.example for every setting.
"""

import secrets
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
# The bare-machine mode: SQLite (by default or named explicitly), nothing else to configure.
EMBEDDED = env.str("DATABASE_URL", default="sqlite://").startswith("sqlite")


def _embedded_secret_key() -> str:
    """A random key kept under var/, so a bare machine needs no configuration to run."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not (DEBUG or EMBEDDED):
        raise ImproperlyConfigured("SECRET_KEY must be set when DATABASE_URL is not SQLite.")
    SECRET_KEY = _embedded_secret_key()

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "django_filters",
    "simple_history",
    "sources",
    "verification",
    "claims",
    "intake",
    "channels",  # above events: its `demo` command adds every channel's output to events' demo
    "events",
    "newsletter",
    "editions",  # the PDF and share images of each published issue
    "axes",
    "aidaily",  # deploy checks, and the chief editor's permission to lift login lockouts
]

MIDDLEWARE = [
    "aidaily.health.HealthzMiddleware",  # probes: before host checks, HTTPS redirect and logging
    "aidaily.logging.RequestLogMiddleware",  # first: a request id and one log line per request
    "aidaily.nulbytes.RejectNulBytesMiddleware",  # PostgreSQL cannot hold NUL: 400 before views
    "django.middleware.security.SecurityMiddleware",
    "events.security.SecurityHeadersMiddleware",  # public archive: CSP and security headers
    # Baked public pages answered from their files: no session, locale or database work.
    "events.static_pages.middleware.StaticPagesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the lockout page
]

ROOT_URLCONF = "aidaily.urls"
WSGI_APPLICATION = "aidaily.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'aidaily.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # In-process tasks write while a request is open: wait for the lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
else:
    # A password may also come alone, kept out of the URL (docker-compose passes it so: compose
    # cannot percent-encode the + / = @ that a generated password may hold).
    if env.str("DATABASE_PASSWORD", default=""):
        DATABASES["default"]["PASSWORD"] = env.str("DATABASE_PASSWORD")
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://aidaily")}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username from
# one address, that pair is refused for the cool-off; a chief editor can lift it earlier in the
# admin by deleting the access attempt.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out login before checking it
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.float("AXES_COOLOFF_MINUTES", default=15))
# One combination: "username,ip_address" (default) or "username" (every address at once).
AXES_LOCKOUT_PARAMETERS = [env.list("AXES_LOCKOUT_PARAMETERS", default=["username", "ip_address"])]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "aidaily.lockout.lockout_response"
AXES_USERNAME_CALLABLE = "aidaily.lockout.attempt_username"
AXES_CLIENT_IP_CALLABLE = "aidaily.lockout.attempt_address"

# Internationalisation: Chinese first, English available.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env.bool("STATIC_MANIFEST", default=False)  # set where collectstatic has run
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or EMBEDDED
if EMBEDDED:
    Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing root

# Published pages rendered to files on publication, correction and withdrawal (and by
# `manage.py bake`); nginx serves them in docker-compose, the middleware above otherwise. Empty:
# no baking, every page rendered by Django.
STATIC_PAGES_ROOT = env.str("STATIC_PAGES_ROOT", default=str(VAR_DIR / "pages"))

# Email: files under var/mail/ unless EMAIL_URL names a server.
if "EMAIL_URL" in env:
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="AI前沿发展日报 <digest@aidaily.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security: HTTPS settings come from the environment so production can turn them on.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Celery: with no broker, tasks run in-process, inside the request that queues them (a whole
# digest inside the publish click) with their errors only logged. Fine for development (DEBUG) or
# a machine that says so (AIDAILY_EMBEDDED=1); anywhere else a missing broker is a mistake.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
AIDAILY_EMBEDDED = env.bool("AIDAILY_EMBEDDED", default=False)
if not (CELERY_BROKER_URL or DEBUG or AIDAILY_EMBEDDED):
    raise ImproperlyConfigured(
        "CELERY_BROKER_URL is not set and DEBUG is off: tasks would run inside web requests "
        "and their errors would be lost. Set CELERY_BROKER_URL=redis://HOST:6379/0 (production), "
        "or AIDAILY_EMBEDDED=1 to run tasks in-process on purpose (a single machine), or DEBUG=1 "
        "(development)."
    )
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_ROUTES = {
    "sources.tasks.*": {"queue": "snapshots"},
    "newsletter.tasks.*": {"queue": "mail"},
}
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_BEAT_SCHEDULE = {
    "publish-due-issues": {
        "task": "events.tasks.publish_due_issues",
        "schedule": timedelta(minutes=1),
    },
    "recapture-unpublished-sources": {
        "task": "sources.tasks.recapture_sources",
        "schedule": timedelta(hours=env.int("SNAPSHOT_UNPUBLISHED_INTERVAL_HOURS", default=4)),
        "kwargs": {"scope": "unpublished"},
    },
    "recapture-published-sources": {
        "task": "sources.tasks.recapture_sources",
        "schedule": crontab(hour=3, minute=30),
        "kwargs": {"scope": "published"},
    },
    "sweep-stuck-snapshots": {
        "task": "sources.tasks.sweep_stuck_snapshots",
        "schedule": timedelta(minutes=10),
    },
}

# Snapshots of cited sources.
SNAPSHOT_ALLOW_PRIVATE_ADDRESSES = env.bool("SNAPSHOT_ALLOW_PRIVATE_ADDRESSES", default=False)
SNAPSHOT_MAX_BYTES = env.int("SNAPSHOT_MAX_BYTES", default=20 * 1024 * 1024)
SNAPSHOT_TIMEOUT = env.float("SNAPSHOT_TIMEOUT", default=30.0)
SNAPSHOT_ORIGIN = env("SNAPSHOT_ORIGIN", default="").rstrip("/")
# Captures that run at once across every worker on the snapshots queue (containers x
# WORKER_CONCURRENCY): bulk captures are split into that many tasks.
SNAPSHOT_PARALLEL_CAPTURES = env.int("SNAPSHOT_PARALLEL_CAPTURES", default=4)
# The archiver's name and version, in the warcinfo record and the User-Agent alike. Header
# values are ASCII (RFC 9110): a server may read other bytes as latin-1, or refuse them.
SNAPSHOT_SOFTWARE = "aidaily-archiver/0.2"
SNAPSHOT_USER_AGENT = env("SNAPSHOT_USER_AGENT", default=f"{SNAPSHOT_SOFTWARE} (+{SITE_URL})")
if not SNAPSHOT_USER_AGENT.isascii():
    raise ImproperlyConfigured("SNAPSHOT_USER_AGENT must be ASCII (it is an HTTP header value)")

# The intake desk: watched feeds polled into one deduplicated inbox.
FEED_DISPATCH_LIMIT = env.int("FEED_DISPATCH_LIMIT", default=200)  # feeds queued per beat tick
FEED_MAX_BYTES = env.int("FEED_MAX_BYTES", default=5 * 1024 * 1024)
FEED_MAX_ENTRIES = env.int("FEED_MAX_ENTRIES", default=500)  # entries read from one response
FEED_DEDUP_WINDOW_DAYS = env.int("FEED_DEDUP_WINDOW_DAYS", default=14)
FEED_MAX_BACKOFF_HOURS = env.int("FEED_MAX_BACKOFF_HOURS", default=24)
CELERY_BEAT_SCHEDULE["poll-due-feeds"] = {
    "task": "intake.tasks.poll_due_feeds",
    "schedule": timedelta(minutes=5),
}
CELERY_TASK_ROUTES["intake.tasks.poll_feed"] = {"queue": "snapshots"}

# Editorial policy.
AIDAILY_FOUR_EYES = env.bool("AIDAILY_FOUR_EYES", default=True)
AIDAILY_PUBLICATION_DEADLINE = env("AIDAILY_PUBLICATION_DEADLINE", default="08:00")

# Newsletter: digest sending and the subscribe form.
NEWSLETTER_RATE_LIMIT = env.float("NEWSLETTER_RATE_LIMIT", default=0)  # messages/second, 0 = no cap
NEWSLETTER_BATCH_SIZE = env.int("NEWSLETTER_BATCH_SIZE", default=200)  # one SMTP connection each
NEWSLETTER_LANES = env.int("NEWSLETTER_LANES", default=2)  # batches of one mailing sent at once
NEWSLETTER_LEASE_SECONDS = env.int("NEWSLETTER_LEASE_SECONDS", default=600)
NEWSLETTER_MAX_ATTEMPTS = env.int("NEWSLETTER_MAX_ATTEMPTS", default=5)
NEWSLETTER_WEBHOOK_SECRET = env("NEWSLETTER_WEBHOOK_SECRET", default="")  # empty: webhook off
NEWSLETTER_SUBSCRIBE_LIMIT = env.int("NEWSLETTER_SUBSCRIBE_LIMIT", default=5)  # per client address
NEWSLETTER_SUBSCRIBE_WINDOW = env.int("NEWSLETTER_SUBSCRIBE_WINDOW", default=3600)  # seconds
# Reverse proxies in front of the site: the client is X-Forwarded-For's Nth address from the right.
AIDAILY_TRUSTED_PROXY_COUNT = env.int("AIDAILY_TRUSTED_PROXY_COUNT", default=0)
NEWSLETTER_CONFIRM_MAX_AGE = env.int("NEWSLETTER_CONFIRM_MAX_AGE", default=7 * 24 * 3600)
NEWSLETTER_LIST_ID = env("NEWSLETTER_LIST_ID", default="")  # default: digest.<SITE_URL host>
NEWSLETTER_UNSUBSCRIBE_MAILTO = env("NEWSLETTER_UNSUBSCRIBE_MAILTO", default="")  # empty: link only
# DKIM signature on every outgoing message (newsletter/dkim.py): all three, or none (unsigned).
DKIM_DOMAIN = env("DKIM_DOMAIN", default="")
DKIM_SELECTOR = env("DKIM_SELECTOR", default="")
DKIM_PRIVATE_KEY_FILE = env("DKIM_PRIVATE_KEY_FILE", default="")
if any((DKIM_DOMAIN, DKIM_SELECTOR, DKIM_PRIVATE_KEY_FILE)) and not all(
    (DKIM_DOMAIN, DKIM_SELECTOR, DKIM_PRIVATE_KEY_FILE)
):
    raise ImproperlyConfigured("Set DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY_FILE together.")
CELERY_BEAT_SCHEDULE["sweep-stuck-deliveries"] = {
    "task": "newsletter.tasks.sweep_deliveries",
    "schedule": timedelta(minutes=5),
}
# Editions (editions/): the PDF and share images made at publication and after each correction.
# Off: made only by `manage.py generate_editions` or the issue page's button.
EDITIONS_ON_PUBLISH = env.bool("EDITIONS_ON_PUBLISH", default=True)
EDITIONS_CHROMIUM = env("EDITIONS_CHROMIUM", default="")  # empty: `chromium` on PATH

# Fault recovery: a broker restart loses queued batches; resume those mailings.
CELERY_BEAT_SCHEDULE["resume-stalled-mailings"] = {
    "task": "newsletter.tasks.resume_stalled_mailings",
    "schedule": timedelta(minutes=5),
}

# Publishing channels (channels/): each is off while its settings are empty.
CHANNELS_TIMEOUT = env.float("CHANNELS_TIMEOUT", default=15)  # seconds per request
CHANNELS_LEASE_SECONDS = env.int("CHANNELS_LEASE_SECONDS", default=300)
CHANNELS_MAX_ATTEMPTS = env.int("CHANNELS_MAX_ATTEMPTS", default=6)
CHANNELS_RETRY_SECONDS = env.int("CHANNELS_RETRY_SECONDS", default=30)  # first backoff, doubled
WECHAT_APP_ID = env("WECHAT_APP_ID", default="")
WECHAT_APP_SECRET = env("WECHAT_APP_SECRET", default="")
WECHAT_THUMB_MEDIA_ID = env("WECHAT_THUMB_MEDIA_ID", default="")  # the cover: a permanent image
WECHAT_AUTHOR = env("WECHAT_AUTHOR", default="")
WECHAT_API_BASE = env("WECHAT_API_BASE", default="https://api.weixin.qq.com")
FEISHU_WEBHOOK_URL = env("FEISHU_WEBHOOK_URL", default="")
FEISHU_SECRET = env("FEISHU_SECRET", default="")  # the bot's 签名校验 secret
DINGTALK_WEBHOOK_URL = env("DINGTALK_WEBHOOK_URL", default="")
DINGTALK_SECRET = env("DINGTALK_SECRET", default="")  # the bot's 加签 secret
DINGTALK_MESSAGES_PER_MINUTE = env.int("DINGTALK_MESSAGES_PER_MINUTE", default=20)
CELERY_BEAT_SCHEDULE["send-due-channel-deliveries"] = {
    "task": "channels.tasks.send_due",
    "schedule": timedelta(minutes=1),
}

# Verification: how fresh a capture of every cited source must be when the gate runs. The
# evidence rules per outcome and section are verification.policy.DEFAULT_RULES; a "RULES" entry
# here replaces them.
AIDAILY_VERIFICATION = {
    "FRESH_CAPTURE_MAX_AGE_HOURS": env.float("AIDAILY_FRESH_CAPTURE_MAX_AGE_HOURS", default=12),
}

# Claim check: sections whose unsupported figures block publishing (the others only warn).
AIDAILY_CLAIMS = {
    "BLOCK_SECTIONS": env.list("AIDAILY_CLAIMS_BLOCK_SECTIONS", default=["event"]),
}

# Logging: one line per request and per task with its id; LOG_FORMAT=json for JSON lines.
LOG_FORMAT = env("LOG_FORMAT", default="plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "aidaily.logging.ContextFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "aidaily.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django.request": {"filters": ["context"]},  # its id, and URL tokens redacted
    },
}
