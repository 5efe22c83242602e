# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Root installs directly, others through sudo when it is there.
SUDO := $(shell [ "$$(id -u)" = 0 ] || command -v sudo)
# Gnumeric (ssconvert) is a second, independent formula engine for the live-check parity tests.
LO_PACKAGES := libreoffice-calc-nogui fonts-noto-cjk poppler-utils python3-uno gnumeric

.PHONY: demo test test-network test-faults lint typecheck unit libreoffice bytecode clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,bureau]'
	touch $@

# LibreOffice is the real spreadsheet client the tests drive; install it when missing and possible.
libreoffice:
	@if ! command -v soffice >/dev/null || ! command -v ssconvert >/dev/null || ! [ -x /usr/bin/pdftoppm ] \
	    || ! /usr/bin/python3 -c 'import uno' 2>/dev/null; then \
	  echo "installing LibreOffice headless and Gnumeric: $(LO_PACKAGES)"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(LO_PACKAGES) >/dev/null \
	  || echo "WARNING: could not install LibreOffice; its tests will fail"; \
	fi

# Compile xltools' bytecode as an installed package has it: this editable install would otherwise be compiled anew
# in every `xltools` process where PYTHONDONTWRITEBYTECODE is set (as on this machine), ~0.05 s a start.
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q xltools

demo: $(STAMP) bytecode
	$(BIN)/python examples/demo.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

# Needs no network once the venv and LibreOffice are installed (both steps are then no-ops): CI may run it offline.
test: $(STAMP) bytecode libreoffice lint
	$(BIN)/pytest

# The tests that download from the package index or build fresh environments: opt-in, they need the network.
test-network: $(STAMP) bytecode
	$(BIN)/pytest -m network
# The long fault-injection run: 1,100 generated inputs (byte, zip, XML and value faults of real returns) through
# `xltools check` and `xltools consolidate`; the figures it prints are in the README. `make test` runs a subset.
test-faults: $(STAMP) bytecode
	$(BIN)/python -m tests.faults.run --inputs 1100

clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache
