# coopai: the study, end to end.  `make help` lists the targets.
#
# Data flow one way: data/published -> data/rebuilt -> notebooks -> $(OUT) (paper/ by default).
# `make all` runs one Python process (coopai.pipeline): it validates the survey once, runs every
# notebook (papermill parameters, two kernels at a time) in a private folder under build/runs,
# and only when all have finished replaces OUT as a whole, in one step. What a run produces is a
# function of the survey's content, the parameters and the package's inputs (never file times):
# when OUT already holds that run, nothing is done. A failed or killed run leaves OUT as it was.

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

# The run's parameters ($(RUN_VARIABLES) below) reach Python through the environment, never
# through a shell command line, so that spaces, quotes, backticks or $(...) in a file name are
# never executed; `$(value ...)` keeps them unexpanded, and `unexport` keeps make from expanding
# the original. They are taken from make's command line only: LANG, for one, is also the locale
# every environment sets. Unset, each takes its default in coopai.pipeline / coopai.config.
RUN_VARIABLES := DATA OUT ALPHA SEED LANG WEIGHT STRATA CLUSTER FPC
# WEIGHT STRATA CLUSTER FPC declare the survey design (coopai.design): column names of the survey file.
define from_command_line
ifeq ($$(origin $(1)),command line)
export COOPAI_$(1) := $$(value $(1))
unexport $(1)
endif
endef
$(foreach variable,$(RUN_VARIABLES),$(eval $(call from_command_line,$(variable))))
export COOPAI_JOBS := $(JOBS)

# The notebooks find the project kernel here first, never a system kernel of the same name.
export JUPYTER_PATH := $(CURDIR)/$(VENV)/share/jupyter
# This machine sets PYTHONDONTWRITEBYTECODE; without bytecode every kernel re-parses pandas & co.
unexport PYTHONDONTWRITEBYTECODE
export PYDEVD_DISABLE_FILE_VALIDATION := 1
export MPLBACKEND := module://matplotlib_inline.backend_inline

.PHONY: help all env test lab clean distclean lock check-determinism benchmark

help: ## list the targets
	@echo "coopai: reproducible study package (make TARGET)"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'
	@echo "  options: DATA=survey.csv|.xlsx|.sav|.dta OUT=folder (run the study on another survey),"
	@echo "           ALPHA=level SEED=n LANG=fr|en (the notebooks' parameters; defaults in coopai.config), JOBS=$(JOBS)"
	@echo "           WEIGHT=col STRATA=col CLUSTER=col FPC=col (a survey design: design-based estimates and tests)"

all: $(ENV_STAMP) $(DEFAULT_DATA) ## create the environment if missing, rebuild the data, run every notebook, publish OUT
	@$(PY) -m coopai.pipeline

env: $(ENV_STAMP) ## create the project environment in .venv (uv, hashed lock, project kernel)

$(ENV_STAMP): requirements/core.lock
	@echo "==> creating the project environment in $(VENV) from requirements/core.lock"
	@test -x $(PY) || $(PYTHON) -m venv --without-pip $(VENV)
	@test -x $(UV) || $(PYTHON) -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --target $(VENV)/uv uv==$(UV_VERSION)
	@$(UV) pip sync --quiet --python $(PY) --require-hashes requirements/core.lock
	@# The package is used from src/ in place (what an editable install does), with no build step.
	@$(PY) -c 'import pathlib, site; pathlib.Path(site.getsitepackages()[0], "coopai-src.pth").write_text(str(pathlib.Path("src").resolve()) + "\n")'
	@$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (coopai .venv)" >/dev/null
	@# No separate bytecode step: the first run writes the bytecode of exactly what it imports (make
	@# unexports PYTHONDONTWRITEBYTECODE), in its two processes at once (the run and its kernel
	@# server, coopai.kernel_server); the kernels then inherit the server's modules, compiled once.
	@touch $@
	@echo "==> environment ready"

$(DEFAULT_DATA): data/published/survey_aggregates.csv src/coopai/rebuild.py src/coopai/published.py src/coopai/codebook.py src/coopai/survey.py src/coopai/formats.py \
                 data/constraints.csv data/codebook.csv | $(ENV_STAMP)
	$(PY) -m coopai.rebuild

test: $(ENV_STAMP) ## run the test suite (what CI runs; JOBS pytest workers), after a quick benchmark that prints its figures
	$(PY) benchmarks/bench_pipeline.py --quick
	$(PY) -m pytest -n $(JOBS) --dist loadfile

# JupyterLab refuses to start as root unless told; LAB_ARGS passes any other option (--no-browser, --port).
LAB_ARGS ?=
LAB_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(ENV_STAMP) ## open JupyterLab on the project kernel (installs JupyterLab on first use; LAB_ARGS=...)
	$(UV) pip install --quiet --python $(PY) --require-hashes -r requirements/lab.lock
	$(PY) -m jupyter lab --notebook-dir=notebooks $(LAB_ROOT) $(LAB_ARGS)

check-determinism: $(ENV_STAMP) ## run the study twice in separate processes and compare the outputs byte for byte
	rm -rf build/determinism
	COOPAI_CACHE=off $(MAKE) --no-print-directory all OUT=build/determinism/a
	COOPAI_CACHE=off $(MAKE) --no-print-directory all OUT=build/determinism/b
	diff -r build/determinism/a build/determinism/b && echo "==> byte-identical"

benchmark: $(ENV_STAMP) ## time the pipeline on 30 to 100,000 cooperatives, and the tests (see benchmarks/)
	$(PY) benchmarks/bench_pipeline.py
	$(PY) benchmarks/bench_sector_tests.py

lock: ## regenerate the hashed locks from pyproject.toml (needs the network)
	$(UV) pip compile pyproject.toml --python-version 3.11 --generate-hashes -q -o requirements/core.lock
	$(UV) pip compile pyproject.toml --extra lab --python-version 3.11 --generate-hashes -q -o requirements/lab.lock

clean: ## remove build/ (private run folders, the notebook cache, run records); outputs in paper/ stay
	rm -rf build

distclean: clean ## also remove the environment
	rm -rf $(VENV)
