"""Tensor habits on Value and micrograd's names (issue 27, the engine's side): each works
as in PyTorch or micrograd, or gets one clear sentence; nothing fails silently."""

import math
import random

import numpy as np
import pytest
from test_viz_own_values import video_neuron

import autograd
from autograd import Value, backprop, fast_backward, gradcheck, ops

NOT_A_FLOAT = (
    "a Value is not a float (float(v) and math.exp(v) would drop its gradient): use v.item() "
    "for the number, or the method v.exp() (v.log(), v.tanh(), ...) to keep the gradient"
)
BACKWARD_OF_A_CONSTANT = (
    "backward: this Value does not require grad (it is a constant: made from numbers, from "
    "Values with requires_grad=False, or inside no_grad), so no gradient flows from it"
)

# -- item, backward(gradient=..., retain_graph=...), backward twice ------------------------


def test_item_is_the_data_as_a_float():
    v = Value(np.float32(2.5)) * 2
    assert v.item() == 5.0 and type(v.item()) is float


@pytest.mark.parametrize("seed", [2.0, Value(2.0), np.float64(2.0), 2])
def test_backward_gradient_seeds_the_roots_gradient(seed):
    x = Value(3.0)
    y = x * x
    y.backward(gradient=seed)
    assert (y.grad, x.grad) == (2.0, 12.0)
    z = Value(3.0)
    autograd.backward(z * z, seed)
    assert z.grad == 12.0


@pytest.mark.parametrize("seed, error, message", [
    ("2", TypeError, "backward: gradient must be a number, not str"),
    ([1.0], TypeError, "backward: gradient must be a number, not list"),
    (math.inf, ValueError, "backward: gradient must be finite, not inf"),
])  # fmt: skip
def test_a_bad_gradient_is_refused_naming_it(seed, error, message):
    with pytest.raises(error, match=f"^{message}$"):
        (Value(1.0) * 2).backward(seed)


def test_backward_twice_accumulates_into_leaves_as_micrograd_and_retain_graph_do():
    x = Value(1.5)
    y = (x * x).tanh() * x
    y.backward(retain_graph=True)
    first, inner = x.grad, y.inputs[0].grad
    y.backward()  # retain_graph accepted or not: the graph is always kept
    assert x.grad == 2 * first
    assert y.inputs[0].grad == inner  # an op node holds the latest call's gradient
    doc = Value.backward.__doc__
    assert "micrograd" in doc and "retain_graph=True" in doc and "like PyTorch" not in doc


# -- requires_grad --------------------------------------------------------------------------


def test_requires_grad_is_a_keyword_and_an_attribute():
    assert Value(1.0).requires_grad is True
    frozen = Value(1.0, requires_grad=False)
    assert frozen.requires_grad is False and frozen.grad == 0.0
    with pytest.raises(TypeError):
        Value(1.0, "label", False)  # keyword only, as PyTorch's


def test_a_number_lifted_by_an_op_is_a_constant():
    x = Value(2.0)
    for node, position in [(2 * x, 0), (x * 2, 1), (x**3, 1), (x + 1, 1), (1 - x, 0)]:
        constant = node.inputs[position]
        assert constant.is_leaf and constant.requires_grad is False
        assert node.requires_grad is True


def test_an_op_on_values_that_need_no_gradient_is_a_constant():
    c = Value(2.0, requires_grad=False)
    for made in (c * 3, c.exp(), autograd.sum([c, 1.0]), autograd.dot([c], [c], c), c**c):
        assert made.requires_grad is False and made.is_leaf and made.inputs == ()
        assert (made.op, made._op, made.grad) == ("", "", 0.0)
    assert (c * Value(1.0)).requires_grad is True
    with autograd.no_grad():
        assert Value(1.0).exp().requires_grad is False


