"""grad(): first and higher derivatives, without touching .grad."""

import math

import pytest

from autograd import Value, exp, grad, no_grad, sigmoid, tanh


def test_grad_matches_backward_exactly_and_touches_no_grad():
    x, y = Value(0.3), Value(-1.2)
    f = (x * y).tanh() + (x / (1 + y * y)).exp() * x
    gx, gy = grad(f, [x, y])
    assert (x.grad, y.grad, f.grad) == (0.0, 0.0, 0.0)
    f.backward()
    assert (gx.data, gy.data) == (x.grad, y.grad)


def test_unreachable_input_gets_zero_and_a_single_value_is_accepted():
    x, z = Value(2.0), Value(5.0)
    f = x * x
    gx, gz = grad(f, [x, z])
    assert (gx.data, gz.data) == (4.0, 0.0)
    (g,) = grad(f, x)
    assert g.data == 4.0


def test_first_grads_are_leaves_without_create_graph():
    x = Value(3.0)
    (g,) = grad(x**3, [x])
    assert g.data == 27.0 and g.parents == ()


def test_second_and_third_derivatives_of_a_cube():
    x = Value(3.0)
    y = x**3
    (d1,) = grad(y, [x], create_graph=True)
    (d2,) = grad(d1, [x], create_graph=True)
    (d3,) = grad(d2, [x], create_graph=True)
    (d4,) = grad(d3, [x])
    assert (d1.data, d2.data, d3.data, d4.data) == (27.0, 18.0, 6.0, 0.0)


@pytest.mark.parametrize(
    "f, d1, d2",
    [
        (lambda x: tanh(x), lambda t: 1 - math.tanh(t) ** 2,
         lambda t: -2 * math.tanh(t) * (1 - math.tanh(t) ** 2)),
        (lambda x: sigmoid(x), lambda t: sigmoid(t) * (1 - sigmoid(t)),
         lambda t: sigmoid(t) * (1 - sigmoid(t)) * (1 - 2 * sigmoid(t))),
        (lambda x: exp(2 * x), lambda t: 2 * math.exp(2 * t), lambda t: 4 * math.exp(2 * t)),
        (lambda x: x.log() * x, lambda t: math.log(t) + 1, lambda t: 1 / t),
        (lambda x: 1 / x, lambda t: -1 / t**2, lambda t: 2 / t**3),
        (lambda x: x ** 0.5, lambda t: 0.5 * t ** -0.5, lambda t: -0.25 * t ** -1.5),
        (lambda x: 2 ** x, lambda t: math.log(2) * 2**t, lambda t: math.log(2) ** 2 * 2**t),
    ],
)
def test_second_derivatives_against_hand_formulas(f, d1, d2):
    for t in (0.4, 1.1, 2.3):
        x = Value(t)
        (g1,) = grad(f(x), [x], create_graph=True)
        (g2,) = grad(g1, [x])
        assert g1.data == pytest.approx(d1(t), rel=1e-12)
        assert g2.data == pytest.approx(d2(t), rel=1e-10)


def test_hessian_entries_of_a_two_variable_function():
    # f = x²y + sin-free mix: f = x**2 * y + exp(x*y)
    x, y = Value(0.5), Value(-0.7)
    f = x**2 * y + (x * y).exp()
    gx, gy = grad(f, [x, y], create_graph=True)
    hxx, hxy = grad(gx, [x, y])
    hyx, hyy = grad(gy, [x, y])
    e = math.exp(0.5 * -0.7)
    assert hxx.data == pytest.approx(2 * -0.7 + (-0.7) ** 2 * e, rel=1e-12)
    assert hxy.data == pytest.approx(2 * 0.5 + e + 0.5 * -0.7 * e, rel=1e-12)
    assert hyx.data == pytest.approx(hxy.data, rel=1e-12)
    assert hyy.data == pytest.approx(0.5**2 * e, rel=1e-12)


def test_create_graph_works_inside_no_grad():
    x = Value(2.0)
    y = x**3
    with no_grad():
        (d1,) = grad(y, [x], create_graph=True)
    (d2,) = grad(d1, [x])
    assert (d1.data, d2.data) == (12.0, 12.0)


def test_grad_rejects_non_values():
    x = Value(1.0)
    with pytest.raises(TypeError, match="output"):
        grad(3.0, [x])
    with pytest.raises(TypeError, match="inputs"):
        grad(x * 2, [1.0])
