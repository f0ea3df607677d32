"""draw_dot and step_through draw the engine a learner just wrote (micrograd's Value, the
video's Value) -- the same picture every run -- and constants are drawn as constants."""

import json
import math
import re

import pytest

from autograd import Value
from viz import draw_dot, step_through
from viz.stepper import backward_frames, rule_text

micrograd = pytest.importorskip("micrograd.engine", reason="the dev extra installs micrograd")


class VideoValue:
    """The Value of micrograd's video, as a learner types it: labels, tanh, exp, powers."""

    def __init__(self, data, _children=(), _op="", label=""):
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op
        self.label = label

    def __add__(self, other):
        other = other if isinstance(other, VideoValue) else VideoValue(other)
        out = VideoValue(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += 1.0 * out.grad
            other.grad += 1.0 * out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, VideoValue) else VideoValue(other)
        out = VideoValue(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __pow__(self, other):
        out = VideoValue(self.data**other, (self,), f"**{other}")

        def _backward():
            self.grad += other * self.data ** (other - 1) * out.grad

        out._backward = _backward
        return out

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        return self * other**-1

    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        return self + (-other)

    def tanh(self):
        t = (math.exp(2 * self.data) - 1) / (math.exp(2 * self.data) + 1)
        out = VideoValue(t, (self,), "tanh")

        def _backward():
            self.grad += (1 - t**2) * out.grad

        out._backward = _backward
        return out

    def exp(self):
        out = VideoValue(math.exp(self.data), (self,), "exp")

        def _backward():
            self.grad += out.data * out.grad

        out._backward = _backward
        return out


def video_neuron(value=VideoValue):
    """The video's neuron: o = tanh(x1 w1 + x2 w2 + b), labels as typed there (its Value
    class, or another: test_engine_habits steps chaingrad's by hand)."""
    x1, x2 = value(2.0, label="x1"), value(0.0, label="x2")
    w1, w2 = value(-3.0, label="w1"), value(1.0, label="w2")
    b = value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    n = x1w1 + x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, {"x1": x1, "x2": x2, "w1": w1, "w2": w2, "b": b}


def expected_grads() -> dict[str, float]:
    """The video neuron's gradients, from chaingrad's own engine."""
    x1, x2, w1, w2 = Value(2.0), Value(0.0), Value(-3.0), Value(1.0)
    b = Value(6.8813735870195432)
    (x1 * w1 + x2 * w2 + b).tanh().backward()
    return {"x1": x1.grad, "x2": x2.grad, "w1": w1.grad, "w2": w2.grad, "b": b.grad}


def micrograd_expression():
    a, b = micrograd.Value(-4.0), micrograd.Value(2.0)
    c = a + b
    d = a * b + b**3
    e = c - d
    f = e**2
    g = f / 2.0 + (a * b).relu()
    return g, a, b


def page_data(shown):
    return json.loads(shown.html.split('type="application/json">', 1)[1].split("</script>")[0])


def test_the_videos_value_is_drawn_with_its_labels_ops_and_grads():
    o, leaves = video_neuron()
    for name, grad in expected_grads().items():  # as after the video's o.backward()
        leaves[name].grad = grad
    source = draw_dot(o).source
    for name, v in leaves.items():
        assert f"{name} | data {v.data:.4f} | grad {v.grad:.4f}" in source
    assert "label=tanh" in source and 'label="+"' in source and 'label="*"' in source
    again, others = video_neuron()
    for name, grad in expected_grads().items():
        others[name].grad = grad
    assert source == draw_dot(again).source  # the same picture every time


def test_the_step_through_of_the_videos_value_uses_its_own_backward():
    expected = expected_grads()
    o2, fresh = video_neuron()
    leaves = list(fresh)
    frames, grads = backward_frames(o2)
    by_label = {node.label: grad for node, grad in grads.items()}
    for name, grad in expected.items():
        assert by_label[name] == pytest.approx(grad, rel=1e-12, abs=1e-12)
    assert all(v.grad == 0.0 for v in fresh.values())  # reading the rules changed no grad
    assert rule_text(o2, "o") == "\u2202o/\u2202n = 1 \u2212 o^2 = 1 \u2212 0.7071^2 = 0.5000"
    page = step_through(o2)
    data = page_data(page)
    assert sorted(view["name"] for view in data["forward"]) == sorted(leaves)
    assert page.html == step_through(video_neuron()[0]).html


def test_micrographs_own_value_class_steps_to_micrographs_gradients():
    g, a, b = micrograd_expression()
    g.backward()
    expected = (a.grad, b.grad)
    g2, a2, b2 = micrograd_expression()
    frames, grads = backward_frames(g2)
    by_source = {node.source: grad for node, grad in grads.items()}
    assert (by_source[a2], by_source[b2]) == pytest.approx(expected, rel=1e-12)
    assert (a2.grad, b2.grad) == (0, 0)
    source = draw_dot(g2).source
    assert source == draw_dot(micrograd_expression()[0]).source  # sets ordered the same
    assert "label=ReLU" in source and 'label="**3"' in source
    assert not re.search(r"\d{9,}", source)  # no id()-like numbers
    shown = step_through(g2)
    assert len(page_data(shown)["reverse"]) == 1 + len([1 for s in frames[1:]])


def test_a_value_class_without_backward_gets_the_symbols_rules():
    class Bare:
        def __init__(self, data, children=(), op="", label=""):
            self.data, self.grad, self._prev = data, 0, set(children)
            self._op, self.label = op, label

    x, w = Bare(0.5, label="x"), Bare(-2.0, label="w")
    p = Bare(x.data * w.data, (x, w), "*", "p")
    y = Bare(math.tanh(p.data), (p,), "tanh", "y")
    _, grads = backward_frames(y)
    by_label = {node.label: grad for node, grad in grads.items()}
    assert by_label["x"] == pytest.approx((1 - y.data**2) * -2.0)
    odd = Bare(1.0, (x,), "mystery", "m")
    with pytest.raises(TypeError, match="no _backward to read and no rule known for the op "
                                        "'mystery'"):  # fmt: skip
        draw_dot(odd)


def test_constants_are_drawn_as_their_value_only():
    x = Value(2.0, label="x")
    three = Value(3, requires_grad=False)
    y = three * x
    y.label = "y"
    y.backward()
    source = draw_dot(y, blank=[x, three]).source
    nodes = dict(re.findall(r"^\t(v\d+) \[(.*)\]$", source, flags=re.M))
    constant = next(attrs for attrs in nodes.values() if "label=3 " in attrs)
    assert "grad" not in constant and "data" not in constant and "record" not in constant
    assert source.count("grad \u2003") == 1  # a blank only for x, none for the constant
    assert "legend_constant" in source
    frames, _ = backward_frames(y)
    assert [p["name"] for p in frames[1]["passes"]] == ["x"]  # no gradient for a constant
    assert [v["name"] for v in page_data(step_through(y))["forward"]] == ["x"]


@pytest.mark.parametrize(("make", "rule", "value"), [
    (lambda a: a + a, "\u2202s/\u2202a = 1", "s = a + a = 3.0000 + 3.0000 = 6.0000"),
    (lambda a: a * a, "\u2202s/\u2202a = a = 3.0000",
     "s = a\u00b7a = 3.0000 \u00d7 3.0000 = 9.0000"),
])  # fmt: skip
@pytest.mark.parametrize("own_backward", [True, False])
def test_an_input_used_twice_is_two_uses_though_prev_is_a_set(make, rule, value, own_backward):
    """micrograd's ``_prev`` keeps a + a's a once, and its ``_backward`` sends both uses'
    share (2, or 2a): drawn and stepped as the two uses, each with its true rule -- and
    so without a ``_backward`` to read (the op table's rule then)."""
    a = VideoValue(3.0, label="a")
    s = make(a)
    s.label = "s"
    if not own_backward:
        s._backward = None
    assert rule_text(s, "s", 0) == rule_text(s, "s", 1) == rule
    frames, grads = backward_frames(s)
    assert {node.label: grad for node, grad in grads.items()}["a"] == (2.0 if "+" in value
                                                                       else 6.0)  # fmt: skip
    from viz.rules import plain

    data = page_data(step_through(s))
    shown = [plain(v) for v in data["values"].values()]
    assert value in shown, shown
