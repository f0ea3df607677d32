# Set-up and entry points. Each target creates .venv if it is missing and installs
# what it needs; a stamp file makes a re-run skip pip when setup.cfg has not changed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip

.PHONY: demo test bench lint clean torch

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --no-compile --upgrade pip

# The demo's install skips pip's byte-compiling of every installed module (--no-compile):
# Python compiles a module when it is first imported; compiling them all ahead would add
# ~50 MB of .pyc files, most of them for modules the demo never imports.
$(VENV)/.installed-demo: setup.cfg pyproject.toml | $(PY)
	$(PIP) install --quiet --no-compile -e '.[plot]'
	touch $@

$(VENV)/.installed-dev: setup.cfg pyproject.toml | $(PY)
	$(PIP) install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed-demo

demo: $(VENV)/.installed-demo
	$(PY) examples/demo.py

test: $(VENV)/.installed-dev  # development mode: warnings are errors (pyproject.toml)
	$(PY) -X dev -m pytest -q

# Optional: torch, for nn.to_torch and the tests that compare with PyTorch (they are
# skipped without it). Always a CPU build, never pip's default multi-GB CUDA one: a CPU
# wheel already on this machine (--no-index), else PyTorch's CPU index; the small
# pure-Python dependencies come from the registry.
TORCH_CPU_INDEX := https://download.pytorch.org/whl/cpu
torch: $(VENV)/.installed-dev
	@if $(PIP) install --quiet --no-index --no-deps 'torch==2.13.0' 2>/dev/null; then \
		$(PIP) install --quiet 'torch==2.13.0'; \
	elif $(PIP) install --quiet --timeout 30 --index-url $(TORCH_CPU_INDEX) \
			--extra-index-url https://pypi.org/simple 'torch>=2.0'; then :; \
	else echo "torch could not be installed: the torch comparison tests will be skipped"; fi

bench: $(VENV)/.installed-dev  # the dev extra holds micrograd, the reference
	$(PY) benchmarks/run.py

lint: $(VENV)/.installed-dev
	$(PY) -m ruff check .

clean:
	rm -rf $(VENV) out build *.egg-info