def test_backward_gives_no_gradient_to_what_does_not_require_it():
    w, c = Value(3.0), Value(2.0, requires_grad=False)
    c.grad = 5.0
    out = (w * c + 1.0).tanh() * w
    out.backward()
    assert c.grad == 5.0  # left as it is
    one = out.inputs[0].inputs[0].inputs[1]  # the 1.0 of "+ 1.0"
    assert (one.data, one.requires_grad, one.grad) == (1.0, False, 0.0)
    frozen = Value(4.0)
    loss = frozen * w
    frozen.requires_grad = False  # freezing after the graph was built counts too
    loss.backward()
    assert frozen.grad == 0.0 and w.grad != 0.0


def test_backward_from_a_constant_is_refused_as_pytorch_does():
    with pytest.raises(RuntimeError, match=f"^{re_escape(BACKWARD_OF_A_CONSTANT)}$"):
        Value(2.0, requires_grad=False).backward()
    with pytest.raises(RuntimeError, match="does not require grad"):
        backprop.backward(Value(2.0, requires_grad=False) * 3)
    with autograd.no_grad():
        y = Value(1.0) * 2
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.backward()


def test_grad_refuses_an_input_that_does_not_require_grad():
    x, c = Value(1.0), Value(2.0, requires_grad=False)
    with pytest.raises(RuntimeError, match=r"^grad: input 1 does not require grad "
                                           r"\(requires_grad=False\), so no path from it "
                                           r"was recorded$"):  # fmt: skip
        autograd.grad(x * c, [x, c])


def test_detach_does_not_require_grad():
    x = Value(2.0)
    d = (x * 3).detach()
    assert (d.data, d.requires_grad, d.is_leaf) == (6.0, False, True)


# -- None gradients (zero_grad(set_to_none=True)) --------------------------------------------


def test_a_none_gradient_counts_as_zero_on_every_path():
    for backward in (lambda r: r.backward(), fast_backward.backward, backprop.backward):
        x, unused = Value(2.0), Value(1.0)
        x.grad = unused.grad = None
        (x * x).backward() if backward is None else backward(x * x)
        assert x.grad == 4.0
        assert unused.grad is None  # not in the graph: left alone
    x, dead = Value(2.0), Value(-1.0)
    x.grad = dead.grad = None
    (x + dead.relu()).backward()
    assert (x.grad, dead.grad) == (1.0, 0.0)  # reached, with nothing sent: 0, as PyTorch


def test_a_none_gradient_on_a_tape_and_in_a_manual_step():
    w = Value(3.0)
    w.grad = None
    with autograd.tape():
        loss = (w * 2.0).relu() * w
        loss.backward()
    assert w.grad == 12.0
    x = Value(2.0)
    x.grad = None
    y = x * 5.0
    y.grad = 1.0
    y._backward()
    assert x.grad == 5.0


def test_grad_gradcheck_and_the_compiled_mode_accept_none_gradients():
    x = Value(0.5)
    x.grad = None
    assert autograd.grad(x.tanh(), [x])[0].data == pytest.approx(1 - math.tanh(0.5) ** 2)
    assert x.grad is None
    assert gradcheck(lambda v: v.tanh() * v, [x])  # Values as the point: their data
    w = Value(2.0)
    w.grad = None
    prog = autograd.compile(lambda t: w * t, [1.0])
    prog.backward(np.array([[1.0], [3.0]]))
    assert w.grad == 2.0


# -- float(), math.*, format --------------------------------------------------------------


@pytest.mark.parametrize("call", [float, math.exp, math.log, math.sqrt, math.tanh,
                                  lambda v: math.isclose(v, 1.0),
                                  lambda v: 2 * math.exp(v)])  # fmt: skip
def test_float_and_math_of_a_value_are_refused_in_one_sentence(call):
    with pytest.raises(TypeError, match=f"^{re_escape(NOT_A_FLOAT)}$"):
        call(Value(1.0))


def test_a_value_of_a_value_is_refused():
    with pytest.raises(TypeError, match=r"^Value data must be a real number, not a Value "
                                        r"\(v.item\(\) is its number"):  # fmt: skip
        Value(Value(1.0))


