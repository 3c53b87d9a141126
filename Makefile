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

# The browser test needs Debian's Chromium: installed once, only where it is missing and apt-get
# exists (CI runs as root; elsewhere sudo -n is tried). Idempotent and quiet.
chromium:
	@if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo "sudo -n" ); \
		echo "installing chromium for the browser test (apt-get)"; \
		$$SUDO apt-get update -qq >/dev/null && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null || \
		echo "could not install chromium: tests/test_browser.py will fail"; \
	fi

# The re-check tests run the CLI under Debian's faketime (tests/test_recheck.py): same rule.
faketime:
	@if [ ! -x /usr/bin/faketime ] && command -v apt-get >/dev/null 2>&1; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo "sudo -n" ); \
		echo "installing faketime for the re-check tests (apt-get)"; \
		$$SUDO apt-get update -qq >/dev/null && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq faketime >/dev/null || \
		echo "could not install faketime: tests/test_recheck.py will fail"; \
	fi

test: $(STAMP) chromium faketime  ## the offline test suite (loopback servers only) and ruff
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)  ## crawl a 2,500-article replica and compare with a bare Scrapy spider
	$(BIN)/python benchmarks/crawl_replica.py

clean:
	rm -rf $(VENV) demo.db demo.db-wal demo.db-shm .pytest_cache artifacts
