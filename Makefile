# Internboard: `make run` to try it, `make test` to check it.
# Needs only Python 3.11+ and make; everything else is installed into .venv.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# One stamp per set, named by the checksum of its pins: trying the app installs only
# the runtime set; checking it adds the test and lint tools (a superset of runtime).
RUNTIME_STAMP := $(VENV)/.installed-runtime-$(shell cat requirements.txt | cksum | cut -d' ' -f1)
DEV_STAMP := $(VENV)/.installed-dev-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
PORT ?= 8000
# Local runs are development runs unless the caller says otherwise.
RUN_ENV := DEBUG=$${DEBUG:-1}

.PHONY: help install install-dev run serve migrate seed compilemessages messages test lint format clean \
	bench-analytics bench

help:
	@echo "make run       install, migrate, load demo data and serve http://127.0.0.1:8000"
	@echo "               (another port: make run PORT=8080)"
	@echo "make test      lint, migration check and the test suite (SQLite unless DATABASE_URL)"
	@echo "make messages  regenerate locale/ru/LC_MESSAGES/django.po (needs GNU gettext)"
	@echo "make format    apply ruff fixes and formatting"
	@echo "make bench-analytics  time the analytics on a large seeded cohort (DATABASE_URL)"
	@echo "make bench     time the board against the plain-Django floor (PostgreSQL)"

$(RUNTIME_STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-runtime-*
	touch $@

# The dev set includes the runtime pins, so it also marks the runtime set current.
$(DEV_STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $(RUNTIME_STAMP) $@

install: $(RUNTIME_STAMP)

install-dev: $(DEV_STAMP)

# Compiled with Babel (pure Python), so no system gettext is needed to run.
compilemessages: install
	$(BIN)/pybabel compile --domain django --directory locale --statistics

messages: install
	$(RUN_ENV) $(BIN)/python manage.py makemessages --locale ru --add-location file \
		--ignore ".venv/*" --ignore "staticfiles/*" --ignore "tests/*"
	$(BIN)/pybabel compile --domain django --directory locale --statistics

migrate: install
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput

seed: migrate
	$(RUN_ENV) $(BIN)/python manage.py seed_demo

run: compilemessages seed
	$(RUN_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: install-dev compilemessages lint
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	DEBUG=1 $(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Seeds boards of 100/500/2,000 cards on the configured database (DATABASE_URL, default
# the local PostgreSQL database internboard_bench, which must exist), serves the app with
# gunicorn and DEBUG off on a free port, and prints the board's timings next to the
# plain-Django floor (docs/performance.md). Set REDIS_URL as production does, or Celery
# runs background work inside the requests being timed.
BENCH_DATABASE_URL := $${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/internboard_bench}
bench: install
	DATABASE_URL=$(BENCH_DATABASE_URL) $(RUN_ENV) $(BIN)/python manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_DATABASE_URL) $(RUN_ENV) $(BIN)/python manage.py bench_board

# Seeds a large cohort on the configured database (DATABASE_URL), times the analytics
# rebuild, incremental updates and reads, then removes the cohort again.
bench-analytics: migrate
	$(RUN_ENV) $(BIN)/python manage.py bench_analytics

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
	find locale -name '*.mo' -delete
