"""Bad input raises at the op with a clear message; no_grad, detect_anomaly, scope."""

import math

import pytest

from autograd import Value, detect_anomaly, exp, grad, log, no_grad, scope


@pytest.mark.parametrize("x", [0.0, -1.0, -1e-300])
def test_log_of_non_positive_raises_value_error_naming_op_and_value(x):
    with pytest.raises(ValueError, match=rf"log: input must be > 0, got {x!r}"):
        Value(x).log()
    with pytest.raises(ValueError, match="log"):
        log(x)


def test_labels_appear_in_forward_errors():
    with pytest.raises(ValueError, match=r"log\(x=-2.0\)"):
        Value(-2.0, "x").log()


def test_negative_base_to_non_integer_power_raises_instead_of_going_complex():
    with pytest.raises(ValueError, match=r"pow: a negative base to a non-integer power .*-8.0 \*\* 0.5"):
        Value(-8.0) ** 0.5
    with pytest.raises(ValueError, match="pow"):
        Value(-8.0) ** Value(1 / 3)
    with pytest.raises(ValueError, match="pow"):
        (-8.0) ** Value(0.5)
    assert (Value(-2.0) ** 3).data == -8.0  # integer powers of negatives are fine
    assert (Value(-2.0) ** Value(2.0)).data == 4.0


@pytest.mark.parametrize("make", [lambda: Value(1.0) / 0, lambda: Value(1.0) / Value(0.0),
                                  lambda: 1 / Value(0.0), lambda: Value(0.0) ** -1])
def test_division_by_zero_raises_zero_division_error(make):
    with pytest.raises(ZeroDivisionError, match="div|pow"):
        make()


def test_exp_overflow_raises_overflow_error():
    with pytest.raises(OverflowError, match=r"exp: exp\(1000.0\) is too large"):
        Value(1000.0).exp()
    with pytest.raises(OverflowError, match="exp"):
        exp(1000.0)
    with pytest.raises(OverflowError, match="pow"):
        Value(10.0) ** 400


def test_undefined_derivative_raises_in_backward_naming_the_op_and_formula():
    x = Value(0.0, "x")
    y = x**0.5
    assert y.data == 0.0
    message = r"backward through pow_const\(x=0.0\).*∂out/∂x = 0.5·x\*\*-0.5"
    with pytest.raises(ZeroDivisionError, match=message):
        y.backward()
    assert x.grad == 0.0 and y.grad == 0.0  # a failed pass changes no grad


def test_a_failed_backward_changes_no_grad():
    a = Value(2.0)
    b = Value(0.0, "b")
    ok = a * 3
    bad = ok + b**0.5
    a.grad = 5.0
    ok.grad = 1.5
    with pytest.raises(ZeroDivisionError):
        bad.backward()
    assert (a.grad, ok.grad, b.grad, bad.grad) == (5.0, 1.5, 0.0, 0.0)


def test_pow_exponent_derivative_is_undefined_for_a_negative_base():
    a, b = Value(-2.0, "a"), Value(2.0, "b")
    y = a**b
    with pytest.raises(ValueError, match=r"∂out/∂b = out·ln a"):
        y.backward()
    z = Value(0.0) ** Value(2.0)  # 0**b is 0 for every b > 0: slope 0
    z.backward()
    assert z.parents[1].grad == 0.0


def test_detect_anomaly_on_sqrt_at_zero_names_op_values_and_labels():
    x = Value(0.0, label="x")
    with detect_anomaly():
        y = x**0.5
        with pytest.raises(FloatingPointError, match=r"pow_const\(x=0.0\)"):
            y.backward()


