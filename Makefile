# Each target sets itself up from nothing: a fresh clone needs only python3 (3.11-3.13).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## make run: embedded Redis (unless REDIS_URL), web on :8000, one worker; Ctrl-C stops all
run: $(STAMP)
	$(BIN)/commentgate run

## make test: lint, then the whole suite against a real Redis-protocol server and real workers
test: $(STAMP) lint
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## make bench: evaluations and benchmarks against ../shared/data (several minutes: better-profanity is slow)
bench: $(STAMP)
	$(BIN)/python bench/eval_spam.py
	$(BIN)/python bench/bench_profanity.py
	$(BIN)/python bench/eval_profanity.py
	$(BIN)/python bench/bench_keys.py
	$(BIN)/python bench/bench_moderation_reads.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
