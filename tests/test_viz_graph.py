"""viz.draw_dot: DOT content, determinism, escaping through a real render, the size guard."""

import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, custom_op
from autograd import functions as F
from viz import draw_dot, embedded, render
from viz.graph import COLOURS

twice = custom_op("twice <&> {x|y}", lambda x: 2.0 * x, lambda x: 2.0, doc="2x;  d/dx = 2")


def neuron():
    x = Value(0.5, label="x")
    w = Value(-1.5, label="w")
    b = Value(2.0, label="b")
    out = F.tanh(x * w + b)
    out.label = "out"
    return out, x, w, b


def svg_texts(svg: bytes) -> list[str]:
    """The text of every <text> element of an SVG, as a browser would show it."""
    root = ET.fromstring(svg)
    return [el.text or "" for el in root.iter("{http://www.w3.org/2000/svg}text")]


def node_statements(source: str) -> dict[str, str]:
    """DOT node id -> its attribute text, for the node statements of ``source``."""
    return dict(re.findall(r"^\t(\w+) \[(.*)\]$", source, flags=re.M))


def test_nodes_show_label_data_and_grad_after_backward():
    out, x, w, b = neuron()
    out.backward()
    source = draw_dot(out).source
    nodes = node_statements(source)
    x_node = next(attrs for attrs in nodes.values() if "x |" in attrs)
    assert "data 0.5000" in x_node and f"grad {x.grad:.4f}" in x_node
    assert f"grad {w.grad:.4f}" in source and f"grad {b.grad:.4f}" in source
    assert "grad 1.0000" in nodes["v" + str(len([n for n in nodes if n.startswith("v")]) - 1)]
    for op in ("mul", "add", "tanh"):
        assert f"label={op} " in source


def test_grad_can_be_hidden_and_rankdir_changes_the_layout():
    out, *_ = neuron()
    assert not re.search(r"grad -?\d", draw_dot(out, show_grad=False).source)
    tb = draw_dot(out, rankdir="TB").source
    assert "rankdir=TB" in tb and 'label="{' not in tb  # a row of fields needs no braces in TB
    with pytest.raises(ValueError, match="rankdir"):
        draw_dot(out, rankdir="sideways")


def test_op_nodes_are_separate_and_repeated_inputs_give_two_edges():
    a = Value(3.0, label="a")
    doubled = a + a
    source = draw_dot(doubled).source
    assert source.count("v0 -> op1") == 2
    assert "op1 -> v1" in source


def test_custom_op_is_named_and_escaped():
    out = twice(Value(1.0, label="x"))
    source = draw_dot(out).source
    assert "twice &#60;&#38;&#62; &#123;x&#124;y&#125;" in source
    texts = svg_texts(embedded.render(source))
    assert "twice <&> {x|y}" in texts


def test_inputs_parameters_and_output_have_distinct_colours_and_a_legend():
    out, x, w, b = neuron()
    w.label = b.label = ""
    source = draw_dot(out, params={"weight": w, "bias": b}).source
    nodes = node_statements(source)
    by_label = {label: attrs for attrs in nodes.values()
                for label in re.findall(r'label="\{ (\w+) \|', attrs)}  # fmt: skip
    assert COLOURS["parameter"] in by_label["weight"] and COLOURS["parameter"] in by_label["bias"]
    assert COLOURS["input"] in by_label["x"]
    assert COLOURS["output"] in by_label["out"]
    for kind in ("input", "parameter", "output", "op"):
        assert f"legend_{kind} [label={kind}" in source


def test_params_accept_a_module_with_named_parameters():
    out, x, w, b = neuron()

    class Module:
        def named_parameters(self):
            return iter([("layer.w", w), ("layer.b", b)])

    source = draw_dot(out, params=Module()).source
    assert source.count(COLOURS["parameter"]) == 3  # w, b and the legend
    with pytest.raises(TypeError, match="not a Value"):
        draw_dot(out, params={"w": 1.0})


def build(recipe):
    """An expression from a list of (op, i, j) steps over a growing list of Values."""
    values = [Value(1.5, label="a"), Value(-0.5, label="b")]
    for op, i, j in recipe:
        x, y = values[i % len(values)], values[j % len(values)]
        values.append({"add": x + y, "mul": x * y, "tanh": F.tanh(x), "sub": x - y}[op])
    values[-1].backward()
    return values[-1]


recipes = st.lists(st.tuples(st.sampled_from(["add", "mul", "tanh", "sub"]),
                             st.integers(0, 50), st.integers(0, 50)), max_size=25)  # fmt: skip


@given(recipes)
def test_the_same_expression_built_twice_gives_identical_dot(recipe):
    first, second = draw_dot(build(recipe)).source, draw_dot(build(recipe)).source
    assert first == second
    assert not re.search(r"\d{9,}", first)  # no id()-like numbers in node names


labels = st.text(st.characters(codec="utf-8"), max_size=20)


def shown(label: str) -> str:
    """What a label looks like once rendered: control characters become U+FFFD."""
    cleaned = "".join("\ufffd" if ord(c) < 32 or 127 <= ord(c) < 160 else c for c in label)
    return " ".join(cleaned.split())


@given(labels, labels)
def test_hostile_labels_survive_a_real_render(label, op_name):
    x = Value(2.0, label=label)
    out = x * 3.0
    out.label = op_name
    svg = embedded.render(draw_dot(out).source)
    texts = [" ".join(t.split()) for t in svg_texts(svg)]
    for expected in (shown(label), shown(op_name)):
        if expected:
            assert expected in texts


def test_hostile_labels_render_to_files(tmp_path):
    x = Value(1.0, label='"quoted" <tag> {a|b} back\\slash \\N \\l & é 😀')
    path = render(x * 2.0, tmp_path / "hostile.svg")
    assert '"quoted" <tag> {a|b} back\\slash \\N \\l & é 😀' in svg_texts(path.read_bytes())


def test_size_guard_names_the_count_and_how_to_raise_it():
    total = Value(0.0)
    for i in range(30):
        total = total + i
    with pytest.raises(ValueError, match=r"61 values.*max_nodes=60.*max_nodes=61") as error:
        draw_dot(total, max_nodes=60)
    assert "pass" in str(error.value)
    source = draw_dot(total, max_nodes=61).source
    assert len(re.findall(r"^\tv?\w+ -> \w+$", source, flags=re.M)) == 90  # 3 per addition


def test_draw_dot_rejects_non_values():
    with pytest.raises(TypeError, match="needs a Value"):
        draw_dot(3.0)


def test_negative_zero_is_drawn_as_zero():
    # -1.2 * 0.0 is -0.0: a learner should read "data 0.0000", not "-0.0000"
    g, f = Value(-1.2, label="g"), Value(0.0, label="f")
    source = draw_dot(g * f).source
    assert "data 0.0000" in source and "-0.0000" not in source
