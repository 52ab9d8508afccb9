# 地域資源マップ — the two commands are `make run` and `make test`; the rest are their parts.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/test
HOST ?= 127.0.0.1:8000

.PHONY: run test test-sqlite test-postgres lint install install-test system-deps messages demo-db benchmark clean

run: install  ## create .venv, install, migrate, load the demo region and serve on http://127.0.0.1:8000/
	DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DEBUG=1 $(BIN)/python manage.py load_demo
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST)

test: install-test system-deps lint test-sqlite  ## lint, Django checks and the whole suite on SQLite

test-sqlite: install-test
	$(BIN)/pytest -n 2

test-postgres: install-test  ## the whole suite again on the PostgreSQL at $(PG_TEST_URL)
	DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -n 2

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	SECRET_KEY=lint $(BIN)/python manage.py check
	SECRET_KEY=lint $(BIN)/python manage.py makemigrations --check --dry-run

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# Browser tests drive Debian's Chromium with a CJK font; install them when missing and we may.
system-deps:
	@if [ ! -x /usr/bin/chromium ] || [ ! -d /usr/share/fonts/opentype/ipafont-gothic ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-ipafont-gothic >/dev/null; \
		else echo "Install Debian's chromium and fonts-ipafont-gothic for the browser tests" >&2; exit 1; fi; \
	fi

messages: install-test  ## refresh the English catalogue after changing Japanese strings
	SECRET_KEY=messages $(BIN)/python manage.py makemessages -l en --ignore=.venv
	SECRET_KEY=messages $(BIN)/python manage.py compilemessages -l en --ignore=.venv

benchmark: install
	SECRET_KEY=benchmark-only $(BIN)/python manage.py benchmark_search --resources 100000

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 cache
