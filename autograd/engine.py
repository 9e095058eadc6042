"""The engine: a graph of scalar `Value` nodes, and reverse-mode differentiation over it.

Every operation on Values makes a new node that remembers its op and its parents (its
inputs, in argument order). `backward()` walks the graph from the output y back to the
leaves and applies the chain rule at every node v, for each parent p of v:

    ∂y/∂p  +=  ∂v/∂p · ∂y/∂v          (local partial × upstream gradient)

The local partial ∂v/∂p comes from v's op: one row of the derivative table (ops.py), made
with `define_op`. Rules are pure: they return ∂v/∂p and nothing else. Only this engine
multiplies by the upstream gradient and accumulates, so every rule is written exactly once
and serves `backward()`, `grad()` (also to higher order), the explainer and the renderer.

The file reads top to bottom: the table's row type, the modes (no_grad, detect_anomaly,
scope), the Value node, making nodes, the topological sort, then backward and grad.
"""

from __future__ import annotations

import inspect
import math
import operator
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from itertools import filterfalse
from numbers import Real
from typing import Any, Union

Number = Union[int, float]  # noqa: UP007 (runtime aliases for Python 3.10)
Scalar = Union["Value", int, float]  # noqa: UP007

# ---------------------------------------------------------------------------------------
# One row of the derivative table
# ---------------------------------------------------------------------------------------


class Op:
    """One row of the derivative table: an op's forward, its local partials, their formulas.

    forward(*xs) -> float        the op on plain floats
    derivatives[i](*xs, out)     the local partial ∂out/∂xs[i]; written once, it runs on
                                 floats in backward() and on Values under create_graph=True
    formulas[i]                  that partial as text, e.g. "∂(a·b)/∂a = b"

    A variadic op (any number of inputs, like Σ wᵢxᵢ + b) has arity None and takes its
    inputs as one list: forward(xs) -> float, derivatives(xs, out) -> every partial, and
    formulas(i, n) -> the text of partial i.
    """

    __slots__ = ("name", "symbol", "forward", "derivatives", "formulas", "arity", "domain")

    def __init__(self, name, symbol, forward, derivatives, formulas, arity, domain):
        self.name = name
        self.symbol = symbol
        self.forward = forward
        self.derivatives = derivatives
        self.formulas = formulas
        self.arity = arity
        self.domain = domain

    def formula(self, i: int, n: int) -> str:
        """Text of the local partial with respect to input i (of n)."""
        if self.arity is None:
            return self.formulas(i, n)
        return self.formulas[i]

    def evaluate(self, xs: Sequence[float]) -> float:
        """The forward on a list of floats, whatever the op's arity."""
        return self.forward(xs) if self.arity is None else self.forward(*xs)

    def partials(self, xs: Sequence[Any], out: Any) -> Sequence[Any]:
        """Every local partial ∂out/∂xs[i], on floats or (for create_graph) on Values."""
        if self.arity is None:
            return self.derivatives(xs, out)
        return [d(*xs, out) for d in self.derivatives]

    def __call__(self, *args: Scalar) -> Value:
        """Apply the op to Values or numbers; always returns a Value."""
        if self.arity is not None and len(args) != self.arity:
            raise TypeError(f"{self.name}: takes {self.arity} input(s), got {len(args)}")
        xs = []
        for x in args:
            v = _lift(x)
            if v is None:
                raise TypeError(
                    f"{self.name}: inputs must be Values or real numbers, got {_show(x)}"
                )
            xs.append(v)
        return _apply(self, xs)

    def __repr__(self) -> str:
        return f"Op({self.name!r}, symbol={self.symbol!r}, arity={self.arity})"


# The table itself: name -> Op. ops.py fills it with the built-in rows; define_op adds yours.
OPS: dict[str, Op] = {}
_BUILTIN: set[str] = set()


