# The README's commands. `make run` and `make test` do all set-up themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
REDIS_URL ?= redis://127.0.0.1:6379/1

.PHONY: run test test-fast test-pg test-tools lint format install serve worker nginx bench bench-large bench-huge wrk data backup restore clean

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

# Test tools from the npm registry, pinned in package-lock.json: the W3C Nu
# Html Checker (vnu.jar, run with Java by tests/core/test_valid_html.py).
# --ignore-scripts: vnu-jar's install script would fetch a Java of its own;
# the machine's Java (default-jre-headless) runs it.
VNU_JAR := node_modules/vnu-jar/build/dist/vnu.jar
$(VNU_JAR): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed

# `make run` needs Python alone; the tests need the checker too.
test-tools: install $(VNU_JAR)

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py load_demo_comments
	$(PY) manage.py load_demo_pages
	$(PY) manage.py runserver $(HOST):$(PORT)

# The suite on every core (pytest-xdist, WORKERS=1 for one process): each
# worker has its own test database, Redis database (CACHE_URL's number plus the
# worker's) and ports; the tests sharing a production set run on one worker
# (--dist loadgroup; see docs/performance.md, "The test suite"). PYTEST_ARGS are
# passed on (PYTEST_ARGS="tests/articles -x"). The time the run took is
# printed last.
WORKERS ?= auto
PYTEST_ARGS ?=
PYTEST := $(BIN)/pytest -n $(WORKERS) --dist loadgroup $(PYTEST_ARGS)
TIMED = start=$$(date +%s); status=0; $(1) || status=$$?; \
	echo "make $@: $$(( $$(date +%s) - start )) s (exit $$status)"; exit $$status

# Everything: the fast tier, the browser tier (Chromium) and the production
# tier (nginx, gunicorn and the worker on PostgreSQL and Redis).
test: test-tools
	@$(call TIMED,$(PYTEST))

# Neither the browser nor the production tier: what most changes need first.
test-fast: test-tools
	@$(call TIMED,$(PYTEST) -m "not browser and not production")

# The suite on the machine's PostgreSQL and Redis, the browser tier included.
# The production tier is left out: it starts its own PostgreSQL database and
# Redis (and a SQLite file) whatever DATABASE_URL says, so `make test` has run
# it exactly as it would run here.
test-pg: test-tools
	@$(call TIMED,DATABASE_URL=$(PG_URL) CACHE_URL=$(REDIS_URL) $(PYTEST) -m "not production")

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The production set on loopback (deploy/serve.py): collectstatic, migrate,
# gunicorn (glutablog/gunicorn.conf.py) on a unix socket in var/serve/ (or
# 127.0.0.1:$(APP_PORT) if set), nginx (deploy/nginx/) in front of it on
# https://127.0.0.1:$(HTTPS_PORT)/ with a self-signed certificate,
# http://127.0.0.1:$(HTTP_PORT)/ redirecting there, and the task worker.
# DEBUG off; needs SECRET_KEY (environment or .env). Ctrl-C stops them all.
HTTPS_PORT ?= 8443
HTTP_PORT ?= 8080
APP_PORT ?=
nginx:
	@command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; }

serve: install nginx
	$(PY) -m deploy.serve --https-port $(HTTPS_PORT) --http-port $(HTTP_PORT) $(if $(APP_PORT),--app-port $(APP_PORT))

# The task worker alone (production runs it as its own service, beside the
# web server; `make serve` starts it with gunicorn and nginx): it sends the mail
# that requests queued. Needs TASKS_BACKEND=database (the default with DEBUG off).
# task_worker (core) under a fixed id, as `make serve` runs it: started again
# after a kill, it queues again the task it left running. WORKER_ID=... for a
# second worker beside it (each id one process at a time).
WORKER_ID ?= worker-1
worker: install
	DEBUG=$${DEBUG:-off} $(PY) manage.py task_worker --no-reload --worker-id $(WORKER_ID)

# Benchmark (bench/README.md): gunicorn, nginx and wrk on 127.0.0.1:8100-8109.
# BENCH_ARGS="--duration 30" and the like are passed on to bench/run.py.
BENCH_ARGS ?=
wrk:
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

bench: install wrk nginx
	$(PY) bench/run.py $(BENCH_ARGS)

# The same figures on 10,000 posts and 1,000,000 comments (a few minutes).
bench-large: install wrk nginx
	$(PY) bench/run.py --large --skip-load $(BENCH_ARGS)

# 100,000 posts and 10,000,000 comments on PostgreSQL (PG_URL's server), made
# by generate_data --bulk in minutes, in the database $(HUGE_DB) (about 7 GB
# on disk while it exists: check df first), dropped afterwards. Generate once,
# measure many times: BENCH_ARGS=--keep-database keeps it, and
# BENCH_ARGS="--reuse-database --keep-database" measures it again without
# generating it (without --keep-database, it is dropped after).
HUGE_DB ?= glutablog_huge
bench-huge: install
	$(PY) bench/run.py --large --bulk --posts 100000 --comments 10000000 --postgres \
	  --pg-database $(HUGE_DB) --pg-admin-url $(PG_URL) --skip-throughput --skip-load $(BENCH_ARGS)

# A large data set in the configured database (DATABASE_URL or db.sqlite3);
# BULK=1 for generate_data --bulk (100,000 posts and more).
POSTS ?= 10000
COMMENTS ?= 1000000
data: install
	$(PY) manage.py generate_data --posts $(POSTS) --comments $(COMMENTS) $(if $(BULK),--bulk)

# SQLite backup into backups/, and restore: make restore FILE=backups/... YES=1
backup: install
	$(PY) manage.py backup_db

restore: install
	$(PY) manage.py restore_db $(FILE) $(if $(YES),--yes)

clean:
	rm -rf $(VENV) node_modules staticfiles var .pytest_cache .ruff_cache

# The cluster on loopback (deploy/serve.py --app-nodes, docs/operations.md):
# $(NODES) gunicorn app servers on 127.0.0.1:$(CLUSTER_APP_PORT) and the ports
# after it, nginx balancing over them on https://127.0.0.1:$(HTTPS_PORT)/, one
# task worker, moto's S3 server for media on 127.0.0.1:$(MOTO_PORT) (unless
# AWS_STORAGE_BUCKET_NAME names a real bucket), on the PostgreSQL and Redis of
# DATABASE_URL and CACHE_URL (default: $(PG_URL) and $(REDIS_URL)).
NODES ?= 2
CLUSTER_APP_PORT ?= 8001
MOTO_PORT ?= 8190
.PHONY: cluster
cluster: install nginx
	DATABASE_URL=$${DATABASE_URL:-$(PG_URL)} CACHE_URL=$${CACHE_URL:-$(REDIS_URL)} \
	  $(PY) -m deploy.serve --app-nodes $(NODES) --app-port $(CLUSTER_APP_PORT) \
	  --moto-port $(MOTO_PORT) --https-port $(HTTPS_PORT) --http-port $(HTTP_PORT)
