# Two commands do everything on a fresh machine with only python3 and make:
#   make demo   - create .venv, install edubalance and its kernel, run every notebook batch on the
#                 sample data (the first $(DEMO_JOBS) jobs of each batch file: a few counties under
#                 both standards, every other notebook in full); `make demo-full` runs all jobs
#   make test   - create .venv if missing and run the whole test suite
#   make lint   - ruff (with pydocstyle, numpy convention) and the layers contract (lint-imports)
#   make docs   - the offline HTML reference, user guide and notebook pages: docs/_build/html
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
DOCS_STAMP := $(VENV)/.installed-docs
REPORTS := reports
WORKERS ?= 2
DEMO_JOBS ?= 6

.PHONY: demo demo-full test test-slow test-all lint docs slides bench venv clean sample strip

venv: $(STAMP)

# The demo installs the package, its kernel and the `report` extra: everything the README's
# commands use (Voila for the explorer; Playwright; `--pdf` drives the system Chromium itself:
# apt-get install chromium-headless-shell). The test and Dask extras (Hypothesis, Dask) are installed by the
# first `make test` or `make bench`.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[report]"
	# The explorer's Voila template without CDN links (explorer.ipynb names it in its metadata;
	# a non-editable install puts it there itself: pyproject's data-files)
	mkdir -p $(VENV)/share/jupyter/voila/templates
	cp -r lib/edubalance/report/templates/voila/templates/edubalance $(VENV)/share/jupyter/voila/templates/
	$(PY) -m ipykernel install --sys-prefix --name edubalance --display-name "Python (edubalance)"
	# The PDFs' TrueType build of the CJK font, once per machine (~15 CPU-seconds; otherwise the
	# first PDF printed would pay it): ~/.cache/edubalance/fonts (report/pdf_fonts.py)
	$(PY) -c "from edubalance.report.pdf_fonts import print_font_folder; print(print_font_folder())"
	touch $(STAMP)

$(TEST_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e ".[test,dask]"
	touch $(TEST_STAMP)

$(DOCS_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e ".[docs]"
	touch $(DOCS_STAMP)

demo: $(STAMP)
	$(VENV)/bin/edubalance batch params/*.yaml --workers $(WORKERS) --output $(REPORTS) --first $(DEMO_JOBS)
	$(VENV)/bin/edubalance slides notebooks/presentation.ipynb --output $(REPORTS)
	$(VENV)/bin/edubalance index $(REPORTS)
	@echo "Reports: $(abspath $(REPORTS))/index.html (a subset: make demo-full runs every job)"

demo-full: $(STAMP)
	$(VENV)/bin/edubalance batch params/*.yaml --workers $(WORKERS) --output $(REPORTS) --resume
	$(VENV)/bin/edubalance slides notebooks/presentation.ipynb --output $(REPORTS)
	$(VENV)/bin/edubalance index $(REPORTS)
	@echo "Reports: $(abspath $(REPORTS))/index.html"

slides: $(STAMP)
	$(VENV)/bin/edubalance slides notebooks/presentation.ipynb --output $(REPORTS)

# The suite starts dozens of kernels and processes that import the package: with
# PYTHONDONTWRITEBYTECODE set (some machines set it) each would compile it from source again,
# so the tests run with bytecode caching on and the package compiled once up front.
PYTEST := env -u PYTHONDONTWRITEBYTECODE $(PY) -m pytest

test: $(TEST_STAMP)
	env -u PYTHONDONTWRITEBYTECODE $(PY) -m compileall -q lib
	$(PYTEST) -n 2 -q

# ruff (style, imports, pydocstyle) and import-linter's layers contract (pyproject.toml): each
# layer of the package imports only from the layers below it.
lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check lib tests benchmarks docs
	$(VENV)/bin/lint-imports

# Sphinx, offline (no intersphinx; notebooks rendered as committed, not executed), warnings as
# errors. docs/conf.py writes the API pages from the modules' __all__ on each build.
# The notebook pages show the notebooks executed once on the sample data: the first job of each
# batch file (the fast batch engine) and the presentation (papermill), into docs/_build/executed.
EXECUTED := docs/_build/executed
docs: $(DOCS_STAMP)
	rm -rf $(EXECUTED)
	$(VENV)/bin/edubalance batch params/*.yaml --first 1 --keep notebook --quiet --output $(EXECUTED)
	mkdir -p $(EXECUTED)/presentation
	$(PY) -m papermill --log-level WARNING --no-progress-bar -k edubalance notebooks/presentation.ipynb \
	    $(EXECUTED)/presentation/presentation.ipynb -p output_dir $(EXECUTED)/presentation
	env -u PYTHONDONTWRITEBYTECODE $(VENV)/bin/sphinx-build -W --keep-going -q -b html docs docs/_build/html
	@echo "Docs: $(abspath docs/_build/html)/index.html"

# The slow tier: batches killed or signalled mid-job, the watchdog, the Dask engine, the
# national-scale sample, the soak test, the lean print stylesheet on every kind of nbconvert
# output. CI runs it after `make test`. The tests are laid out like the package (tests/core/
# test_scoring.py tests edubalance.core.scoring), plus tests/notebooks, tests/browser and
# tests/project: `pytest tests/report` runs one layer's tests.
test-slow: $(TEST_STAMP)
	env -u PYTHONDONTWRITEBYTECODE $(PY) -m compileall -q lib
	$(PYTEST) -n 2 -q -m slow

test-all: $(TEST_STAMP)
	env -u PYTHONDONTWRITEBYTECODE $(PY) -m compileall -q lib
	$(PYTEST) -n 2 -q -m "slow or not slow"

bench: $(TEST_STAMP)
	for b in benchmarks/bench_*.py; do $(PY) $$b || exit 1; done

sample: $(STAMP)
	$(VENV)/bin/edubalance sample --scale province --seed 2017 --out data/sample

strip: $(STAMP)
	$(VENV)/bin/nbstripout notebooks/*.ipynb

clean:
	rm -rf $(REPORTS) .pytest_cache docs/_build docs/generated docs/notebooks
