# The two commands of the README: `make run` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: run test install index lint typecheck eval bench browser clean lock

run: install index ## start the web chat on 127.0.0.1:7860 (builds the index if missing)
	$(BIN)/python app.py

test: install browser lint typecheck index ## lint, type-check and run the whole test suite
	$(BIN)/pytest
	$(BIN)/assistant eval --out build/eval --min-strict 0.85 >/dev/null

install: $(STAMP)

# torch first, from the CPU wheel on disk: a bare `torch` requirement would pull a multi-GB CUDA build.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check torch==2.13.0
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $(STAMP)

index: install ## build the index if it is missing or stale
	$(BIN)/assistant index

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy assistant

eval: install ## answer-accuracy report on the gold questions
	$(BIN)/assistant eval --mode all --out build/eval

bench: install ## speed and memory benchmarks (not part of the tests)
	$(BIN)/python bench/run_all.py

# Debian's Chromium for the real-browser test; never a browser download by Playwright.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "!!! could not install chromium: the browser test will be skipped (or fail in CI)"; \
	  else echo "!!! chromium missing and not root: the browser test will be skipped (or fail in CI)"; fi; }

lock: ## re-pin every dependency after changing pyproject.toml
	$(BIN)/pip freeze --exclude-editable | grep -v '^assistant' > constraints.txt

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache
