# Two commands on a fresh machine: `make demo` and `make test`. Each creates .venv when missing.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.faudclip-installed
export HF_HUB_OFFLINE := 1

.PHONY: install lock demo study study-results results test tutorial lab export clean-nbs check-clean check-readme check-style check-results check-numbers check-sidebar readme outputs docs docs-check browser-check \
	gpu-check gpu-wheels

install: $(STAMP)

# Re-runs only when the package definition or the pinned versions change; a second `make` skips it.
# constraints.txt pins every package to the version the book's numbers were measured with (`make lock` refreshes it);
# settings.ini keeps ranges, for people who `pip install faudclip` into their own environment.
# facenet-pytorch goes in with --no-deps: its metadata pins torch<2.3 and numpy<2, yet it runs on current ones.
$(STAMP): settings.ini setup.py constraints.txt
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "error: make installs the versions of \
	constraints.txt, which need Python 3.11 or newer, not $$($(PY) --version); run make PY=python3.11"; exit 1; }
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[dev]"
	$(BIN)/python -m pip install -q --no-deps -c constraints.txt "facenet-pytorch>=2.5"
	touch $(STAMP)

# A fresh resolve of settings.ini's ranges in a throw-away venv, frozen into constraints.txt. Rerun the demo after it
# (make demo && make results) and commit both: the book's numbers belong to the versions in constraints.txt.
LOCK_VENV := .venv-lock
lock:
	rm -rf $(LOCK_VENV) && $(PY) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install -q --upgrade pip
	$(LOCK_VENV)/bin/python -m pip install -q -e ".[dev]"
	$(LOCK_VENV)/bin/python -m pip install -q --no-deps "facenet-pytorch>=2.5"
	{ head -n 2 constraints.txt; $(LOCK_VENV)/bin/python -m pip freeze --all --exclude-editable \
		| grep -v -E '^(pip|faudclip)=='; } > constraints.txt.new
	mv constraints.txt.new constraints.txt && rm -rf $(LOCK_VENV)
	@echo "constraints.txt refreshed: run make install, make demo and make results, and commit them together"

# The demo writes only under outputs/demo: it never changes a tracked file, so `make test` passes before or after it.
demo: install
	$(BIN)/faudclip demo --out outputs/demo

# The paper's claims at its own geometry (notebook 13): about 90 min on 2 cores, resumable (run it again after a stop).
# With the demo's fold-1 model when `make demo` has run: its tree levels at 8 x 8 tokens, side by side.
DEMO_FOLD1 := outputs/demo/runs/fold1/last.pt
study: install
	$(BIN)/faudclip study --out outputs/study $(if $(wildcard $(DEMO_FOLD1)),--demo_checkpoint $(DEMO_FOLD1),)

# For maintainers, after `make study`: its numbers and figures become the book's (nbs/results/study.json, nbs/images/).
study-results: install
	$(BIN)/python tools/results.py study outputs/study/study.json

# For maintainers, after `make demo`: the run's numbers and figures become the book's (nbs/results/demo.json and
# nbs/images/demo_*.png, to commit); then `make test`'s check-results names every sentence that quotes them differently.
results: install
	$(BIN)/python tools/results.py write outputs/demo/metrics.json

# The book's two trained models (notebook 00_start), trained once into ~/.cache/faudclip/tutorial, then only read.
tutorial: install
	$(BIN)/python -c "from faudclip.book import tutorial_models; tutorial_models()"

lab: install
	$(BIN)/jupyter lab nbs

export: install
	$(BIN)/nbdev_export
	$(BIN)/nbdev_clean

# nbdev_export and nbdev_clean must leave git clean: the library is exactly what the notebooks export.
check-clean: export
	@if git rev-parse --git-dir >/dev/null 2>&1 && [ -n "$$(git status --porcelain -- nbs faudclip)" ]; then \
		git status --short -- nbs faudclip; \
		echo "error: nbdev_export/nbdev_clean changed the files above; run 'make export' and commit"; exit 1; fi

# README.md is generated from nbs/index.ipynb; it must be what the notebook gives.
readme: install
	$(BIN)/python tools/readme.py

check-readme: install
	$(BIN)/python tools/readme.py --check

# The library's line style (no line over 120 characters, no `if x: a; b`), as a reader of the site sees it.
check-style: install
	$(BIN)/python tools/style_check.py

# Two notebooks at a time, one thread each: with PyTorch's default of one thread per core, two workers on two cores
# wait on each other's spinning threads (measured on 2 cores: 5 min 39 s with the default, 1 min 43 s with one thread).
# Every quotation of the demo's numbers in the book is the value in nbs/results/demo.json.
check-results: install
	$(BIN)/python tools/results.py check

