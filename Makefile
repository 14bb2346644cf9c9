# Two commands on a fresh machine: `make book` builds the book, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: install install-test browser book pdf test lint refresh bench clean

# The book's packages (requirements.txt) and the project itself, editable.
$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $(STAMP)

# What the tests add (requirements-test.txt).
$(TEST_STAMP): $(STAMP) requirements-test.txt
	$(BIN)/python -m pip install -q -r requirements-test.txt
	touch $(TEST_STAMP)

install: $(STAMP)

install-test: $(TEST_STAMP)

# The browser tests drive Debian's Chromium (Playwright's own browser download is not used).
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

book: install
	$(BIN)/labecon build

# The built book as one PDF, printed by the Chromium the browser tests use: _build/pdf/labecon.pdf.
pdf: book browser
	$(BIN)/labecon pdf

test: install-test browser
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/pytest

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# Re-execute the chapters in book/ with their defaults: updates the outputs nbval compares against,
# and the models' reference values (tests/core/reference_values.json). Review the diff.
refresh: install-test
	$(BIN)/labecon refresh
	$(BIN)/pytest -q -p no:nbval -o addopts="" tests/core/test_reference_values.py --update-reference

# Timings are ratios and figures measured within one run (the machines are shared and noisy).
bench: install
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/uncertainty.py
	$(BIN)/python benchmarks/sweep.py

clean:
	rm -rf _build
