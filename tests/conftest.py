"""Shared test set-up: hypothesis profiles.

``ci`` (the default, and what .ci/run selects) is derandomized so a run cannot be
flaky; ``thorough`` draws many more examples for local runs:
``HYPOTHESIS_PROFILE=thorough make test``.
"""

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# The real JupyterLab's fixtures (tests/jupyter_lab.py), defined here once for every module.
from jupyter_lab import jupyterlab, lab_browser  # noqa: F401 -- fixtures

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def pytest_configure(config: pytest.Config) -> None:
    """Warnings from the examples (imported by their file names) are errors too."""
    names = "|".join(sorted(path.stem for path in EXAMPLES.glob("*.py")))
    config.addinivalue_line("filterwarnings", f"error::Warning:({names})$")


settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile(
    "thorough",
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
