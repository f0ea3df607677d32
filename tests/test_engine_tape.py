"""autograd.tape: backward replays the record of the nodes made, in the order they were
made, instead of searching the graph -- with the gradients of the search, and falling
back to it whenever the record does not hold the whole graph."""

import math
import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_engine_backward import overflowing_gradient
from test_engine_backward_order import OPS, expected_gradients

import autograd
from autograd import Value, fast_backward, recording
from autograd.block_sums import dots


@pytest.fixture
def searches(monkeypatch):
    """How many times backward searched a graph (instead of replaying a tape)."""
    calls = []
    search = fast_backward.search

    def counted(root, *args):
        calls.append(root)
        return search(root, *args)

    monkeypatch.setattr(fast_backward, "search", counted)
    return calls


@st.composite
def taped_graphs(draw):
    """A random graph (as in test_engine_backward_order), some of it made before a tape
    opens and the rest on it: (nodes, leaves, made_before, build_rest)."""
    n_leaves = draw(st.integers(1, 5))
    leaves = [Value(draw(st.floats(-1.5, 1.5)), label=f"x{i}") for i in range(n_leaves)]
    plan = []
    for _ in range(draw(st.integers(0, 25))):
        arity, build = draw(st.sampled_from(OPS))
        n = arity or draw(st.integers(2, 6))
        plan.append((build, [draw(st.integers(0, 10**6)) for _ in range(n)]))
    split = draw(st.integers(0, len(plan)))
    picks = draw(st.lists(st.integers(0, 10**6), min_size=1, max_size=4))

    def run(steps, nodes):
        for build, picked in steps:
            nodes.append(build([nodes[k % len(nodes)] for k in picked]))

    def rest(nodes):
        run(plan[split:], nodes)
        picked = [nodes[k % len(nodes)] for k in picks]
        return picked[0] if len(picked) == 1 else autograd.sum(picked)

    nodes = list(leaves)
    run(plan[:split], nodes)  # made before the tape: the record may miss part of the graph
    return nodes, leaves, split == 0, rest


def backward_on_tape(graph, times):
    """Build the rest of ``graph`` on a tape and call backward ``times`` times there;
    returns the nodes, the root and d root / d node for each node, by the search."""
    nodes, leaves, all_on_tape, rest = graph
    with autograd.tape():
        root = rest(nodes)
        if all_on_tape:  # the whole graph is on the record, so the record serves it
            assert root.is_leaf or root._tape is recording.OPEN.now[0]
        expected = expected_gradients(root)
        for _ in range(times):
            root.backward()  # a second call finds the record spent: it searches
    return nodes, root, expected


@given(taped_graphs())
def test_backward_on_a_tape_gives_the_gradients_of_the_search(graph):
    nodes, root, expected = backward_on_tape(graph, 1)
    for node in set(nodes + [root]):
        assert node.grad == pytest.approx(expected.get(node, 0.0), rel=1e-12, abs=1e-12)


@given(taped_graphs())
def test_a_second_backward_on_a_tape_doubles_leaves_only(graph):
    _, _, expected = backward_on_tape(graph, 2)
    for node in expected:
        factor = 2.0 if node.is_leaf else 1.0
        assert node.grad == pytest.approx(factor * expected[node], rel=1e-12, abs=1e-9)


def test_backward_replays_the_tape_when_it_holds_the_whole_graph(searches):
    x, y = Value(2.0), Value(-3.0)
    with autograd.tape() as t:
        a = x * y
        h = a.tanh()
        b = h + x
        loss = b * b
        assert t.nodes == [a, h, b, loss]  # the order they were made in
        loss.backward()
        assert t.nodes == []  # restarted by backward
    assert searches == []
    slope = 1 - h.data**2
    assert b.grad == 2 * b.data and loss.grad == 1.0
    assert x.grad == pytest.approx(2 * b.data * (slope * y.data + 1))
    assert y.grad == pytest.approx(2 * b.data * slope * x.data)


def test_a_node_made_before_the_tape_sends_backward_to_the_search(searches):
    x = Value(0.5)
    before = x * 3.0  # not recorded
    with autograd.tape():
        loss = (before * x).relu()
        assert loss._tape is None  # its graph is not all on the record
        loss.backward()
    assert searches == [loss]
    assert x.grad == pytest.approx(2 * 3.0 * 0.5)
    assert before.grad == pytest.approx(0.5)


