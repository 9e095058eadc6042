"""trace(), draw_dot() and render()."""

import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from autograd import Value, draw_dot, render, scope, trace
from autograd.graph import COLOURS
from nn import MLP
from tests.conftest import cs231n, need_program

SVG = "{http://www.w3.org/2000/svg}"


def test_trace_lists_nodes_in_topological_order_and_every_edge():
    f, (x, y, z, q) = cs231n()
    nodes, edges = trace(f)
    assert nodes == [x, y, q, z, f]
    assert edges == [(x, q), (y, q), (q, f), (z, f)]


def test_x_times_x_gives_two_edges_into_one_op_node():
    x = Value(3.0, "x")
    y = x * x
    nodes, edges = trace(y)
    assert nodes == [x, y] and edges == [(x, y), (x, y)]
    source = draw_dot(y).source
    assert source.count("n0 -> n1_op") == 2
    assert source.count('n1_op [label="*"') == 1


def test_labels_data_and_grads_appear_with_four_decimals():
    f, _ = cs231n()
    f.backward()
    source = draw_dot(f).source
    assert 'label="{ x | data -2.0000 | grad -4.0000 }"' in source
    assert 'label="{ z | data -4.0000 | grad 3.0000 }"' in source
    assert 'label="{ f | data -12.0000 | grad 1.0000 }"' in source
    assert 'n2_op [label="+"' in source and 'n4_op [label="*"' in source


def test_unlabelled_values_drop_the_label_field_and_show_grad_false_drops_grads():
    x = Value(2.0)
    y = x * 3.0
    y.backward()
    assert 'label="{ data 2.0000 | grad 3.0000 }"' in draw_dot(y).source
    assert 'label="{ data 6.0000 }"' in draw_dot(y, show_grad=False, names=False).source
    # issue 11: by default an unlabelled computed box carries the explainer's name
    assert 'label="{ n2 | data 6.0000 }"' in draw_dot(y, show_grad=False).source


def test_grads_before_backward_are_shown_as_not_computed():
    f, _ = cs231n()
    source = draw_dot(f).source
    assert "grad —" in source and "grad 0.0000" not in source


def test_tiny_and_huge_numbers_stay_visible():
    v = Value(1.5e-7, "tiny") * Value(2e9, "big")
    source = draw_dot(v).source
    assert "data 1.500e-07" in source and "data 2.000e+09" in source


def test_colours_mark_output_variables_constants_and_intermediates():
    x = Value(2.0, "x")
    y = (x * 3.0).tanh()
    source = draw_dot(y).source
    assert f'n0 [label="{{ x | data 2.0000 | grad — }}" fillcolor="{COLOURS["variable"]}"' in source
    assert f'fillcolor="{COLOURS["constant"]}"' in source
    assert f'fillcolor="{COLOURS["intermediate"]}"' in source
    assert f'fillcolor="{COLOURS["output"]}"' in source


def test_source_is_identical_across_processes():
    program = (
        "from nn import MLP; from autograd import draw_dot\n"
        "m = MLP(2, [3, 1], seed=4); y = m([0.5, -1.0]); y.backward()\n"
        "print(draw_dot(y).source)\n"
    )
    runs = [subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True).stdout
            for _ in range(2)]
    assert runs[0] == runs[1] and "layer1.neuron1.w1" in runs[0]


def test_a_200000_node_chain_traces_without_recursion():
    x = Value(1.0)
    y = x
    for _ in range(200_000):
        y = y + 1.0
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)
    try:
        nodes, edges = trace(y)
    finally:
        sys.setrecursionlimit(limit)
    assert len(nodes) == 400_001 and len(edges) == 400_000
    assert nodes[0] is x and nodes[-1] is y


def test_too_many_nodes_raises_with_the_count_and_a_hint():
    y = Value(0.0)
    for _ in range(1500):
        y = y + 1.0
    with pytest.raises(ValueError, match=r"has 3001 nodes, more than max_nodes=1000; pass collapse=True"):
        draw_dot(y)
    assert draw_dot(y, max_nodes=4000) is not None


