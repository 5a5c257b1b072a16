# Freight CRM: `make demo` serves the demo, `make test` runs every check. Both set up .venv first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
export FREIGHTCRM_DATA_DIR ?= $(CURDIR)/var
DEMO_CUSTOMERS ?= 2000
DEMO_SEED ?= 42
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install demo serve test lint browser bench clean

$(BIN)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(BIN)/.installed

demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --customers $(DEMO_CUSTOMERS) --seed $(DEMO_SEED) --with-users --if-empty
	$(PY) manage.py rebuild_search_index --if-empty
	$(PY) manage.py refresh_due_items
	$(PY) manage.py schedule_daily_tasks
	@echo "Staff UI (Chinese): http://$(HOST):$(PORT)/admin/"
	$(MAKE) --no-print-directory serve

# The web server and, beside it, the background task worker (daily due-list refresh); both stop together.
serve: install
	$(PY) manage.py db_worker --interval 5 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn freightcrm.wsgi --bind $(HOST):$(PORT) --workers 2 --threads 4 --access-logfile -

# Browser tests drive Debian's Chromium; the OCR tests render Chinese with a CJK font. Install both when missing.
browser:
	@{ command -v chromium >/dev/null && fc-list :lang=zh | grep -q .; } || { \
	  echo "Installing Debian's chromium and CJK fonts for the browser and OCR tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk fontconfig >/dev/null; }

lint: install
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: install browser
	DJANGO_SETTINGS_MODULE=freightcrm.settings_test $(MAKE) --no-print-directory lint
	$(BIN)/pytest

clean:
	rm -rf $(VENV) var