def test_each_backward_restarts_the_record(searches):
    x = Value(1.5)
    with autograd.tape():
        first = x * x
        second = first + x  # made before first's backward, on the same record
        first.backward()
        assert first.grad == 1.0 and x.grad == 3.0
        x.grad = 0.0
        second.backward()  # the record was restarted: search
        assert searches == [second]
        assert x.grad == 4.0 and first.grad == 1.0
        x.grad = 0.0
        third = x * 2.0  # on the new record
        third.backward()
        assert searches == [second] and x.grad == 2.0


def test_a_backward_outside_the_record_also_restarts_it(searches):
    """Any backward may change gradients on the record, so it spends the record: a
    later backward leaves the nodes that are not its own as the earlier one left them."""
    x = Value(2.0)
    before = x * x
    with autograd.tape():
        other = before + 1.0  # recorded, but its graph is not all on the record
        on_tape = x * 3.0
        other.backward()  # searched
        x.grad = 0.0
        on_tape.backward()  # searched too: the record was restarted
    assert searches == [other, on_tape]
    assert x.grad == 3.0 and other.grad == 1.0 and before.grad == 1.0


def test_the_tape_resets_op_nodes_like_the_search():
    """An op node whose .grad was set by hand holds this call's gradient after backward."""
    x = Value(1.0)
    with autograd.tape():
        h = x * 2.0
        loss = h * h
        h.grad = 100.0
        loss.backward()
    assert h.grad == 4.0 and x.grad == 8.0


def test_no_grad_inside_a_tape_records_nothing():
    x = Value(1.0)
    with autograd.tape() as t:
        with autograd.no_grad():
            c = x * 2.0
        y = c * x
        assert t.nodes == [y] and c._tape is recording.LEAF and not c.requires_grad
        y.backward()
    assert x.grad == 2.0 and c.grad == 0.0  # c is a constant: it gets no gradient


def test_tapes_nest_and_decorate_and_let_go_of_their_nodes():
    x = Value(1.0)

    @autograd.tape()
    def step():
        y = x * 2.0
        assert recording.OPEN is not None and recording.OPEN.nodes[-1] is y
        return y

    with autograd.tape() as outer:
        a = x + 1.0
        b = step()  # joins the open tape
        assert recording.OPEN is outer and outer.nodes == [a, b]
    assert recording.OPEN is None and outer.nodes == [] and recording._TAPE.now[1] == []
    step()
    assert recording.OPEN is None


def test_a_layer_built_on_a_tape_replays_and_marks_its_nodes(searches):
    w = [[Value(0.5), Value(-1.0)], [Value(2.0), Value(0.25)]]
    b = [Value(0.1), Value(-0.2)]
    xs = [[Value(float(i)), Value(1.0 - i)] for i in range(3)]
    with autograd.tape() as t:
        zs = dots(w, b, xs)
        assert t.nodes == [z for row in zs for z in row]
        loss = autograd.sum(z.relu() for row in zs for z in row)
        loss.backward()
    assert searches == []
    with autograd.tape():
        tied = [[w[0][0] * 1.0, w[0][1]]]  # an op node among the weights: still on the record
        (zs,) = dots(tied, b[:1], xs[:1])
        assert zs[0]._tape is recording.OPEN.now[0]
    outside = w[1][0] * 1.0
    with autograd.tape():
        (zs,) = dots([[outside, w[1][1]]], b[1:], xs[:1])  # a weight made before: not
        assert zs[0]._tape is None


def test_leaf_gradients_are_checked_on_a_tape():
    with autograd.tape():
        x, z = overflowing_gradient()
        assert z._tape is recording.OPEN.now[0]
        with pytest.raises(OverflowError, match="gradient became inf"):
            z.backward()


def test_a_leaf_the_output_does_not_depend_on_is_not_blamed():
    x = Value(3.0)
    with autograd.tape():
        other = Value(2.0)
        other.grad = float("inf")  # a leaf met by the record, not one of loss's
        side = other * 3.0
        loss = x * 1e-100
        assert side._tape is loss._tape is recording.OPEN.now[0]
        loss.backward()
    assert x.grad == 1e-100


def test_nodes_made_by_another_thread_while_the_tape_is_open_are_correct():
    """One tape serves every thread; each thread's backward gets its own gradients."""
    errors = []

    def work(scale):
        try:
            for _ in range(300):
                x = Value(scale)
                loss = (x * x * scale).tanh() + x
                loss.backward()
                slope = 1 - math.tanh(scale**3) ** 2
                assert x.grad == pytest.approx(slope * 2 * scale * scale + 1)
        except Exception as error:  # noqa: BLE001 -- reported below
            errors.append(error)

    with autograd.tape():
        threads = [threading.Thread(target=work, args=(0.1 * (i + 1),)) for i in range(3)]
        for thread in threads:
            thread.start()
        work(0.7)
        for thread in threads:
            thread.join()
    assert errors == []
