"""nn.optim.lr_scheduler: torch's learning-rate sequence step for step (the same floats,
for two parameter groups), last_epoch and get_last_lr, state dicts, and every refusal."""

import json
import math

import pytest

from autograd import Value
from nn.optim import SGD, Adam, lr_scheduler

LRS = (0.5, 0.03)  # two parameter groups with their own lr

SCHEDULES = {
    "LambdaLR": ("LambdaLR", {"lr_lambda": lambda epoch: 0.9**epoch * min(1.0, (epoch + 1) / 5)}),
    "LambdaLR per group": ("LambdaLR", {"lr_lambda": [lambda e: 1 / (e + 1), lambda e: 0.97**e]}),
    "StepLR": ("StepLR", {"step_size": 7, "gamma": 0.5}),
    "MultiStepLR": ("MultiStepLR", {"milestones": [3, 10, 10, 25], "gamma": 0.3}),
    "ExponentialLR": ("ExponentialLR", {"gamma": 0.93}),
    "CosineAnnealingLR": ("CosineAnnealingLR", {"T_max": 12, "eta_min": 0.001}),
    "CosineAnnealingLR to 0": ("CosineAnnealingLR", {"T_max": 10}),
}
STEPS = 40


def groups(ps=None):
    ps = ps or [Value(1.0), Value(2.0), Value(3.0)]
    return [{"params": ps[:1], "lr": LRS[0]}, {"params": ps[1:]}]


def our_sequence(name, kwargs, optimizer=None, steps=STEPS):
    optimizer = optimizer or SGD(groups(), lr=LRS[1], momentum=0.9)
    scheduler = getattr(lr_scheduler, name)(optimizer, **kwargs)
    lrs = [scheduler.get_last_lr()]
    for _ in range(steps):
        optimizer.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr())
        assert lrs[-1] == [g["lr"] for g in optimizer.param_groups]
    assert scheduler.last_epoch == steps
    return lrs


@pytest.mark.parametrize("case", SCHEDULES)
def test_the_learning_rates_are_torchs_step_for_step(case):
    torch = pytest.importorskip("torch")
    name, kwargs = SCHEDULES[case]
    weights = [torch.zeros(1, requires_grad=True), torch.zeros(2, requires_grad=True)]
    optimizer = torch.optim.SGD([{"params": weights[:1], "lr": LRS[0]},
                                 {"params": weights[1:]}], lr=LRS[1], momentum=0.9)  # fmt: skip
    scheduler = getattr(torch.optim.lr_scheduler, name)(optimizer, **kwargs)
    theirs = [scheduler.get_last_lr()]
    for _ in range(STEPS):
        optimizer.step()
        scheduler.step()
        theirs.append(scheduler.get_last_lr())
    assert our_sequence(name, kwargs) == theirs  # exactly: the same floats


def test_reduce_on_plateau_is_torchs_step_for_step():
    torch = pytest.importorskip("torch")
    metrics = [1.0, 0.9, 0.95, 0.9, 0.91, 0.92, 0.93, 0.5, 0.6, 0.6, 0.6, 0.6, 0.6, 0.49995,
               0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7]
    settings = [{"patience": 2, "factor": 0.5}, {"mode": "max", "patience": 1, "cooldown": 2},
                {"threshold_mode": "abs", "threshold": 0.05, "patience": 0, "min_lr": [0.1, 0.0]},
                {"patience": 0, "factor": 0.1, "min_lr": 0.02, "eps": 0.01}]
    for kwargs in settings:
        weights = [torch.zeros(1, requires_grad=True), torch.zeros(2, requires_grad=True)]
        theirs_opt = torch.optim.SGD([{"params": weights[:1], "lr": LRS[0]},
                                      {"params": weights[1:]}], lr=LRS[1])  # fmt: skip
        theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(theirs_opt, **kwargs)
        ours_opt = SGD(groups(), lr=LRS[1])
        ours = lr_scheduler.ReduceLROnPlateau(ours_opt, **kwargs)
        assert ours.get_last_lr() == theirs.get_last_lr()
        for metric in metrics:
            theirs_opt.step()
            theirs.step(metric)
            ours.step(Value(metric) if metric == 0.5 else metric)  # a Value works too
            assert ours.get_last_lr() == theirs.get_last_lr(), kwargs
            assert (ours.best, ours.num_bad_epochs, ours.cooldown_counter, ours.last_epoch) == \
                (theirs.best, theirs.num_bad_epochs, theirs.cooldown_counter, theirs.last_epoch)


