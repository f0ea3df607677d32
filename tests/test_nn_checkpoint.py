"""Checkpoints: exact round trips, fit's resume bit for bit (shuffling, dropout, lr
schedule, optimizer buffers, early stopping), every corrupted file refused with
nothing changed, and a save killed mid-write leaving the previous checkpoint intact."""

import json
import random
import select
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import nn

ROOT = Path(__file__).resolve().parent.parent


def moons():
    return nn.datasets.make_moons(40, noise=0.1, seed=0)


def build(dropout=None, kind="adam"):
    """A small classifier (its weights from random.seed(3)) and its optimizer."""
    random.seed(3)
    layers = [nn.Layer(2, 8, "relu")]
    if dropout == "own":
        layers.append(nn.Dropout(0.25, generator=random.Random(5)))
    elif dropout == "global":
        layers.append(nn.Dropout(0.25))
    model = nn.Sequential(*layers, nn.Layer(8, 2, "linear"))
    if kind == "adam":
        return model, nn.optim.Adam(model.parameters(), lr=0.05)
    return model, nn.optim.SGD(model.parameters(), lr=0.2, momentum=0.9, nesterov=True)


def train(model, opt, epochs, **kwargs):
    X, y = moons()
    settings = dict(batch_size=8, seed=1, progress=False, validation=(X[:10], y[:10]),
                    lr_schedule=lambda k: 0.1 / (1 + k))
    return nn.fit(model, X, y, nn.cross_entropy, opt, epochs, **(settings | kwargs))


CASES = {
    "adam, mini-batches, own dropout generator": dict(dropout="own"),
    "sgd nesterov, global-random dropout": dict(dropout="global", kind="sgd"),
    "sgd, full batch, early stopping after the interruption": dict(kind="sgd", fit=dict(
        batch_size=None, early_stopping=nn.EarlyStopping(patience=2, min_delta=0.01))),
    "sgd, full batch, early stopping before it": dict(kind="sgd", fit=dict(
        batch_size=None, early_stopping=nn.EarlyStopping(patience=1, min_delta=0.05))),
    "adam, compiled": dict(fit=dict(compiled=True)),
}


@pytest.mark.parametrize("case", CASES)
def test_n_epochs_then_resume_to_n_plus_m_is_the_straight_run_bit_for_bit(case, tmp_path):
    settings = dict(CASES[case])
    options = settings.pop("fit", {})
    model, opt = build(**settings)
    straight = train(model, opt, 9, **options)
    path = tmp_path / "run.json"
    interrupted, opt_i = build(**settings)
    train(interrupted, opt_i, 4, checkpoint=path, **options)
    random.seed(12345)  # a new session: the global generator is elsewhere
    resumed, opt_r = build(**settings)
    history = train(resumed, opt_r, 9, resume=path, **options)
    assert resumed.state_dict() == model.state_dict()
    assert opt_r.state_dict() == opt.state_dict()
    assert history == straight and history.epochs == straight.epochs
    if "after the interruption" in case:  # the monitor's state crossed the checkpoint
        assert straight.best_epoch < 4 <= straight.stopped_epoch
    if "before it" in case:  # the resumed run has nothing left to do
        assert straight.stopped_epoch < 4


def test_resuming_with_fewer_epochs_than_the_checkpoint_holds_is_refused(tmp_path):
    model, opt = build(kind="sgd")
    path = tmp_path / "run.json"
    train(model, opt, 5, checkpoint=path)
    fresh, opt_f = build(kind="sgd")
    before, opt_before = fresh.state_dict(), opt_f.state_dict()
    with pytest.raises(ValueError, match="holds 5 epochs, more than the 3 asked for"):
        train(fresh, opt_f, 3, resume=path)
    assert fresh.state_dict() == before and opt_f.state_dict() == opt_before


def test_every_epoch_overwrites_the_checkpoint(tmp_path):
    model, opt = build()
    path = tmp_path / "run.json"
    train(model, opt, 3, checkpoint=path)
    document = json.loads(path.read_text())
    assert document["format"] == "chaingrad.checkpoint" and document["epoch"] == 3
    assert len(document["history"]["train_loss"]) == 3
    assert document["parameters"] == model.state_dict()


