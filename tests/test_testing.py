"""autograd.testing: the expressions are valid, readable, varied and pass gradcheck."""

import math

import pytest
from hypothesis import given, settings

from autograd import Value, gradcheck, gradgradcheck, topological_order
from autograd.testing import (
    EXPRESSION_OPS,
    Expression,
    _Builder,
    _Node,
    expressions,
    points,
    values,
)

KINKED = {"relu", "abs", "leaky_relu", "elu"}


@settings(max_examples=300)
@given(expressions())
def test_expressions_pass_gradcheck_with_the_real_engine(case):
    f, xs = case
    assert gradcheck(f, xs)


@given(expressions(max_ops=4))
def test_expressions_pass_gradgradcheck(case):
    f, xs = case
    assert gradgradcheck(f, xs)


@given(expressions())
def test_drawn_points_are_away_from_every_kink(case):
    f, xs = case
    for node in topological_order(f(*xs)):
        if node.op in KINKED:
            assert abs(node.inputs[0].data) >= 0.24, repr(f)
        if node.op == "max":
            distinct = {id(u): u.data for u in node.inputs}.values()
            top, *rest = sorted(distinct, reverse=True)
            assert all(top - v >= 0.24 for v in rest), repr(f)


@given(expressions(), points(4))
def test_expressions_are_defined_and_bounded_on_the_whole_box(case, other):
    f, xs = case
    y = f(*other[: len(xs)])
    assert math.isfinite(y.data) and abs(y.data) < 1e4


def test_draws_cover_many_ops_and_share_sub_expressions():
    seen, shared = set(), []

    @settings(max_examples=100)
    @given(expressions())
    def draw(case):
        f, xs = case
        seen.update(f.ops)
        shared.append(" where " in repr(f))
        assert repr(f).startswith(f"f({', '.join(f'x{i}' for i in range(len(xs)))}) = ")
        assert len(xs) in range(1, 5) and f.n_inputs == len(xs)

    draw()
    assert len(seen) >= 8 and seen <= set(EXPRESSION_OPS), seen
    assert sum(shared) >= 5


@given(expressions(ops=["tanh", "mul", "log"]))
def test_ops_keyword_restricts_the_ops(case):
    f, _ = case
    # add/sub appear only as guards (u * u + c, shifts) and to join unused terms
    assert f.ops <= {"tanh", "mul", "log", "add", "sub"}


def test_unknown_ops_are_refused():
    with pytest.raises(ValueError, match="unknown ops"):
        expressions(ops=["softmax"])
    with pytest.raises(ValueError, match="min_inputs"):
        expressions(min_inputs=0)


@given(values(-1.0, 3.0), points(3, 0.0, 1.0))
def test_values_and_points_stay_in_range(v, p):
    assert -1.0 <= v <= 3.0
    assert len(p) == 3 and all(0.0 <= x <= 1.0 for x in p)


def _manual(n_inputs: int, *draws):
    """Inputs at 1.0 and a builder whose draws return ``draws`` in turn."""
    inputs = [_Node(f"x{i}", (), 2.0) for i in range(n_inputs)]
    for x in inputs:
        x.value = 1.0
    answers = iter(draws)
    return inputs, _Builder(lambda strategy: next(answers))


def test_the_module_docstrings_repr_example_is_what_repr_gives():
    import autograd.testing

    (x0, x1), b = _manual(2, 0.5)
    a = b.node("mul", x0, x1, bound=4.0)
    body = b.node("add", b.build("tanh", [a]), b.build("log", [a]), bound=9.0)
    shown = repr(Expression([x0, x1], b.nodes, body))
    assert shown == "f(x0, x1) = tanh(a) + log(a * a + 0.5)  where a = x0 * x1"
    assert " ".join(shown.split()) in " ".join(autograd.testing.__doc__.split())


def test_repr_reads_as_the_formula_with_shared_names_and_parentheses():
    (x0, x1), b = _manual(2, 0.5, 2)
    a = b.node("mul", x0, x1, bound=4.0)
    body = b.node("add", b.build("tanh", [a, a]), b.build("log", [x1, x1]), bound=9.0)
    f = Expression([x0, x1], b.nodes, body)
    assert repr(f) == "f(x0, x1) = tanh(x0 * x1) + log(x1 * x1 + 0.5)"
    root = b.node("sub", a, b.node("neg", b.node("add", x0, a, bound=6.0), bound=6.0), bound=9.0)
    g = Expression([x0, x1], b.nodes, root)
    assert repr(g) == "f(x0, x1) = a - -(x0 + a)  where a = x0 * x1"
    h = Expression([x0, x1], b.nodes, b.build("pow", [b.node("neg", x0, bound=2.0), x1]))
    assert repr(h) == "f(x0, x1) = (-x0) ** 2"
    assert g(Value(2.0), 3.0).data == 6.0 - -(2.0 + 6.0)
    with pytest.raises(TypeError, match="takes 2 inputs"):
        g(1.0)
