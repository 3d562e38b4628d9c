PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test bench templates clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m repodoc_ls export . -o build/docs
	$(PY) -m repodoc_ls check . -o build/docs

test: $(STAMP)
	$(PY) -m pytest -q -ra

# The built-in templates' code, compiled ahead (repodoc_ls/docs/builtin_templates.py).
templates: $(STAMP)
	$(PY) -c "from repodoc_ls.docs.render import make_environment; from repodoc_ls.docs.builtin_templates import write; write(make_environment(None))"

bench: $(STAMP)
	$(PY) -m pip install --quiet -e ".[test,bench]"
	$(PY) bench/index.py

clean:
	rm -rf $(VENV) build .repodoc
