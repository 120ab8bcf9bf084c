# The two commands of the README:  make book   and   make test
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
BUILD_FLAGS := -W -n --keep-going

.PHONY: book test pytest built-test browser-test clean benchmark mutation

$(STAMP): requirements.txt pyproject.toml scripts/make_venv.sh
	bash scripts/make_venv.sh $(VENV)
	touch $(STAMP)

## make book: build the HTML book into _build/html (executes notebooks, reuses the cache)
book: $(STAMP)
	# Sphinx will not overwrite a changed static file in place: remove the built copies of the book's own
	rm -f $(addprefix _build/html/,$(wildcard _static/*))
	$(BIN)/python scripts/cache_guard.py
	$(BIN)/jupyter-book build . $(BUILD_FLAGS)
	@echo "Book built: open _build/html/index.html"

## make test: the unit tests, the full book build with warnings as errors, then the checks on the built book
test: pytest book built-test

pytest: $(STAMP)
	$(BIN)/python -m pytest -n auto

## make built-test: the published numbers (ledger) against tests/expected/numbers.csv
built-test: $(STAMP)
	$(BIN)/python -m pytest -m built tests/built

## make browser-test (optional, third command): every page in headless Chromium at phone and laptop
## size, screenshots into _build/screenshots/. Needs Debian's browser: apt-get install -y chromium chromium-driver
browser-test: $(STAMP)
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  { echo "browser-test needs chromium and chromedriver: apt-get install -y chromium chromium-driver"; exit 1; }
	$(BIN)/python -m pip install --quiet -r requirements-browser.txt
	$(BIN)/python -m pytest -m browser tests/browser -q

## make benchmark: time the model fits (not part of the tests)
benchmark: $(STAMP)
	$(BIN)/python scripts/benchmark.py

## make mutation: mutation testing of the statistical modules (mutmut; by hand, not in CI; about 15 minutes on 2 cores)
mutation: $(STAMP)
	$(BIN)/python -m pip install --quiet mutmut==3.8.1
	rm -rf mutants
	$(BIN)/mutmut run --max-children 2 || true
	$(BIN)/mutmut results

clean:
	rm -rf _build
