"""define_op: your own rows in the derivative table."""

import math

import pytest

from autograd import OPS, Value, define_op, exp, grad, sigmoid

swish = define_op(
    "swish",
    lambda x: x * sigmoid(x),
    [lambda x, out: sigmoid(x) + x * sigmoid(x) * (1 - sigmoid(x))],
    ["∂(x·σ(x))/∂x = σ(x) + x·σ(x)(1−σ(x))"],
)


def test_a_defined_op_makes_nodes_and_differentiates():
    x = Value(0.8, "x")
    y = swish(x)
    assert y.op == "swish" and y.parents == (x,)
    s = 1 / (1 + math.exp(-0.8))
    assert y.data == pytest.approx(0.8 * s, rel=1e-15)
    y.backward()
    assert x.grad == pytest.approx(s + 0.8 * s * (1 - s), rel=1e-14)


def test_a_defined_op_is_in_the_table_with_its_formulas():
    assert OPS["swish"] is swish
    assert swish.formula(0, 1).startswith("∂(x·σ(x))/∂x")


def test_a_defined_op_takes_numbers_and_returns_a_value():
    y = swish(0.5)
    assert isinstance(y, Value) and y.parents[0].data == 0.5


def test_rules_written_with_module_functions_give_second_derivatives():
    softexp = define_op("softexp", lambda x: math.exp(x) + x, [lambda x, out: exp(x) + 1])
    x = Value(0.3)
    (g,) = grad(softexp(x), [x], create_graph=True)
    (h,) = grad(g, [x])
    assert g.data == pytest.approx(math.exp(0.3) + 1, rel=1e-15)
    assert h.data == pytest.approx(math.exp(0.3), rel=1e-15)


def test_two_input_op_with_partials_for_each():
    hypot = define_op(
        "hypot",
        math.hypot,
        [lambda a, b, out: a / out, lambda a, b, out: b / out],
        ["∂√(a²+b²)/∂a = a/out", "∂√(a²+b²)/∂b = b/out"],
        symbol="hypot",
    )
    a, b = Value(3.0), Value(4.0)
    c = hypot(a, b)
    c.backward()
    assert (c.data, a.grad, b.grad) == (5.0, 0.6, 0.8)


def test_variadic_op():
    prod = define_op(
        "prod",
        lambda xs: math.prod(xs),
        lambda xs, out: [out / x for x in xs],
        lambda i, n: f"∂(Π xⱼ)/∂x{i + 1} = Π_(j≠{i + 1}) xⱼ",
    )
    xs = [Value(2.0), Value(3.0), Value(4.0)]
    y = prod(*xs)
    y.backward()
    assert y.data == 24.0 and [x.grad for x in xs] == [12.0, 8.0, 6.0]


def test_wrong_number_of_inputs_is_a_type_error():
    with pytest.raises(TypeError, match="swish: takes 1 input"):
        swish(Value(1.0), Value(2.0))


def test_non_number_inputs_are_type_errors():
    with pytest.raises(TypeError, match="swish: inputs must be Values or real numbers, got str"):
        swish("x")


def test_a_forward_returning_a_non_number_is_reported_by_name():
    bad = define_op("bad_forward", lambda x: complex(x, 1), [lambda x, out: 1.0])
    with pytest.raises(TypeError, match="bad_forward: forward returned complex"):
        bad(Value(1.0))


def test_a_rule_returning_a_non_number_is_reported_by_name():
    bad = define_op("bad_rule", lambda x: x, [lambda x, out: "one"])
    y = bad(Value(1.0))
    with pytest.raises(TypeError, match="bad_rule: derivative rule 1 returned str"):
        y.backward()


@pytest.mark.parametrize(
    "args, error, match",
    [
        (("", lambda x: x, [lambda x, o: 1.0]), ValueError, "name"),
        (("mul", lambda x: x, [lambda x, o: 1.0]), ValueError, "built-in"),
        (("f1", "notcallable", [lambda x, o: 1.0]), TypeError, "forward"),
        (("f2", lambda x: x, []), ValueError, "one rule per input"),
        (("f3", lambda x: x, [1.0]), TypeError, r"derivatives\[0\]"),
        (("f4", lambda x: x, [lambda x, o: 1.0], ["a", "b"]), ValueError, "formulas"),
        (("f5", lambda x: x, "rule"), TypeError, "list of rules"),
        (("f6", lambda x: x, [lambda x: 1.0]), TypeError, r"derivatives\[0\] must take 2 argument\(s\)"),
        (("f7", lambda x, y: x, [lambda x, o: 1.0]), TypeError, "forward must take 1 argument"),
        (("f8", lambda x: x, [lambda x, o: 1.0], "a"), TypeError, "list of strings"),
    ],
)
def test_bad_definitions_are_rejected(args, error, match):
    with pytest.raises(error, match=match):
        define_op(*args)


def test_redefining_a_user_op_replaces_it():
    first = define_op("twice", lambda x: 2 * x, [lambda x, o: 2.0])
    second = define_op("twice", lambda x: 2 * x, [lambda x, o: 2.0], ["∂(2x)/∂x = 2"])
    assert OPS["twice"] is second and first is not second


def test_errors_inside_your_forward_name_the_op():
    root = define_op("sqrt_op", math.sqrt, [lambda x, out: 0.5 / out])
    with pytest.raises(ValueError, match=r"sqrt_op: math domain error \(its forward at -1.0\)"):
        root(Value(-1.0))
