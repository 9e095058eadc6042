"""Value: construction, attributes, operators and the errors they raise."""

from fractions import Fraction

import numpy as np
import pytest

from autograd import Value, exp, log, relu, sigmoid, tanh


@pytest.mark.parametrize(
    "data, expected",
    [(3, 3.0), (2.5, 2.5), (True, 1.0), (False, 0.0), (np.float64(1.5), 1.5),
     (np.float32(0.5), 0.5), (np.int64(7), 7.0), (np.bool_(True), 1.0), (Fraction(1, 4), 0.25)],
)
def test_data_is_stored_as_a_python_float(data, expected):
    v = Value(data)
    assert type(v.data) is float
    assert v.data == expected


@pytest.mark.parametrize(
    "bad, type_name",
    [("1.0", "str"), (None, "NoneType"), ([1.0], "list"), (1 + 2j, "complex"),
     ({"a": 1}, "dict"), (np.complex128(1), "complex128"), (np.array([[1.0, 2.0]]), "shape"),
     (np.array(["a"]), "dtype <U1"), (np.array([]), "shape")],
)
def test_non_real_data_raises_type_error_naming_the_type(bad, type_name):
    with pytest.raises(TypeError, match=type_name):
        Value(bad)


def test_a_value_is_not_data():
    with pytest.raises(TypeError, match="Value"):
        Value(Value(1.0))


def test_label_must_be_a_string():
    with pytest.raises(TypeError, match="label"):
        Value(1.0, label=3)


def test_attributes_start_and_are_writable():
    v = Value(2.0, label="w")
    assert (v.data, v.grad, v.label, v.op, v.parents) == (2.0, 0.0, "w", "", ())
    v.data, v.grad, v.label = 5.0, 1.5, "w2"
    assert (v.data, v.grad, v.label) == (5.0, 1.5, "w2")


def test_op_and_parents_are_read_only():
    v = Value(1.0) + 2
    with pytest.raises(AttributeError):
        v.op = "mul"
    with pytest.raises(AttributeError):
        v.parents = ()


def test_parents_keep_argument_order_and_duplicates():
    x, y = Value(2.0), Value(3.0)
    assert (x * x).parents == (x, x)
    assert (x - y).parents == (x, y)
    assert (y - x).parents == (y, x)
    assert (x + x).parents == (x, x)


@pytest.mark.parametrize(
    "make, op, data",
    [
        (lambda x, y: x + y, "add", 5.0),
        (lambda x, y: x - y, "sub", -1.0),
        (lambda x, y: x * y, "mul", 6.0),
        (lambda x, y: x / y, "div", 2.0 / 3.0),
        (lambda x, y: x**y, "pow", 8.0),
        (lambda x, y: x**2, "pow_const", 4.0),
        (lambda x, y: -x, "neg", -2.0),
        (lambda x, y: x.exp(), "exp", np.exp(2.0)),
        (lambda x, y: x.log(), "log", np.log(2.0)),
        (lambda x, y: x.tanh(), "tanh", np.tanh(2.0)),
        (lambda x, y: x.sigmoid(), "sigmoid", 1 / (1 + np.exp(-2.0))),
        (lambda x, y: x.relu(), "relu", 2.0),
    ],
)
def test_operators_make_nodes_with_the_right_op_and_data(make, op, data):
    out = make(Value(2.0), Value(3.0))
    assert out.op == op
    assert out.data == pytest.approx(data, rel=1e-15)


@pytest.mark.parametrize(
    "make, data",
    [
        (lambda x: 1 + x, 3.0), (lambda x: x + 1, 3.0), (lambda x: 1 - x, -1.0),
        (lambda x: x - 1, 1.0), (lambda x: 3 * x, 6.0), (lambda x: x * 3, 6.0),
        (lambda x: 1 / x, 0.5), (lambda x: x / 4, 0.5), (lambda x: 2**x, 4.0),
        (lambda x: x**3, 8.0), (lambda x: np.float64(2.0) * x, 4.0), (lambda x: np.int64(3) + x, 5.0),
        (lambda x: +x, 2.0),
    ],
)
def test_numbers_work_on_either_side(make, data):
    out = make(Value(2.0))
    assert isinstance(out, Value)
    assert out.data == data


def test_a_number_operand_becomes_a_constant_leaf_parent():
    x = Value(2.0)
    y = 3 * x
    c, same = y.parents
    assert same is x and c.op == "" and c.data == 3.0 and c.label == ""


@pytest.mark.parametrize("other", ["a", None, [1.0], 1j, {"k": 1}])
@pytest.mark.parametrize("op", ["+", "-", "*", "/", "**"])
def test_operands_of_other_types_raise_type_error_not_attribute_error(op, other):
    x = Value(2.0)  # noqa: F841 (used by eval)
    with pytest.raises(TypeError):
        eval(f"x {op} other")
    with pytest.raises(TypeError):
        eval(f"other {op} x")


@pytest.mark.parametrize("f, expected", [(exp, np.exp(0.5)), (log, np.log(0.5)), (tanh, np.tanh(0.5)),
                                         (sigmoid, 1 / (1 + np.exp(-0.5))), (relu, 0.5)])
def test_module_functions_take_floats_or_values(f, expected):
    out = f(0.5)
    assert type(out) is float and out == pytest.approx(expected, rel=1e-15)
    v = f(Value(0.5))
    assert isinstance(v, Value) and v.data == out
    with pytest.raises(TypeError, match="str"):
        f("0.5")


def test_comparisons_look_at_data_and_equality_is_identity():
    a, b = Value(1.0), Value(2.0)
    assert a < b and b > a and a <= 1 and b >= 2.0 and not a > 1
    assert max([a, b]) is b
    assert Value(1.0) != Value(1.0)
    assert len({a, b, a}) == 2


def test_repr_shows_data_grad_label_and_op():
    x = Value(2.0, "x")
    assert repr(x) == "Value(data=2.0, grad=0.0, label='x')"
    assert repr(x * 3) == "Value(data=6.0, grad=0.0, op='mul')"


def test_value_has_slots_not_a_dict():
    assert not hasattr(Value(1.0), "__dict__")
    with pytest.raises(AttributeError):
        Value(1.0).something = 1
