# Pledge Tracker. `make run` serves the site on the embedded SQLite database;
# `make test` runs the linters and the whole test suite.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export TRACKER_INSTANCE ?= $(CURDIR)/instance

.PHONY: run test install install-dev lint system-tools bench soak mutation clean

$(BIN)/uv:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Pledge Tracker needs Python 3.11 or newer (found: $$($(PYTHON) --version))."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check 'uv>=0.5'

$(VENV)/.installed: $(BIN)/uv pyproject.toml uv.lock
	$(BIN)/uv sync --frozen --inexact --no-dev --quiet
	@touch $@

$(VENV)/.installed-dev: $(BIN)/uv pyproject.toml uv.lock
	$(BIN)/uv sync --frozen --inexact --quiet
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

run: install
	$(BIN)/tracker db upgrade
	$(BIN)/tracker sample
	$(BIN)/tracker run --host $(HOST) --port $(PORT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/bandit -r tracker scrapers -q

# The browser tests drive Debian's Chromium (never a downloaded browser), the soak test
# loads the site with wrk, and the extractor reads scans with Tesseract and legacy Word
# files with antiword: installed from Debian when missing and allowed, else explained.
SYSTEM_TOOLS := chromium wrk tesseract antiword
SYSTEM_PACKAGES := chromium fonts-liberation fonts-dejavu-core wrk \
	tesseract-ocr tesseract-ocr-eng antiword

system-tools:
	@missing=$$(for tool in $(SYSTEM_TOOLS); do command -v $$tool >/dev/null || echo $$tool; done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing Debian packages for the tests: $(SYSTEM_PACKAGES)"; \
			apt-get update -qq && \
			apt-get install -y -qq --no-install-recommends $(SYSTEM_PACKAGES) >/dev/null; \
		else \
			echo "The tests need $$missing: apt-get install $(SYSTEM_PACKAGES)"; exit 1; \
		fi; \
	fi

test: lint system-tools
	$(BIN)/pytest

# Benchmarks (issue 6): about ten minutes on two cores. They need wrk and poppler-utils
# (apt-get install wrk poppler-utils); Datasette, the peer, is the locked `bench` group.
bench: install-dev
	$(BIN)/uv sync --frozen --inexact --group bench --quiet
	$(BIN)/python -m bench

# The full-length soak (issues 7, 14): 30 s at 64 connections on the national dataset, then
# 30 s more while a writer records a pledge a second; prints both read rates and their
# ratio. `make test` runs a few seconds of it. Needs wrk and Redis (REDIS_URL or :6379/0).
soak: install-dev
	$(BIN)/python -m bench.soak

# Mutation testing (issue 11): mutmut changes the cache, freshness, pledging, review and store
# code one small bug at a time and runs the tests that reach it; [tool.mutmut] in
# pyproject.toml says which. It works in mutants/, resumes where it stopped, and lists what
# survived. Not part of `make test`.
mutation: install-dev
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/mutmut run --max-children 2
	@$(BIN)/mutmut results

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache mutants