# Every other decimal and percentage in the prose has a source: its notebook's outputs or code, a results file, or a
# line of tools/number_sources.txt saying where it comes from.
check-numbers: install
	$(BIN)/python tools/number_check.py

# nbs/sidebar.yml (the book's parts) lists every notebook once.
check-sidebar: install
	$(BIN)/python tools/build_docs.py --check-sidebar

test: check-clean check-readme check-style check-results check-numbers check-sidebar
	@n=$$(ls nbs/*.ipynb | wc -l); \
	if OMP_NUM_THREADS=1 $(BIN)/nbdev_test --n_workers 2 --timing 2>&1 | tee .nbdev_test.log; then \
		echo "$$n passed, 0 failed"; \
	else \
		f=$$(grep -c '^[[:space:]].*\.ipynb' .nbdev_test.log || true); [ "$$f" -gt 0 ] || f=1; \
		echo "$$((n - f)) passed, $$f failed"; exit 1; \
	fi

# Run the notebooks on the CPU and keep their outputs (figures, tables) in them, as nbdev projects do; then clean.
outputs: install
	$(BIN)/python tools/outputs.py
	$(BIN)/nbdev_clean

# The documentation site in _docs/: nbdev's Quarto site where quarto is installed, else the same processed notebooks
# rendered to static HTML by nbconvert (tools/build_docs.py). nbdev_docs also rewrites README.md with Quarto: ours
# is generated from index.ipynb again.
docs: install
	@if command -v quarto >/dev/null 2>&1; then $(BIN)/python tools/build_docs.py --quarto && $(BIN)/python tools/readme.py; else $(BIN)/python tools/build_docs.py; fi

# Every page of _docs/ in headless Chromium (Debian's package): loads, console, links, images, API entries.
docs-check: docs
	@test -x "$${CHROMIUM:-/usr/bin/chromium}" || { echo "error: $${CHROMIUM:-/usr/bin/chromium} not found; run: sudo apt-get install -y chromium (or set CHROMIUM)"; exit 1; }
	$(BIN)/python -m pip install -q "playwright>=1.40"
	$(BIN)/python tools/docs_check.py

# Not part of `make test`: needs Debian's chromium (apt-get install chromium) and Playwright's Python driver.
# Runs nbs/12_explore.ipynb in JupyterLab in headless Chromium and saves outputs/browser_check.png.
browser-check: install
	@test -x "$${CHROMIUM:-/usr/bin/chromium}" || { echo "error: $${CHROMIUM:-/usr/bin/chromium} not found; run: sudo apt-get install -y chromium (or set CHROMIUM)"; exit 1; }
	$(BIN)/python -m pip install -q "playwright>=1.40"
	$(BIN)/python tools/browser_check.py

# On a CUDA machine: only the `#| gpu` cells of the notebooks (and `faudclip bench --preset gpu` through 27_bench), each
# asserting what it measures, into outputs/gpu_check.json, in a few minutes. It uses that machine's python3 and torch,
# with what its image lacks installed from .whl/ (fill it here with `make gpu-wheels`, then carry .whl/ along).
# `make gpu-check DRY_RUN=1` is the rehearsal: the same cells on the CPU at small sizes, in .gpu-venv/, which holds only
# the GPU image's packages (tools/gpu_image.txt; about 6 GB with torch's CUDA libraries) and .whl/, nothing of .venv:
# a package the GPU machine lacks fails here first. Not part of `make test` (about 3 minutes on 2 cores).
gpu-check:
	@if [ -n "$(DRY_RUN)" ]; then $(MAKE) -s $(GPU_STAMP) && \
		OMP_NUM_THREADS=1 $(GPU_VENV)/bin/python tools/gpu_check.py --dry-run; \
	else python3 tools/gpu_check.py; fi

# The rehearsal's venv: Python 3.12 as on the GPU machine where there is one, else python3; rebuilt when its list
# changes.
GPU_VENV := .gpu-venv
GPU_STAMP := $(GPU_VENV)/.gpu-image-installed
GPU_PY ?= $(shell python3.12 -c '' 2>/dev/null && echo python3.12 || echo $(PY))
$(GPU_STAMP): tools/gpu_image.txt
	test -x $(GPU_VENV)/bin/python || $(GPU_PY) -m venv $(GPU_VENV)
	$(GPU_VENV)/bin/python -m pip install -q -r tools/gpu_image.txt
	touch $(GPU_STAMP)

gpu-wheels: install
	$(BIN)/python tools/gpu_check.py --wheels
