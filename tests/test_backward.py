"""backward(): published worked examples, node reuse, additivity, depth."""

import math

import pytest

from autograd import Value


def test_cs231n_circuit():
    # CS231n "Backpropagation, Intuitions": f = (x + y) z at x=-2, y=5, z=-4
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    q = x + y
    f = q * z
    f.backward()
    assert f.data == -12.0
    assert (x.grad, y.grad, z.grad) == (-4.0, -4.0, 3.0)
    assert (q.grad, f.grad) == (-4.0, 1.0)


def test_cs231n_sigmoid_neuron():
    # CS231n: f(w, x) = σ(w0 x0 + w1 x1 + w2), w = [2, -3, -3], x = [-1, -2]
    w = [Value(2.0), Value(-3.0), Value(-3.0)]
    x = [Value(-1.0), Value(-2.0)]
    f = (w[0] * x[0] + w[1] * x[1] + w[2]).sigmoid()
    f.backward()
    assert f.data == pytest.approx(0.7310585786, abs=1e-9)
    assert [v.grad for v in w] == pytest.approx([-0.1966119332, -0.3932238665, 0.1966119332], abs=1e-9)
    assert [v.grad for v in x] == pytest.approx([0.3932238665, -0.5898357998], abs=1e-9)


def test_cs231n_sigmoid_neuron_spelled_out_with_exp_and_division():
    # The same neuron built from primitive gates, as the CS231n notes draw it
    w0, x0, w1, x1, w2 = (Value(v) for v in (2.0, -1.0, -3.0, -2.0, -3.0))
    f = 1.0 / (1.0 + (-(w0 * x0 + w1 * x1 + w2)).exp())
    f.backward()
    assert f.data == pytest.approx(0.7310585786, abs=1e-9)
    expected = [-0.1966119332, -0.3932238665, 0.1966119332]
    assert [w0.grad, w1.grad, w2.grad] == pytest.approx(expected, abs=1e-9)


def test_micrograd_readme_expression():
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    assert g.data == pytest.approx(24.70408163, abs=1e-8)
    assert a.grad == pytest.approx(138.83381924, abs=1e-8)
    assert b.grad == pytest.approx(645.57725947, abs=1e-8)


def test_node_reuse_accumulates_every_path():
    a = Value(3.0)
    b = a + a  # db/da = 2
    c = b * b  # dc/db = 2b = 12
    d = a * a  # dd/da = 2a = 6
    out = c + d
    out.backward()
    assert a.grad == 2 * 12 + 6
    assert b.grad == 12.0
    x = Value(-2.0)
    (x * x).backward()
    assert x.grad == -4.0


def test_backward_twice_doubles_every_grad_exactly():
    # micrograd issue #53: a=3, b=2, c=a+b, d=1, e=c*d; micrograd gives a.grad=3, not 2
    a, b, d = Value(3.0), Value(2.0), Value(1.0)
    c = a + b
    e = c * d
    e.backward()
    first = [v.grad for v in (a, b, c, d, e)]
    assert first == [1.0, 1.0, 1.0, 5.0, 1.0]
    e.backward()
    assert [v.grad for v in (a, b, c, d, e)] == [2 * g for g in first]


def test_backward_twice_through_deep_shared_intermediates():
    x = Value(0.7)
    h = (x * 1.3).tanh()
    y = h * h + h.exp() * x
    y.backward()
    once = x.grad
    y.backward()
    assert x.grad == 2 * once
    y.backward()
    assert x.grad == 2 * once + once


def test_intermediate_grads_from_an_earlier_pass_do_not_leak():
    # y1 and y2 share h. After y1.backward(), h.grad is non-zero; y2.backward() must not
    # push that stale value into x.
    x = Value(2.0)
    h = x * x
    y1 = h * 3.0
    y2 = h + 1.0
    y1.backward()
    assert x.grad == 3.0 * 4.0
    y2.backward()
    assert x.grad == 12.0 + 4.0
    assert h.grad == 3.0 + 1.0


def test_backward_adds_one_to_the_root_and_works_on_a_leaf():
    x = Value(5.0)
    x.backward()
    assert x.grad == 1.0
    y = x * 2
    y.backward()
    assert y.grad == 1.0 and x.grad == 3.0


def test_relu_derivative_at_zero_is_zero():
    x = Value(0.0)
    x.relu().backward()
    assert x.grad == 0.0
    y = Value(1e-300)
    y.relu().backward()
    assert y.grad == 1.0


def test_a_million_node_chain():
    # micrograd's recursive topological sort dies near 1000 nodes deep
    x = Value(1.0)
    c = Value(1.0)
    y = x
    for _ in range(1_000_000):
        y = y * c
    y.backward()
    assert x.grad == 1.0
    assert c.grad == 1_000_000.0


