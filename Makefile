# Two commands on a fresh machine with Python 3.11 and make:
#   make demo   create the environment, migrate, seed the demo world (agencies, users, a 200,000-
#               person survey with its diagnostics) and start the web server + task worker
#   make test   lint, type-check, architecture contracts and the whole test suite (library and
#               web; the web suite runs again on PostgreSQL when SETARA_TEST_DATABASE_URL is set)
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed


.PHONY: demo demo-cli test lint typecheck contracts pytest bench clean

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

DEMO_ENV := SETARA_HTTPS=0 SETARA_DATA_DIR=$(CURDIR)/var

demo: $(STAMP)
	cd web && $(DEMO_ENV) ../$(BIN)/python manage.py migrate --verbosity 0
	cd web && $(DEMO_ENV) ../$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	cd web && $(DEMO_ENV) ../$(BIN)/python manage.py seed_demo --persons 200000
	cd web && $(DEMO_ENV) BIN=../$(BIN) ./run_demo.sh

demo-cli: $(STAMP)
	mkdir -p demo-output
	$(BIN)/setara demo-data --persons 200000 --output demo-output/demo-survey.parquet
	$(BIN)/setara diagnose demo-output/demo-survey.parquet --output demo-output/diagnostic.csv

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks web
	$(BIN)/ruff format --check src tests benchmarks web

typecheck: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

pytest: $(STAMP)
	$(BIN)/pytest -q
	@if [ -n "$$SETARA_TEST_DATABASE_URL" ]; then \
	  echo "web tests on PostgreSQL"; \
	  DATABASE_URL="$$SETARA_TEST_DATABASE_URL" $(BIN)/pytest -q web/tests -m "not e2e"; \
	fi

test: lint typecheck contracts pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_engine.py
	$(BIN)/python benchmarks/bench_web.py
	$(BIN)/python -m benchmarks.bench_programmes
	$(BIN)/python benchmarks/bench_cli.py
	$(BIN)/python benchmarks/bench_change.py

clean:
	rm -rf $(VENV) demo-output var .pytest_cache .mypy_cache .ruff_cache
