# recosa_learn — the two commands: `make run` and `make test`. Both set everything up themselves.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test setup setup-dev db content demo translations bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt $(VENV)/.runtime-installed
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# Compiled catalogs are build output: rebuilt whenever a .po file changes.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard recosa_learn/translations/*/LC_MESSAGES/messages.po))
%.mo: %.po $(VENV)/.runtime-installed
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@ >/dev/null

setup: $(VENV)/.runtime-installed $(MO_FILES)
setup-dev: $(VENV)/.dev-installed $(MO_FILES)

db: setup
	$(FLASK) db upgrade
	$(FLASK) places load

content: db
	$(FLASK) content import --keep-web-edits
	$(FLASK) authoring import-adaptations --only-new course_content

demo: content
	$(FLASK) demo seed --if-empty

run: demo
	@echo "recosa_learn is served on http://$(HOST):$(PORT)  (demo password: recosa-demo; stop with Ctrl+C)"
	$(FLASK) run --host $(HOST) --port $(PORT)

test: setup-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

translations: setup
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o recosa_learn/translations/messages.pot . >/dev/null
	$(BIN)/pybabel update -i recosa_learn/translations/messages.pot -d recosa_learn/translations --no-fuzzy-matching >/dev/null
	$(BIN)/python -m recosa_learn.core.catalogs || echo "translate the messages listed above"
	$(BIN)/pybabel compile -d recosa_learn/translations >/dev/null

# Figures for the issues: page weight and SQL per page, then statistics at 100,000 learners on SQLite and, when a
# local PostgreSQL answers (or BENCH_DATABASE_URL is set), on PostgreSQL too (its own database, recosa_bench, so the
# tests' database is left alone).
bench: setup-dev
	@if [ -z "$$BENCH_DATABASE_URL" ] && command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; then \
	  createdb -h 127.0.0.1 -U postgres recosa_bench 2>/dev/null || true; \
	  export BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/recosa_bench; fi; \
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache
