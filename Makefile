# Two set-up commands for a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint assets browser clean bench

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

assets: node_modules/.package-lock.json

run: $(STAMP) assets
	DJANGO_DEBUG=$${DJANGO_DEBUG:-true} $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=$${DJANGO_DEBUG:-true} $(PY) manage.py seed_demo
	@echo ""
	@echo "clinic-intake is starting at http://$(HOST):$(PORT)/ with its task worker  (Ctrl-C stops both)"
	DJANGO_DEBUG=$${DJANGO_DEBUG:-true} PY=$(PY) bin/run-dev $(HOST):$(PORT)

test: $(STAMP) assets
	$(PY) -m pytest $(PYTEST_ARGS)

# Figures at 100,000 cases on PostgreSQL (benchmarks/README.md). Not part of CI: it takes
# minutes the first time (generating the data) and its figures are read, not asserted.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/bench13
bench: $(STAMP) assets
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) benchmarks/bench.py $(BENCH_ARGS)

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy

# Debian's Chromium for the browser tests, and poppler-utils (pdftoppm) to render the PDFs
# they download (needs root and apt); CI runs this.
browser:
	(command -v chromium && command -v pdftoppm) >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils)

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3
