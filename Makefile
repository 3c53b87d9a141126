# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install luutru with its pinned minimum versions

demo: $(STAMP)  ## serve the bundled replica on 127.0.0.1, crawl it into demo.db, search it
	bash scripts/demo.sh

test: $(STAMP)  ## the offline test suite (loopback servers only) and ruff
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)  ## crawl a 2,500-article replica and compare with a bare Scrapy spider
	$(BIN)/python benchmarks/crawl_replica.py

clean:
	rm -rf $(VENV) demo.db demo.db-wal demo.db-shm .pytest_cache artifacts
