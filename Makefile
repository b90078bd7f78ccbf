# Quick start: `make demo` (sets up and runs the demo), `make test` (sets up and runs the tests).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev

CHROMIUM := /usr/bin/chromium

.PHONY: demo test check venv clean bench chromium screenshots

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "cloudblame needs Python >= 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

# The tests also run Spark in local mode (the optional extra `spark`; `make demo` does not need it).
SPARK_STAMP := $(VENV)/.installed-spark
$(SPARK_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,spark]'
	@touch $(SPARK_STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/cloudblame demo

# The browser tests drive Debian's chromium (never a downloaded browser); they skip, saying why, without it.
chromium:
	@test -x $(CHROMIUM) || { echo "installing chromium for the browser tests (apt-get install -y chromium)"; \
	  { apt-get install -y chromium >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && \
	    apt-get install -y chromium >/dev/null 2>&1; }; } || \
	  echo "could not install chromium with apt-get: the browser tests will be skipped"; }

# --dist loadfile: a test file runs on one worker, so its module-scoped stores are built once, not once per worker.
test: $(SPARK_STAMP) chromium
	$(BIN)/ruff check src tests bench tools
	$(BIN)/mypy
	$(BIN)/python -m pytest -n auto --dist loadfile $(PYTEST_ARGS)

# The README's screenshots, taken by the browser tests.
screenshots: $(STAMP) chromium
	CLOUDBLAME_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -q tests/web/test_browser.py

# The fast loop (under 2 minutes on 2 cores): lint, types, the unit tests. `make test` runs everything.
check: $(STAMP)
	$(BIN)/ruff check src tests bench tools
	$(BIN)/mypy
	$(BIN)/python -m pytest -q tests/unit $(PYTEST_ARGS)

# Benchmarks (not part of `make test`; with the spark extra: the report measures Spark local mode too): corpora are
# cached in bench/corpus/, stores kept in bench/work/.
# e.g. make bench BENCH_ARGS="--sizes 100k --skip-trailscraper"
bench: $(SPARK_STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) demo-trail cloudblame-store
