# Everything a newcomer needs: `make demo` shows the sync, `make test` proves it.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export AIRFLOW_HOME := $(CURDIR)/.airflow
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export AIRFLOW__CORE__DAGS_FOLDER := $(CURDIR)/dags
export AIRFLOW__CORE__PLUGINS_FOLDER := $(CURDIR)/plugins
export PYTHONPATH := $(CURDIR)
export PATH := $(CURDIR)/$(BIN):$(PATH)
# NetSuite authentication of `make demo` and `make sandboxes`: tba (default) or m2m (OAuth 2.0 client credentials).
NETSUITE_AUTH ?= tba
export NETSUITE_AUTH

.PHONY: install demo test lint format airflow airflow-settings sandboxes bench clean lock browser

install: $(VENV)/.installed

# Pinned install: requirements.txt (what Airflow runs) and requirements-dev.txt (sandboxes, tests, tools) say
# what, constraints.txt (a lock that passed the tests) says which version.
$(VENV)/.installed: requirements.txt requirements-dev.txt constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	touch $@

$(AIRFLOW_HOME)/.migrated: $(VENV)/.installed
	mkdir -p $(AIRFLOW_HOME)
	$(BIN)/airflow db migrate > $(AIRFLOW_HOME)/migrate.log 2>&1 || (cat $(AIRFLOW_HOME)/migrate.log; exit 1)
	touch $@

airflow-settings: $(AIRFLOW_HOME)/.migrated
	$(BIN)/python -m devtools.airflow_settings airflow_settings.yaml

demo: $(AIRFLOW_HOME)/.migrated
	$(BIN)/python -m devtools.demo

airflow: $(AIRFLOW_HOME)/.migrated
	$(BIN)/python -m devtools.local_airflow

sandboxes: install
	$(BIN)/python -m sandbox serve --orders 500 --netsuite-port 8765 --shopify-port 8766 --netsuite-auth $(NETSUITE_AUTH)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Headless Chromium for the UI tests: Debian's package (a browser download cannot work here), driven by
# Playwright from requirements.txt. Installs once; later runs find it.
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser: install
	@test -x $(CHROMIUM) || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium > /dev/null; }
	@test -x $(CHROMIUM) && $(BIN)/python -c "import playwright" && echo "browser: $$($(CHROMIUM) --version)"

# The ledger tests run on SQLite and on a real PostgreSQL (Debian's package, started here);
# the UI tests on Debian's Chromium.
# TEST_WORKERS pytest-xdist processes share the tests (the real-Airflow ones stay together in one, the
# browser ones in another: tests/conftest.py); most tests wait on servers, so three keep a 2-core machine busy.
TEST_WORKERS ?= 3
test: lint browser
	LEDGER_TEST_POSTGRES_URL="$$(bash devtools/start_postgres.sh)" REQUIRE_POSTGRES=1 \
		CHROMIUM=$(CHROMIUM) REQUIRE_BROWSER=1 $(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

bench: install
	$(BIN)/python -m benchmarks.bench_sync $(BENCH_ARGS)

# Refresh the lock from the current venv (run after the tests pass).
lock: install
	$(BIN)/python -m pip freeze --exclude-editable | LC_ALL=C sort > constraints.txt

clean:
	rm -rf $(AIRFLOW_HOME) .pytest_cache .ruff_cache
