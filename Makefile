# Set-up and entry points. Each target creates .venv if it is missing and installs
# what it needs; a stamp file makes a re-run skip pip when setup.cfg has not changed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip

.PHONY: demo test bench lint clean torch

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed-demo: setup.cfg pyproject.toml | $(PY)
	$(PIP) install --quiet -e '.[plot,digits]'
	touch $@

$(VENV)/.installed-dev: setup.cfg pyproject.toml | $(PY)
	$(PIP) install --quiet -e '.[dev,plot,digits]'
	touch $@ $(VENV)/.installed-demo

demo: $(VENV)/.installed-demo
	$(PY) examples/demo.py

test: $(VENV)/.installed-dev  # development mode: warnings are errors (pyproject.toml)
	$(PY) -X dev -m pytest -q

# Optional: torch, for the tests that compare losses and optimizers with PyTorch (they
# are skipped without it). Only a CPU wheel already on this machine is used (--no-index),
# never a multi-GB download; its small pure-Python dependencies come from the registry.
torch: $(VENV)/.installed-dev
	@if $(PIP) install --quiet --no-index --no-deps 'torch==2.13.0' 2>/dev/null; then \
		$(PIP) install --quiet 'torch==2.13.0'; \
	else echo "no local torch wheel: the torch comparison tests will be skipped"; fi

bench: $(VENV)/.installed-dev  # the dev extra holds micrograd, the reference
	$(PY) benchmarks/run.py

lint: $(VENV)/.installed-dev
	$(PY) -m ruff check .

clean:
	rm -rf $(VENV) out build *.egg-info
