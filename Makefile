# Two commands on a fresh machine: `make book` builds the book, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install browser book test lint refresh bench clean

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

# The browser tests drive Debian's Chromium (Playwright's own browser download is not used).
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

book: install
	$(BIN)/labecon build

test: install browser
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .

# Re-execute the chapters in book/ with their defaults: updates the outputs nbval compares against,
# and the models' reference values (tests/reference_values.json). Review the diff.
refresh: install
	$(BIN)/labecon refresh
	$(BIN)/pytest -q -p no:nbval -o addopts="" tests/test_reference_values.py --update-reference

# Timings are ratios and figures measured within one run (the machines are shared and noisy).
bench: install
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/uncertainty.py

clean:
	rm -rf _build
