# Set-up and entry points. Each target creates .venv if it is missing and installs
# what it needs; a stamp file makes a re-run skip pip when setup.cfg has not changed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip

.PHONY: demo test bench lint clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed-demo: setup.cfg pyproject.toml | $(PY)
	$(PIP) install --quiet -e '.[plot,digits]'
	touch $@

$(VENV)/.installed-dev: setup.cfg pyproject.toml | $(PY)
	$(PIP) install --quiet -e '.[dev,plot,digits]'
	touch $@ $(VENV)/.installed-demo

$(VENV)/.installed-bench: setup.cfg pyproject.toml | $(PY)
	$(PIP) install --quiet -e '.[dev,plot,digits,bench]'
	touch $@ $(VENV)/.installed-dev $(VENV)/.installed-demo

demo: $(VENV)/.installed-demo
	$(PY) examples/demo.py

test: $(VENV)/.installed-dev
	$(PY) -m pytest -q

bench: $(VENV)/.installed-bench
	$(PY) benchmarks/run.py

lint: $(VENV)/.installed-dev
	$(PY) -m ruff check .

clean:
	rm -rf $(VENV) out build *.egg-info
