# make run: set up and serve the seeded API.  make test: set up and run the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT

.PHONY: install run dev test lint format openapi bench bench-tools bench-inprocess bench-datafile clean

# Reinstall only when the project's dependencies change.
$(BIN)/timeline-api: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/timeline-api

run: install
	$(BIN)/timeline-api db upgrade
	$(BIN)/timeline-api seed --if-empty
	$(BIN)/timeline-api serve

dev: install
	$(BIN)/timeline-api db upgrade
	$(BIN)/timeline-api seed --if-empty
	$(BIN)/timeline-api serve --dev

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check timeline_api tests migrations bench
	$(BIN)/ruff format --check timeline_api tests migrations bench
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix timeline_api tests migrations bench
	$(BIN)/ruff format timeline_api tests migrations bench

openapi: install
	$(BIN)/timeline-api openapi > openapi.yaml

# The HTTP bench of docs/performance.md: ours beside Datasette, 100k and 1M events, SQLite and
# PostgreSQL (about 20 min on 2 cores). Options: make bench BENCH_ARGS="--events 50000 --reuse".
bench: install bench-tools
	$(BIN)/python -m bench.http $(BENCH_ARGS)

# wrk, the load generator, from the Debian packages (for the bench only, not for CI).
bench-tools:
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; } \
		|| { echo "bench: cannot install wrk; run: sudo apt-get install -y wrk" >&2; exit 1; }

# In-process latency of the events list (no HTTP): python -m bench.events --help.
bench-inprocess: install
	$(BIN)/python -m bench.events $(BENCH_ARGS)

# Import, re-import and export of a million generated events; BENCH_DATABASE_URL for PostgreSQL.
bench-datafile: install
	$(BIN)/python -m bench.datafile --events 1000000
	$(if $(BENCH_DATABASE_URL),$(BIN)/python -m bench.datafile --events 1000000 --database-url $(BENCH_DATABASE_URL))

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
