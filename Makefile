# Wayhome: `make run` serves the app with demo data; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.8
export UV_PYTHON_DOWNLOADS := never
export UV_NO_PROGRESS := 1

.PHONY: run test env lint types migrations-check pytest messages clean help bench bench-full audit

help:
	@echo "make run   - build the environment, migrate SQLite, load demo data, serve http://127.0.0.1:8000"
	@echo "make test  - lint, types, migration check, the test suite (SQLite; PostgreSQL when WAYHOME_TEST_DATABASE_URL is set)"
	@echo "make bench - 100,000 synthetic cases on a throwaway PostgreSQL behind gunicorn; writes bench/RESULTS.md (bench-full: 1,000,000)"

$(VENV)/.synced: requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(VENV)/bin/uv pip sync --quiet --python $(PY) requirements.lock
	@touch $@

env: $(VENV)/.synced messages

# Translations are compiled from the .po files on every build (the .mo files are not committed).
messages: $(VENV)/.synced
	@if [ -d wayhome/locale ]; then cd wayhome && ../$(PY) ../manage.py compilemessages --verbosity 0; fi

run: env
	@mkdir -p var
	WAYHOME_DEBUG=1 $(PY) manage.py migrate --no-input --verbosity 0
	WAYHOME_DEBUG=1 $(PY) manage.py seed_demo
	WAYHOME_DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

lint: env
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

types: env
	$(VENV)/bin/mypy wayhome config tests bench

migrations-check: env
	$(PY) manage.py makemigrations --check --dry-run

pytest: env
	@scripts/ensure-chromium
	$(VENV)/bin/pytest -n 2 --dist loadgroup
	@if [ -n "$$WAYHOME_TEST_DATABASE_URL" ]; then \
		echo "== the suite again on PostgreSQL (browser tests drive make run's SQLite server: once is enough)"; \
		WAYHOME_DATABASE_URL="$$WAYHOME_TEST_DATABASE_URL" $(VENV)/bin/pytest -n 2 --dist loadgroup -m "not browser"; \
	else \
		echo "WAYHOME_TEST_DATABASE_URL is not set: the suite ran on SQLite only (.ci/run runs both)"; \
	fi

test: lint types migrations-check pytest

# Known vulnerabilities in the locked dependencies (PyPI's advisory data); .ci/run calls it.
# scripts/audit-summary says how many packages could be checked (none, where the advisory
# service is unreachable) and fails on a finding; WAYHOME_AUDIT_STRICT=1 also fails an unchecked run.
audit: env
	@mkdir -p var
	$(VENV)/bin/pip-audit -r requirements.lock --disable-pip --no-deps --progress-spinner off -f json -o var/pip-audit.json; \
	status=$$?; $(PY) scripts/audit-summary var/pip-audit.json && exit $$status

clean:
	rm -rf $(VENV) staticfiles

# Benchmarks at scale (bench/run, bench/scale.py): a throwaway PostgreSQL, synthetic data, gunicorn,
# wrk; figures and their ratios to a bare Django view written to bench/RESULTS.md.
bench: env
	bench/run quick

bench-full: env
	bench/run full

# Load test (bench/locustfile.py) against a running server, headless, for DURATION seconds:
#   make load URL=http://127.0.0.1:8000 DURATION=60 USERS=20 [LOCUST_USERS=BareUser]
# ApiUser needs WAYHOME_BENCH_TOKEN (manage.py issue_token) and, to create people,
# WAYHOME_BENCH_OFFICE_ID; BareUser needs the server started with WAYHOME_BENCH=1.
URL ?= http://127.0.0.1:8000
DURATION ?= 60
USERS ?= 20
SPAWN_RATE ?= 5
LOCUST_USERS ?=
.PHONY: load
load: env
	$(VENV)/bin/locust -f bench/locustfile.py --headless --host $(URL) --users $(USERS) \
		--spawn-rate $(SPAWN_RATE) --run-time $(DURATION)s --stop-timeout 10 --only-summary \
		$(LOCUST_USERS)
