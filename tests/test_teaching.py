"""Issue 11, outside the browser: notebook views, gradcheck for graded work, worksheet
pictures, one set of names in text, SVG and page, constants, collapsed networks, dpi, and
the command line's functions from the op table."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from autograd import OPS, Value, draw_dot, explain, gradcheck, render, save_html, show
from autograd.cli import FUNCTIONS, main
from autograd.html import decode
from autograd.text import Listing
from nn import MLP, SGD
from tests.conftest import cs231n, lecture_neuron, need_program

# -- notebook views ---------------------------------------------------------------------


def test_an_explanation_shows_a_short_repr_and_a_listing_or_its_summary():
    o, *_ = lecture_neuron()
    e = explain(o)
    assert repr(e) == "<Explanation of o: 10 nodes, 5 forward and 5 backward steps>"
    page = e._repr_html_()
    assert page.startswith("<pre") and "o = tanh(n) = tanh(0.881374) = 0.707107" in page
    big = explain(MLP(2, [16, 16, 1], seed=0)([0.5, -1.0]))
    assert len(repr(big)) < 100
    view = big._repr_html_()
    assert len(view) < 20_000 and "Forward pass (compact" in view and "print(e)" in view
    assert len(str(big)) > 50_000  # the full text, one call away


def test_a_summary_is_a_str_that_notebooks_show_as_lines():
    e = explain(cs231n()[0])
    s = e.summary()
    assert isinstance(s, str) and isinstance(s, Listing) and s == e.to_text(compact=True, max_lines=60)
    shown = []

    class Printer:  # what IPython's pretty printer hands to _repr_pretty_
        def text(self, t):
            shown.append(t)

    s._repr_pretty_(Printer(), False)
    assert shown == [str(s)] and "\\n" not in shown[0] and "\n" in shown[0]
    assert "<pre" in s._repr_html_()


def test_gradcheck_report_value_module_and_sgd_have_short_reprs_and_html():
    report = gradcheck(lambda x, y: x * y, [2.0, 3.0])
    assert repr(report) == "<GradcheckReport passed: 2 row(s)>"
    assert "<table>" in report._repr_html_() and "gradcheck passed" in report._repr_html_()
    x = Value(2.0, "x")
    assert repr(x) == "Value(data=2.0, grad=0.0, label='x')"
    assert "<td>x</td><td>2</td><td>0</td>" in x._repr_html_()
    assert "made by mul(x=2.0, 3.0)" in (x * 3)._repr_html_()
    model = MLP(2, [16, 16, 1], seed=0)
    view = model._repr_html_()
    assert "337 parameters" in view and "layer1.neuron1.w1" in view and "… 325 more" in view
    assert view.count("<tr>") == 1 + 12 + 1
    opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
    assert "<td>lr</td><td>0.1</td>" in opt._repr_html_()
    assert "<td>momentum</td><td>0.9</td>" in opt._repr_html_()


def test_draw_dot_without_graphviz_in_a_notebook_gives_the_install_hint(tmp_path, monkeypatch):
    f, _ = cs231n()
    dot = draw_dot(f)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    bundle = dot._repr_mimebundle_()  # what Jupyter calls to show it
    hint = bundle["text/plain"]
    assert "apt-get install graphviz" in hint and "brew install graphviz" in hint
    assert "<pre" in bundle["text/html"] and "ExecutableNotFound" not in bundle["text/plain"]
    with pytest.raises(RuntimeError, match="apt-get install graphviz"):
        render(f, tmp_path / "g.svg")


def test_draw_dot_with_graphviz_in_a_notebook_gives_the_svg():
    need_program("dot", "DOT")
    bundle = draw_dot(cs231n()[0])._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"]


# -- gradcheck for graded work ------------------------------------------------------------


def test_expected_may_leave_partials_out():
    f = lambda x, y, z: (x + y) * z  # noqa: E731
    report = gradcheck(f, [-2.0, 5.0, -4.0], expected=[None, -4.0, None])
    assert report.ok and [r.expected for r in report.rows] == [None, -4.0, None]
    assert [r.answer_ok for r in report.rows] == [None, True, None]
    wrong = gradcheck(f, [-2.0, 5.0, -4.0], expected=lambda x, y, z: [None, None, 2.0], raise_exception=False)
    assert [r.ok for r in wrong.rows] == [True, True, False]


def test_three_significant_figures_are_gradeable_with_expected_rtol():
    f = lambda x: x.tanh()  # noqa: E731  # ∂f/∂x at 0.3 = 0.91513…
    assert not gradcheck(f, [0.3], expected=[0.915], raise_exception=False).ok  # the default: exact
    assert gradcheck(f, [0.3], expected=[0.915], expected_rtol=5e-3).ok
    assert not gradcheck(f, [0.3], expected=[0.925], expected_rtol=5e-3, raise_exception=False).ok
    with pytest.raises(ValueError, match="expected_rtol"):
        gradcheck(f, [0.3], expected=[0.915], expected_rtol=-1)


def test_a_grading_report_never_prints_the_right_answer():
    f = lambda x, w: (x * w).tanh()  # noqa: E731  # at (0.5, -1.5): -0.894…, 0.298…
    right = gradcheck(f, [0.5, -1.5], raise_exception=False)
    answers = [f"{r.analytic:.6g}"[:5] for r in right.rows]
    report = gradcheck(f, [0.5, -1.5], expected=[1.0, None], hide_answers=True, raise_exception=False)
    text, page = str(report), report._repr_html_()
    assert "WRONG" in text and "your answer" in text and "not within the tolerance" in text
    for a in answers:
        assert a not in text and a not in page and a not in repr(report)
    with pytest.raises(AssertionError) as info:
        gradcheck(f, [0.5, -1.5], expected=[1.0, None], hide_answers=True)
    assert all(a not in str(info.value) for a in answers)
    assert answers[0] in str(gradcheck(f, [0.5, -1.5], expected=[1.0, None], raise_exception=False))


# -- pictures ---------------------------------------------------------------------------


def test_a_worksheet_picture_has_empty_grad_cells():
    f, _ = cs231n()
    f.backward()
    source = draw_dot(f, show_grad="blank").source
    assert "grad -4.0000" not in source and source.count("grad \u00a0") == 5
    assert "grad -4.0000" in draw_dot(f, show_grad=True).source
    assert "| grad" not in draw_dot(f, show_grad=False).source
    with pytest.raises(ValueError, match="show_grad"):
        draw_dot(f, show_grad="empty")


def test_text_svg_and_page_use_the_same_names(tmp_path, capsys):
    need_program("dot", "DOT")
    args = ["tanh(x1*w1 + x2*w2 + b)", "x1=2", "x2=0", "w1=-3", "w2=1", "b=6.8813735870195432"]
    assert main([*args, "--svg", str(tmp_path / "a.svg"), "--html", str(tmp_path / "a.html")]) == 0
    listing = capsys.readouterr().out
    assert "n8 = n6 + b" in listing
    svg = (tmp_path / "a.svg").read_text(encoding="utf-8")
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    page = (tmp_path / "a.html").read_text(encoding="utf-8")
    for name in re.findall(r"\b(n\d+) = ", listing):
        assert name in texts, name
        assert f">{name}</text>" in page, name


def test_the_page_gives_constants_no_gradient_and_does_not_call_them_inputs(tmp_path):
    need_program("dot", "DOT")
    x = Value(1.5, "x")
    f = (0.5 * x).tanh()
    f.label = "f"
    steps = _steps(save_html(f, tmp_path / "p.html"))
    assert steps[0]["text"].startswith("The inputs (x) are known; so are the constants (0.5)")
    text = "\n".join(s["text"] for s in steps)
    assert "0.5.grad" not in text and "0.5:  a constant: it needs no gradient" in text
    assert steps[-1]["text"].endswith("∂f/∂x = 0.298293.")


def test_the_cli_gives_its_numbers_no_gradient(capsys):
    assert main(["tanh(0.5 * x)", "x=1.5"]) == 0
    out = capsys.readouterr().out
    assert "0.5  (a constant: it needs no gradient)" in out and "0.5.grad" not in out


def test_a_collapsed_network_is_drawn_in_columns_with_weight_coloured_arrows():
    model = MLP(2, [16, 16, 1], seed=0)
    out = model([0.5, -0.3])
    out.backward()
    source = draw_dot(out, collapse=True).source
    arrows = re.findall(r"(\S+) -> (\S+) \[color=\"(#\w+)\" penwidth=([\d.]+)\]", source)
    assert len(arrows) == 2 * 16 + 16 * 16 + 16
    weights = [w.data for layer in model.layers for n in layer.neurons for w in n.w]  # one per arrow
    drawn = sorted((colour, float(width)) for _, _, colour, width in arrows)
    assert drawn == sorted(("#c0392bb0" if w < 0 else "#1f5fa8b0", round(0.3 + 1.5 * min(1.0, abs(w)), 2))
                           for w in weights)
    assert "splines=line" in source and "weight &gt; 0" in source


def test_render_takes_a_dpi_for_slides(tmp_path):
    need_program("dot", "DOT")
    f, _ = cs231n()
    small = render(f, tmp_path / "a.png").read_bytes()
    large = render(f, tmp_path / "b.png", dpi=200).read_bytes()
    width = lambda png: int.from_bytes(png[16:20], "big")  # noqa: E731  # the IHDR width
    assert width(large) > 1.9 * width(small)
    with pytest.raises(ValueError, match="dpi"):
        render(f, tmp_path / "c.png", dpi=0)


# -- the command line's functions come from the op table ------------------------------------


def test_every_builtin_function_row_is_callable_from_the_cli(capsys):
    rows = {"exp", "log", "tanh", "sigmoid", "relu", "softplus", "max", "sum", "logsumexp", "linear"}
    assert rows <= set(FUNCTIONS)
    assert all(FUNCTIONS[name] is OPS[name] for name in FUNCTIONS)
    assert main(["max(x, y) * z", "x=1", "y=3", "z=2", "--check"]) == 0
    out = capsys.readouterr().out
    assert "∂f/∂y = 2" in out and "∂f/∂x = 0" in out and "gradcheck passed" in out
    assert main(["linear(w1, w2, b, x1, x2)", "w1=2", "w2=3", "b=1", "x1=5", "x2=7"]) == 0
    assert "∂f/∂w1 = 5" in capsys.readouterr().out
    assert main(["max(x)", "x=1"]) == 2 and "max takes exactly two arguments" in capsys.readouterr().err


# -- show() ---------------------------------------------------------------------------------


def test_show_isolates_the_page_in_a_sandboxed_frame():
    need_program("dot", "DOT")
    page = show(cs231n()[0])
    frame = page._repr_html_()
    assert frame.startswith('<iframe sandbox="allow-scripts" srcdoc="') and frame.endswith("</iframe>")
    assert "<style" not in frame and "<script" not in frame  # all of it is inside srcdoc, escaped
    assert "allow-same-origin" not in frame
    assert "&lt;script" in frame and "Backpropagation through f" in frame
    assert len(repr(page)) < 100


def _steps(path):
    page = path.read_text(encoding="utf-8")
    return json.loads(re.search(r'id="steps">(.*?)</script>', page, re.S).group(1).replace("<\\/", "</"))


def test_an_exercise_page_holds_no_answer_as_plain_text(tmp_path):
    need_program("dot", "DOT")
    o, *_ = lecture_neuron()
    page = save_html(o, tmp_path / "ex.html", exercise=True).read_text(encoding="utf-8")
    # the answers: ∂o/∂n = 0.5, x1.grad = -1.5, w1.grad = 1, w2.grad = 0, x2.grad = 0.5
    for answer in ("-1.5", "grad 0.5000", "grad -1.5000", "grad 1.0000", "0.5 × 1", "1 − o²"):
        assert answer not in page, answer
    encoded = re.search(r'id="encoded" data-key="(\w+)">([^<]+)<', page)
    steps = decode(encoded.group(2), encoded.group(1))
    answers = [q["a"] for s in steps for q in s.get("ask", [])]
    assert answers[:3] == [1.0, pytest.approx(0.5), pytest.approx(0.5)]  # ∂o/∂o, ∂o/∂n, n.grad
    assert pytest.approx(-1.5) in answers and len(answers) == 1 + 2 * 9
    both = save_html(o, tmp_path / "both.html", exercise=True, hide="both").read_text(encoding="utf-8")
    assert "0.7071" not in both and "0.881" not in both  # the values are hidden too
    with pytest.raises(ValueError, match="hide"):
        save_html(o, tmp_path / "x.html", exercise=True, hide="values")
    with pytest.raises(ValueError, match="tolerance"):
        save_html(o, tmp_path / "x.html", exercise=True, tolerance=-0.1)


def test_the_demos_still_draw_their_collapsed_graph_in_a_subprocess(tmp_path):
    need_program("dot", "DOT")
    code = ("from nn import MLP; from autograd import render\n"
            "m = MLP(2, [16, 16, 1], seed=0); y = m([0.5, -0.3]); y.backward()\n"
            f"render(y, {str(tmp_path / 'g.png')!r}, collapse=True, dpi=150)\n")
    subprocess.run([sys.executable, "-c", code], check=True)
    assert (tmp_path / "g.png").read_bytes()[:4] == b"\x89PNG"
