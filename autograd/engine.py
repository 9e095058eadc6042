"""The engine: a graph of scalar `Value` nodes, and reverse-mode differentiation over it.

Every operation on Values makes a new node that remembers its op and its parents (its
inputs, in argument order). `backward()` walks the graph from the output y back to the
leaves and applies the chain rule at every node v, for each parent p of v:

    ∂y/∂p  +=  ∂v/∂p · ∂y/∂v          (local partial × upstream gradient)

The local partial ∂v/∂p comes from v's op: one row of the derivative table (table.py says
what a row is, ops.py holds the rows). Rules are pure: they return ∂v/∂p and nothing else.
Only this engine multiplies by the upstream gradient and accumulates, so every rule is
written exactly once and serves `backward()`, `grad()` (also to higher order), the
explainer and the renderer.

The file reads top to bottom: the modes (no_grad, detect_anomaly, scope), the Value node,
and making nodes. Walking the graph backwards, with the chain rule, is backprop.py.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from numbers import Real
from typing import TYPE_CHECKING, Any, Union

if TYPE_CHECKING:
    from .table import Op

Number = Union[int, float]  # noqa: UP007 (runtime aliases for Python 3.10)
Scalar = Union["Value", int, float]  # noqa: UP007

# ---------------------------------------------------------------------------------------
# Modes: no_grad, detect_anomaly, scope. Plain module globals, read on every new node,
# so they cost nothing measurable. They are per process, not per thread.
# ---------------------------------------------------------------------------------------

_record = True  # False inside no_grad(): ops then return leaves
_anomaly = False  # True inside detect_anomaly(): non-finite results and partials raise
_scope = ""  # the current scope path, e.g. "layer1/neuron3"; "" outside any scope


@contextmanager
def no_grad() -> Iterator[None]:
    """Inside this block ops return leaves (parents == ()), so nothing builds a graph.

    Use it for SGD updates and evaluation. Works as a decorator too: @no_grad().
    """
    global _record
    saved, _record = _record, False
    try:
        yield
    finally:
        _record = saved


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Inside this block any op whose result or local derivative is NaN or ±inf raises
    FloatingPointError naming the op, its input values and their labels."""
    global _anomaly
    saved, _anomaly = _anomaly, True
    try:
        yield
    finally:
        _anomaly = saved


def scope_path(outer: str, name: str) -> str:
    """The path of scope name opened inside the scope path outer ("" at the top)."""
    return f"{outer}/{name}" if outer else name


class scope:
    """`with scope("layer1"):` tags every node created inside with "layer1".

    Scopes nest into paths ("layer1/neuron3"); draw_dot draws each scope as a box
    (a Graphviz cluster) and collapse=True folds it into one node.
    """

    __slots__ = ("name", "_saved")

    def __init__(self, name: str) -> None:
        if not isinstance(name, str) or not name or "/" in name:
            raise ValueError(f"scope: name must be a non-empty string without '/', got {name!r}")
        self.name = name
        self._saved: list[str] = []  # a stack, so one scope object may be entered while open

    def __enter__(self) -> scope:
        global _scope
        self._saved.append(_scope)
        _scope = scope_path(_scope, self.name)
        return self

    def __exit__(self, *exc: object) -> None:
        global _scope
        _scope = self._saved.pop()


# ---------------------------------------------------------------------------------------
# The node
# ---------------------------------------------------------------------------------------