def test_format_with_a_spec_formats_the_data():
    v = Value(2.0) / 3
    assert format(v, ".3f") == "0.667"
    assert f"{v:.2e} and {v:>8.2f}" == "6.67e-01 and     0.67"
    assert f"{v}" == repr(v)
    assert "%.4f" % v.data == "0.6667"  # noqa: UP031 -- micrograd's draw_dot writes it so


# -- micrograd's names ---------------------------------------------------------------------


def test_the_op_slot_is_named_rule_and_op_stays_the_name():
    x = Value(1.0)
    y = x + 2
    assert "_rule" in Value.__slots__ and "_op" not in Value.__slots__
    assert y._rule is ops.ADD and (y.op, y.op_doc) == ("add", ops.ADD.doc)


def test_op_is_micrograds_symbol_and_prev_the_inputs_as_a_set():
    x, y = Value(2.0), Value(3.0)
    symbols = {
        "+": x + y, "-": x - y, "*": x * y, "/": x / y, "**2": x**2, "**0.5": x**0.5,
        "**-1": x**-1, "**": x**y, "tanh": x.tanh(), "exp": x.exp(), "ReLU": x.relu(),
        "sigmoid": x.sigmoid(), "log": x.log(), "sum": autograd.sum([x, y]), "": x,
    }  # fmt: skip
    assert {made._op: symbol for symbol, made in symbols.items()} == {s: s for s in symbols}
    assert (-x)._op == "-"
    assert (x * x)._prev == {x} and (x + y)._prev == {x, y} and x._prev == set()


def micrograd_walk(Value):  # noqa: N803 -- the class under test, micrograd's or chaingrad's
    """The video's first example, stepped backward by hand (no labels: micrograd 0.1.0's
    Value has none)."""
    a, b, c = Value(2.0), Value(-3.0), Value(10.0)
    e = a * b
    d = e + c
    f = Value(-2.0)
    L = d * f  # noqa: N806 -- the video's name
    L.grad = 1.0
    L._backward()
    d._backward()
    e._backward()
    return [v.grad for v in (a, b, c, d, e, f, L)], L._op, sorted(map(type, L._prev), key=str)


def test_stepping_backward_by_hand_gives_micrograds_gradients():
    engine = pytest.importorskip("micrograd.engine")
    theirs, their_op, _ = micrograd_walk(engine.Value)
    ours, our_op, _ = micrograd_walk(Value)
    assert ours == theirs == [6.0, -4.0, -2.0, -2.0, -2.0, 4.0, 1.0]
    assert our_op == their_op == "*"


def videos_neuron():
    """The video's neuron on chaingrad's Values (test_viz_own_values types it as the video
    does): (the leaves and the nodes the video steps through, o)."""
    o, leaves = video_neuron(Value)
    n = o.inputs[0]
    x1w1x2w2, b = n.inputs
    x1w1, x2w2 = x1w1x2w2.inputs
    return (*(leaves[k] for k in ("x1", "x2", "w1", "w2")), b, x1w1, x2w2, x1w1x2w2, n), o


def test_the_videos_neuron_stepped_by_hand_and_drawn_by_its_draw_dot():
    (x1, x2, w1, w2, b, x1w1, x2w2, x1w1x2w2, n), o = videos_neuron()
    o.grad = 1.0
    for node in (o, n, b, x1w1x2w2, x2w2, x1w1):
        node._backward()
    assert [round(v.grad, 4) for v in (n, b, x1w1, x2w2, x1, w1, x2, w2)] == \
        [0.5, 0.5, 0.5, 0.5, -1.5, 1.0, 0.5, 0.0]  # fmt: skip
    assert (o._op, n._op, x1w1._op) == ("tanh", "+", "*")
    # and the video's topological sort over _prev, then _backward node by node
    (x1, x2, w1, w2, b, x1w1, x2w2, x1w1x2w2, n), o = videos_neuron()
    exec(VIDEOS_BACKWARD, {"o": o})
    assert (round(x1.grad, 4), round(w1.grad, 4)) == (-1.5, 1.0)
    # the video's draw_dot, on a graph with constants (tanh written with exp)
    (x1, x2, w1, w2, b, x1w1, x2w2, x1w1x2w2, n), _ = videos_neuron()
    e = (2 * n).exp()
    o = (e - 1) / (e + 1)
    o.backward()
    assert f"{w1.grad:.4f}" == "1.0000"
    source = videos_draw_dot(o).source
    for text in ("data 0.7071", "grad 0.5000", "grad 0.0000", "exp", "/", "*", "+", "-"):
        assert text in source


