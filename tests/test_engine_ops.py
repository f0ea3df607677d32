"""Every op's local derivative against central finite differences, over its legal domain.

Kinks (relu, leaky_relu, elu, abs at 0; clamp at its bounds; max and min at ties) are kept
at a distance so the difference quotient is meaningful.
"""

import math
import sys

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import autograd
from autograd import OPS, Value

EPS = 1e-6


def reals(lo=-5.0, hi=5.0):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def away_from_zero(lo=-5.0, hi=5.0, gap=1e-3):
    return reals(lo, hi).filter(lambda x: abs(x) > gap)


# op name -> (function of Values, strategy for its list of inputs)
CASES = {
    "add": (lambda x, y: x + y, st.tuples(reals(), reals())),
    "sub": (lambda x, y: x - y, st.tuples(reals(), reals())),
    "mul": (lambda x, y: x * y, st.tuples(reals(), reals())),
    "div": (lambda x, y: x / y, st.tuples(reals(), away_from_zero(gap=0.1))),
    "pow": (lambda x, y: x**y, st.tuples(reals(0.1, 4.0), reals(-3.0, 3.0))),
    "neg": (lambda x: -x, st.tuples(reals())),
    "abs": (lambda x: abs(x), st.tuples(away_from_zero())),
    "exp": (lambda x: x.exp(), st.tuples(reals(-10, 10))),
    "log": (lambda x: x.log(), st.tuples(reals(0.01, 100.0))),
    "sqrt": (lambda x: x.sqrt(), st.tuples(reals(0.01, 100.0))),
    "tanh": (lambda x: x.tanh(), st.tuples(reals(-8, 8))),
    "sigmoid": (lambda x: x.sigmoid(), st.tuples(reals(-20, 20))),
    "relu": (lambda x: x.relu(), st.tuples(away_from_zero())),
    "leaky_relu": (lambda x, a: x.leaky_relu(a), st.tuples(away_from_zero(), reals(0.0, 0.5))),
    "elu": (lambda x, a: x.elu(a), st.tuples(away_from_zero(), reals(0.1, 2.0))),
    "sin": (lambda x: x.sin(), st.tuples(reals(-10, 10))),
    "cos": (lambda x: x.cos(), st.tuples(reals(-10, 10))),
    "tan": (lambda x: x.tan(), st.tuples(reals(-1.4, 1.4))),
    "asin": (lambda x: x.asin(), st.tuples(reals(-0.95, 0.95))),
    "acos": (lambda x: x.acos(), st.tuples(reals(-0.95, 0.95))),
    "atan": (lambda x: x.atan(), st.tuples(reals(-10, 10))),
    "sinh": (lambda x: x.sinh(), st.tuples(reals(-10, 10))),
    "cosh": (lambda x: x.cosh(), st.tuples(reals(-10, 10))),
    "log1p": (lambda x: x.log1p(), st.tuples(reals(-0.9, 100.0))),
    "expm1": (lambda x: x.expm1(), st.tuples(reals(-10, 10))),
    "erf": (lambda x: x.erf(), st.tuples(reals(-5, 5))),
    "softplus": (  # beta x kept away from the threshold, where softplus switches to x
        lambda x, beta, threshold: x.softplus(beta, threshold),
        st.tuples(reals(-10, 10), reals(0.5, 2.0), st.just(20.0)).filter(
            lambda p: abs(p[0] * p[1] - p[2]) > 1e-2),
    ),
    "silu": (lambda x: x.silu(), st.tuples(reals(-20, 20))),
    "gelu": (lambda x: x.gelu(), st.tuples(reals(-8, 8))),
    "gelu_tanh": (lambda x: x.gelu(approximate="tanh"), st.tuples(reals(-8, 8))),
    "clamp": (  # x away from both bounds (the kinks)
        lambda x, low, high: x.clamp(low, high),
        st.tuples(reals(), reals(), reals()).filter(
            lambda p: abs(p[0] - p[1]) > 1e-3 and abs(p[0] - p[2]) > 1e-3
            and abs(p[1] - p[2]) > 1e-3),
    ),
    "clamp_min": (lambda x, low: x.clamp(min=low),
                  st.tuples(reals(), reals()).filter(lambda p: abs(p[0] - p[1]) > 1e-3)),
    "clamp_max": (lambda x, high: x.clamp(max=high),
                  st.tuples(reals(), reals()).filter(lambda p: abs(p[0] - p[1]) > 1e-3)),
    "min": (
        lambda *xs: autograd.min(xs),
        st.lists(reals(), min_size=1, max_size=6, unique=True).filter(
            lambda xs: len(xs) == 1 or sorted(xs)[1] - sorted(xs)[0] > 1e-3
        ),
    ),
    "sum": (lambda *xs: autograd.sum(xs), st.lists(reals(), min_size=1, max_size=6)),
    "dot": (  # an odd number of inputs: the last one is the bias
        lambda *xs: autograd.dot(xs[: len(xs) // 2], xs[len(xs) // 2 : len(xs) // 2 * 2],
                                 xs[-1] if len(xs) % 2 else None),  # fmt: skip
        st.integers(1, 5).flatmap(lambda n: st.lists(reals(), min_size=2 * n, max_size=2 * n + 1)),
    ),
    "max": (
        lambda *xs: autograd.max(xs),
        st.lists(reals(), min_size=1, max_size=6, unique=True).filter(
            lambda xs: len(xs) == 1 or sorted(xs)[-1] - sorted(xs)[-2] > 1e-3
        ),
    ),
}


def test_every_op_of_the_table_is_covered():
    assert set(CASES) == set(OPS)


def numeric_partials(f, point):
    partials = []
    for i in range(len(point)):
        up, down = list(point), list(point)
        up[i] += EPS
        down[i] -= EPS
        partials.append((f(*map(Value, up)).data - f(*map(Value, down)).data) / (2 * EPS))
    return partials


def analytic_partials(f, point):
    xs = [Value(p) for p in point]
    f(*xs).backward()
    return [x.grad for x in xs]


@pytest.mark.parametrize("name", sorted(CASES))
def test_backward_matches_central_differences(name):
    f, inputs = CASES[name]

    @given(inputs)
    def check(point):
        out = f(*map(Value, point))
        assert out.op == name
        assume(abs(out.data) < 1e6)
        analytic = analytic_partials(f, point)
        numeric = numeric_partials(f, point)
        for a, n in zip(analytic, numeric):
            assert a == pytest.approx(n, rel=1e-4, abs=1e-5)

    check()


@pytest.mark.parametrize("name", sorted(CASES))
def test_local_partials_agree_with_backward(name):
    f, inputs = CASES[name]

    @given(inputs)
    def check(point):
        xs = [Value(p) for p in point]
        out = f(*xs)
        out.backward()
        partials = autograd.local_partials(out)
        assert len(partials) == len(out.inputs)
        for x in xs:  # each leaf's grad is the sum of the partials of its uses
            expected = sum(p for inp, p in zip(out.inputs, partials) if inp is x)
            assert x.grad == pytest.approx(expected, abs=1e-12)

    check()


def test_ops_are_one_node_each():
    w = [Value(i) for i in range(10)]
    x = [Value(i) for i in range(10)]
    for node in (autograd.sum(w), autograd.dot(w, x), autograd.max(w)):
        assert all(inp.op == "" for inp in node.inputs)
        assert len(autograd.topological_order(node)) == len(set(node.inputs)) + 1


def test_dot_accepts_floats_and_counts_lengths():
    w = [Value(2.0), Value(3.0)]
    out = autograd.dot(w, [0.5, -1.0])
    out.backward()
    assert out.data == -2.0
    assert [v.grad for v in w] == [0.5, -1.0]
    with pytest.raises(ValueError, match="2 weights but 3 inputs"):
        autograd.dot(w, [1.0, 2.0, 3.0])


def test_dot_with_a_bias_is_still_one_node():
    w, x, b = [Value(2.0), Value(3.0)], [Value(0.5), Value(-1.0)], Value(0.25)
    z = autograd.dot(w, x, b)
    assert z.op == "dot" and z.inputs == (*w, *x, b)
    z.backward()
    assert z.data == -1.75
    assert [v.grad for v in (*w, *x, b)] == [0.5, -1.0, 2.0, 3.0, 1.0]
    assert autograd.dot([], [], 1.5).data == 1.5
    assert autograd.dot([], []).data == 0.0


@given(st.integers(1, 6), st.integers(1, 5), st.integers(1, 3), st.randoms(use_true_random=False))
def test_dots_makes_the_nodes_dot_makes(width, rows, batch, rng):
    """block_sums.dots (a layer's fast path over a batch) builds, row by row and sample by
    sample, the very node autograd.dot builds: same op, same inputs, bit-identical data,
    the same gradients."""
    from autograd.block_sums import dots

    def numbers(n):
        return [Value(rng.uniform(-3, 3)) for _ in range(n)]

    xs = [numbers(width) for _ in range(batch)]
    ws, bs = [numbers(width) for _ in range(rows)], numbers(rows)
    fast = dots(ws, bs, xs)
    slow = [[autograd.dot(w, x, b) for w, b in zip(ws, bs)] for x in xs]
    assert [[z.op for z in zs] for zs in fast] == [["dot"] * rows] * batch
    assert [[z.inputs for z in zs] for zs in fast] == [[z.inputs for z in zs] for zs in slow]
    assert [[z.data for z in zs] for zs in fast] == [[z.data for z in zs] for zs in slow]
    leaves = [*bs, *(v for row in ws + xs for v in row)]
    grads = []
    for nodes in (fast, slow):
        for v in leaves:
            v.grad = 0.0
        autograd.sum(z for zs in nodes for z in zs).backward()
        grads.append([v.grad for v in leaves])
    assert grads[0] == grads[1]


@given(st.integers(0, 9), st.integers(1, 12), st.integers(1, 12), st.data())
def test_weighted_sums_of_a_block_on_arrays_are_the_floats_of_the_float_rule(
        width, rows, batch, data):  # fmt: skip
    """block_sums.weighted_sums evaluates the dot rule for a whole layer on numpy arrays once
    the block is big enough: the floats must be the ones the rule gives on Python floats
    output by output, to the last bit (signed zeros, inf and NaN included)."""
    from unittest import mock

    from autograd import block_sums, ops
    from autograd.backends import FLOAT

    number = st.one_of(st.floats(-1e6, 1e6), st.floats(-1e-300, 1e-300),
                       st.sampled_from([0.0, -0.0, 1e308, -1e308, 3.0]))  # fmt: skip
    vector = st.lists(number, min_size=width, max_size=width)
    ws = [data.draw(vector) for _ in range(rows)]
    xs = [data.draw(vector) for _ in range(batch)]
    bs = data.draw(st.lists(number, min_size=rows, max_size=rows))
    expected = [[ops.weighted_sum(FLOAT, w, x, b) for w, b in zip(ws, bs)] for x in xs]
    with mock.patch.object(block_sums, "_ARRAY_MIN_OUTPUTS", 0):
        got = block_sums.weighted_sums(ws, bs, xs)
    assert block_sums._SUM_IS_PLAIN or sys.version_info >= (3, 12)
    if block_sums._SUM_IS_PLAIN or width < 2:
        assert [list(map(float.hex, r)) for r in got] == [list(map(float.hex, r)) for r in expected]


def test_dots_over_a_big_batch_makes_the_nodes_dot_makes():
    """The block path (numpy) of block_sums.dots, at a size nn.MLP meets: autograd.dot's nodes."""
    import random

    from autograd.block_sums import dots

    rng = random.Random(3)
    ws = [[Value(rng.uniform(-1, 1)) for _ in range(16)] for _ in range(16)]
    bs = [Value(rng.uniform(-1, 1)) for _ in range(16)]
    xs = [[Value(rng.gauss(0, 3)) for _ in range(16)] for _ in range(50)]
    fast = dots(ws, bs, xs)
    slow = [[autograd.dot(w, x, b) for w, b in zip(ws, bs)] for x in xs]
    assert [[z.data for z in zs] for zs in fast] == [[z.data for z in zs] for zs in slow]
    assert all(z.inputs == (*w, *x, b) for zs, x in zip(fast, xs) for z, w, b in zip(zs, ws, bs))
    with pytest.raises(OverflowError, match=r"dot\(1e\+300, .*\): the result overflows"):
        dots([[Value(1e300)] * 16] * 16, bs, [[Value(1e300)] * 16] * 8)


def test_finite_inputs_that_overflow_into_nan_are_an_overflow():
    """1e300 * 1e10 - 1e300 * 1e10 is inf - inf = NaN: an intermediate overflow (Python's
    fsum says so too), not a NaN the inputs asked for."""
    from autograd.block_sums import dots

    big = (Value(1e300), Value(-1e300))
    message = r"dot\(1e\+300, -1e\+300, 10000000000\.0, 10000000000\.0\): an intermediate"
    with pytest.raises(OverflowError, match=message):
        autograd.dot(big, (Value(1e10), Value(1e10)))
    with pytest.raises(OverflowError, match=r"dot\(1e\+300, -1e\+300, .*\): an intermediate"):
        dots([list(big)] * 8, [Value(0.0)] * 8, [[Value(1e10)] * 2] * 8)
    with pytest.raises(ValueError, match=r"add\(inf, -inf\): the result is NaN"):
        Value(math.inf) + Value(-math.inf)  # not finite inputs: the NaN stays a ValueError


def test_dots_raises_like_dot_and_records_nothing_under_no_grad():
    from autograd.block_sums import dots

    with pytest.raises(OverflowError, match=r"dot\(1e\+300, 1e\+300, 0\.0\): the result overflows"):
        dots([[Value(1e300)]], [Value(0.0)], [[Value(1e300)]])
    with autograd.no_grad():
        ((z,),) = dots([[Value(2.0)]], [Value(1.0)], [[Value(3.0)]])
    assert z.data == 7.0 and z.is_leaf


def test_max_shares_the_gradient_of_a_tie_evenly_as_torch():
    xs = [Value(1.0), Value(3.0), Value(3.0)]
    autograd.max(xs).backward()
    assert [x.grad for x in xs] == [0.0, 0.5, 0.5]
    torch = pytest.importorskip("torch")
    t = torch.tensor([1.0, 3.0, 3.0], dtype=torch.float64, requires_grad=True)
    t.max().backward()
    assert t.grad.tolist() == [0.0, 0.5, 0.5]


def test_tanh_and_sigmoid_are_exact_at_the_extremes():
    assert Value(1000).tanh().data == 1.0
    assert Value(-1000).tanh().data == -1.0
    assert Value(-1000).sigmoid().data == 0.0
    assert Value(1000).sigmoid().data == 1.0
    for x in (-1000.0, 1000.0, -50.0, 50.0):
        for node in (Value(x).tanh(), Value(x).sigmoid()):
            leaf = node.inputs[0]
            node.backward()
            assert math.isfinite(leaf.grad)
    assert Value(-30.0).sigmoid().data == pytest.approx(1 / (1 + math.exp(30.0)), rel=1e-15)


def test_kinks_follow_pytorch_conventions():
    grads = []
    for f in (lambda v: v.relu(), abs, lambda v: v.leaky_relu(0.1), lambda v: v.elu(2.0)):
        x = Value(0.0)
        f(x).backward()
        grads.append(x.grad)
    assert grads == [0.0, 0.0, 0.1, 2.0]


def test_pow_with_a_value_exponent_and_a_number_base():
    x = Value(3.0)
    y = Value(2.0)
    out = x**y
    out.backward()
    assert out.data == 9.0
    assert x.grad == pytest.approx(6.0)
    assert y.grad == pytest.approx(9.0 * math.log(3.0))
    z = Value(3.0)
    out = 2**z
    out.backward()
    assert out.data == 8.0
    assert z.grad == pytest.approx(8.0 * math.log(2.0))


def test_pow_of_a_negative_base_with_an_integer_exponent():
    x = Value(-2.0)
    out = x**3
    out.backward()
    assert out.data == -8.0
    assert x.grad == 12.0


def test_n_ary_ops_lift_numbers_whatever_their_count():
    assert autograd.sum([2.0]).data == 2.0
    assert autograd.sum([Value(1.0), 2.0]).data == 3.0
    assert autograd.max([1.0, 2.0]).data == 2.0
    x = Value(2.0)
    out = autograd.dot([1.5], [x])
    out.backward()
    assert (out.data, x.grad) == (3.0, 1.5)


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda: Value(1.0).softplus(beta=0), ValueError, r"^softplus: beta must not be 0"),
    (lambda: Value(1.0).clamp("a"), TypeError, r"^clamp: min must be a number or a Value, not "
                                               r"str$"),
    (lambda: Value(1.0).clamp(0, "b"), TypeError, r"^clamp: max must be a number or a Value"),
    (lambda: Value(1.0).leaky_relu("a"), TypeError, r"^leaky_relu: slope must be a number"),
    (lambda: Value(1.0).elu(None), TypeError, r"^elu: alpha must be a number or a Value, not "
                                               r"NoneType$"),
    (lambda: Value(2.0).backward(gradient=math.nan), ValueError,
     r"^backward: gradient must be finite, not nan$"),
    (lambda: int(Value(2.5)), TypeError, r"^a Value is not an int .*int\(v\.item\(\)\)"),
])  # fmt: skip
def test_an_ops_bad_argument_is_named_with_the_op(call, error, message):
    with pytest.raises(error, match=message):
        call()
