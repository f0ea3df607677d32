"""nn losses, softmax and penalties: values, gradients (finite differences and torch),
batch/sample equivalence and errors."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
import nn
from autograd import Value

logit = st.floats(-30, 30, allow_nan=False)
prob = st.floats(0.01, 0.99)
binary = st.sampled_from([0.0, 1.0])


def leaves(xs):
    return [Value(x) for x in xs]


def grads_of(loss_builder, xs):
    """(loss value, d loss / d x_i) with the engine."""
    vs = leaves(xs)
    out = loss_builder(vs)
    out.backward()
    return out.data, [v.grad for v in vs]


def check_fd(f, xs):
    assert autograd.gradcheck(f, xs, eps=1e-6, atol=1e-5, rtol=1e-4)


# -- softmax / log_softmax -------------------------------------------------------------
@given(st.lists(logit, min_size=1, max_size=6))
def test_softmax_sums_to_one_and_matches_log_softmax(xs):
    probs = nn.softmax(xs)
    logs = nn.log_softmax(xs)
    assert math.isclose(sum(p.data for p in probs), 1.0, rel_tol=1e-12)
    for p, lp in zip(probs, logs):
        assert math.isclose(math.log(p.data), lp.data, rel_tol=1e-9, abs_tol=1e-9) or p.data == 0


def test_log_softmax_is_stable_for_huge_logits():
    out = nn.log_softmax([1000.0, -1000.0, 999.0])
    expected_0 = -math.log(1 + math.exp(-1))
    assert math.isclose(out[0].data, expected_0, rel_tol=1e-12)
    assert math.isclose(out[1].data, -2000.0 + expected_0, rel_tol=1e-12)
    probs = nn.softmax([1000.0, -1000.0])
    assert probs[0].data == 1.0 and probs[1].data == 0.0


def test_softmax_batch_gives_one_row_per_sample():
    rows = nn.softmax([[0.0, 0.0], [1.0, 2.0, 3.0]])
    assert [len(r) for r in rows] == [2, 3]
    assert rows[0][0].data == 0.5


@given(st.lists(logit, min_size=2, max_size=5), st.data())
def test_log_softmax_gradient_matches_finite_differences(xs, data):
    k = data.draw(st.integers(0, len(xs) - 1))
    check_fd(lambda *v: nn.log_softmax(list(v))[k], xs)
    check_fd(lambda *v: nn.softmax(list(v))[k], xs)


def test_softmax_errors():
    with pytest.raises(ValueError, match="at least one value, received 0"):
        nn.softmax([])
    with pytest.raises(TypeError):
        nn.log_softmax("abc")


# -- cross entropy -----------------------------------------------------------------------
@given(st.lists(logit, min_size=2, max_size=5), st.data())
def test_cross_entropy_value_and_gradient(xs, data):
    t = data.draw(st.integers(0, len(xs) - 1))
    loss, grads = grads_of(lambda v: nn.cross_entropy(v, t), xs)
    m = max(xs)
    lse = m + math.log(sum(math.exp(x - m) for x in xs))
    assert math.isclose(loss, lse - xs[t], rel_tol=1e-9, abs_tol=1e-9)
    softmax = [math.exp(x - lse) for x in xs]
    expected = [s - (j == t) for j, s in enumerate(softmax)]
    assert all(math.isclose(g, e, abs_tol=1e-9) for g, e in zip(grads, expected))


@given(st.lists(st.tuples(st.lists(logit, min_size=3, max_size=3), st.integers(0, 2)),
                min_size=1, max_size=4))  # fmt: skip
def test_cross_entropy_batch_is_the_mean_of_samples(rows):
    logits = [r for r, _ in rows]
    targets = [t for _, t in rows]
    batch = nn.cross_entropy(logits, targets).data
    singles = [nn.cross_entropy(r, t).data for r, t in rows]
    assert math.isclose(batch, sum(singles) / len(singles), rel_tol=1e-12, abs_tol=1e-12)
    total = nn.cross_entropy(logits, targets, reduction="sum").data
    assert math.isclose(total, sum(singles), rel_tol=1e-12, abs_tol=1e-12)
    each = nn.cross_entropy(logits, targets, reduction="none")
    assert [v.data for v in each] == singles


def test_cross_entropy_stable_for_huge_logits():
    assert nn.cross_entropy([1000.0, -1000.0], 1).data == 2000.0
    assert nn.cross_entropy([1000.0, -1000.0], 0).data == 0.0


def test_cross_entropy_errors():
    with pytest.raises(ValueError, match="target 3 is out of range for 3 classes"):
        nn.cross_entropy([1.0, 2.0, 3.0], 3)
    with pytest.raises(ValueError, match="target -1 is out of range"):
        nn.cross_entropy([1.0, 2.0], -1)
    with pytest.raises(ValueError, match="2 rows of logits but 3 targets"):
        nn.cross_entropy([[1.0, 2.0], [0.0, 1.0]], [0, 1, 1])
    with pytest.raises(TypeError, match="class index"):
        nn.cross_entropy([1.0, 2.0], 1.0)
    with pytest.raises(TypeError, match="list of targets"):
        nn.cross_entropy([[1.0, 2.0]], 0)
    with pytest.raises(ValueError, match="reduction"):
        nn.cross_entropy([1.0, 2.0], 0, reduction="avg")


# -- element-wise losses -----------------------------------------------------------------
def _sigmoid(x):
    return 1 / (1 + math.exp(-x))


# loss, (prediction, target) strategy, element loss f(p, t), its derivative d f / d p
ELEMENTWISE = {
    "mse": (nn.mse_loss, st.tuples(logit, logit), lambda p, t: (p - t) ** 2,
            lambda p, t: 2 * (p - t)),
    "bce_with_logits": (nn.bce_with_logits, st.tuples(logit, binary),
                        lambda x, t: max(x, 0) - x * t + math.log1p(math.exp(-abs(x))),
                        lambda x, t: _sigmoid(x) - t),
    "binary_cross_entropy": (nn.binary_cross_entropy, st.tuples(prob, st.floats(0, 1)),
                             lambda p, t: -(t * math.log(p) + (1 - t) * math.log(1 - p)),
                             lambda p, t: (p - t) / (p * (1 - p))),
}  # fmt: skip


@pytest.mark.parametrize("name", list(ELEMENTWISE))
@given(data=st.data())
def test_elementwise_loss_values_and_gradients_in_closed_form(name, data):
    loss_fn, pair, f, df = ELEMENTWISE[name]
    pairs = data.draw(st.lists(pair, min_size=1, max_size=6))
    targets = [t for _, t in pairs]
    n = len(pairs)
    loss, grads = grads_of(lambda v: loss_fn(v, targets), [p for p, _ in pairs])
    assert math.isclose(loss, sum(f(p, t) for p, t in pairs) / n, rel_tol=1e-9, abs_tol=1e-12)
    for g, (p, t) in zip(grads, pairs):
        assert math.isclose(g, df(p, t) / n, rel_tol=1e-9, abs_tol=1e-12)


def test_bce_with_logits_gradient_at_zero_and_huge_logits():
    loss, grads = grads_of(lambda v: nn.bce_with_logits(v, [1.0]), [0.0])
    assert math.isclose(loss, math.log(2)) and grads == [-0.5]
    loss, grads = grads_of(lambda v: nn.bce_with_logits(v, [0.0, 1.0]), [1000.0, -1000.0])
    assert loss == 1000.0 and grads == [0.5, -0.5]


def test_binary_cross_entropy_clamps_log_at_minus_100():
    assert nn.binary_cross_entropy([0.0, 1.0], [1.0, 0.0]).data == 100.0
    assert nn.binary_cross_entropy([0.0, 1.0], [0.0, 1.0]).data == 0.0
    with pytest.raises(ValueError, match=r"probabilities must be in \[0, 1\], received 1.5"):
        nn.binary_cross_entropy([1.5], [1.0])


def test_hinge_loss_value_gradient_and_labels():
    loss, grads = grads_of(lambda v: nn.hinge_loss(v, [1, -1, 1]), [0.5, 0.25, 2.0])
    assert loss == pytest.approx((0.5 + 1.25 + 0.0) / 3, rel=1e-15)
    assert grads == pytest.approx([-1 / 3, 1 / 3, 0.0], rel=1e-15)
    with pytest.raises(ValueError, match="labels must be -1 or 1, received 0"):
        nn.hinge_loss([0.5], [0])


@given(st.sampled_from([nn.mse_loss, nn.bce_with_logits, nn.hinge_loss]),
       st.lists(st.floats(-3, 3), min_size=1, max_size=5))  # fmt: skip
def test_elementwise_losses_match_finite_differences(loss_fn, xs):
    targets = [1.0 if i % 2 else -1.0 for i in range(len(xs))]
    if loss_fn is nn.bce_with_logits:
        targets = [max(t, 0.0) for t in targets]
    if loss_fn is nn.hinge_loss:  # keep away from the kink at y s = 1
        xs = [x if abs(abs(x) - 1) > 1e-3 else x + 0.01 for x in xs]
    check_fd(lambda *v: loss_fn(list(v), targets), xs)


def test_elementwise_losses_accept_any_matching_nesting():
    preds = [[Value(1.0)], [Value(2.0)]]
    assert nn.mse_loss(preds, [0.0, 0.0]).data == 2.5
    assert nn.mse_loss(Value(3.0), 1.0).data == 4.0
    assert nn.mse_loss([[1.0, 2.0]], [[1.0, 4.0]], reduction="sum").data == 4.0
    each = nn.mse_loss([1.0, 2.0], [0.0, 0.0], reduction="none")
    assert [v.data for v in each] == [1.0, 4.0]


@pytest.mark.parametrize("loss_fn", [nn.mse_loss, nn.binary_cross_entropy, nn.bce_with_logits,
                                     nn.hinge_loss])  # fmt: skip
def test_elementwise_loss_errors(loss_fn):
    name = loss_fn.__name__
    with pytest.raises(ValueError, match=f"{name}: 2 predictions but 3 targets"):
        loss_fn([0.5, 0.5], [1, 1, 1])
    with pytest.raises(ValueError, match="at least one prediction"):
        loss_fn([], [])
    with pytest.raises(ValueError, match="reduction must be one of"):
        loss_fn([0.5], [1], reduction="mean ")
    with pytest.raises(TypeError, match="targets must be numbers"):
        loss_fn([0.5], ["1"])


# -- penalties ---------------------------------------------------------------------------
def test_penalties_values_gradients_and_one_node():
    params = leaves([1.5, -2.0, 0.0])
    l2 = nn.l2_penalty(params)
    assert l2.data == 1.5**2 + 4.0 and l2.op == "dot"
    l2.backward()
    assert [p.grad for p in params] == [3.0, -4.0, 0.0]
    for p in params:
        p.grad = 0.0
    l1 = nn.l1_penalty(params)
    assert l1.data == 3.5 and l1.op == "sum"
    l1.backward()
    assert [p.grad for p in params] == [1.0, -1.0, 0.0]
    model = nn.MLP(2, [2, 1])
    assert nn.l2_penalty(model).data == pytest.approx(sum(p.data**2 for p in model.parameters()))
    with pytest.raises(TypeError, match="penalties take Values"):
        nn.l2_penalty([1.0, 2.0])


# -- against torch -----------------------------------------------------------------------
@given(st.lists(st.lists(st.floats(-50, 50), min_size=4, max_size=4), min_size=1, max_size=3),
       st.data())  # fmt: skip
def test_losses_equal_torch(rows, data):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    targets = data.draw(st.lists(st.integers(0, 3), min_size=len(rows), max_size=len(rows)))
    flat_t = data.draw(st.lists(st.sampled_from([0.0, 1.0]), min_size=4 * len(rows),
                                max_size=4 * len(rows)))  # fmt: skip
    cases = [
        (lambda v: nn.cross_entropy(v, targets),
         lambda x: F.cross_entropy(x, torch.tensor(targets))),
        (lambda v: nn.cross_entropy(v, targets, reduction="sum"),
         lambda x: F.cross_entropy(x, torch.tensor(targets), reduction="sum")),
        (lambda v: nn.mse_loss(v, _rows(flat_t, 4)),
         lambda x: F.mse_loss(x, torch.tensor(_rows(flat_t, 4), dtype=torch.float64))),
        (lambda v: nn.bce_with_logits(v, _rows(flat_t, 4)),
         lambda x: F.binary_cross_entropy_with_logits(
             x, torch.tensor(_rows(flat_t, 4), dtype=torch.float64))),
        # p = sigmoid(x / 3) keeps p (1 - p) above 1e-12, where torch clamps its gradient
        (lambda v: nn.binary_cross_entropy([[(c / 3).sigmoid() for c in r] for r in v],
                                           _rows(flat_t, 4)),
         lambda x: F.binary_cross_entropy(torch.sigmoid(x / 3),
                                          torch.tensor(_rows(flat_t, 4), dtype=torch.float64))),
        (lambda v: nn.l2_penalty([c for r in v for c in r]), lambda x: (x * x).sum()),
        (lambda v: nn.l1_penalty([c for r in v for c in r]), lambda x: x.abs().sum()),
        (lambda v: nn.log_softmax(v)[0][-1], lambda x: F.log_softmax(x, dim=1)[0, -1]),
        (lambda v: nn.softmax(v)[-1][0], lambda x: F.softmax(x, dim=1)[-1, 0]),
    ]  # fmt: skip
    for ours, theirs in cases:
        values = [leaves(r) for r in rows]
        out = ours(values)
        out.backward()
        x = torch.tensor(rows, dtype=torch.float64, requires_grad=True)
        expected = theirs(x)
        expected.backward()
        assert out.data == pytest.approx(expected.item(), rel=1e-9, abs=1e-9)
        got = [c.grad for r in values for c in r]
        assert got == pytest.approx(x.grad.flatten().tolist(), rel=1e-9, abs=1e-9)


def _rows(flat, width):
    return [flat[i : i + width] for i in range(0, len(flat), width)]