def test_scopes_become_clusters():
    x = Value(1.0, "x")
    with scope("layer1"):
        with scope("neuron1"):
            a = (x * 2.0).relu()
    b = a + 1.0
    source = draw_dot(b).source
    assert "subgraph cluster_0 {" in source and "label=layer1" in source
    assert "subgraph cluster_1 {" in source and "label=neuron1" in source


def test_collapse_folds_each_innermost_scope_into_one_box():
    model = MLP(2, [16, 16, 1], seed=0)
    out = model([0.5, -0.3])
    out.backward()
    source = draw_dot(out, collapse=True).source
    boxes = [line for line in source.splitlines() if "shape=record" in line]
    assert len(boxes) == 2 + 16 + 16 + 1  # x1, x2 and one box per neuron
    # each neuron's box: z over a, then δ = ∂C/∂z over ∂C/∂a (Nielsen's names, issue 12)
    assert f'label="{{ neuron1 | {{ z³₁ {out.data:.4f} | a³₁ {out.data:.4f} }} | ' \
           '{ δ³₁\u00a0= ∂C/∂z³₁  1.0000 | ∂C/∂a³₁  1.0000 } }"' in source
    with pytest.raises(ValueError, match="has 35 nodes, more than max_nodes=10; pass a larger max_nodes"):
        draw_dot(out, collapse=True, max_nodes=10)


def test_bad_arguments():
    with pytest.raises(TypeError):
        draw_dot(3.0)
    with pytest.raises(ValueError, match="rankdir"):
        draw_dot(Value(1.0), rankdir="XY")
    with pytest.raises(ValueError, match="format"):
        draw_dot(Value(1.0), format="gif")
    with pytest.raises(ValueError, match=r"\.svg, \.png or \.pdf"):
        render(Value(1.0), "graph.gif")


# -- with Graphviz's dot ---------------------------------------------------------------


def test_render_svg_is_well_formed_and_has_the_labels(tmp_path):
    need_program("dot", "DOT")
    f, _ = cs231n()
    f.backward()
    path = render(f, tmp_path / "cs231n.svg")
    tree = ET.parse(path)
    texts = [t.text for t in tree.iter(f"{SVG}text")]
    for expected in ("x", "y", "z", "q", "f", "data -12.0000", "grad 3.0000", "+", "*"):
        assert expected in texts
    ids = {g.get("id") for g in tree.iter(f"{SVG}g")}
    assert {"n0", "n2", "n2_op", "n4"} <= ids


