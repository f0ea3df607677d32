"""What hides chaingrad's packages, and a Python without chaingrad's dependencies: the
first failing import names the file (or the Python) and what to do.  Every case runs a
fresh Python in a temporary working folder, as a learner's script would."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LEARNERS_FILE = "print('the learner was here')\n"


def python(*args, cwd, env=None):
    """(exit code, stdout, stderr) of this environment's Python in ``cwd``."""
    done = subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env=env)  # fmt: skip
    return done.returncode, done.stdout, done.stderr


def last_line(text):
    return text.strip().splitlines()[-1]


@pytest.mark.parametrize(("hidden", "importer"),
                         [("nn", "viz"), ("autograd", "nn"), ("autograd", "viz")])  # fmt: skip
def test_a_learners_file_named_like_a_package_is_named_with_what_to_do(tmp_path, hidden,
                                                                        importer):  # fmt: skip
    (tmp_path / f"{hidden}.py").write_text(LEARNERS_FILE, encoding="utf-8")
    code, out, err = python("-c", f"import {importer}", cwd=tmp_path)
    assert code == 1
    assert last_line(err) == (
        f"ImportError: chaingrad's {importer} cannot start: {tmp_path / hidden}.py hides "
        f"chaingrad's package {hidden} (Python imports a file of the working folder "
        f"first): rename your file, e.g. to my_{hidden}.py")  # fmt: skip


def test_a_learners_folder_named_like_a_package_is_named_too(tmp_path):
    (tmp_path / "nn").mkdir()
    (tmp_path / "nn" / "__init__.py").write_text(LEARNERS_FILE, encoding="utf-8")
    code, _, err = python("-c", "import viz", cwd=tmp_path)
    assert code == 1 and last_line(err) == (
        f"ImportError: chaingrad's viz cannot start: the folder {tmp_path / 'nn'} hides "
        "chaingrad's package nn: rename your folder (e.g. my_nn)")  # fmt: skip


@pytest.mark.parametrize("hidden", ["viz", "nn"])
def test_the_engine_names_a_learners_viz_or_nn_before_its_import_fails(tmp_path, hidden):
    """``from viz import draw_dot`` runs none of chaingrad's code when a learner's viz.py
    stands there; ``import autograd`` before it warns, at the learner's own line."""
    (tmp_path / f"{hidden}.py").write_text(LEARNERS_FILE, encoding="utf-8")
    lesson = tmp_path / "lesson.py"
    lesson.write_text(f"import math\nfrom autograd import Value\nimport {hidden}\n",
                      encoding="utf-8")  # fmt: skip
    code, out, err = python(str(lesson), cwd=tmp_path)
    assert code == 0 and out == "the learner was here\n"
    assert err.splitlines() == [
        f"{lesson}:2: HiddenPackageWarning: {tmp_path / hidden}.py hides chaingrad's package "
        f"{hidden} (Python imports a file of the working folder first): rename your file, "
        f"e.g. to my_{hidden}.py", "  from autograd import Value"]  # fmt: skip


def test_chaingrad_reached_by_a_path_with_dots_is_not_taken_for_a_learners(tmp_path):
    """The benchmarks and examples put ``<repo>/benchmarks/..`` on sys.path."""
    code, out, err = python("-W", "error", "-c", "import sys; sys.path.insert(0, "
                            f"{str(ROOT / 'benchmarks' / '..')!r}); import autograd, nn; "
                            "print(nn.__file__)", cwd=tmp_path)  # fmt: skip
    assert (code, err) == (0, "") and "benchmarks/../nn" in out


def test_the_engine_in_a_python_without_numpy_says_so_in_one_sentence(tmp_path):
    code, _, err = python("-S", "-c", f"import sys; sys.path.insert(0, {str(ROOT)!r}); "
                          "import autograd", cwd=tmp_path)  # fmt: skip
    assert code == 1 and last_line(err).startswith(
        f"ImportError: chaingrad's autograd cannot start: this Python ({sys.executable}) "
        "does not have numpy, which chaingrad needs.")  # fmt: skip


def test_python_m_says_it_in_one_line(tmp_path):
    (tmp_path / "nn.py").write_text(LEARNERS_FILE, encoding="utf-8")
    code, out, err = python("-m", "viz", "x*x", "x=3", cwd=tmp_path)
    assert code == 1 and err.count("\n") == 1 and "Traceback" not in err
    assert f"{tmp_path / 'nn'}.py hides chaingrad's package nn" in err and "my_nn.py" in err


def test_another_autograd_installed_over_chaingrads_is_named(tmp_path):
    """HIPS autograd installed in the same environment: pip puts both into one autograd
    folder, and the last one installed owns autograd/__init__.py."""
    site = tmp_path / "site"
    (site / "autograd").mkdir(parents=True)
    (site / "autograd" / "__init__.py").write_text('"""HIPS autograd."""\n', encoding="utf-8")
    info = site / "autograd-1.7.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: autograd\nVersion: 1.7.0\n",
                                   encoding="utf-8")  # fmt: skip
    (info / "top_level.txt").write_text("autograd\n", encoding="utf-8")
    (info / "RECORD").write_text("autograd/__init__.py,,\n", encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    code, _, err = python("-c", "import nn", cwd=work, env=env)
    assert code == 1 and last_line(err) == (
        f"ImportError: chaingrad's nn cannot start: the autograd that Python finds, "
        f"{site / 'autograd'}, is another package's (autograd: pip installs it into the same "
        "folder as chaingrad's autograd). chaingrad needs an environment without it: make a "
        "virtual environment of its own (python3 -m venv), or pip uninstall autograd and "
        "reinstall chaingrad")  # fmt: skip


def test_a_python_without_chaingrads_dependencies_is_told_which_python_to_use():
    """``python3 -m viz`` in the clone with a Python that lacks chaingrad's dependencies
    (here this Python without its site-packages, -S): one line naming the environment."""
    if not (ROOT / ".venv" / "bin" / "python").exists():
        pytest.skip("the clone has no .venv (make demo or make test creates it)")
    code, out, err = python("-S", "-m", "viz", "x*x", "x=3", cwd=ROOT)
    assert code == 1 and out == "" and err.count("\n") == 1, err
    assert err.endswith(
        "(ImportError: chaingrad's viz cannot start: this Python "
        f"({sys.executable}) does not have numpy, which chaingrad needs. Use chaingrad's "
        "environment: .venv/bin/python (e.g. .venv/bin/python -m viz ...) or the chaingrad "
        "command, .venv/bin/chaingrad)\n")  # fmt: skip


def test_the_chaingrad_command_is_not_hidden_by_the_learners_files(tmp_path):
    for name in ("nn", "viz", "autograd"):
        (tmp_path / f"{name}.py").write_text(LEARNERS_FILE, encoding="utf-8")
    command = Path(sys.executable).parent / "chaingrad"
    done = subprocess.run([command, "graph", "x*x", "x=3"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0 and done.stdout.startswith("x*x = 9"), done.stderr
    assert "the learner was here" not in done.stdout


def test_chaingrads_own_imports_pass_the_check():
    code, out, err = python("-c", "import autograd, nn, viz; print(autograd.__chaingrad__, "
                            "nn.__chaingrad__)", cwd=ROOT)  # fmt: skip
    assert (code, out, err) == (0, "True True\n", "")
