"""Hardening: hostile JSON, durable saves, truthiness, and the suite's warning policy."""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

import pytest

import autograd
import nn
from autograd import TraceError, Value
from autograd.files import read_json, temporary_path, write_atomic

# -- JSON the project reads ----------------------------------------------------------------


def test_deeply_nested_json_is_a_value_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    model = nn.MLP(2, [3, 1])
    before = model.state_dict()
    with pytest.raises(ValueError, match=r"load: .*deep\.json: nested too deeply"):
        nn.load(model, path)
    assert model.state_dict() == before


def test_deeply_nested_object_inside_a_model_file(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    path.write_text('{"format": "chaingrad.nn", "parameters": ' + '{"a": ' * 50_000
                    + "1" + "}" * 50_001)  # fmt: skip
    with pytest.raises(ValueError, match="model.json: nested too deeply"):
        read_json(path, "load")


@pytest.mark.parametrize("text, problem", [
    ('{"a": 1', "not valid JSON"),
    ('{"a": NaN}', "NaN is not a number JSON allows"),
    ('{"a": 1, "a": 2}', "appears twice"),
])  # fmt: skip
def test_corrupt_json_names_the_file_and_the_problem(tmp_path: Path, text: str,
                                                     problem: str) -> None:  # fmt: skip
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(ValueError, match=rf"checkpoint: .*bad\.json.*{problem}"):
        read_json(path, "checkpoint")


# -- durable saves --------------------------------------------------------------------------


def test_save_fsyncs_the_temporary_before_renaming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[tuple[str, object]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(descriptor: int) -> None:
        events.append(("fsync", os.readlink(f"/proc/self/fd/{descriptor}")
                       if os.path.exists("/proc/self/fd") else descriptor))  # fmt: skip
        real_fsync(descriptor)

    def replace(source: str, target: str) -> None:
        events.append(("replace", (source, target)))
        real_replace(source, target)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    path = tmp_path / "model.json"
    nn.save(nn.MLP(2, [2, 1]), path)
    kinds = [kind for kind, _ in events]
    assert kinds == ["fsync", "replace", "fsync"]  # the file, the rename, the folder
    assert events[1][1] == (temporary_path(path), os.fspath(path))
    if os.path.exists("/proc/self/fd"):
        assert events[0][1] == temporary_path(path)
        assert events[2][1] == os.fspath(tmp_path)


def test_a_killed_saves_temporary_is_replaced_not_piled_up(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    Path(temporary_path(path)).write_text('{"half": ')  # what a killed save leaves behind
    model = nn.MLP(2, [2, 1])
    nn.save(model, path)
    nn.save(model, path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json"]
    other = nn.MLP(2, [2, 1])
    nn.load(other, path)
    assert other.state_dict() == model.state_dict()


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "page.html"
    write_atomic(path, "old")

    def broken(descriptor: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(path, "new")
    assert path.read_text() == "old"
    assert not Path(temporary_path(path)).exists()


def test_a_missing_folder_is_named_not_the_temporary(tmp_path: Path) -> None:
    target = tmp_path / "nowhere" / "page.html"
    with pytest.raises(FileNotFoundError, match=r"cannot write .*page\.html: there is no folder"):
        write_atomic(target, "text")
    with pytest.raises(FileNotFoundError, match="there is no folder"):
        nn.save(nn.MLP(2, [1]), target)


def test_write_atomic_takes_text_and_bytes(tmp_path: Path) -> None:
    write_atomic(tmp_path / "a.txt", "é")
    write_atomic(tmp_path / "b.bin", b"\x00\x01")
    assert (tmp_path / "a.txt").read_bytes() == "é".encode()
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"


# -- truthiness ------------------------------------------------------------------------------


def test_bool_follows_the_data_like_a_one_element_tensor() -> None:
    assert not Value(0.0)
    assert not Value(-0.0)
    assert Value(1e-300)
    assert Value(-2.0)
    loss = Value(3.0) - 3.0
    assert bool(loss) is False
    steps = 0
    v = Value(3.0)
    while v:
        v = v - 1.0
        steps += 1
    assert steps == 3


def test_bool_of_a_traced_value_is_refused_like_comparisons() -> None:
    with pytest.raises(TraceError, match=r"truthiness .*test_hardening\.py:\d+"):
        autograd.compile(lambda x: x * 2 if x else x, [1.0])
    with pytest.raises(TraceError, match="truthiness"):
        autograd.compile(lambda x: (x - 1.0 and x) * 1.0, [1.0])


def test_bool_of_a_parameter_is_allowed_while_tracing() -> None:
    w = Value(0.0)
    prog = autograd.compile(lambda x: x * 3 if not w else x, [1.0])
    assert prog([[2.0]]).tolist() == [6.0]


# -- the suite's own warning policy -----------------------------------------------------------


def test_the_suite_runs_in_development_mode() -> None:
    assert sys.flags.dev_mode, "run the tests with python -X dev (make test does)"


def test_warnings_are_errors_in_the_suite() -> None:
    with pytest.raises(ResourceWarning):
        warnings.warn("unclosed file", ResourceWarning, stacklevel=1)
    with pytest.raises(DeprecationWarning):
        warnings.warn("old call", DeprecationWarning, stacklevel=1)


@pytest.mark.parametrize("module", ["autograd.value", "nn", "viz.render", "neuron", "_common"])
def test_a_warning_from_the_projects_code_is_an_error(module: str) -> None:
    with pytest.raises(RuntimeWarning):
        warnings.warn_explicit("overflow", RuntimeWarning, "x.py", 1, module=module)


def test_a_third_party_librarys_own_warning_is_only_shown() -> None:
    with warnings.catch_warnings(record=True) as shown:
        warnings.warn_explicit("old API", DeprecationWarning, "f.py", 1, module="matplotlib.f")
        warnings.warn_explicit("old API", DeprecationWarning, "f.py", 2, module="nnx")
    assert [str(w.message) for w in shown] == ["old API", "old API"]


# -- a non-finite gradient names the op it came from ------------------------------------------


def test_a_custom_ops_nan_derivative_is_named_by_backward() -> None:
    bad = autograd.custom_op("nan_slope_probe", lambda x: 2 * x, lambda x: float("nan"),
                             doc="2x; d/dx = nan (a learner's slip)")  # fmt: skip
    x = Value(0.5, label="x")
    y = bad(x) * 3.0
    with pytest.raises(ValueError, match=r"gradient became nan.*came from backward of "
                       r"nan_slope_probe\(0\.5\).*local derivative nan"):  # fmt: skip
        y.backward()


def test_an_overflowing_gradient_names_the_op_that_sent_it() -> None:
    x = Value(1e-310, label="x")  # log's derivative 1/x overflows a float
    with pytest.raises(OverflowError, match=r"gradient became inf.*came from backward of "
                       r"log\(1e-310\)"):  # fmt: skip
        (x.log() * 2.0).backward()