def test_gradient_of_unreachable_nodes_is_untouched():
    x, z = Value(1.0), Value(2.0)
    y = x * 3
    z.grad = 7.0
    y.backward()
    assert z.grad == 7.0


def test_sigmoid_saturates_without_overflow():
    for big, expected in ((1000.0, 1.0), (-1000.0, 0.0), (710.0, 1.0)):
        x = Value(big)
        s = x.sigmoid()
        s.backward()
        assert s.data == expected
        assert x.grad == 0.0
    x = Value(-710.0)  # e^-710 is a subnormal float: tiny but still exact enough
    s = x.sigmoid()
    s.backward()
    assert 0.0 < s.data < 1e-300 and math.isfinite(x.grad) and x.grad == pytest.approx(s.data)
    x = Value(-30.0)
    s = x.sigmoid()
    s.backward()
    assert s.data == pytest.approx(math.exp(-30) / (1 + math.exp(-30)), rel=1e-14)
    assert x.grad == pytest.approx(s.data * (1 - s.data), rel=1e-14)


def test_backward_and_explain_agree_bit_for_bit_where_nothing_flows_back():
    # Many Σ nodes of a ReLU net get an upstream gradient of exactly 0 (a dead ReLU, a met
    # hinge margin). backward() and explain() (which records every term) must agree to the
    # last bit, signs of zeros included.
    from autograd import explain
    from autograd.backprop import toposort
    from nn import MLP, hinge_loss, make_moons, mean

    X, y = make_moons(40, noise=0.1, seed=3)
    model = MLP(2, [8, 8, 1], seed=4)
    loss = mean([hinge_loss(model(list(x)), 2 * t - 1) for x, t in zip(X, y)])
    nodes = toposort(loss)
    loss.backward()
    fast = [v.grad for v in nodes]
    dead = [v for v in nodes if v.op == "linear" and v.grad == 0.0]
    assert len(dead) > 20
    for v in nodes:
        v.grad = 0.0
    explain(loss)
    assert [v.grad for v in nodes] == fast
    assert [math.copysign(1, v.grad) for v in nodes] == [math.copysign(1, g) for g in fast]


def test_a_zero_upstream_gradient_still_multiplies_out_an_infinite_partial():
    # 0 × ∞ is NaN in backward() as in explain(): the skip only drops terms that are ±0.
    from autograd import explain, linear

    for run in (lambda y: y.backward(), explain):
        w, x = Value(math.inf), Value(2.0)
        y = 0.0 * linear([w], [x], 0.0)  # ∂y/∂Σ = 0, ∂Σ/∂x = w = ∞
        run(y)
        assert math.isnan(x.grad) and w.grad == 0.0


def test_a_negative_zero_grad_comes_out_as_explain_leaves_it():
    # The skip of ±0.0 terms must not keep a -0.0 that adding a +0.0 term would clear.
    from autograd import explain, linear, relu

    results = []
    for run in (lambda y: y.backward(), explain):
        w, x = Value(2.0), Value(-3.0)
        y = relu(linear([w], [x], 0.0))  # Σ = -6: nothing flows back into it
        x.grad = -0.0
        run(y)
        results.append(math.copysign(1.0, x.grad))
    assert results == [1.0, 1.0]


def test_a_failed_backward_puts_back_every_grad_bit_for_bit():
    x, z = Value(0.0), Value(2.0)
    y = z * x**0.5  # ∂√x/∂x is undefined at 0
    x.grad, z.grad = -0.0, 7.0
    with pytest.raises(ZeroDivisionError):
        y.backward()
    assert math.copysign(1.0, x.grad) == -1.0 and z.grad == 7.0 and y.grad == 0.0


def test_a_rule_that_returns_a_value_on_floats_is_refused_by_name():
    # backward() runs rules on floats; a rule that hands back a Value (here one captured
    # from outside) would make the grads Values. It is refused, and no grad changes.
    from autograd import define_op

    s = Value(2.0)
    scaled = define_op("scaled_sum_test", lambda xs: s.data * sum(xs), lambda xs, out: [s] * len(xs))
    xs = [Value(1.0), Value(-2.0), Value(-3.0)]
    with pytest.raises(TypeError, match=r"scaled_sum_test: derivative rule 1 returned Value .*real number"):
        scaled(*xs).backward()
    assert [x.grad for x in xs] == [0.0, 0.0, 0.0]


def test_explain_writes_a_weighted_sum_with_each_weight_next_to_its_input():
    from autograd import explain, linear

    z = linear([Value(2.0, "w1"), Value(3.0, "w2")], [Value(5.0, "x1"), Value(7.0, "x2")], Value(1.0, "b"))
    z.label = "z"
    assert str(explain(z).forward_steps[0]) == "z = w1·x1 + w2·x2 + b = 2·5 + 3·7 + 1 = 32"