def test_save_and_load_checkpoint_round_trip_exactly(tmp_path):
    model, opt = build(dropout="own", kind="sgd")
    history = train(model, opt, 2)
    rng = random.Random(7)
    rng.random()
    path = tmp_path / "c.json"
    nn.save_checkpoint(path, model, opt, epoch=2, history=history, rng=rng)
    other, other_opt = build(dropout="own", kind="sgd")
    other_history, other_rng = nn.History(), random.Random()
    epoch = nn.load_checkpoint(path, other, other_opt, history=other_history, rng=other_rng)
    assert epoch == 2
    assert other.state_dict() == model.state_dict()
    assert other_opt.state_dict() == opt.state_dict()
    assert other_history == history
    assert other_rng.getstate() == rng.getstate()
    assert other[1]._random.getstate() == model[1]._random.getstate()
    assert nn.load_checkpoint(path, build(dropout="own")[0]) == 2  # the model alone


def corrupt(document):
    """name -> the file's new text, for many ways a checkpoint can be damaged."""
    text = json.dumps(document)

    def edit(change):
        copy = json.loads(text)
        change(copy)
        return json.dumps(copy)

    group = lambda d: d["optimizer"]["param_groups"][0]  # noqa: E731
    first = next(iter(document["parameters"]))
    return {
        "empty": "",
        "truncated": text[: len(text) // 2],
        "not JSON": "checkpoint",
        "a list": "[]",
        "NaN literal": text.replace(f'"epoch": {document["epoch"]}', '"epoch": NaN'),
        "wrong format": edit(lambda d: d.update(format="chaingrad.nn")),
        "wrong version": edit(lambda d: d.update(version=2)),
        "entry missing": edit(lambda d: d.pop("history")),
        "unexpected entry": edit(lambda d: d.update(notes="x")),
        "parameter missing": edit(lambda d: d["parameters"].pop(first)),
        "parameter a string": edit(lambda d: d["parameters"].update({first: "0.5"})),
        "parameter extra": edit(lambda d: d["parameters"].update(extra=1.0)),
        "epoch negative": edit(lambda d: d.update(epoch=-1)),
        "epoch a float": edit(lambda d: d.update(epoch=2.5)),
        "no optimizer": edit(lambda d: d.update(optimizer=None)),
        "another optimizer": edit(lambda d: d["optimizer"].update(type="Adam")),
        "lr negative": edit(lambda d: group(d).update(lr=-0.1)),
        "one parameter fewer": edit(lambda d: group(d).update(params=group(d)["params"][:-1])),
        "buffer a string": edit(lambda d: d["optimizer"]["state"]["0"].update(
            momentum_buffer="1")),
        "history not a list": edit(lambda d: d["history"].update(train_loss=1.0)),
        "history strings": edit(lambda d: d["history"].update(lr=["fast"])),
        "history unknown field": edit(lambda d: d["history"].update(speed=[])),
        "random state garbage": edit(lambda d: d["random"].update(fit=[3, [1, 2], None])),
        "random state floats": edit(lambda d: d["random"]["fit"][1].__setitem__(0, 0.5)),
        "random missing": edit(lambda d: d["random"].pop("dropout")),
        "dropout renamed": edit(lambda d: d["random"].update(dropout={
            "layers.7": d["random"]["fit"]})),
        "early stopping garbage": edit(lambda d: d.update(early_stopping={"best": "low"})),
        "best weights broken": edit(lambda d: d["early_stopping"]["best_parameters"].pop(first)),
        "deep nesting": text[:-1] + ', "notes": ' + "[" * 100_000 + "]" * 100_000 + "}",
    }


def test_every_corrupted_checkpoint_is_refused_and_changes_nothing(tmp_path):
    path = tmp_path / "run.json"
    model, opt = build(dropout="own", kind="sgd")
    train(model, opt, 2, checkpoint=path, early_stopping=5)
    document = json.loads(path.read_text())
    for name, text in corrupt(document).items():
        assert text != json.dumps(document), name
        bad = tmp_path / "bad.json"
        bad.write_text(text)
        model, opt = build(dropout="own", kind="sgd")
        train(model, opt, 1)
        before = (model.state_dict(), opt.state_dict(), model[1]._random.getstate(),
                  random.getstate())
        with pytest.raises(ValueError, match="bad.json") as error:
            train(model, opt, 3, resume=bad, early_stopping=5)
        after = (model.state_dict(), opt.state_dict(), model[1]._random.getstate(),
                 random.getstate())
        assert after == before, f"{name}: {error.value}"


def test_a_file_that_is_not_a_checkpoint_is_named(tmp_path):
    model, opt = build()
    nn.save(model, tmp_path / "weights.json")
    with pytest.raises(ValueError, match="not a chaingrad checkpoint file"):
        nn.load_checkpoint(tmp_path / "weights.json", model, opt)
    with pytest.raises(FileNotFoundError):
        nn.load_checkpoint(tmp_path / "missing.json", model, opt)


def test_non_finite_state_is_refused_and_the_old_checkpoint_kept(tmp_path):
    path = tmp_path / "c.json"
    model, opt = build(kind="sgd")
    train(model, opt, 1, checkpoint=path)
    old = path.read_text()
    opt.velocity[0] = float("inf")
    with pytest.raises(ValueError, match="not finite"):
        nn.save_checkpoint(path, model, opt)
    model.parameters()[0].data = float("nan")
    with pytest.raises(ValueError, match="not finite"):
        nn.save_checkpoint(path, model, opt)
    assert path.read_text() == old


WRITER = textwrap.dedent("""
    import builtins, os, random, sys, time
    sys.path.insert(0, sys.argv[1])
    import nn
    path, mode = sys.argv[2], sys.argv[3]

    def stall(*args, **kwargs):
        print("stalled", flush=True)
        time.sleep(120)

    if mode == "before rename":   # the temporary file is complete, not yet renamed
        os.replace = os.rename = stall
    else:                         # half of the text is in the temporary file
        real_open = builtins.open

        class HalfWriter:
            def __init__(self, file):
                self.file = file
            def write(self, text):
                self.file.write(text[: len(text) // 2])
                self.file.flush()
                stall()
            def __enter__(self):
                return self
            def __exit__(self, *exc):
                return self.file.__exit__(*exc)
            def __getattr__(self, name):
                return getattr(self.file, name)

        def half_open(file, mode="r", *args, **kwargs):
            opened = real_open(file, mode, *args, **kwargs)
            return HalfWriter(opened) if "w" in mode and str(file) != path else opened

        builtins.open = half_open
    random.seed(0)
    model = nn.MLP(2, [32, 32, 1])
    nn.save_checkpoint(path, model, nn.optim.SGD(model.parameters(), lr=0.5), epoch=99)
""")


@pytest.mark.parametrize("mode", ["mid write", "before rename"])
def test_a_save_killed_mid_write_leaves_the_previous_checkpoint_intact(mode, tmp_path):
    path = tmp_path / "run.json"
    model, opt = build(kind="sgd")
    train(model, opt, 2, checkpoint=path)
    old = path.read_text()
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    writer = subprocess.Popen([sys.executable, str(script), str(ROOT), str(path), mode],
                              stdout=subprocess.PIPE, text=True)
    try:
        ready, _, _ = select.select([writer.stdout], [], [], 60)
        assert ready and writer.stdout.readline().strip() == "stalled"
        others = {p.name for p in tmp_path.iterdir()} - {"run.json", "writer.py"}
        assert others, "the save wrote no temporary file"
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        writer.stdout.close()
    assert path.read_text() == old
    fresh, fresh_opt = build(kind="sgd")
    assert nn.load_checkpoint(path, fresh, fresh_opt) == 2
    assert fresh.state_dict() == model.state_dict()
    train(fresh, fresh_opt, 3, checkpoint=path)  # and the next save goes through
    assert json.loads(path.read_text())["epoch"] == 3