def define_op(
    name: str,
    forward: Callable[..., float],
    derivatives: Sequence[Callable[..., Any]] | Callable[..., Sequence[Any]],
    formulas: Sequence[str] | Callable[[int, int], str] | None = None,
    *,
    symbol: str | None = None,
    domain: Sequence[tuple[float, float]] | tuple[float, float] | None = None,
) -> Op:
    """Add a row to the derivative table and return the op, a callable on Values or numbers.

    forward(*floats) -> float. derivatives holds one rule per input: rule(*inputs, out) is
    the local partial ∂out/∂input_i. Write rules with + - * / ** and exp/log/tanh/sigmoid/
    relu and they run on floats (backward) and on Values (grad(create_graph=True)) alike.
    formulas holds optional text, one per partial, shown by the explainer and the graph;
    symbol is what graphs draw (default: the name); domain is an interval per input where
    the op is smooth, used to pick test points.

    A variadic op (any number of inputs) takes them as one list: pass forward(xs) -> float,
    a single rule derivatives(xs, out) -> every partial, and formulas as a function
    (i, n) -> the text of partial i.

        >>> square = define_op("square", lambda x: x * x, [lambda x, out: 2 * x], ["∂(x²)/∂x = 2x"])
        >>> square(Value(3.0)).data
        9.0
    """
    if name in _BUILTIN:
        raise ValueError(f"define_op: {name!r} is a built-in op; choose another name")
    op = _make_op(name, forward, derivatives, formulas, symbol, domain)
    # Your functions are wrapped so that a wrong return type is reported by op name.
    op.forward = _checked_forward(name, op.forward)
    op.derivatives = _checked_rules(name, op.derivatives)
    OPS[name] = op
    return op


def builtin_op(name, forward, derivatives, formulas, symbol, domain=None) -> Op:
    """define_op for the rows of ops.py: the same checks and table, minus the return-type
    wrappers (the built-in functions are known to return floats)."""
    op = _make_op(name, forward, derivatives, formulas, symbol, domain)
    OPS[name] = op
    _BUILTIN.add(name)
    return op


def _make_op(name, forward, derivatives, formulas, symbol, domain) -> Op:
    """Check a row's parts and build its Op."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"define_op: name must be a non-empty string, got {name!r}")
    if not callable(forward):
        raise TypeError(f"define_op {name!r}: forward must be callable, got {_show(forward)}")
    if callable(derivatives):  # variadic: one rule returning every partial
        arity = None
        if formulas is None:
            formulas = lambda i, n: f"∂{name}/∂x{i + 1}"  # noqa: E731
        elif not callable(formulas):
            raise TypeError(
                f"define_op {name!r}: a variadic op takes formulas as a function (i, n) -> str"
            )
    else:
        if isinstance(derivatives, (str, bytes)) or not isinstance(derivatives, Sequence):
            raise TypeError(
                f"define_op {name!r}: derivatives must be a list of rules, one per input, "
                f"got {_show(derivatives)}"
            )
        derivatives = tuple(derivatives)
        arity = len(derivatives)
        if arity == 0:
            raise ValueError(f"define_op {name!r}: derivatives needs one rule per input, got none")
        for i, d in enumerate(derivatives):
            if not callable(d):
                raise TypeError(
                    f"define_op {name!r}: derivatives[{i}] must be callable, got {_show(d)}"
                )
            _check_takes(name, f"derivatives[{i}]", d, arity + 1, "each input, then out")
        _check_takes(name, "forward", forward, arity, "one float per input")
        if formulas is None:
            formulas = tuple(f"∂{name}/∂x{i + 1}" for i in range(arity))
        else:
            if isinstance(formulas, str):
                raise TypeError(f"define_op {name!r}: formulas must be a list of strings, one per input")
            formulas = tuple(formulas)
            if len(formulas) != arity or not all(isinstance(f, str) for f in formulas):
                raise ValueError(
                    f"define_op {name!r}: formulas must be {arity} string(s), one per input"
                )
    n = 3 if arity is None else arity
    if domain is None:
        domain = ((-2.0, 2.0),) * n
    elif len(domain) == 2 and all(isinstance(d, Real) for d in domain):
        domain = (tuple(domain),) * n
    return Op(name, symbol or name, forward, derivatives, formulas, arity, tuple(domain))


def _check_takes(name: str, what: str, f: Callable[..., Any], n: int, meaning: str) -> None:
    """Refuse, when defining the op, a function that cannot take n positional arguments."""
    try:
        signature = inspect.signature(f)
    except (TypeError, ValueError):  # a builtin without a signature: trust it
        return
    try:
        signature.bind(*range(n))
    except TypeError:
        raise TypeError(
            f"define_op {name!r}: {what} must take {n} argument(s) ({meaning}); "
            f"it takes {signature}"
        ) from None


def _checked_forward(name: str, forward: Callable[..., Any]) -> Callable[..., float]:
    """A user's forward, made to return a float or say clearly what it returned instead."""

    def checked(*xs: float) -> float:
        try:
            out = forward(*xs)
        except (ArithmeticError, ValueError) as e:
            if name in str(e):
                raise
            raise _with_message(e, f"{name}: {e} (its forward at {', '.join(map(repr, xs))})") from None
        if type(out) is float:
            return out
        if _is_real(out):
            return float(out)
        raise TypeError(f"{name}: forward returned {_show(out)}; it must return a real number")

    return checked