class Value:
    """A scalar in the graph: its data, the gradient accumulated into it, and its origin.

    data   the number (a float; writable)
    grad   ∂y/∂self summed over every backward() from an output y (starts at 0.0)
    label  a name for graphs and explanations (writable)
    op     the name of the op that made it ('' for a leaf)       read-only
    parents  its inputs, in argument order, duplicates kept    read-only
    """

    # Parents live in two slots rather than a tuple: a unary node uses _a, a binary node
    # _a and _b. That saves a tuple per node (about a third of the memory). An n-ary node
    # keeps two tuples whose concatenation is its parents, so that a neuron's Σ nodes can
    # share them: _a holds the neuron's parameters (the same tuple for every sample) and _b
    # the layer's inputs (the same tuple for every neuron). _n is scratch space for the
    # topological sort. The engine reads and writes _data directly; the data property
    # checks what users set.
    __slots__ = ("_data", "grad", "label", "_op", "_a", "_b", "_scope", "_n")

    # numpy scalars then defer to our reflected operators: np.float64(2) * v is a Value.
    __array_ufunc__ = None

    def __init__(self, data: Number, label: str = "") -> None:
        if not _is_real(data):
            raise TypeError(
                "Value: data must be a real number (int, float, bool or numpy real scalar), "
                f"got {_show(data)}"
            )
        if not isinstance(label, str):
            raise TypeError(f"Value: label must be a str, got {_show(label)}")
        self._data = float(data)
        self.grad = 0.0
        self.label = label
        self._op = self._a = self._b = None
        self._scope = _scope
        self._n = 0

    # -- data: a float, checked when you set it (the engine reads the _data slot directly)

    @property
    def data(self) -> float:
        """The number this node holds."""
        return self._data

    @data.setter
    def data(self, value: Number) -> None:
        if not _is_real(value):
            raise TypeError(f"Value.data must be a real number, got {_show(value)}")
        self._data = float(value)

    # -- introspection ------------------------------------------------------------------

    @property
    def op(self) -> str:
        """The name of the op that made this node; '' for a leaf."""
        return "" if self._op is None else self._op.name

    @property
    def parents(self) -> tuple[Value, ...]:
        """The inputs of the op that made this node, in argument order (x*x has two)."""
        op = self._op
        if op is None:
            return ()
        if op.arity == 1:
            return (self._a,)
        if op.arity == 2:
            return (self._a, self._b)
        return self._a + self._b

    @property
    def scope(self) -> str:
        """The scope path this node was created in ('' outside any scope)."""
        return self._scope

    def __repr__(self) -> str:
        extra = f", label={self.label!r}" if self.label else ""
        extra += f", op={self.op!r}" if self._op is not None else ""
        return f"Value(data={self._data!r}, grad={self.grad!r}{extra})"

    # -- arithmetic: each operator is one row of the table ------------------------------

    def __add__(self, other: Scalar) -> Value:  # self + other
        if type(other) is not Value and (other := _lift(other)) is None:
            return NotImplemented
        return _apply2(ADD, self, other)

    def __radd__(self, other: Number) -> Value:  # other + self
        if type(other) is not Value and (other := _lift(other)) is None:
            return NotImplemented
        return _apply2(ADD, other, self)

    def __sub__(self, other: Scalar) -> Value:
        if type(other) is not Value and (other := _lift(other)) is None:
            return NotImplemented
        return _apply2(SUB, self, other)

    def __rsub__(self, other: Number) -> Value:
        if type(other) is not Value and (other := _lift(other)) is None:
            return NotImplemented
        return _apply2(SUB, other, self)

    def __mul__(self, other: Scalar) -> Value:
        if type(other) is not Value and (other := _lift(other)) is None:
            return NotImplemented
        return _apply2(MUL, self, other)

    def __rmul__(self, other: Number) -> Value:
        if type(other) is not Value and (other := _lift(other)) is None:
            return NotImplemented
        return _apply2(MUL, other, self)

    def __truediv__(self, other: Scalar) -> Value:
        if type(other) is not Value and (other := _lift(other)) is None:
            return NotImplemented
        return _apply2(DIV, self, other)

    def __rtruediv__(self, other: Number) -> Value:
        if type(other) is not Value and (other := _lift(other)) is None:
            return NotImplemented
        return _apply2(DIV, other, self)

    def __pow__(self, other: Scalar) -> Value:
        """x ** 2 is one node with one parent; x ** y (y a Value) has two."""
        if type(other) is Value:
            return _apply2(POW, self, other)
        if _is_real(other):
            return _apply1(pow_const(other), self)
        return NotImplemented

    def __rpow__(self, other: Number) -> Value:  # 2 ** x
        if (other := _lift(other)) is None:
            return NotImplemented
        return _apply2(POW, other, self)

    def __neg__(self) -> Value:
        return _apply1(NEG, self)

    def __pos__(self) -> Value:
        return self

    def exp(self) -> Value:
        """eˣ; ∂eˣ/∂x = eˣ. OverflowError past x ≈ 709.78."""
        return _apply1(EXP, self)

    def log(self) -> Value:
        """ln x for x > 0 (ValueError otherwise); ∂ln x/∂x = 1/x."""
        return _apply1(LOG, self)

    def tanh(self) -> Value:
        """tanh x; ∂tanh x/∂x = 1 − tanh²x."""
        return _apply1(TANH, self)

    def sigmoid(self) -> Value:
        """σ(x) = 1/(1 + e⁻ˣ), without overflow; ∂σ/∂x = σ(1 − σ)."""
        return _apply1(SIGMOID, self)

    def relu(self) -> Value:
        """max(0, x); ∂relu/∂x = 1 if x > 0 else 0."""
        return _apply1(RELU, self)

    # -- comparisons look at data, so rules like `1.0 if x > 0 else 0.0` run on Values.
    # == stays identity: Values are dict keys and set members throughout the engine.

    def __lt__(self, other: Scalar) -> bool:
        o = _number(other)
        return NotImplemented if o is None else self._data < o

    def __le__(self, other: Scalar) -> bool:
        o = _number(other)
        return NotImplemented if o is None else self._data <= o

    def __gt__(self, other: Scalar) -> bool:
        o = _number(other)
        return NotImplemented if o is None else self._data > o

    def __ge__(self, other: Scalar) -> bool:
        o = _number(other)
        return NotImplemented if o is None else self._data >= o

    # -- gradients ----------------------------------------------------------------------

    def backward(self) -> None:
        """Add ∂self/∂v to v.grad for every node v reachable from self (self.grad += 1).

        Purely additive: calling it twice doubles every grad exactly. Iterative, so a graph
        a million nodes deep is fine.
        """
        _backward(self)