def test_detect_anomaly_catches_non_finite_forward_results():
    # Issue 14: an overflow from finite inputs raises OverflowError in and out of the mode,
    # as exp(1000) and x ** 2 always did; the mode catches inf and NaN made from inf or NaN.
    big = Value(1e200, "big")
    with pytest.raises(OverflowError, match=r"mul\(big=1e\+200, big=1e\+200\) = inf"):
        big * big
    inf = Value(math.inf, "inf")
    assert math.isnan((inf * 0.0).data)  # outside the mode: IEEE arithmetic, no error
    with detect_anomaly():
        with pytest.raises(FloatingPointError, match=r"mul\(inf=inf, 0.0\) = nan"):
            inf * 0.0


def test_detect_anomaly_catches_non_finite_local_derivatives():
    x = Value(1e-320, "tiny")
    y = x.log()
    y.backward()  # 1/x overflows to inf: allowed outside the mode
    assert math.isinf(x.grad)
    x.grad = 0.0
    with detect_anomaly():
        y = x.log()
        with pytest.raises(FloatingPointError, match=r"log\(tiny=1e-320\)"):
            y.backward()
    assert x.grad == 0.0


def test_detect_anomaly_restores_the_previous_mode():
    with detect_anomaly():
        pass
    assert math.isnan((Value(math.inf) * 0.0).data)


def test_no_grad_makes_leaves_and_restores_recording():
    x = Value(2.0)
    with no_grad():
        y = x * 3 + 1
        z = y.exp()
    assert y.parents == () and y.op == "" and z.parents == ()
    assert (x * 3).parents[0] is x


def test_no_grad_works_as_a_decorator_and_nests():
    @no_grad()
    def f(v):
        return v * 2

    assert f(Value(1.0)).parents == ()
    with no_grad():
        with no_grad():
            pass
        assert (Value(1.0) + 1).parents == ()
    assert (Value(1.0) + 1).parents != ()


def test_scopes_tag_nodes_and_nest():
    x = Value(1.0)
    with scope("layer1"):
        a = x * 2
        with scope("neuron3"):
            b = a + 1
            w = Value(0.5)
        c = b * b
    d = c + 1
    assert (x.scope, a.scope, b.scope, w.scope, c.scope, d.scope) == (
        "", "layer1", "layer1/neuron3", "layer1/neuron3", "layer1", "")


@pytest.mark.parametrize("bad", ["", "a/b", 3, None])
def test_scope_names_are_checked(bad):
    with pytest.raises(ValueError, match="scope"):
        scope(bad)


def test_grad_under_anomaly_mode_still_works_for_finite_graphs():
    x = Value(0.5)
    with detect_anomaly():
        (g,) = grad(x.tanh() * x, [x], create_graph=True)
        (h,) = grad(g, [x])
    t = math.tanh(0.5)
    assert g.data == pytest.approx(t + 0.5 * (1 - t * t), rel=1e-14)
    assert h.data == pytest.approx(2 * (1 - t * t) - 2 * 0.5 * t * (1 - t * t), rel=1e-12)


def test_data_is_checked_and_converted_when_set():
    import numpy as np

    v = Value(1.0)
    v.data = np.float64(3.0)
    assert type(v.data) is float and type((v * 2).data) is float
    v.data = 2
    assert v.data == 2.0 and type(v.data) is float
    with pytest.raises(TypeError, match="Value.data must be a real number, got str"):
        v.data = "abc"


def test_x_to_the_zero_has_slope_zero_even_at_zero():
    x = Value(0.0)
    y = x**0
    y.backward()
    assert (y.data, x.grad) == (1.0, 0.0)


def test_a_scope_object_can_be_entered_again_while_open():
    s = scope("s")
    with s:
        with s:
            assert Value(1.0).scope == "s/s"
        assert Value(1.0).scope == "s"
    assert Value(1.0).scope == ""


def test_softmax_refuses_infinite_logits_instead_of_returning_nan():
    from autograd import softmax

    with pytest.raises(ValueError, match="finite"):
        softmax([float("inf"), 1.0])
    with pytest.raises(TypeError, match="softmax: expected a list"):
        softmax(1.0)
