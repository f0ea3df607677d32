"""What setup.cfg puts into the wheel: every page, script, style, language table and data
file of the packages (setuptools' globs, relative to each package's folder), the
``chaingrad`` command, and no scikit-learn or scipy in any extra.  .ci/wheel-smoke builds
the real wheel, installs it in a fresh environment and runs it from another folder."""

import configparser
import glob
import importlib
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = configparser.ConfigParser()
CONFIG.read(ROOT / "setup.cfg", encoding="utf-8")


def patterns(option: str) -> list[str]:
    return [p.strip() for p in CONFIG["options.package_data"].get(option, "").split(",") if p]


def data_files() -> list[Path]:
    """Every file of autograd, nn and viz that is not Python source or bytecode."""
    found = []
    for package in ("autograd", "nn", "viz"):
        for folder, subfolders, files in os.walk(ROOT / package):
            subfolders[:] = [s for s in subfolders if s != "__pycache__"]
            found += [Path(folder, f) for f in files if not f.endswith((".py", ".pyc"))]
    return found


def test_every_data_file_of_the_packages_goes_into_the_wheel():
    files = data_files()
    assert {"digits.csv.gz", "en.json", "pt-BR.json", "stepper.html"} <= {f.name for f in files}
    for path in files:
        folder = path.parent
        while not (folder / "__init__.py").exists():  # the package the file belongs to
            folder = folder.parent
        package = ".".join(folder.relative_to(ROOT).parts)
        matched = {Path(folder, name) for pattern in patterns("*") + patterns(package)
                   for name in glob.glob(pattern, root_dir=folder)}  # fmt: skip
        assert path in matched, f"{path.relative_to(ROOT)} is not in setup.cfg's package_data"


def test_the_chaingrad_command_is_a_function_of_viz():
    scripts = CONFIG["options.entry_points"]["console_scripts"].strip().splitlines()
    assert scripts == ["chaingrad = viz.command:main"]
    module, _, function = scripts[0].split(" = ")[1].partition(":")
    assert callable(getattr(importlib.import_module(module), function))


def test_no_extra_needs_scikit_learn_or_scipy():
    text = (ROOT / "setup.cfg").read_text(encoding="utf-8").lower()
    assert "scikit-learn" not in text and "sklearn" not in text and "scipy" not in text
    extras = CONFIG["options.extras_require"]
    assert "ipywidgets" in extras["notebook"] and "chaingrad[plot,notebook]" in extras["dev"]
