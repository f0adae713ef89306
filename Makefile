# Frontdesk: `make run` to try it, `make test` to run the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test setup assets lint lock bench-core bench-email clean

run: setup
	$(BIN)/frontdesk run

test:
	bash scripts/test.sh

setup:
	bash scripts/setup.sh

lint: setup
	$(BIN)/ruff check frontdesk bench tests scripts
	$(BIN)/mypy frontdesk
	$(BIN)/lint-imports
	$(BIN)/python scripts/import_cycles.py frontdesk
	$(BIN)/python scripts/file_sizes.py

# Regenerate the lock files (exact versions with hashes) from pyproject.toml's ranges.
LOCK := $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links
lock:
	$(LOCK) --output-file requirements/base.txt pyproject.toml
	$(LOCK) --extra dev --output-file requirements/dev.txt pyproject.toml
	$(LOCK) --output-file requirements/build.txt requirements/build.in

bench-core: setup
	$(BIN)/frontdesk bench core --db sqlite --tickets 20000

bench-email: setup
	$(BIN)/frontdesk bench email --db sqlite --messages 2000 --workers 1,2

clean:
	rm -rf var .venv node_modules frontdesk/static/vendor
