# Two commands for a consultant: `make demo` and `make test`.
# Works on a fresh Debian/Ubuntu machine with python3 and make; system packages are
# installed when running as root, otherwise the exact command to run is printed.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Debian packages livret needs to run: the fonts of the PDF's fallback chain (theme/pdf/commun.css:
# Latin, Greek, Cyrillic, Arabic, Hebrew in fonts-noto-core and fonts-dejavu-core; Chinese,
# Japanese, Korean in fonts-noto-cjk; colour emoji in fonts-noto-color-emoji; symbols and
# monochrome emoji in fonts-symbola) and the PDF layout libraries used by WeasyPrint.
RUNTIME_PACKAGES := python3-venv fonts-dejavu-core fonts-noto-core fonts-noto-cjk \
	fonts-noto-color-emoji fonts-symbola libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
# Only the tests need these: Chromium for the browser tests, poppler for PDF checks, Node.js
# for axe-core, pdf.js and yaml-language-server (npm itself is checked apart, see node_modules).
TEST_PACKAGES := poppler-utils chromium nodejs
DEB_PACKAGES := $(RUNTIME_PACKAGES)

.PHONY: demo test lint types pytest schema system-deps test-deps clean bench

demo: system-deps $(VENV)/.installed
	$(BIN)/livret check
	$(BIN)/livret build
	@echo
	@echo "Livrets construits dans site/ (une page neutre site/index.html, un dossier par livret)."
	@echo "Copies en clair des synthèses, pour vous seul : syntheses/"
	@echo "Lien et phrase de passe d'un livret : $(BIN)/livret access 2026-durand-claire"

# Compares livret with the hand-glued MkDocs + encryptcontent + mkdocs-with-pdf stack,
# then times `livret serve` from a save to the reloaded page in headless Chromium.
# Not part of `make test`: it prints numbers, it does not pass or fail.
BENCH_N ?= 20
BENCH_SERVE_N ?= 20
bench: test-deps
	@$(PYTHON) -m venv .venv-bench
	.venv-bench/bin/python -m pip install --quiet -e . 'mkdocs-with-pdf==0.9.3' 'playwright>=1.45,<2'
	NO_MKDOCS_2_WARNING=1 .venv-bench/bin/python scripts/bench.py --n $(BENCH_N)
	.venv-bench/bin/python scripts/bench_serve.py --n $(BENCH_SERVE_N)

test: test-deps $(VENV)/.installed-dev node_modules/.installed
	$(BIN)/ruff check scripts tests
	$(BIN)/ruff format --check scripts tests
	$(BIN)/mypy
	$(BIN)/pytest -q

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check scripts tests && $(BIN)/ruff format --check scripts tests

types: $(VENV)/.installed-dev
	$(BIN)/mypy

pytest: $(VENV)/.installed-dev
	$(BIN)/pytest -q

# Regenerate the committed JSON Schemas after a change to the dossier models.
schema: $(VENV)/.installed-dev
	$(BIN)/python -c "from livret.dossier.schema import write_schemas; write_schemas()"

# `make demo` installs what livret needs to run; `make test` adds the test tools.
$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { $(MAKE) --no-print-directory system-deps && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

# axe-core, pdf.js and yaml-language-server, pinned in package.json / package-lock.json, for
# tests/test_accessibility.py, tests/test_pdfua.py and tests/test_handover.py.
# Some Node.js packages ship npm, Debian's does not: install it only when it is missing.
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || $(MAKE) --no-print-directory system-deps DEB_PACKAGES=npm
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

test-deps:
	@$(MAKE) --no-print-directory system-deps DEB_PACKAGES="$(RUNTIME_PACKAGES) $(TEST_PACKAGES)"

system-deps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installation des paquets système :" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	elif command -v apt-get >/dev/null 2>&1; then \
		echo "Paquets système manquants. Lancez :" sudo apt-get install $$missing; exit 1; \
	else \
		echo "Paquets système manquants et pas d'apt-get sur cette machine : installez l'équivalent de" $$missing "(voir « Démarrer en deux commandes » dans README.md)."; exit 1; \
	fi

clean:
	rm -rf $(VENV) .venv-bench .mypy_cache .ruff_cache .pytest_cache node_modules
