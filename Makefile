# The README's commands. `make run` and `make test` do all set-up themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
REDIS_URL ?= redis://127.0.0.1:6379/1

.PHONY: run test test-pg lint format install serve bench data backup restore clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# xstatic-bootstrap is published only as an sdist whose setup.py needs
# pkg_resources, which new setuptools no longer has: build it with a pinned
# setuptools and no build isolation.
$(VENV)/.installed: $(BIN)/activate requirements.txt requirements-dev.txt
	$(PY) -m pip install --quiet "setuptools==80.9.0" "wheel==0.45.1"
	$(PY) -m pip install --quiet --no-build-isolation -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py load_demo_comments
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/pytest

# The same suite on the machine's PostgreSQL and Redis.
test-pg: install
	DATABASE_URL=$(PG_URL) CACHE_URL=$(REDIS_URL) $(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
