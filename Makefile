# Two commands: `make demo` and `make test`. Everything else is here for them.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test install lock lint ui serve bench clean

demo: $(STAMP)
	$(BIN)/earmark demo

# On every core (at most 4): each pytest-xdist worker starts its own throwaway Postgres, and a file's tests
# stay on one worker (--dist loadfile) with their module fixtures. 9.5 min on two cores.
test: $(STAMP)
	$(BIN)/python -m pytest -n auto --maxprocesses 4 --dist loadfile

install: $(STAMP)

# The venv is rebuilt from the lock whenever the lock or the project metadata changes.
$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.9
	$(BIN)/uv pip sync --quiet --compile-bytecode --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

# Re-resolve the pinned set after editing pyproject.toml dependencies.
lock:
	$(BIN)/uv pip compile --quiet pyproject.toml --extra dev --extra bench --python-version 3.11 -o requirements.lock

lint: $(STAMP)
	$(BIN)/ruff check .

# Commands do not migrate on their own; these two are the local shortcuts, so they do it first.
ui: $(STAMP)
	$(BIN)/earmark migrate
	$(BIN)/earmark ui

serve: $(STAMP)
	$(BIN)/earmark migrate
	$(BIN)/earmark serve

bench: $(STAMP)
	$(BIN)/python bench/ingest_bench.py

clean:
	-$(BIN)/earmark db stop
	rm -rf .earmark
