# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install demo test lint bench clean chromium faketime

# The pip that ships with Python installs everything: no upgrade, so `make` proves README's
# plain `python3 -m venv .venv && .venv/bin/pip install -e .` path too.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install luutru with its pinned minimum versions

demo: $(STAMP)  ## serve the bundled replica on 127.0.0.1, crawl it into demo.db, search it
	bash scripts/demo.sh

# Debian packages some tests need, installed once, only where missing and apt-get exists (CI
# runs as root; elsewhere sudo -n is tried). Idempotent and quiet.
# $(call apt_package,PACKAGE,TEST FILE)
define apt_package
	@if [ ! -x /usr/bin/$(1) ] && command -v apt-get >/dev/null 2>&1; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo "sudo -n" ); \
		echo "installing $(1) for $(2) (apt-get)"; \
		$$SUDO apt-get update -qq >/dev/null && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(1) >/dev/null || \
		echo "could not install $(1): $(2) will fail"; \
	fi
endef

chromium:  ## the browser test's Chromium
	$(call apt_package,chromium,tests/test_browser.py)

faketime:  ## the re-check tests run the CLI under faketime
	$(call apt_package,faketime,tests/test_recheck.py)

test: $(STAMP) chromium faketime  ## ruff, mypy, the layer contract, the offline test suite
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint: $(STAMP)  ## ruff, mypy and the import contract of docs/design.md ("Layers")
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q tests/test_layers.py

bench: $(STAMP)  ## crawl a 2,500-article replica and compare with a bare Scrapy spider
	$(BIN)/python benchmarks/crawl_replica.py

clean:
	rm -rf $(VENV) demo.db demo.db-wal demo.db-shm .pytest_cache artifacts
