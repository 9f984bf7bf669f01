# Two commands do everything on a fresh machine with only python3 and make:
#   make demo   - create .venv, install edubalance and its kernel, run every notebook batch on the
#                 sample data (the first $(DEMO_JOBS) jobs of each batch file: a few counties under
#                 both standards, every other notebook in full); `make demo-full` runs all jobs
#   make test   - create .venv if missing and run the whole test suite
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
REPORTS := reports
WORKERS ?= 2
DEMO_JOBS ?= 6

.PHONY: demo demo-full test test-all slides bench venv clean sample strip

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,dask]"
	$(PY) -m ipykernel install --sys-prefix --name edubalance --display-name "Python (edubalance)"
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/edubalance batch params/*.yaml --workers $(WORKERS) --output $(REPORTS) --first $(DEMO_JOBS)
	$(MAKE) slides
	$(VENV)/bin/edubalance index $(REPORTS)
	@echo "Reports: $(CURDIR)/$(REPORTS)/index.html (a subset: make demo-full runs every job)"

demo-full: $(STAMP)
	$(VENV)/bin/edubalance batch params/*.yaml --workers $(WORKERS) --output $(REPORTS) --resume
	$(MAKE) slides
	$(VENV)/bin/edubalance index $(REPORTS)
	@echo "Reports: $(CURDIR)/$(REPORTS)/index.html"

slides: $(STAMP)
	$(VENV)/bin/edubalance slides notebooks/presentation.ipynb --output $(REPORTS)

test: $(STAMP)
	$(PY) -m pytest -n 2 -q

test-all: $(STAMP)
	$(PY) -m pytest -n 2 -q -m "slow or not slow"

bench: $(STAMP)
	for b in benchmarks/bench_*.py; do $(PY) $$b || exit 1; done

sample: $(STAMP)
	$(VENV)/bin/edubalance sample --scale province --seed 2017 --out data/sample

strip: $(STAMP)
	$(VENV)/bin/nbstripout notebooks/*.ipynb

clean:
	rm -rf $(REPORTS) .pytest_cache
