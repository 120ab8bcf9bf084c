# The two commands of the README:  make book   and   make test
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
BUILD_FLAGS := -W -n --keep-going
# Each stage of `make test` is timed (scripts/timed.py, standard library only: it runs before the venv)
PY3 := $(shell command -v python3 2>/dev/null || command -v python)
TIMED := $(PY3) scripts/timed.py
# the notebooks `make rerun-check` runs (all when empty)
NOTEBOOKS ?=

.PHONY: book test pytest built-test browser-test clean benchmark mutation rerun-check pdf pdf-test

$(STAMP): requirements.txt pyproject.toml scripts/make_venv.sh
	$(TIMED) "install" -- bash scripts/make_venv.sh $(VENV)
	touch $(STAMP)

## make book: build the HTML book into _build/html (executes notebooks, reuses the cache)
book: $(STAMP)
	# a PDF printed from an earlier book would outlive it: `make pdf` prints it again
	rm -f _build/html/ipscompendium.pdf
	$(BIN)/python scripts/cache_guard.py
	# the notebooks the cache lacks, executed side by side; the build then reads them from the cache
	$(TIMED) "notebooks (in parallel)" -- $(BIN)/python scripts/execute_notebooks.py --cache _build/.jupyter_cache
	$(TIMED) "book build" -- $(BIN)/jupyter-book build . $(BUILD_FLAGS)
	# Sphinx neither overwrites a changed static file in place nor copies any when no page is out of
	# date: the book's own static files, the data downloads and the PDF link are brought up to date here
	mkdir -p _build/html/_static && cp -f _static/* _build/html/_static/
	$(BIN)/python book/_ext/data_downloads.py
	@echo "Book built: open _build/html/index.html"

## make test: the unit tests, the full book build with warnings as errors, then the checks on the
## built book; prints each stage's time at the end
test:
	@$(TIMED) --reset
	@$(MAKE) --no-print-directory pytest book built-test; status=$$?; $(TIMED) --report; exit $$status

pytest: $(STAMP)
	$(TIMED) "unit tests" -- $(BIN)/python -m pytest -n auto

## make built-test: the published numbers (ledger) against tests/expected/numbers.csv
built-test: $(STAMP)
	$(TIMED) "checks on the built book" -- $(BIN)/python -m pytest -m built tests/built

## make rerun-check: each notebook as JupyterLab's "Run all" runs it (jupytext, a fresh kernel, in
## notebooks/), with its time and peak memory (_build/rerun/rerun.md); fails on an error or above 2 GB.
## NOTEBOOKS="pain_reproduction data" runs only those.
rerun-check: $(STAMP)
	$(BIN)/python scripts/execute_notebooks.py --report _build/rerun/rerun.md $(NOTEBOOKS)
	@cat _build/rerun/rerun.md

## make browser-test (optional, third command): every page in headless Chromium at phone and laptop
## size, screenshots into _build/screenshots/. Needs Debian's browser: apt-get install -y chromium chromium-driver
browser-test: $(STAMP)
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  { echo "browser-test needs chromium and chromedriver: apt-get install -y chromium chromium-driver"; exit 1; }
	$(BIN)/python -m pip install --quiet -r requirements-browser.txt
	$(TIMED) "browser check" -- $(BIN)/python -m pytest -m browser tests/browser -q

## make pdf: the whole book as one PDF (_build/html/ipscompendium.pdf, linked from the welcome page),
## printed offline by Debian's chromium from a one-page build; `make pdf-test` checks it with pdftotext
pdf: book
	$(TIMED) "pdf" -- $(BIN)/python scripts/make_pdf.py

pdf-test: $(STAMP)
	$(BIN)/python -m pytest -m pdf tests/pdf -q

## make benchmark: time the model fits and the command line, and re-run every notebook one at a
## time for the README's table (not part of the tests)
benchmark: $(STAMP)
	$(BIN)/python scripts/benchmark.py
	$(BIN)/python scripts/execute_notebooks.py --jobs 1 --report _build/rerun/rerun.md
	@cat _build/rerun/rerun.md

## make mutation: mutation testing of the statistical modules (mutmut; by hand, not in CI; about 15 minutes on 2 cores)
mutation: $(STAMP)
	$(BIN)/python -m pip install --quiet mutmut==3.8.1
	rm -rf mutants
	$(BIN)/mutmut run --max-children 2 || true
	$(BIN)/mutmut results

clean:
	rm -rf _build
