"""explain(): every number of the listing, on published examples."""

import math

import pytest

from autograd import Value, define_op, explain, sigmoid
from nn import MLP
from tests.conftest import cs231n


def test_cs231n_circuit_step_by_step():
    f, (x, y, z, q) = cs231n()
    e = explain(f)

    assert [(s.name, s.op, s.input_names, s.value) for s in e.forward_steps] == [
        ("q", "add", ("x", "y"), 3.0),
        ("f", "mul", ("q", "z"), -12.0),
    ]
    assert str(e.forward_steps[0]) == "q = x + y = (-2) + 5 = 3"

    b1, b2 = e.backward_steps
    assert (b1.name, b1.upstream, b2.name, b2.upstream) == ("f", 1.0, "q", -4.0)
    rows = [(p.name, p.formula, p.local, p.upstream, p.contribution, p.grad_after) for p in b1.partials]
    assert rows == [
        ("q", "∂f/∂q = z", -4.0, 1.0, -4.0, -4.0),
        ("z", "∂f/∂z = q", 3.0, 1.0, 3.0, 3.0),
    ]
    rows = [(p.name, p.formula, p.local, p.upstream, p.contribution, p.grad_after) for p in b2.partials]
    assert rows == [
        ("x", "∂q/∂x = 1", 1.0, -4.0, -4.0, -4.0),
        ("y", "∂q/∂y = 1", 1.0, -4.0, -4.0, -4.0),
    ]
    assert (x.grad, y.grad, z.grad, q.grad, f.grad) == (-4.0, -4.0, 3.0, -4.0, 1.0)

    text = str(e)
    for expected in ("1. q = x + y = (-2) + 5 = 3", "2. f = q * z = 3 * (-4) = -12",
                     "upstream ∂f/∂q = -4", "∂f/∂q = z → -4", "q.grad = -4",
                     "∂q/∂y = 1 → 1   × (-4)   = -4   y.grad = -4", "z.grad = 3"):
        assert expected in text


def test_sigmoid_neuron_step_by_step():
    w0, x0, w1, x1, w2 = (Value(v, n) for v, n in
                          ((2.0, "w0"), (-1.0, "x0"), (-3.0, "w1"), (-2.0, "x1"), (-3.0, "w2")))
    f = sigmoid(w0 * x0 + w1 * x1 + w2)
    e = explain(f)
    assert [round(s.value, 10) for s in e.forward_steps] == [-2.0, 6.0, 4.0, 1.0, 0.7310585786]
    first = e.backward_steps[0]
    (p,) = first.partials
    assert p.formula == "∂n9/∂n8 = n9·(1 − n9)"  # σ′ = σ(1 − σ), in the step's own names
    s = 1 / (1 + math.exp(-1.0))
    assert p.local == pytest.approx(s * (1 - s), abs=1e-15)
    assert p.contribution == pytest.approx(0.1966119332, abs=1e-10)
    last = e.backward_steps[-1]  # n = w0 * x0
    assert [(q.name, round(q.local, 10), round(q.contribution, 10), round(q.grad_after, 10))
            for q in last.partials] == [("w0", -1.0, -0.1966119332, -0.1966119332),
                                        ("x0", 2.0, 0.3932238665, 0.3932238665)]
    assert [round(v.grad, 10) for v in (w0, w1, w2)] == [-0.1966119332, -0.3932238665, 0.1966119332]


def test_unlabelled_nodes_get_stable_names_and_constants_their_value():
    a = Value(2.0, "a")
    b = a * 3.0
    e = explain(b.tanh())
    assert [s.name for s in e.forward_steps] == ["n2", "n3"]
    assert str(e.forward_steps[0]) == "n2 = a * 3 = 2 * 3 = 6"
    assert e.names[a] == "a" and e.names[b.parents[1]] == "3"
    text = str(e)
    # a constant needs no gradient: its partial is not even computed, and the listing says so
    assert "a  ∂n2/∂a = 3 → 3   × 2.45765e-05   = 7.37296e-05   a.grad = 7.37296e-05" in text
    assert "3  (a constant: it needs no gradient)" in text
    assert "Gradients ∂n3/∂v of the named leaves\n  a   7.37296e-05" in text


def test_explain_after_backward_says_the_grads_were_added():
    x = Value(2.0, "x")
    y = x * x
    y.backward()
    text = str(explain(y))
    assert "x.grad = 4" in text  # this pass, counted from 0
    assert "already had a gradient" in text and "so x.grad is now 8." in text
    assert x.grad == 8.0


def test_node_reuse_shows_both_contributions_and_the_running_grad():
    x = Value(3.0, "x")
    y = x * x
    (step,) = explain(y).backward_steps
    rows = [(p.name, p.contribution, p.grad_after) for p in step.partials]
    assert rows == [("x", 3.0, 3.0), ("x", 3.0, 6.0)]


def test_explain_leaves_grads_exactly_as_backward():
    def build():
        x = Value(0.4, "x")
        h = (x * 1.7).tanh()
        return x, h * h + (h * x).exp()

    x1, out1 = build()
    out1.backward()
    x2, out2 = build()
    explain(out2)
    assert x2.grad == x1.grad and out2.grad == out1.grad == 1.0


def test_defined_ops_show_their_formulas():
    cube = define_op("cube", lambda v: v**3, [lambda v, out: 3 * v**2], ["∂(x³)/∂x = 3x²"], symbol="³")
    x = Value(2.0, "x")
    e = explain(cube(x))
    assert e.forward_steps[0].expression == "³(x)"
    (p,) = e.backward_steps[0].partials
    assert (p.formula, p.local, p.grad_after) == ("∂(x³)/∂x = 3x²", 12.0, 12.0)
    assert "∂(x³)/∂x = 3x² → 12" in str(e)


def test_compact_summary_keeps_an_mlp_short():
    model = MLP(2, [16, 16, 1], seed=0)
    out = model([0.5, -0.3])
    e = explain(out)
    assert len(str(e).splitlines()) > 1000
    compact = e.to_text(compact=True).splitlines()
    assert len(compact) < 500
    assert "  [layer1/neuron3] z¹₃ = " in "\n".join(compact)  # Nielsen's names (issue 12)
    assert len(e.summary(max_lines=40).splitlines()) <= 40
