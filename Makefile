# Every target creates .venv on first use, so a fresh clone needs nothing else.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: venv promtool crawl demo test bench bench-extract lint clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

# promtool, for the alert-rule tests: the one binary from Debian's prometheus package,
# unpacked into the venv (no server is installed or started). Tried once per venv;
# where apt-get cannot fetch it the promtool tests skip (and fail in CI).
PROMTOOL_STAMP := $(VENV)/.promtool
$(PROMTOOL_STAMP): | $(STAMP)
	@tmp=$$(mktemp -d); \
	if ( cd $$tmp && { apt-get download prometheus || { apt-get update -qq && apt-get download prometheus; }; } \
	     && dpkg-deb --fsys-tarfile prometheus_*.deb | tar -xO ./usr/bin/promtool > promtool \
	     && install -m 755 promtool $(CURDIR)/$(BIN)/promtool ) >/dev/null 2>&1; \
	then echo "promtool: $$($(BIN)/promtool --version 2>&1 | head -1)"; \
	else echo "promtool: not installable here (apt-get download prometheus failed); its tests skip"; fi; \
	rm -rf $$tmp; touch $@

promtool: $(PROMTOOL_STAMP)

crawl: $(STAMP)
	$(BIN)/scrapy crawl baohaiduong

demo: $(STAMP)
	$(BIN)/python -m replica demo
	$(BIN)/python -m replica demo --edition onecms

test: $(STAMP) $(PROMTOOL_STAMP)
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
