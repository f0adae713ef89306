# Frontdesk: `make run` to try it, `make test` to run the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test setup assets lint bench-core bench-email clean

run: setup
	$(BIN)/frontdesk run

test:
	bash scripts/test.sh

setup:
	bash scripts/setup.sh

lint: setup
	$(BIN)/ruff check frontdesk bench tests
	$(BIN)/mypy frontdesk
	$(BIN)/lint-imports

bench-core: setup
	$(BIN)/frontdesk bench core --db sqlite --tickets 20000

bench-email: setup
	$(BIN)/frontdesk bench email --db sqlite --messages 2000 --workers 1,2

clean:
	rm -rf var .venv node_modules frontdesk/static/vendor
