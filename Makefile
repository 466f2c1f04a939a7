# twincast: `make demo` and `make test` do all set-up on a fresh Debian 12 machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY   := $(VENV)/bin/python

.PHONY: help setup demo test bench clean

help:
	@echo "make demo [FOOTAGE=clip.mp4 CONSENT=consent.json]  set up, then run the demo"
	@echo "make test [PYTEST_ARGS=..] set up, then run the tests"
	@echo "make bench                set up, then run bench/run_all.py"
	@echo "make setup                apt packages + .venv + pip install (idempotent)"
	@echo "make clean                remove .venv and build outputs (never user data)"

setup:
	bash scripts/setup.sh

demo:
	bash scripts/setup.sh demo
	$(VENV)/bin/twincast demo $(if $(FOOTAGE),--footage "$(FOOTAGE)") $(if $(CONSENT),--consent "$(CONSENT)")

test:
	bash scripts/setup.sh test
	bash scripts/run_tests.sh

bench:
	bash scripts/setup.sh bench
	$(PY) bench/run_all.py

# Only regenerable things. Never out/ (rendered demos), clones/, footage or tests/ data.
clean:
	rm -rf $(VENV) build dist .pytest_cache
	find . -path ./.git -prune -o -name '*.egg-info' -type d -prune -exec rm -rf {} +
	find . -path ./.git -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