def test_render_png_and_pdf(tmp_path):
    need_program("dot", "DOT")
    f, _ = cs231n()
    assert render(f, tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert render(f, tmp_path / "g.pdf").read_bytes()[:5] == b"%PDF-"


def test_collapsed_mlp_renders_to_svg(tmp_path):
    need_program("dot", "DOT")
    model = MLP(2, [16, 16, 1], seed=0)
    out = model([0.5, -0.3])
    out.backward()
    tree = ET.parse(render(out, tmp_path / "mlp.svg", collapse=True))
    nodes = [g for g in tree.iter(f"{SVG}g") if g.get("class") == "node"]
    assert len(nodes) == 35


def test_without_dot_the_source_is_written_and_the_error_says_how_to_install(tmp_path, monkeypatch):
    f, _ = cs231n()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    target = tmp_path / "out" / "graph.svg"
    with pytest.raises(RuntimeError) as info:
        render(f, target)
    message = str(info.value)
    source = tmp_path / "out" / "graph.dot"
    assert source.exists() and source.read_text() == draw_dot(f).source
    assert not target.exists()
    assert str(source) in message
    assert "apt-get install graphviz" in message and "brew install graphviz" in message
    assert "conda install" in message


@pytest.mark.parametrize("label", ["<a><b>", "<i>hi</i>", "a\\", "<a>", 'say "hi"', "{x|y}"])
def test_any_label_gives_valid_dot(label):
    need_program("dot", "DOT")
    v = Value(2.0, label) * 3.0
    v.backward()
    svg = draw_dot(v).pipe(format="svg").decode()
    assert ET.fromstring(svg).tag == f"{SVG}svg"


def test_collapse_folds_only_innermost_scopes():
    a = Value(1.0, "a")
    with scope("outer"):
        b = a * 2.0
        with scope("inner"):
            c = b + 1.0
        d = c * 3.0
    source = draw_dot(d, collapse=True).source
    arrows = [line.strip() for line in source.splitlines() if "->" in line]
    boxes = {line.split()[0] for line in source.splitlines() if "shape=record" in line}
    assert sum(name.startswith("s") for name in boxes) == 1  # only "outer/inner" is folded
    tails = {a.split(" -> ")[0] for a in arrows}
    heads = {a.split(" -> ")[1] for a in arrows}
    folded = next(name for name in boxes if name.startswith("s"))
    assert folded in tails and folded in heads and f"{folded} -> {folded}" not in arrows


def test_grads_are_shown_when_any_node_has_one():
    x, p = Value(-1.0, "x"), Value(3.0, "p")
    h = x * p
    loss = h.relu() + p  # the relu is dead, so h gets no gradient, but p does
    loss.backward()
    assert (h.grad, x.grad, p.grad) == (0.0, 0.0, 1.0)
    source = draw_dot(h).source  # drawn from a root whose own grad is 0
    assert "{ p | data 3.0000 | grad 1.0000 }" in source and "grad —" not in source


@pytest.mark.parametrize("bad", [0, -1, "10", 2.5])
def test_max_nodes_must_be_a_positive_integer(bad):
    with pytest.raises(ValueError, match="max_nodes must be a positive integer"):
        draw_dot(Value(1.0), max_nodes=bad)


def test_layout_keeps_neurons_and_weights_in_their_order(tmp_path):
    # Graphviz's crossing minimisation used to draw layer 1 as neuron9..16, neuron1..8.
    need_program("dot", "DOT")
    model = MLP(2, [16, 16, 1], seed=0)
    out = model([1.67, -0.22])
    out.backward()

    def top_to_bottom(dot_graph, pattern):
        plain = subprocess.run(
            ["dot", "-Tplain"], input=dot_graph.source, capture_output=True, text=True, check=True
        ).stdout
        found = []  # (x, -y, label) of every box whose label matches
        for line in plain.splitlines():
            parts = line.split()
            if parts[0] == "node" and (m := re.search(pattern, " ".join(parts[6:]))):
                found.append((round(float(parts[2]), 1), -float(parts[3]), m.group(1)))
        columns = {}
        for x, _, label in sorted(found):
            columns.setdefault(x, []).append(label)
        return list(columns.values())

    layers = top_to_bottom(draw_dot(out, collapse=True), r"\b(neuron\d+)\b")
    assert layers[:2] == [[f"neuron{k}" for k in range(1, 17)]] * 2
    model = MLP(3, [2], "sigmoid", seed=0)
    outs = model([0.1, 0.2, 0.3])
    weights = top_to_bottom(draw_dot(outs[0] + outs[1]), r"layer1\.neuron1\.(w\d|b)\b")
    assert weights == [["w1", "w2", "w3", "b"]]


def test_the_legend_lists_only_the_colours_the_graph_uses():
    f, _ = cs231n()  # x, y, z are inputs; no constants
    source = draw_dot(f).source
    assert "> output <" in source and "> input / parameter <" in source and "> op <" in source
    assert "> constant <" not in source
    folded = draw_dot(MLP(2, [3, 1], seed=0)([0.5, -0.3]), collapse=True).source
    assert "> op <" not in folded and "> intermediate <" in folded