def _checked_rules(name: str, rules: Any) -> Any:
    """A user's rules, made to return numbers (or Values) or say what they returned."""

    def check(i: int, d: Any) -> Any:
        if type(d) is float or type(d) is Value:
            return d
        if _is_real(d):
            return float(d)
        raise TypeError(
            f"{name}: derivative rule {i + 1} returned {_show(d)}; "
            "it must return a real number or a Value"
        )

    if callable(rules):
        return lambda *xs: [check(i, d) for i, d in enumerate(rules(*xs))]

    def wrap(i: int, rule: Callable[..., Any]) -> Callable[..., Any]:
        return lambda *xs: check(i, rule(*xs))

    return tuple(wrap(i, r) for i, r in enumerate(rules))


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
        _scope = f"{_scope}/{self.name}" if _scope else self.name
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
    # _a and _b, and only n-ary nodes keep a tuple in _a. That saves a tuple per node
    # (about a third of the memory). _n is scratch space for the topological sort. The
    # engine reads and writes _data directly; the data property checks what users set.
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
        return self._a

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
        backward(self)


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
    """A new node made by op from parents (a, b); a leaf under no_grad()."""
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
        inputs = a if b is None and type(a) is tuple else (a,) if b is None else (a, b)
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
    return _applyn(op, tuple(xs))


def _applyn(op: Op, xs: tuple[Value, ...]) -> Value:
    """Apply an op with more than two inputs (like a neuron's Σ) to a tuple of Values."""
    datas = [x._data for x in xs]
    try:
        data = op.forward(datas) if op.arity is None else op.forward(*datas)
    except (ArithmeticError, ValueError) as e:
        raise _labelled(e, op, xs) from None
    return _node(op, data, xs, None)


_pow_ops: dict[float, Op] = {}


def pow_const(k: Number) -> Op:
    """The row for x ** k with a constant k: one parent, drawn as "**k".

    Its rule is the base rule of the general pow row with b = k, not a second copy.
    """
    k = float(k)
    op = _pow_ops.get(k)
    if op is None:
        d_base = POW.derivatives[0]
        kt = _num(k)
        op = Op(
            "pow",
            f"**{kt}",
            lambda a, _k=k: POW.forward(a, _k),
            (lambda a, out, _k=k: d_base(a, _k, out),),
            (f"∂(x**{kt})/∂x = {kt}·x**{_num(k - 1)}",),
            1,
            ((0.2, 2.0),),
        )
        _pow_ops[k] = op
    return op


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


# ---------------------------------------------------------------------------------------
# The topological sort (iterative: micrograd's recursion dies near 1000 nodes deep)
# ---------------------------------------------------------------------------------------


_seen = operator.attrgetter("_n")  # non-zero once toposort has met a node


