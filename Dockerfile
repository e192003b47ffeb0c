# aidaily: one image for web (gunicorn), worker and beat. Build: docker build -t aidaily .
FROM python:3.11.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=aidaily.settings \
    PYTHONPATH=/app \
    STATIC_ROOT=/app/staticfiles \
    STATIC_MANIFEST=1 \
    MEDIA_ROOT=/data/media \
    STATIC_PAGES_ROOT=/data/pages \
    WEB_CONCURRENCY=3

# postgresql-client: pg_dump/pg_restore for scripts/backup.sh and restore.sh (same major as the
# compose database, 15); tini reaps gunicorn's and celery's children and forwards signals; the
# worker makes each issue's PDF (WeasyPrint: Pango, HarfBuzz's subsetter, Noto CJK) and share
# images (headless Chromium).
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client tini \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk chromium \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 aidaily \
    && useradd --system --uid 10001 --gid aidaily --home-dir /app --shell /usr/sbin/nologin aidaily

WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY pyproject.toml README.md ./
RUN python -c "import tomllib; print(chr(10).join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
    > /tmp/requirements.txt
RUN pip install -r /tmp/requirements.txt

COPY . .
# The code runs from /app alone (PYTHONPATH), for gunicorn and Celery alike: no second copy in
# site-packages that one of them could import instead. Static files are collected into the image;
# whitenoise serves them with hashed names. The key and database are throwaway: settings refuse to
# load in production mode without them.
RUN SECRET_KEY=collectstatic-only DATABASE_URL=sqlite:////tmp/build.sqlite3 AIDAILY_EMBEDDED=1 \
       python manage.py collectstatic --noinput \
    && rm -f /tmp/build.sqlite3 \
    && mkdir -p /data/media /data/pages /app/var \
    && chown -R aidaily:aidaily /data /app/var

USER aidaily
EXPOSE 8000
VOLUME ["/data/media", "/data/pages"]

# No HEALTHCHECK here: the one image runs web, worker and beat, and only web listens on a port.
# docker-compose.yml gives each service the check that fits it.

ENTRYPOINT ["/usr/bin/tini", "--"]
# gunicorn reads its worker count from WEB_CONCURRENCY.
CMD ["gunicorn", "aidaily.wsgi:application", "--bind", "0.0.0.0:8000", \
     "--timeout", "60", "--graceful-timeout", "30"]