def test_a_scheduler_sets_initial_lr_and_resumes_from_it():
    optimizer = SGD(groups(), lr=LRS[1])
    scheduler = lr_scheduler.StepLR(optimizer, step_size=2)
    assert [g["initial_lr"] for g in optimizer.param_groups] == list(LRS)
    assert scheduler.base_lrs == list(LRS) and scheduler.last_epoch == 0
    for _ in range(5):
        scheduler.step()
    state, saved = json.loads(json.dumps(scheduler.state_dict())), optimizer.state_dict()
    assert saved["param_groups"][0]["initial_lr"] == LRS[0]
    fresh = SGD(groups(), lr=LRS[1])
    fresh.load_state_dict(saved)
    resumed = lr_scheduler.StepLR(fresh, step_size=2, last_epoch=4)
    resumed.load_state_dict(state)
    assert resumed.get_last_lr() == scheduler.get_last_lr() and resumed.last_epoch == 5
    for _ in range(6):
        scheduler.step()
        resumed.step()
        assert resumed.get_last_lr() == scheduler.get_last_lr()
    with pytest.raises(ValueError, match="parameter group 0 has no 'initial_lr': load the "
                                         "optimizer's state dict first"):
        lr_scheduler.StepLR(SGD(groups(), lr=0.1), step_size=2, last_epoch=3)


@pytest.mark.parametrize("case", ["MultiStepLR", "CosineAnnealingLR", "LambdaLR"])
def test_state_dicts_round_trip_through_json(case):
    name, kwargs = SCHEDULES[case]
    optimizer = Adam(groups(), lr=LRS[1])
    scheduler = getattr(lr_scheduler, name)(optimizer, **kwargs)
    for _ in range(13):
        scheduler.step()
    state = scheduler.state_dict()
    assert "optimizer" not in state and "lr_lambdas" not in state
    other_optimizer = Adam(groups(), lr=LRS[1])
    other = getattr(lr_scheduler, name)(other_optimizer, **kwargs)
    other.load_state_dict(json.loads(json.dumps(state)))
    other_optimizer.load_state_dict(optimizer.state_dict())
    assert other.state_dict() == state
    for _ in range(5):
        scheduler.step()
        other.step()
    assert other.get_last_lr() == scheduler.get_last_lr()


def test_reduce_on_plateau_state_dict_holds_no_infinity():
    optimizer = SGD(groups(), lr=LRS[1])
    scheduler = lr_scheduler.ReduceLROnPlateau(optimizer, patience=0)
    assert scheduler.state_dict()["best"] is None  # JSON has no inf
    json.dumps(scheduler.state_dict(), allow_nan=False)
    scheduler.step(1.0)
    scheduler.step(2.0)
    other = lr_scheduler.ReduceLROnPlateau(SGD(groups(), lr=LRS[1]), patience=0)
    other.load_state_dict(json.loads(json.dumps(scheduler.state_dict())))
    assert (other.best, other.last_epoch, other.get_last_lr()) == (1.0, 2, [0.05, 0.003])


def test_refusals_say_what_is_wrong_and_change_nothing():
    optimizer = SGD(groups(), lr=LRS[1])
    with pytest.raises(TypeError, match="StepLR schedules an nn.optim optimizer, not a list"):
        lr_scheduler.StepLR([Value(1.0)], step_size=2)
    with pytest.raises(ValueError, match="StepLR: step_size must be at least 1, received 0"):
        lr_scheduler.StepLR(optimizer, step_size=0)
    assert "initial_lr" not in optimizer.param_groups[0]  # a refused scheduler changed nothing
    with pytest.raises(ValueError, match="expected 2 lr_lambdas"):
        lr_scheduler.LambdaLR(optimizer, [lambda e: 1.0])
    with pytest.raises(ValueError, match=r"factor must be < 1"):
        lr_scheduler.ReduceLROnPlateau(optimizer, factor=2.0)
    with pytest.raises(ValueError, match="mode must be 'min' or 'max'"):
        lr_scheduler.ReduceLROnPlateau(optimizer, mode="lowest")
    plateau = lr_scheduler.ReduceLROnPlateau(optimizer)
    with pytest.raises(ValueError, match="must be a finite number, received nan"):
        plateau.step(math.nan)
    with pytest.raises(TypeError, match="takes the metric"):
        plateau.step("0.5")
    warmup = lr_scheduler.LambdaLR(optimizer, lambda epoch: 1.0 - epoch)
    with pytest.raises(ValueError, match="the lr of parameter group 0 at epoch 2 must be >= 0"):
        warmup.step(), warmup.step()
    scheduler = lr_scheduler.StepLR(SGD(groups(), lr=LRS[1]), step_size=3)
    before = scheduler.state_dict()
    for bad, message in [
        ([1], "expected a dict"),
        ({**before, "extra": 1}, "expected the entries"),
        ({**before, "last_epoch": 2.5}, "last_epoch must be a int, not float"),
        ({**before, "step_size": 0}, "step_size must be at least 1"),
        ({**before, "base_lrs": [0.1]}, "one lr per parameter group"),
        ({**before, "gamma": float("nan")}, "gamma must be finite"),
        (lr_scheduler.ExponentialLR(SGD(groups(), lr=0.1), 0.5).state_dict(), "another"),
    ]:
        with pytest.raises((TypeError, ValueError), match=message):
            scheduler.load_state_dict(bad)
        assert scheduler.state_dict() == before
