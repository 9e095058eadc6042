"""No silent wrong answers: cross-entropy without cancellation, NaN in gives NaN out,
exact logit losses, one overflow rule for every op, and gradcheck refuses infinities."""

import math

import pytest

import autograd
from autograd import (
    GradcheckError,
    Value,
    define_op,
    detect_anomaly,
    exp,
    gradcheck,
    linear,
    logsumexp,
    maximum,
    no_grad,
    total,
)
from nn import binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy

log1p = getattr(autograd, "log1p", None)  # new in issue 14


def softplus(x):  # log(1 + eˣ), exact in floats for any x
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


# -- cross-entropy -------------------------------------------------------------------------


@pytest.mark.parametrize("s, gap", [(1e15, 1.0), (1e16, 2.0), (1e300, 1e285), (-1e16, 2.0)])
def test_cross_entropy_does_not_cancel_at_large_logits(s, gap):
    zs = [Value(s), Value(s - gap)]
    gap = zs[0].data - zs[1].data  # the gap the floats really hold
    loss = cross_entropy(zs, 0)
    loss.backward()
    p1 = math.exp(-gap) / (1.0 + math.exp(-gap))  # softmax of the second logit (gap > 0)
    assert loss.data == pytest.approx(softplus(-gap), rel=1e-12)
    assert [z.grad for z in zs] == pytest.approx([-p1, p1], rel=1e-12)


def test_cross_entropy_of_the_issue():
    zs = [Value(1e15), Value(1e15 - 1)]
    loss = cross_entropy(zs, 0)
    loss.backward()
    assert loss.data == pytest.approx(0.31326168751822286, rel=1e-12)
    assert [z.grad for z in zs] == pytest.approx([-0.2689414213699951, 0.2689414213699951], rel=1e-12)


# -- NaN in, NaN out -----------------------------------------------------------------------


@pytest.mark.parametrize("a, b", [(math.nan, 1.0), (1.0, math.nan), (math.nan, math.nan),
                                  (math.nan, math.inf)])
def test_maximum_passes_nan_on_whichever_side_it_is(a, b):
    assert math.isnan(maximum(a, b).data)
    assert math.isnan(maximum(Value(a), Value(b)).data)
    with detect_anomaly(), pytest.raises(FloatingPointError, match=r"detect_anomaly: max\("):
        maximum(Value(a), Value(b))


@pytest.mark.parametrize("zs", [[math.inf, math.nan], [math.nan, math.inf], [-math.inf, math.nan],
                                [1.0, math.nan, 2.0]])
def test_logsumexp_passes_nan_on(zs):
    assert math.isnan(logsumexp(zs).data)
    with detect_anomaly(), pytest.raises(FloatingPointError, match=r"detect_anomaly: logsumexp\("):
        logsumexp([Value(z) for z in zs])


def test_logsumexp_of_infinities_is_still_exact():
    assert logsumexp([math.inf, 1.0]).data == math.inf
    assert logsumexp([-math.inf, -math.inf]).data == -math.inf


# -- binary cross-entropy ------------------------------------------------------------------


@pytest.mark.parametrize("t", [0.0, 1.0, 0.3])
@pytest.mark.parametrize("z", [-1000.0, -40.0, -5.0, 0.0, 5.0, 30.0, 35.0, 40.0, 700.0, 1000.0])
def test_bce_with_logits_is_exact_for_any_logit(z, t):
    v = Value(z)
    loss = binary_cross_entropy_with_logits(v, t)
    loss.backward()
    exact = t * softplus(-z) + (1 - t) * softplus(z)  # no cancellation: both terms ≥ 0
    assert loss.data == pytest.approx(exact, rel=1e-14, abs=0)
    sigma = 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))
    one_minus_sigma = 1.0 / (1.0 + math.exp(z)) if z <= 0 else math.exp(-z) / (1.0 + math.exp(-z))
    exact_grad = -t * one_minus_sigma + (1 - t) * sigma  # σ(z) − t, without rounding σ first
    assert v.grad == pytest.approx(exact_grad, rel=1e-14, abs=1e-300)


