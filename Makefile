# coopai: the study, end to end.  `make help` lists the targets.
#
# Data flow one way: data/published -> data/rebuilt -> notebooks -> $(OUT) (paper/ by default).
# Each notebook runs through papermill into build/runs/, writes its tables into a staging
# folder there, and only when it has run to the end are its HTML, figures and tables
# published into $(OUT), one atomic rename per file. A failed notebook changes nothing.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= python3
UV_VERSION := 0.13.8
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/uv/bin/uv
ENV_STAMP := $(VENV)/.coopai-env
KERNEL := coopai
JOBS ?= 2

DEFAULT_DATA := data/rebuilt/cooperatives.csv
DATA ?= $(DEFAULT_DATA)
OUT ?= paper
# Runs are staged under build/runs (the same place whatever OUT is, so the exported notebooks
# do not depend on it); stamps remember what each OUT folder has received.
RUNS := build/runs
DONE := build/stamps/$(subst /,_,$(OUT))

# The notebooks find the project kernel here first, never a system kernel of the same name.
export JUPYTER_PATH := $(CURDIR)/$(VENV)/share/jupyter
# This machine sets PYTHONDONTWRITEBYTECODE; without bytecode every kernel re-parses pandas & co.
unexport PYTHONDONTWRITEBYTECODE
export PYDEVD_DISABLE_FILE_VALIDATION := 1
export MPLBACKEND := module://matplotlib_inline.backend_inline
# numpy picks its SIMD code at run time by CPU (AVX2, AVX-512): log10 and friends then differ in the
# last bit, and a figure coordinate written with 6 decimals can flip. Using the baseline code on every
# x86-64 machine keeps the committed figures byte-identical whichever machine runs the study.
export NPY_DISABLE_CPU_FEATURES := X86_V3 X86_V4 AVX512_ICL AVX512_SPR

NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))
NAMES := $(basename $(notdir $(NOTEBOOKS)))
# One run per notebook, in French: each figure cell also draws its English twin (figures.show).
STAMPS := $(NAMES:%=$(DONE)/%.fr.done)
SOURCES := $(wildcard src/coopai/*.py) data/codebook.csv data/constraints.csv data/category_labels.csv \
           data/published/survey_aggregates.csv

.PHONY: help all env notebooks test lab clean distclean lock check-determinism benchmark

help: ## list the targets
	@echo "coopai: reproducible study package (make TARGET)"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'
	@echo "  options: DATA=survey.csv|.xlsx|.sav|.dta OUT=folder (run the study on another survey), JOBS=$(JOBS)"

all: $(ENV_STAMP) ## create the environment if missing, rebuild the data, run every notebook, export
ifneq ($(DATA),$(DEFAULT_DATA))
ifeq ($(OUT),paper)
	$(error DATA=$(DATA) needs OUT=folder as well: paper/ holds the outputs of the published study)
endif
endif
	@$(MAKE) --no-print-directory -j$(JOBS) notebooks

env: $(ENV_STAMP) ## create the project environment in .venv (uv, hashed lock, project kernel)

$(ENV_STAMP): requirements/core.lock
	@echo "==> creating the project environment in $(VENV) from requirements/core.lock"
	@test -x $(PY) || $(PYTHON) -m venv --without-pip $(VENV)
	@test -x $(UV) || $(PYTHON) -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --target $(VENV)/uv uv==$(UV_VERSION)
	@$(UV) pip sync --quiet --python $(PY) --require-hashes requirements/core.lock
	@# The package is used from src/ in place (what an editable install does), with no build step.
	@$(PY) -c 'import pathlib, site; pathlib.Path(site.getsitepackages()[0], "coopai-src.pth").write_text(str(pathlib.Path("src").resolve()) + "\n")'
	@$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (coopai .venv)" >/dev/null
	@echo "==> compiling the bytecode of what the notebooks import (once)"
	@# Two processes, one per core: the plotting stack and the statistics and notebook stack.
	@$(PY) -c 'import coopai.figures, coopai.export' & warm=$$!; \
	 $(PY) -c 'import coopai.stats, coopai.pipeline, coopai.contingency, pingouin, statsmodels.api, papermill, ipykernel.kernelapp'; \
	 wait $$warm
	@touch $@
	@echo "==> environment ready"

notebooks: $(STAMPS)

$(DEFAULT_DATA): data/published/survey_aggregates.csv src/coopai/rebuild.py src/coopai/published.py src/coopai/codebook.py src/coopai/survey.py src/coopai/formats.py \
                 data/constraints.csv data/codebook.csv | $(ENV_STAMP)
	$(PY) -m coopai.rebuild

# One notebook run: papermill into build/, then publish into $(OUT) (coopai.pipeline). $* is NAME.LANG.
$(DONE)/%.done: $(SOURCES) $(DATA) | $(ENV_STAMP)
	@mkdir -p $(DONE)
	@$(PY) -m coopai.pipeline $(basename $*) $(subst .,,$(suffix $*)) --data "$(DATA)" --out "$(OUT)" --runs $(RUNS)
	@touch $@

# Each run also depends on its own notebook.
$(foreach n,$(NAMES),$(eval $(DONE)/$(n).fr.done: notebooks/$(n).ipynb))

test: $(ENV_STAMP) ## run the test suite (what CI runs), after a quick benchmark that prints its figures
	$(PY) benchmarks/bench_pipeline.py --quick
	$(PY) -m pytest

# JupyterLab refuses to start as root unless told; LAB_ARGS passes any other option (--no-browser, --port).
LAB_ARGS ?=
LAB_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(ENV_STAMP) ## open JupyterLab on the project kernel (installs JupyterLab on first use; LAB_ARGS=...)
	$(UV) pip install --quiet --python $(PY) --require-hashes -r requirements/lab.lock
	$(PY) -m jupyter lab --notebook-dir=notebooks $(LAB_ROOT) $(LAB_ARGS)

check-determinism: $(ENV_STAMP) ## run the study twice in separate processes and compare the outputs byte for byte
	rm -rf build/determinism
	$(MAKE) --no-print-directory all DATA=$(DEFAULT_DATA) OUT=build/determinism/a
	$(MAKE) --no-print-directory all DATA=$(DEFAULT_DATA) OUT=build/determinism/b
	diff -r build/determinism/a build/determinism/b && echo "==> byte-identical"

benchmark: $(ENV_STAMP) ## time the pipeline on 30 to 100,000 cooperatives, and the tests (see benchmarks/)
	$(PY) benchmarks/bench_pipeline.py
	$(PY) benchmarks/bench_sector_tests.py

lock: ## regenerate the hashed locks from pyproject.toml (needs the network)
	$(UV) pip compile pyproject.toml --python-version 3.11 --generate-hashes -q -o requirements/core.lock
	$(UV) pip compile pyproject.toml --extra lab --python-version 3.11 --generate-hashes -q -o requirements/lab.lock

clean: ## remove build/ (notebook runs and stamps); outputs in paper/ stay
	rm -rf build

distclean: clean ## also remove the environment
	rm -rf $(VENV)
