# Pledge Tracker. `make run` serves the site on the embedded SQLite database;
# `make test` runs the linters and the whole test suite.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export TRACKER_INSTANCE ?= $(CURDIR)/instance

.PHONY: run test install install-dev lint bench clean

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

test: lint
	$(BIN)/pytest

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
