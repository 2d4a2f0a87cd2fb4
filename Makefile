# Archlab: `make run` serves the app on http://127.0.0.1:8000, `make test` runs the whole suite.
# Both set everything up first (idempotent): virtual environment, dependencies, system packages, migrations.

PYTHON ?= $(shell command -v python3.13 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The embedded default's key, for this machine only; production sets SECRET_KEY in its environment.
export SECRET_KEY ?= archlab-local-only-not-for-production

.PHONY: setup run test lint bench system-packages migrate clean fuzz audit load

setup: $(STAMP) system-packages migrate

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 13) else "Archlab needs Python 3.13 or newer (found " + sys.version.split()[0] + ")")'
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml requirements.lock
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -e '.[dev]'
	@touch $(STAMP)

system-packages:
	@missing=""; command -v dot >/dev/null 2>&1 || missing="$$missing graphviz"; \
	if [ -n "$(WITH_BROWSER)" ] && ! command -v chromium >/dev/null 2>&1; then missing="$$missing chromium"; fi; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing system packages:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else \
		echo "Missing system packages:$$missing. Install them with: sudo apt-get install -y$$missing"; \
	fi

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py load_content
	$(PY) manage.py collectstatic --noinput -v 0

run: setup
	DEBUG=$${DEBUG:-true} $(PY) manage.py runserver 127.0.0.1:8000

test: WITH_BROWSER := 1
test: setup
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

bench: $(STAMP)
	$(PY) tests/bench/bench_validate.py
	$(PY) tests/bench/bench_designer.py

# Schemathesis over the whole API and the Hypothesis fuzz tests, with a larger example budget than `make test`.
fuzz: $(STAMP)
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-300} $(PY) -m pytest -q tests/test_api_fuzz.py tests/test_api_fuzz_owner.py tests/quiz/test_api_fuzz.py \
		tests/security/test_fuzz_domain.py

# Known vulnerabilities in the locked dependencies (pip-audit asks PyPI's advisory database: needs the network)
# and bandit over our code (findings are fixed or justified inline with `# nosec` and the reason). Where pip-audit
# cannot finish (a PyPI mirror without per-release JSON, OSV unreachable), tests/audit/pypi_advisories.py reads
# PyPI's per-project pages instead: it passes only when every pin is the latest release and none has an advisory.
audit: $(STAMP)
	$(VENV)/bin/pip-audit --strict --progress-spinner off --no-deps --disable-pip -r requirements.lock \
		|| { echo "pip-audit did not pass; checking PyPI's project pages instead"; $(PY) tests/audit/pypi_advisories.py; }
	$(VENV)/bin/bandit -q -r accounts config designer quiz reviews workshops manage.py

# Load tests against gunicorn on 127.0.0.1 (PostgreSQL and Redis when DATABASE_URL and REDIS_URL are set).
load: $(STAMP)
	$(PY) tests/load/load_designer.py
	$(PY) tests/load/load_estimates.py
	$(PY) tests/load/load_workshop.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .hypothesis
