"""gradcheck: catches wrong rules and wrong hand derivations, passes right ones."""

import math

import pytest

from autograd import GradcheckError, Value, define_op, gradcheck


def test_a_correct_function_passes_with_a_table():
    report = gradcheck(lambda x, y: x * y.tanh() + (x / (1 + y * y)).exp(), [0.5, -1.0])
    assert report.ok and len(report.rows) == 2
    assert all(r.ok and r.abs_error < 1e-8 for r in report.rows)
    text = str(report)
    assert text.startswith("gradcheck passed") and "∂f/∂x " in text and "∂f/∂y " in text
    unnamed = gradcheck(lambda *v: v[0] * v[1], [2.0, 3.0])  # no parameter names to use
    assert [r.name for r in unnamed.rows] == ["∂f/∂x1", "∂f/∂x2"]


def test_a_wrong_rule_is_caught_even_when_off_by_only_0_05_percent():
    # HIPS autograd's meta-test: a derivative of 2.001·x instead of 2·x
    bad = define_op("square_off_by_a_little", lambda x: x * x, [lambda x, out: 2.001 * x])
    report = gradcheck(lambda x: bad(x), [3.0], raise_exception=False)
    assert not report.ok
    (row,) = report.rows
    assert row.analytic == pytest.approx(6.003) and row.numeric == pytest.approx(6.0, abs=1e-8)
    assert "slightly wrong" in row.note
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x: bad(x), [3.0])
    assert isinstance(info.value, AssertionError)
    assert "FAIL" in str(info.value) and info.value.report is not None
    good = define_op("square_right", lambda x: x * x, [lambda x, out: 2.0 * x])
    assert gradcheck(lambda x: good(x), [3.0], order=2).ok


def test_a_wrong_hand_derivation_is_caught():
    f = lambda x, y: x * y.tanh()  # noqa: E731
    right = lambda x, y: [math.tanh(y), x * (1 - math.tanh(y) ** 2)]  # noqa: E731
    wrong = lambda x, y: [math.tanh(y), x * (1 - math.tanh(y))]  # noqa: E731
    assert gradcheck(f, [0.5, -1.0], expected=right).ok
    report = gradcheck(f, [0.5, -1.0], expected=wrong, raise_exception=False)
    assert [r.ok for r in report.rows] == [True, False]
    assert "your derivation gives" in report.rows[1].note
    assert report.rows[1].expected == pytest.approx(0.5 * (1 - math.tanh(-1.0)))
    slightly_off = [math.tanh(-1.0), 0.5 * 2.001 * (1 - math.tanh(-1.0) ** 2) / 2]
    listed = gradcheck(f, [0.5, -1.0], expected=slightly_off, raise_exception=False)
    assert not listed.ok  # a hand derivation off by 0.05% is also caught


def test_relu_passes_away_from_its_kink_and_is_reported_clearly_at_it():
    for x in (-0.7, 0.3, 2.0):
        assert gradcheck(lambda v: v.relu() * 3.0, [x]).ok
    report = gradcheck(lambda v: v.relu(), [0.0], raise_exception=False)
    (row,) = report.rows
    assert not report.ok and row.analytic == 0.0 and row.numeric == pytest.approx(0.5)
    assert "kink" in row.note and "left (0)" in row.note and "right (1)" in row.note
    assert "kink" in str(report)


def test_second_order_checks_every_hessian_entry():
    report = gradcheck(lambda x, y: x**3 * y + (x * y).sigmoid(), [0.4, -0.8], order=2)
    assert report.ok and len(report.second_order) == 4
    hxy = next(r for r in report.second_order if r.index == (0, 1))
    assert hxy.name == "∂²f/∂x∂y"
    s = 1 / (1 + math.exp(0.32))
    assert hxy.analytic == pytest.approx(3 * 0.4**2 + s * (1 - s) + 0.4 * -0.8 * s * (1 - s) * (1 - 2 * s))


def test_a_wrong_second_derivative_is_caught():
    # first derivative right, second wrong: the rule is written as a constant float
    def flat(x, out):
        return 3 * (x.data if isinstance(x, Value) else x) ** 2

    odd = define_op("cube_flat", lambda x: x**3, [flat])
    assert gradcheck(lambda x: odd(x), [1.2]).ok
    report = gradcheck(lambda x: odd(x), [1.2], order=2, raise_exception=False)
    assert not report.ok and report.second_order[0].analytic == 0.0


def test_large_values_do_not_fail_for_finite_difference_noise():
    assert gradcheck(lambda x: (x * 20).exp(), [1.0]).ok


def test_errors_inside_f_are_reported_not_raised():
    report = gradcheck(lambda x: x.log(), [1e-7], raise_exception=False)
    assert not report.ok and "smaller eps" in report.rows[0].note


def test_bad_arguments():
    with pytest.raises(TypeError, match="must return a Value"):
        gradcheck(lambda x: 3.0, [1.0])
    with pytest.raises(ValueError, match="order"):
        gradcheck(lambda x: x, [1.0], order=3)
    with pytest.raises(ValueError, match="one partial per input"):
        gradcheck(lambda x, y: x * y, [1.0, 2.0], expected=[1.0])
    with pytest.raises(TypeError, match="numbers"):
        gradcheck(lambda x: x, ["a"])


def test_an_undefined_derivative_is_reported_not_raised():
    report = gradcheck(lambda x: x**0.5, [0.0], raise_exception=False)
    (row,) = report.rows
    assert not report.ok and math.isnan(row.analytic)
    assert "autograd cannot differentiate f here" in row.note and "∂out/∂x = 0.5·x**-0.5" in row.note


def test_inputs_must_be_finite_and_expected_may_be_values():
    with pytest.raises(ValueError, match="finite"):
        gradcheck(lambda x: x, [math.nan])
    assert gradcheck(lambda x: x * x, [2.0], expected=lambda x: [Value(4.0)]).ok
    with pytest.raises(ValueError, match="atol must be a number ≥ 0"):
        gradcheck(lambda x: x, [1.0], atol="a")