# ---------------------------------------------------------------------------------------
# Making nodes
# ---------------------------------------------------------------------------------------

_new = object.__new__


def _leaf(x: float) -> Value:
    """A constant leaf, skipping __init__'s checks (x is already a float)."""
    v = _new(Value)
    v._data = x
    v.grad = 0.0
    v.label = ""
    v._op = v._a = v._b = None
    v._scope = _scope
    v._n = 0
    return v


def _node(op: Op, data: float, a: Any, b: Any) -> Value:
    """A new node made by op from parents a and b (two tuples for an n-ary op, whose
    concatenation is the parents; b is None for a unary op); a leaf under no_grad()."""
    v = _new(Value)
    v._data = data
    v.grad = 0.0
    v.label = ""
    if _record:
        v._op = op
        v._a = a
        v._b = b
    else:
        v._op = v._a = v._b = None
    v._scope = _scope
    v._n = 0
    if _anomaly and not math.isfinite(data):
        inputs = (a,) if b is None else a + b if type(a) is tuple else (a, b)
        raise FloatingPointError(f"detect_anomaly: {_call(op, inputs)} = {data!r}")
    return v


def _apply1(op: Op, a: Value) -> Value:
    try:
        data = op.forward(a._data)
    except (ArithmeticError, ValueError) as e:
        raise _labelled(e, op, (a,)) from None
    return _node(op, data, a, None)


def _apply2(op: Op, a: Value, b: Value) -> Value:
    try:
        data = op.forward(a._data, b._data)
    except (ArithmeticError, ValueError) as e:
        raise _labelled(e, op, (a, b)) from None
    return _node(op, data, a, b)


def _apply(op: Op, xs: Sequence[Value]) -> Value:
    """Apply op to a list of Values of any length."""
    if op.arity == 1:
        return _apply1(op, xs[0])
    if op.arity == 2:
        return _apply2(op, xs[0], xs[1])
    return _applyn(op, tuple(xs), ())


def _applyn(op: Op, a: tuple[Value, ...], b: tuple[Value, ...]) -> Value:
    """Apply an op with more than two inputs (like a neuron's Σ) to the Values a + b."""
    xs = a + b
    datas = [x._data for x in xs]
    try:
        data = op.forward(datas) if op.arity is None else op.forward(*datas)
    except (ArithmeticError, ValueError) as e:
        raise _labelled(e, op, xs) from None
    return _node(op, data, a, b)


# ---------------------------------------------------------------------------------------
# Small helpers for numbers and messages
# ---------------------------------------------------------------------------------------


def _is_real(x: Any) -> bool:
    """int, float, bool, Fraction or a numpy real scalar (np.float64, np.int64, np.bool_)."""
    if isinstance(x, Real):
        return True
    dtype = getattr(x, "dtype", None)
    return (
        dtype is not None
        and type(x).__module__ == "numpy"
        and getattr(x, "ndim", None) == 0
        and dtype.kind in "biuf"
    )


def _lift(x: Any) -> Value | None:
    """x as a Value: a Value passes through, a real number becomes a constant leaf,
    anything else gives None (the operator then returns NotImplemented -> TypeError)."""
    if type(x) is Value:
        return x
    if type(x) is float:
        return _leaf(x)
    if _is_real(x):
        return _leaf(float(x))
    return None


def _number(x: Any) -> float | None:
    if type(x) is Value:
        return x._data
    if _is_real(x):
        return float(x)
    return None


def _num(x: float) -> str:
    """A number as short text: 2.0 -> '2', 0.5 -> '0.5'."""
    return f"{x:g}"


def _show(x: Any) -> str:
    """A type and a short repr, for error messages."""
    r = repr(x)
    if len(r) > 60:
        r = r[:57] + "..."
    return f"{type(x).__name__} {r}"


def _name(v: Value) -> str:
    return f"{v.label}={v._data!r}" if v.label else repr(v._data)


def _call(op: Op, inputs: Sequence[Value]) -> str:
    """'pow(x=0.0, 0.5)': the op applied to its inputs, with labels where there are any."""
    shown = [_name(v) for v in inputs[:8]]
    if len(inputs) > 8:
        shown.append(f"... {len(inputs) - 8} more")
    return f"{op.name}({', '.join(shown)})"


def _with_message(e: BaseException, message: str) -> BaseException:
    try:
        return type(e)(message)
    except Exception:  # an exception type with an unusual constructor: keep it as it is
        return e


def _labelled(e: BaseException, op: Op, inputs: Sequence[Value]) -> BaseException:
    """Add the inputs' labels to a forward error, when the user named any of them."""
    if not any(v.label for v in inputs):
        return e
    return _with_message(e, f"{e} [in {_call(op, inputs)}]")


# backward() and the built-in rows (Values' operators) are built on what is above, so they
# are imported last; Value's methods look them up when they run.
from .backprop import backward as _backward  # noqa: E402
from .ops import ADD, DIV, EXP, LOG, MUL, NEG, POW, RELU, SIGMOID, SUB, TANH, pow_const  # noqa: E402
