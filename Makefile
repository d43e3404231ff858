# Every target creates .venv when needed and installs the pinned dependencies of requirements.lock.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-fast bench lint lock clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==26.3"
	$(BIN)/python -m pip install --quiet --constraint requirements.lock --editable ".[airflow,dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/idbmart demo

# Tests run in PYTEST_WORKERS processes (pytest-xdist), a test file to one worker, so the simulated
# worlds a file's tests share are built once; two suit the 2-core machine CI runs on.
PYTEST_WORKERS ?= 2
PYTEST := $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile

test: $(STAMP)
	$(PYTEST) --durations=10 $(PYTEST_ARGS)

# The fast tier: every test not marked slow, for a developer's quick signal; `make test` runs all.
test-fast: $(STAMP)
	$(PYTEST) -m "not slow" --durations=5 $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/idbmart bench $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check idbmart tests dags
	$(BIN)/ruff format --check idbmart tests dags

# Re-pin every dependency after changing pyproject.toml (needs network access to the package index).
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet ".[airflow,dev]"
	.lock-venv/bin/python -m pip freeze --exclude idbmart > requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) .pytest_cache build dist *.egg-info
