# Every target creates .venv on first use, so a fresh clone needs nothing else.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: venv crawl demo test bench bench-extract lint clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

crawl: $(STAMP)
	$(BIN)/scrapy crawl baohaiduong

demo: $(STAMP)
	$(BIN)/python -m replica demo
	$(BIN)/python -m replica demo --edition onecms

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

# The public article-extraction benchmark is scored when NEWSBOT_AEB_DIR holds its data.
bench-extract: $(STAMP)
	$(BIN)/python -m benchmarks.extract

lint: $(STAMP)
	$(BIN)/ruff check newsbot tests replica benchmarks
	$(BIN)/ruff format --check newsbot tests replica benchmarks
	$(BIN)/lint-imports --no-cache

clean:
	rm -rf $(VENV) output/* .pytest_cache
