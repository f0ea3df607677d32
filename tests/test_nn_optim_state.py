"""Optimizer state dicts: torch's layout, exact round trips (through JSON too), and
every malformed state dict refused with the optimizer left as it was."""

import copy
import json

import pytest

from autograd import Value
from nn.optim import SGD, Adam

GRADS = [(0.5, -1.0, 0.25), (-0.125, 2.0, 1.5), (0.75, 0.5, -0.5), (1.0, -2.0, 0.0)]


def make(kind, data=(1.0, -2.0, 0.5)):
    ps = [Value(d) for d in data]
    if kind == "sgd":
        return ps, SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01, nesterov=True)
    if kind == "plain":
        return ps, SGD(ps, lr=0.1)
    return ps, Adam(ps, lr=0.05, betas=(0.8, 0.9), weight_decay=0.1)


def run(ps, opt, grads):
    for gs in grads:
        for p, g in zip(ps, gs):
            p.grad = g
        opt.step()
    return [p.data for p in ps]


def test_sgd_state_dict_has_torchs_layout():
    ps, opt = make("sgd")
    assert opt.state_dict() == {"state": {}, "param_groups": [
        {"lr": 0.1, "momentum": 0.9, "dampening": 0.0, "weight_decay": 0.01,
         "nesterov": True, "params": [0, 1, 2]}]}
    run(ps, opt, GRADS[:1])
    g0 = 0.5 + 0.01 * 1.0  # the first buffer is the gradient (with weight decay)
    assert opt.state_dict()["state"][0] == {"momentum_buffer": g0}
    assert sorted(opt.state_dict()["state"]) == [0, 1, 2]


def test_adam_state_dict_has_torchs_layout():
    ps, opt = make("adam")
    assert opt.state_dict()["state"] == {}
    assert opt.state_dict()["param_groups"][0] == {
        "lr": 0.05, "betas": (0.8, 0.9), "eps": 1e-8, "weight_decay": 0.1, "params": [0, 1, 2]}
    run(ps, opt, GRADS[:2])
    entry = opt.state_dict()["state"][1]
    assert entry["step"] == 2 and entry["exp_avg"] == opt.m[1] and entry["exp_avg_sq"] == opt.v[1]


@pytest.mark.parametrize("kind", ["sgd", "plain", "adam"])
def test_round_trip_through_json_continues_bit_for_bit(kind):
    ps, opt = make(kind)
    run(ps, opt, GRADS[:2])
    saved = json.loads(json.dumps(opt.state_dict()))  # int keys become strings
    qs, other = make(kind, [p.data for p in ps])
    other.lr = 0.5  # overwritten by the load
    other.load_state_dict(saved)
    assert other.state_dict() == opt.state_dict()
    assert run(qs, other, GRADS[2:]) == run(ps, opt, GRADS[2:])


def corruptions(kind):
    ps, opt = make(kind)
    run(ps, opt, GRADS[:2])
    good = opt.state_dict()
    param = "momentum_buffer" if kind == "sgd" else "exp_avg"

    def edit(change):
        sd = copy.deepcopy(good)
        change(sd)
        return sd

    group = lambda sd: sd["param_groups"][0]  # noqa: E731
    cases = {
        "not a dict": [good],
        "no param_groups": {"state": good["state"]},
        "extra key": {**good, "extra": 1},
        "two groups": edit(lambda sd: sd["param_groups"].append(group(sd))),
        "too few params": edit(lambda sd: group(sd).update(params=[0, 1])),
        "too many params": edit(lambda sd: group(sd).update(params=[0, 1, 2, 3])),
        "lr negative": edit(lambda sd: group(sd).update(lr=-1.0)),
        "lr NaN": edit(lambda sd: group(sd).update(lr=float("nan"))),
        "lr a string": edit(lambda sd: group(sd).update(lr="0.1")),
        "missing hyper-parameter": edit(lambda sd: group(sd).pop("weight_decay")),
        "unknown hyper-parameter": edit(lambda sd: group(sd).update(rho=0.9)),
        "torch flag switched on": edit(lambda sd: group(sd).update(maximize=True)),
        "state index out of range": edit(lambda sd: sd["state"].update({3: sd["state"][0]})),
        "state index negative": edit(lambda sd: sd["state"].update({-1: sd["state"][0]})),
        "state index twice": edit(lambda sd: sd["state"].update({"0": sd["state"][0]})),
        "buffer infinite": edit(lambda sd: sd["state"][1].update({param: float("inf")})),
        "buffer NaN": edit(lambda sd: sd["state"][1].update({param: float("nan")})),
        "buffer a list": edit(lambda sd: sd["state"][1].update({param: [1.0]})),
        "buffer missing": edit(lambda sd: sd["state"][1].pop(param)),
        "state entry not a dict": edit(lambda sd: sd["state"].update({1: 0.5})),
    }
    if kind == "adam":
        cases |= {
            "betas out of range": edit(lambda sd: group(sd).update(betas=[0.9, 1.0])),
            "step not whole": edit(lambda sd: sd["state"][0].update(step=1.5)),
            "step zero": edit(lambda sd: [e.update(step=0) for e in sd["state"].values()]),
            "negative second moment": edit(lambda sd: sd["state"][2].update(exp_avg_sq=-1e-3)),
            "SGD's group": make("sgd")[1].state_dict(),
        }
    else:
        cases |= {"Adam's group": make("adam")[1].state_dict(),
                  "nesterov a string": edit(lambda sd: group(sd).update(nesterov="false"))}
    return cases


@pytest.mark.parametrize("kind", ["sgd", "adam"])
def test_every_corrupted_state_dict_is_refused_and_changes_nothing(kind):
    for name, bad in corruptions(kind).items():
        ps, opt = make(kind)
        run(ps, opt, GRADS[:1])
        before = copy.deepcopy(opt.state_dict())
        with pytest.raises((ValueError, TypeError), match="load_state_dict"):
            opt.load_state_dict(bad)
        assert opt.state_dict() == before, name
        assert run(ps, opt, GRADS[1:]) == run(*make(kind), GRADS), name


def test_sgd_without_momentum_refuses_buffers():
    ps, opt = make("plain")
    sd = opt.state_dict()
    sd["state"] = {0: {"momentum_buffer": 1.0}}
    with pytest.raises(ValueError, match="without momentum"):
        opt.load_state_dict(sd)


def test_torch_flags_at_their_defaults_are_accepted():
    torch = pytest.importorskip("torch")
    weights = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    for kind, torch_opt in (("sgd", torch.optim.SGD([weights], lr=0.3, momentum=0.5)),
                            ("adam", torch.optim.Adam([weights], lr=0.3))):
        group = torch_opt.state_dict()["param_groups"][0]
        ps, opt = make(kind)
        settings = {k: v for k, v in group.items() if k != "params"}
        opt.load_state_dict({"state": {}, "param_groups": [{**settings, "params": [0, 1, 2]}]})
        assert opt.lr == 0.3
