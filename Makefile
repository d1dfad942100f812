PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint serve clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The demo runs in dev mode (built-in secret key); production sets ZHENGSHU_SECRET_KEY instead.
demo: export ZHENGSHU_DEV ?= 1
demo: install
	$(BIN)/zhengshu migrate
	$(BIN)/zhengshu demo load
	$(BIN)/zhengshu serve

test: install
	$(BIN)/python -m pytest -n 2 --dist loadfile

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

clean:
	rm -rf $(VENV) var