# the video's backward, as typed there (two-space indents and all)
VIDEOS_BACKWARD = """
topo = []
visited = set()
def build_topo(v):
  if v not in visited:
    visited.add(v)
    for child in v._prev:
      build_topo(child)
    topo.append(v)
build_topo(o)

o.grad = 1.0
for node in reversed(topo):
  node._backward()
"""


def videos_draw_dot(root):
    """The video's draw_dot, as written there (graphviz's Digraph, not rendered)."""
    from graphviz import Digraph

    def trace(root):
        nodes, edges = set(), set()

        def build(v):
            if v not in nodes:
                nodes.add(v)
                for child in v._prev:
                    edges.add((child, v))
                    build(child)

        build(root)
        return nodes, edges

    dot = Digraph(format="svg", graph_attr={"rankdir": "LR"})
    nodes, edges = trace(root)
    for n in nodes:
        uid = str(id(n))
        label = "{ %s | data %.4f | grad %.4f }" % (n.label, n.data, n.grad)  # noqa: UP031
        dot.node(name=uid, label=label, shape="record")
        if n._op:
            dot.node(name=uid + n._op, label=n._op)
            dot.edge(uid + n._op, uid)
    for n1, n2 in edges:
        dot.edge(str(id(n1)), str(id(n2)) + n2._op)
    return dot


# micrograd's demo.ipynb training loop, its cells as written (three steps of 100)
DEMO = """
random.seed(1337)
model = MLP(2, [16, 16, 1])

def loss(batch_size=None):
    Xb, yb = X, y
    inputs = [list(map(Value, xrow)) for xrow in Xb]
    scores = list(map(model, inputs))
    losses = [(1 + -yi*scorei).relu() for yi, scorei in zip(yb, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    alpha = 1e-4
    reg_loss = alpha * sum((p*p for p in model.parameters()))
    total_loss = data_loss + reg_loss
    accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(yb, scores)]
    return total_loss, sum(accuracy) / len(accuracy)

for k in range(3):
    total_loss, acc = loss()
    model.zero_grad()
    total_loss.backward()
    learning_rate = 1.0 - 0.9*k/100
    for p in model.parameters():
        p.data -= learning_rate * p.grad
    history.append((total_loss.data, acc, [p.grad for p in model.parameters()]))
"""


def run_demo(imports: str) -> list:
    from nn.datasets import make_moons

    X, labels = make_moons(n_samples=100, noise=0.1, seed=1)
    namespace = {"random": random, "X": np.array(X), "y": np.array(labels) * 2 - 1,
                 "history": []}  # fmt: skip
    exec(imports + DEMO, namespace)
    return namespace["history"]


def test_micrograds_demo_loop_runs_on_chaingrad_with_only_the_imports_changed():
    pytest.importorskip("micrograd")
    theirs = run_demo("from micrograd.engine import Value\n"
                      "from micrograd.nn import Neuron, Layer, MLP\n")  # fmt: skip
    ours = run_demo("from autograd import Value\nfrom nn import Neuron, Layer, MLP\n")
    for (their_loss, their_acc, their_grads), (loss, acc, grads) in zip(theirs, ours):
        assert loss == pytest.approx(their_loss, rel=1e-12)
        assert acc == their_acc
        assert grads == pytest.approx(their_grads, rel=1e-9, abs=1e-12)


def re_escape(text: str) -> str:
    import re

    return re.escape(text)
