# Internboard: `make run` to try it, `make test` to check it.
# Needs only Python 3.11+ and make; everything else is installed into .venv.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
# Local runs are development runs unless the caller says otherwise.
RUN_ENV := DEBUG=$${DEBUG:-1}

.PHONY: help install run serve migrate seed compilemessages messages test lint format clean

help:
	@echo "make run       install, migrate, load demo data and serve http://127.0.0.1:8000"
	@echo "make test      lint, migration check and the test suite (SQLite unless DATABASE_URL)"
	@echo "make messages  regenerate locale/ru/LC_MESSAGES/django.po (needs GNU gettext)"
	@echo "make format    apply ruff fixes and formatting"

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

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
	$(RUN_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: compilemessages lint
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	DEBUG=1 $(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
	find locale -name '*.mo' -delete
