"""The textbook backward (autograd/backprop.py) and the fast one that ``Value.backward()``
runs (autograd/fast_backward.py) give the same gradients: bit for bit when the fast one
searches the graph (the same order, so the same additions in the same order), and up to
rounding when it replays a tape (the order the nodes were made in may add a node's
contributions in another order) -- on random graphs of every op, with inputs that do not
require grad, gradients left None by zero_grad(set_to_none=True) and any seed."""

import math
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import Value, backprop, fast_backward, search
from autograd.testing import expressions


def bits(x):
    """A gradient as the bytes of its float (None as None): -0.0 and 0.0 differ."""
    return None if x is None else struct.pack("<d", x)


@st.composite
def cases(draw):
    """(f, xs, which inputs require grad, which start with a None gradient, the seed)."""
    f, xs = draw(expressions(max_ops=8))
    requires = draw(st.lists(st.booleans(), min_size=len(xs), max_size=len(xs)))
    requires[draw(st.integers(0, len(xs) - 1))] = True  # the output requires grad
    unset = draw(st.lists(st.booleans(), min_size=len(xs), max_size=len(xs)))
    seed = draw(st.sampled_from([None, 1.0, -2.5, 0.5]))
    return f, xs, requires, unset, seed


def run(backward, case, tape=False):
    """Build f's graph afresh and call ``backward`` on it; every node's gradient, in the
    graph's topological order (the same structure for every build)."""
    f, xs, requires, unset, seed = case
    leaves = [Value(x, requires_grad=r) for x, r in zip(xs, requires)]
    for leaf, none in zip(leaves, unset):
        leaf.grad = None if none else 0.25  # accumulates onto what was there
    with autograd.tape() if tape else _nothing():
        root = f(*leaves)
        if not root.requires_grad:
            return None
        backward(root, seed)
    return [node.grad for node in backprop.topological_order(root)]


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False


@given(cases())
def test_the_fast_path_gives_the_textbook_gradients_bit_for_bit(case):
    plain = run(backprop.backward, case)
    fast = run(fast_backward.backward, case)
    assert (plain is None) == (fast is None)
    if plain is not None:
        assert list(map(bits, fast)) == list(map(bits, plain))


@given(cases())
def test_the_fast_search_finds_the_textbook_order(case):
    f, xs, *_ = case
    root = f(*[Value(x) for x in xs])
    nodes, leaves = [], []
    search.search(root, nodes, leaves)
    order = backprop.topological_order(root)
    assert search.topological_order_of([root]) == order
    assert nodes == [n for n in order if not n.is_leaf]
    assert leaves == [n for n in order if n.is_leaf]


@given(cases())
def test_value_backward_is_the_fast_path(case):
    fast = run(fast_backward.backward, case)
    method = run(lambda root, seed: root.backward(seed), case)
    assert fast == method


@given(cases())
def test_on_a_tape_the_fast_path_gives_them_up_to_rounding(case):
    plain = run(backprop.backward, case)
    taped = run(fast_backward.backward, case, tape=True)
    if plain is not None:
        assert [g is None for g in taped] == [g is None for g in plain]
        numbers = [(a, b) for a, b in zip(taped, plain) if b is not None]
        assert [a for a, _ in numbers] == pytest.approx([b for _, b in numbers], rel=1e-12,
                                                        abs=1e-12)  # fmt: skip


def test_the_textbook_backward_reads_in_one_screen():
    """The reading path is short: backward and its step fit a screen (about 40 lines)."""
    import inspect

    lines = sum(len(inspect.getsource(f).splitlines())
                for f in (backprop.backward, backprop.chain_rule_step))  # fmt: skip
    assert lines <= 45


def test_both_paths_refuse_an_infinite_gradient_naming_where_it_came_from():
    for backward in (backprop.backward, fast_backward.backward):
        x = Value(1e-300)
        z = (x * 1e300) * 1e10  # finite forward, dz/dx = 1e310
        with pytest.raises(OverflowError, match=r"gradient became inf.*it came from backward "
                                                r"of mul\(1e-300, 1e\+300\)"):  # fmt: skip
            backward(z)


def test_both_paths_leave_constants_and_frozen_leaves_alone():
    for backward in (backprop.backward, fast_backward.backward):
        w = Value(3.0)
        frozen = Value(2.0, requires_grad=False)
        frozen.grad = 7.0
        out = (w * frozen + 1.0) * w
        backward(out)
        assert w.grad == 2 * 3.0 * 2.0 + 1.0
        assert frozen.grad == 7.0  # left as it was
        lifted = out.inputs[0].inputs[1]  # the 1.0 of "+ 1.0"
        assert not lifted.requires_grad and lifted.grad == 0.0
        many = autograd.dot([w, 2.0], [3.0, w], 1.0)  # numbers lifted for an n-ary op
        backward(many)
        assert [x.grad for x in many.inputs if not x.requires_grad] == [0.0] * 3


def test_a_zero_gradient_sends_nothing_on_either_path():
    """relu cuts the gradient to 0 above a log whose derivative 1/x overflows: 0 times
    inf would be NaN; both paths send nothing from a node whose gradient is 0."""
    for backward in (backprop.backward, fast_backward.backward):
        x = Value(5e-324)
        out = (x.log() * 0.0).relu() + x
        backward(out)
        assert x.grad == 1.0
        assert not math.isnan(x.grad)
