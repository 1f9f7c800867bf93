# The two commands of the README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
# make test: parallel test processes (pytest-xdist). Many tests wait on a Celery worker, a browser
# or a server, so three keep two cores busy; TEST_PROCESSES=0 runs in one process.
TEST_PROCESSES ?= 3
# Lines covered, at least (issue 11). Where the integration tests cannot run (no PostgreSQL or
# Redis: they skip outside CI), the figure is reported but not enforced.
COV_FAIL_UNDER ?= $(if $(filter true 1 yes,$(CI)),95,0)
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: run test lint format install bench migrate seed clean worker audit faults screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]" || $(BIN)/pip install --quiet ".[test]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

AXE := node_modules/axe-core/axe.min.js
install: $(STAMP) $(AXE)

# axe-core for the browser tests' accessibility checks (npm; skipped where npm is missing, and
# then the axe tests fail in CI and skip locally).
$(AXE): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then (npm ci --no-audit --no-fund --silent && touch $(AXE)) || echo "npm ci failed: the axe checks will not run"; else echo "npm missing: the axe checks will not run"; fi

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

# issue 18 item 1: PORT reaches the settings, whose SITE_URL (links in e-mails, the recap's QR code
# and verification address) follows it unless SITE_URL is set (environment or .env).
run: seed
	$(BIN)/python manage.py ensure_signing_certificate
	@echo ""
	@echo "  Portail : http://127.0.0.1:$(PORT)/   (administration : http://127.0.0.1:$(PORT)/admin/)"
	@echo "  E-mails écrits dans var/outbox/ ; mot de passe de tous les comptes de démonstration : demo-Examens-2026"
	@echo ""
	PORT=$(PORT) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: install lint audit
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest -n $(TEST_PROCESSES) --dist loadfile --no-loadscope-reorder --cov --cov-report=term --cov-fail-under=$(COV_FAIL_UNDER) $(PYTEST_ARGS)

# issue 12: known vulnerabilities of the installed packages (OSV); one line and a pass when offline.
audit: install
	$(BIN)/python .ci/audit-dependencies

# issue 18: the README's screenshots (docs/screenshots/e2e-*.png), taken by the browser journey at
# 390 and 1280 px while it runs its checks (viewport PNGs in 256 colours).
screenshots: install
	rm -f docs/screenshots/e2e-*.png
	E2E_SCREENSHOTS=docs/screenshots CHROMIUM_PATH=$${CHROMIUM_PATH:-/usr/bin/chromium} $(BIN)/pytest -p no:cacheprovider -q -m browser tests/e2e/test_journey_browser.py

# The load generator is wrk (Debian package): installed here when missing and we are root.
bench: install
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } || { echo "make bench needs wrk: apt-get install wrk"; exit 1; }
	$(BIN)/python benchmarks/run.py

# issue 17: the fault suite (its own PostgreSQL, Redis, SMTP sink, gunicorn, workers; a few minutes).
faults: install
	$(BIN)/python faults/run.py $(FAULTS)

# Development: one worker on every queue (production runs one per queue: docker-compose.yml).
worker: install
	PORT=$(PORT) $(BIN)/celery -A portal worker -l info -Q portal,portal.emails,portal.pdf,portal.exports,portal.uploads

clean:
	rm -rf $(VENV) var