def toposort(root: Value) -> list[Value]:
    """Every node reachable from root, each after all of its parents; root comes last.

    An iterative depth-first search (micrograd's recursive one dies near 1000 nodes deep):
    a node is emitted once all its parents have been, so the list runs from the inputs to
    the output, and backward walks it in reverse. The first parent is explored first, so
    f = (x + y) * z gives x, y, x+y, z, f. A node's _n slot marks it while this runs
    (1: expanded, 2: emitted) and is back to 0 when it returns.
    """
    if type(root) is not Value:
        raise TypeError(f"expected a Value, got {_show(root)}")
    order: list[Value] = []
    emit = order.append
    stack = [root]
    push, pop = stack.append, stack.pop
    try:
        while stack:
            v = stack[-1]
            state = v._n
            if state:  # its parents are done (or this is a duplicate entry): emit it once
                pop()
                if state == 1:
                    v._n = 2
                    emit(v)
                continue
            v._n = 1
            op = v._op
            if op is None:
                continue
            # Queue the parents not seen yet, last first, so that the first parent is
            # explored first. A parent may be queued twice before it is expanded; the
            # extra entry is skipped when it surfaces.
            if op.arity == 2:
                if not v._b._n:
                    push(v._b)
                if not v._a._n:
                    push(v._a)
            elif op.arity == 1:
                if not v._a._n:
                    push(v._a)
            else:  # many parents (a neuron's Σ): pick the unseen ones at C speed
                stack.extend(filterfalse(_seen, reversed(v._a)))
        return order
    finally:
        for v in order:
            v._n = 0
        for v in stack:  # only if interrupted
            v._n = 0


# ---------------------------------------------------------------------------------------
# Backward and grad
# ---------------------------------------------------------------------------------------

# observe(node, i, parent, local, upstream, contribution), called after each accumulation
Observer = Callable[[Value, int, Value, float, float, float], None]


def backward(root: Value, observe: Observer | None = None) -> None:
    """root.backward(): add ∂root/∂v to v.grad for every v reachable from root.

    observe, if given, is called after every single accumulation (the explainer uses it to
    record each step); the arithmetic is the same either way.
    """
    order = toposort(root)
    order.reverse()  # from the output back to the inputs
    # This pass computes each node's gradient from zero and adds it to .grad at the very
    # end. Propagating grads left over from an earlier pass would leak them into this one
    # (micrograd's repeated-backward bug), and adding each contribution straight into an
    # old grad would round differently: this way a second call doubles every grad exactly.
    old = [(v, v.grad) for v in order if v.grad]
    for v, _ in old:
        v.grad = 0.0
    root.grad = 1.0
    try:
        _sweep(order, observe)
    except BaseException as e:
        for u in order:  # all or nothing: a failed pass leaves every grad as it was
            u.grad = 0.0
        for u, g in old:
            u.grad = g
        if isinstance(e, (ArithmeticError, ValueError)) and not isinstance(e, FloatingPointError):
            _explain_failure(order)
        raise
    for v, g in old:
        v.grad += g


def _sweep(order: list[Value], observe: Observer | None) -> None:
    """The chain rule, node by node from the output: p.grad += ∂v/∂p · v.grad.

    The common cases (one or two parents, any number of parents) have fast paths that
    call the table's rules directly; the general path, used under detect_anomaly or with
    an observer, does the same arithmetic through _local_partials.
    """
    fast = observe is None and not _anomaly
    for v in order:
        op = v._op
        if op is None:  # a leaf: nothing to pass on
            continue
        g = v.grad
        k = op.arity
        if not fast:
            parents = v.parents
            for i, (p, d) in enumerate(zip(parents, _local_partials(v, parents, False))):
                c = d * g
                if _anomaly and not math.isfinite(c):
                    raise FloatingPointError(
                        f"detect_anomaly: backward through {_call(op, parents)}: "
                        f"local derivative {d!r} × upstream {g!r} = {c!r}"
                    )
                p.grad += c
                if observe is not None:
                    observe(v, i, p, d, g, c)
        elif k == 2:
            a = v._a
            b = v._b
            x = a._data
            y = b._data
            out = v._data
            da, db = op.derivatives
            a.grad += da(x, y, out) * g
            b.grad += db(x, y, out) * g
        elif k == 1:
            a = v._a
            a.grad += op.derivatives[0](a._data, v._data) * g
        else:
            parents = v._a
            xs = [p._data for p in parents]
            ds = op.derivatives(xs, v._data) if k is None else op.partials(xs, v._data)
            for p, d in zip(parents, ds):
                p.grad += d * g