def test_bce_with_logits_of_the_issue():
    for z in (30.0, 35.0):  # it used to be 1.3% off at 30 and 0 at 35
        exact = math.log1p(math.exp(-z))
        assert binary_cross_entropy_with_logits(z, 1.0).data == pytest.approx(exact, rel=1e-15, abs=0)


@pytest.mark.parametrize("p", [1e-13, 1e-8, 1e-300, 0.3])
def test_bce_for_target_0_is_accurate_for_tiny_p(p):
    v = Value(p)
    loss = binary_cross_entropy(v, 0)
    loss.backward()
    assert loss.data == pytest.approx(-math.log1p(-p), rel=1e-15, abs=0)
    assert v.grad == pytest.approx(1.0 / (1.0 - p), rel=1e-15, abs=0)


def test_bce_with_a_soft_target_uses_log1p_too():
    p, t = 1e-11, 0.25  # above 1e-12, where log p is not yet continued by its tangent
    exact = -(t * math.log(p) + (1 - t) * math.log1p(-p))
    assert binary_cross_entropy(p, t).data == pytest.approx(exact, rel=1e-15, abs=0)


def test_log1p_is_a_row_of_the_table():
    x = Value(1e-13, "x")
    y = log1p(x)
    y.backward()
    assert (y.data, x.grad) == (math.log1p(1e-13), 1.0 / (1.0 + 1e-13))
    assert log1p(1e-13) == math.log1p(1e-13)
    with pytest.raises(ValueError, match=r"log1p: input must be > -1, got -1.0"):
        log1p(Value(-1.0))
    assert math.isnan(log1p(math.nan))


# -- overflow: one rule for every op ---------------------------------------------------------


@pytest.mark.parametrize("name, make", [
    ("pow", lambda x: x ** 2),
    ("mul", lambda x: x * x),
    ("add", lambda x: x * 1e8 + x * 1e8),
    ("sub", lambda x: x * 1e8 - (-x) * 1e8),
    ("div", lambda x: x / 1e-10),
    ("exp", lambda x: exp(x)),
    ("linear", lambda x: linear([x], [x])),
    ("sum", lambda x: total([x * 1e8, x * 1e8])),
])
def test_every_op_that_overflows_raises_overflow_error_naming_it(name, make):
    x = Value(1e300, "x")
    with pytest.raises(OverflowError, match=rf"^{name}: .*too large for a float"):
        make(x)
    with no_grad(), pytest.raises(OverflowError, match=rf"^{name}: "):
        make(x)


def test_an_infinite_input_is_not_an_overflow():
    x = Value(math.inf, "x")
    assert (x * 2.0).data == math.inf and (x + x).data == math.inf
    assert math.isnan((x - x).data)  # IEEE: detect_anomaly() is the way to catch this
    with detect_anomaly(), pytest.raises(FloatingPointError):
        x * 2.0


def test_the_overflow_message_names_the_inputs():
    x = Value(1e300, "x")
    with pytest.raises(OverflowError, match=r"^mul: mul\(x=1e\+300, x=1e\+300\) = inf: the result is too"):
        x * x


# -- gradcheck refuses infinities --------------------------------------------------------------


@pytest.mark.parametrize("expected", [[math.inf], [-math.inf], [math.nan]])
def test_gradcheck_fails_on_a_non_finite_expected_value(expected):
    with pytest.raises(GradcheckError, match=r"not finite"):
        gradcheck(lambda x: x * x, [1.0], expected=expected)
    report = gradcheck(lambda x: x * x, [1.0], expected=expected, raise_exception=False)
    assert not report.ok and not report.rows[0].ok


def test_gradcheck_fails_on_a_non_finite_computed_value():
    spike = define_op("spike_test", lambda x: x, [lambda x, out: math.inf])
    report = gradcheck(lambda x: spike(x), [1.0], raise_exception=False)
    assert not report.ok and "autograd's value is inf" in report.rows[0].note
