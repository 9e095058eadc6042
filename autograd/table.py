"""The derivative table's row: what an op is, and how a row is made and checked.

An Op holds, side by side, the forward on floats, one rule per input for the local partial
∂out/∂input, the text of each partial, and the symbol graphs draw. define_op makes a row
from your functions and adds it to OPS; builtin_op makes the rows of ops.py. The engine,
grad(), the explainer and the renderer all read these rows, so a derivative is written once.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from numbers import Real
from typing import Any

from .engine import Scalar, Value, _apply, _is_real, _lift, _show, _with_message


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