def _explain_failure(order: list[Value]) -> None:
    """Find the node whose rule failed and raise again, naming its op, input and formula."""
    for v in order:
        if v._op is not None:
            _local_partials(v, v.parents, False)


def _local_partials(v: Value, parents: Sequence[Value], symbolic: bool) -> list:
    """The local partials ∂v/∂p for v's parents, from v's row of the table.

    On floats (symbolic=False) or, for create_graph, on the Values themselves. An undefined
    partial raises naming the op, its inputs and the formula; under detect_anomaly a
    non-finite one raises FloatingPointError.
    """
    op = v._op
    if symbolic:
        xs: Sequence[Any] = parents
        out: Any = v
    else:
        xs = [p._data for p in parents]
        out = v._data
    try:
        ds = op.partials(xs, out)
    except (ArithmeticError, ValueError) as e:
        i = _failing_input(op, xs, out)
        which = "" if i is None else (
            f" with respect to {_input_name(parents, i)}, {op.formula(i, len(parents))},"
        )
        msg = f"backward through {_call(op, parents)}: the local derivative{which} is undefined here ({e})"
        if _anomaly:
            raise FloatingPointError("detect_anomaly: " + msg) from None
        raise _with_message(e, msg) from None
    if _anomaly:
        for i, d in enumerate(ds):
            x = d._data if type(d) is Value else d
            if not math.isfinite(x):
                raise FloatingPointError(
                    f"detect_anomaly: backward through {_call(op, parents)}: the local derivative "
                    f"∂/∂{_input_name(parents, i)} = {op.formula(i, len(parents))} is {x!r}"
                )
    return ds


def _failing_input(op: Op, xs: Sequence[Any], out: Any) -> int | None:
    """Which input's rule raises (for the error message), or None for a variadic op."""
    if op.arity is None:
        return None
    for i, d in enumerate(op.derivatives):
        try:
            d(*xs, out)
        except (ArithmeticError, ValueError):
            return i
    return None


def _input_name(parents: Sequence[Value], i: int) -> str:
    p = parents[i]
    return p.label if p.label else f"input{i + 1}"


def grad(
    output: Value, inputs: Value | Sequence[Value], create_graph: bool = False
) -> list[Value]:
    """∂output/∂input for each input, as a list of Values. No .grad is touched.

    An input the output does not depend on gets 0.0. With create_graph=True the results are
    themselves graph nodes (the rules run on Values), so they can be differentiated again:
    second and third derivatives, Hessian entries.

        >>> x = Value(3.0); y = x ** 3
        >>> dy, = grad(y, [x], create_graph=True)     # 3x² = 27
        >>> d2y, = grad(dy, [x])                      # 6x  = 18
    """
    global _record
    if type(output) is not Value:
        raise TypeError(f"grad: output must be a Value, got {_show(output)}")
    if type(inputs) is Value:
        inputs = [inputs]
    inputs = list(inputs)
    for x in inputs:
        if type(x) is not Value:
            raise TypeError(f"grad: inputs must be Values, got {_show(x)}")
    order = toposort(output)
    order.reverse()
    grads: dict[Value, Any] = {output: _leaf(1.0) if create_graph else 1.0}
    saved = _record
    if create_graph:  # asking for a graph of the gradient overrides no_grad()
        _record = True
    try:
        for v in order:
            g = grads.get(v)
            if g is None or v._op is None:
                continue
            parents = v.parents
            for p, d in zip(parents, _local_partials(v, parents, create_graph)):
                c = d * g
                grads[p] = grads[p] + c if p in grads else c
    finally:
        _record = saved
    out = []
    for x in inputs:
        g = grads.get(x, 0.0)
        out.append(g if type(g) is Value else _leaf(float(g)))
    return out


# The built-in rows are made with define_op above, so they are imported last; the operator
# methods of Value look them up when they run.
from .ops import ADD, DIV, EXP, LOG, MUL, NEG, POW, RELU, SIGMOID, SUB, TANH  # noqa: E402
