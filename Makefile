# Two commands: `make run` serves the demo program, `make test` runs the tests.
# Both set everything up first (system packages when missing, a virtualenv, dependencies).

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
SYSTEM_PACKAGES := xmlsec1 libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
# Browser tests drive Debian's Chromium (Playwright's own browser download is not used).
TEST_PACKAGES := chromium
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup system-deps test-deps apt-install run test test-unit test-e2e lint lighthouse migrate demo worker beat clean

setup: system-deps $(STAMP)

# Debian packages needed by WeasyPrint (PDF) and pysaml2 (SSO): installed only when missing.
system-deps:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(SYSTEM_PACKAGES)"

test-deps:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(TEST_PACKAGES)"

apt-install:
	@if command -v dpkg >/dev/null 2>&1; then \
	  missing=""; \
	  for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	  if [ -n "$$missing" ]; then \
	    echo "Installing system packages:$$missing"; \
	    sudo=""; [ "$$(id -u)" -eq 0 ] || sudo="sudo"; \
	    $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing; \
	  fi; \
	fi

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

migrate: setup
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput

demo: migrate
	DJANGO_DEBUG=1 $(PY) manage.py seed_demo --schedule

run: demo
	@echo "Serving on http://$(HOST):$(PORT)/ (admin at /admin/, API docs at /api/docs/)"
	DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# Unit, integration and API tests, then the browser tests in their own pytest run.
test: test-unit test-e2e

test-unit: setup
	$(VENV)/bin/pytest

test-e2e: setup test-deps
	$(VENV)/bin/pytest -o addopts="-ra --strict-markers" tests/e2e

# Lighthouse (npm, pinned in package.json: 12.x runs on Node 20) on the main pages a resident uses, in the light and
# dark colour schemes: accessibility and best-practices scores of 90 or more, and Chromium's installability check.
# `npm ci` runs again only when package-lock.json changes.
NODE_STAMP := node_modules/.installed-$(shell cksum package-lock.json | cut -d' ' -f1)

$(NODE_STAMP): package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

lighthouse: setup test-deps $(NODE_STAMP)
	CHROME_PATH=/usr/bin/chromium $(PY) -m tests.e2e.lighthouse

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	DJANGO_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

# Scaled mode (DATABASE_URL and REDIS_URL set): Celery workers and beat.
worker: setup
	$(VENV)/bin/celery -A config worker -Q default,notifications,solver --loglevel INFO

beat: setup
	$(VENV)/bin/celery -A config beat --loglevel INFO

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
