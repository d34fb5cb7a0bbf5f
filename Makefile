# The README's commands. `make run` and `make test` do all set-up themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
REDIS_URL ?= redis://127.0.0.1:6379/1

.PHONY: run test test-pg lint format install serve bench bench-large wrk data backup restore clean

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

# Production-like server on 127.0.0.1:$(PORT): DEBUG off, static files
# collected and served hashed by WhiteNoise, gunicorn (glutablog/gunicorn.conf.py).
# Needs SECRET_KEY (environment or .env); plain HTTP on loopback, so no
# redirect to https here (a TLS proxy in front does that in production).
SERVE_ENV = DEBUG=$${DEBUG:-off} SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} \
	ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost}
serve: install
	$(SERVE_ENV) $(PY) manage.py collectstatic --noinput -v0
	$(SERVE_ENV) $(PY) manage.py migrate --noinput
	$(SERVE_ENV) SECURE_SSL_REDIRECT=$${SECURE_SSL_REDIRECT:-off} GUNICORN_BIND=$(HOST):$(PORT) \
	GUNICORN_ACCESSLOG=- $(BIN)/gunicorn -c glutablog/gunicorn.conf.py

# Benchmark (bench/README.md): gunicorn + wrk on 127.0.0.1:8100-8199.
# BENCH_ARGS="--duration 30" and the like are passed on to bench/run.py.
BENCH_ARGS ?=
wrk:
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

bench: install wrk
	$(PY) bench/run.py $(BENCH_ARGS)

# The same figures on 10,000 posts and 1,000,000 comments (a few minutes).
bench-large: install wrk
	$(PY) bench/run.py --large --skip-load $(BENCH_ARGS)

# A large data set in the configured database (DATABASE_URL or db.sqlite3).
POSTS ?= 10000
COMMENTS ?= 1000000
data: install
	$(PY) manage.py generate_data --posts $(POSTS) --comments $(COMMENTS)

# SQLite backup into backups/, and restore: make restore FILE=backups/... YES=1
backup: install
	$(PY) manage.py backup_db

restore: install
	$(PY) manage.py restore_db $(FILE) $(if $(YES),--yes)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
