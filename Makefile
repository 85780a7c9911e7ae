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

.PHONY: run test lint bench clean system

system:
	@command -v dpkg >/dev/null 2>&1 || { echo "not Debian: install Pango, DejaVu and Liberation fonts and poppler-utils yourself"; exit 0; }; \
	missing=""; \
	for package in $(SYSTEM_PACKAGES); do \
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
	touch $(STAMP)

run: $(STAMP) system
	$(BIN)/hrta demo --out out

test: $(STAMP) system
	$(BIN)/ruff check src tests bench
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

bench: $(STAMP) system
	$(BIN)/python bench/analysis.py

clean:
	rm -rf $(VENV) out
