"""backward's walk: the op nodes and the leaves of a graph, found apart, give exactly the
gradients of the plain reverse topological order (``autograd.grad`` still uses it)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import Value


def _dot(xs: list[Value]) -> Value:
    half = len(xs) // 2
    return autograd.dot(xs[:half], xs[half : 2 * half])


# (arity, build): the ops a random graph is made of; None = any number of inputs.
OPS = [
    (2, lambda xs: xs[0] + xs[1]),
    (2, lambda xs: xs[0] * xs[1]),
    (2, lambda xs: xs[0] - xs[1]),
    (1, lambda xs: xs[0].tanh()),
    (1, lambda xs: xs[0].relu()),
    (None, autograd.sum),
    (None, _dot),
]


@st.composite
def graphs(draw):
    """A random graph: leaves, then ops whose inputs are any earlier nodes (shared and
    reused subexpressions, leaves used late, nodes no root uses); returns the nodes, the
    leaves and a root."""
    n_leaves = draw(st.integers(1, 5))
    leaves = [Value(draw(st.floats(-1.5, 1.5)), label=f"x{i}") for i in range(n_leaves)]
    nodes = list(leaves)
    for _ in range(draw(st.integers(0, 25))):
        arity, build = draw(st.sampled_from(OPS))
        n = arity or draw(st.integers(2, 6))
        nodes.append(build([draw(st.sampled_from(nodes)) for _ in range(n)]))
    picked = draw(st.lists(st.sampled_from(nodes), min_size=1, max_size=4))
    root = picked[0] if len(picked) == 1 else autograd.sum(picked)
    return nodes, leaves, root


def post_order(root: Value) -> list[Value]:
    """The textbook recursive depth-first post-order (inputs in order, each node once)."""
    order: list[Value] = []
    seen: set[Value] = set()

    def visit(node: Value) -> None:  # called once per node
        seen.add(node)
        for child in node.inputs:
            if child not in seen:
                visit(child)
        order.append(node)

    visit(root)
    return order


@given(graphs())
def test_topological_order_is_the_depth_first_post_order(graph):
    _, _, root = graph
    assert autograd.topological_order(root) == post_order(root)


def expected_gradients(root: Value) -> dict[Value, float]:
    """d root / d node for every node, by the reverse topological order (what grad() does)."""
    order = autograd.topological_order(root)
    return dict(zip(order, (g.data for g in autograd.grad(root, order))))


@given(graphs())
def test_backward_gives_the_gradients_of_the_reverse_topological_order(graph):
    nodes, leaves, root = graph
    expected = expected_gradients(root)
    root.backward()
    for node in nodes + [root]:
        assert node.grad == expected.get(node, 0.0)


@given(graphs())
def test_backward_twice_accumulates_leaves_and_resets_op_nodes(graph):
    nodes, leaves, root = graph
    expected = expected_gradients(root)
    root.backward()
    root.backward()
    for node in expected:
        factor = 2.0 if node.is_leaf else 1.0
        # abs: a tiny gradient can be absorbed by a contribution of 1 that a -1 then takes
        # back (x*x + (x - x) at x = 1e-245): floats, in torch as here, not a missed pass.
        assert node.grad == pytest.approx(factor * expected[node], rel=1e-12, abs=1e-9)


def test_a_graph_reused_by_a_later_graph_gets_the_later_calls_gradients():
    x = Value(0.5)
    h = (x * 3.0).tanh()
    first = h * 2.0
    first.backward()
    x.grad = 0.0
    second = h * h + x  # built after first's backward, on first's nodes
    second.backward()
    assert h.grad == pytest.approx(2 * h.data)
    assert x.grad == pytest.approx(2 * h.data * 3.0 * (1 - h.data**2) + 1.0)
    assert first.grad == 1.0  # not part of second's graph: untouched


def test_backward_of_a_leaf_seeds_it():
    x = Value(3.0)
    x.backward()
    assert x.grad == 1.0


def test_a_leaf_gradient_that_overflows_is_an_error():
    x = Value(1e-300)
    y = x * 1e308 + x * 1e308  # finite forward and op-node gradients; x.grad = 2e308
    with pytest.raises(OverflowError, match=r"^backward: the gradient became inf$"):
        y.backward()


def test_activations_of_complete_nodes_keep_the_post_order_and_gradients():
    """The walk's shortcut (an activation emitted with its input when that input is
    complete at once): relu of a leaf, of a dot whose inputs are all seen, of a shared
    dot, and a relu used twice, under two roots."""
    w, x, b = Value(0.5, label="w"), Value(-2.0, label="x"), Value(3.0, label="b")
    shared = autograd.dot([w, x], [x, w], b)
    z = autograd.sum([w.relu(), shared.relu(), autograd.dot([w], [x]).relu(), shared])
    act = z.tanh().relu()
    root = autograd.sum([act, act * z, (b * x).relu(), x.relu()])
    assert autograd.topological_order(root) == post_order(root)
    expected = expected_gradients(root)
    root.backward()
    for node, grad in expected.items():
        assert node.grad == grad


def test_n_ary_rules_called_with_a_sequence_or_spread_agree():
    """An n-ary op's forward_seq/derivative_seq (what the engine calls) and its spread
    forward/derivative (what the compiled mode and custom code call) are one rule."""
    from autograd.backends import FLOAT

    data = [0.5, -2.0, 1.5, 4.0, 3.0]
    for op in (autograd.OPS["sum"], autograd.OPS["dot"], autograd.OPS["max"]):
        out = op.forward_seq(FLOAT, data)
        assert out == op.forward(FLOAT, *data)
        assert tuple(op.derivative_seq(FLOAT, out, data)) == tuple(op.derivative(FLOAT, out, *data))
    spread = autograd.custom_op("spread_sum", lambda *xs: sum(xs), lambda *xs: (1.0,) * len(xs))
    assert spread.op.forward_seq(FLOAT, data) == sum(data)
    assert spread.op.derivative_seq(FLOAT, 0.0, data) == (1.0,) * 5
    assert spread(*data).data == sum(data)


def test_a_three_input_op_takes_the_general_path_forward_and_backward():
    fma = autograd.custom_op("fma3", lambda x, y, z: x * y + z, lambda x, y, z: (y, x, 1.0))
    x, y, z = Value(2.0), Value(-3.0), Value(0.5)
    out = fma(x, y, z) * fma(y, 1.0, x)
    assert out.data == (2.0 * -3.0 + 0.5) * (-3.0 + 2.0)
    out.backward()
    assert (x.grad, y.grad, z.grad) == (-3.0 * -1.0 + -5.5, 2.0 * -1.0 + -5.5, -1.0)
