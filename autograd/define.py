"""define_op: a row of your own in the derivative table, checked as it is made.

Your row is used exactly like the built-in ones: backward(), grad() (to any order, if its
rules are written with + - * / ** and exp/log/tanh/sigmoid/relu), the explainer, graphs,
the page. What this file adds is the checking: every mistake in a definition is reported
when you define the op, and a forward or rule that returns something other than a number
is reported by the op's name when it runs.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from numbers import Real
from typing import Any

from .ops import BUILTIN
from .table import OPS, Op
from .text import describe, is_real, reworded

Rule = Callable[..., Any]


def define_op(
    name: str,
    forward: Callable[..., Any],
    derivatives: Sequence[Rule] | Rule,
    formulas: Sequence[str] | Callable[[int, int], str] | None = None,
    *,
    symbol: str | None = None,
    domain: Sequence[tuple[float, float]] | tuple[float, float] | None = None,
    written: str | Callable[[list[str]], str] | None = None,
) -> Op:
    """Add a row to the table and return it: a callable on Values or numbers.

    forward(*inputs) -> number; derivatives holds one rule per input, rule(*inputs, out)
    -> ∂out/∂input. formulas: one text per partial, with {x} or {a} {b} for the inputs and
    {out} for the output; symbol: what graphs draw (default: the name); written: how
    explanations write the op (default "name({0}, {1})"); domain: an interval per input
    where the op is smooth, for tests. A variadic op takes forward(xs), one rule(xs, out)
    returning every partial, and formulas(i, n).

        >>> square = define_op("square", lambda x: x * x, [lambda x, out: 2 * x], ["∂{out}/∂{x} = 2{x}"])
    """
    if name in BUILTIN:
        raise ValueError(f"define_op: {name!r} is a built-in op; choose another name")
    if not isinstance(name, str) or not name:
        raise ValueError(f"define_op: name must be a non-empty string, got {name!r}")
    if not callable(forward):
        raise TypeError(f"define_op {name!r}: forward must be callable, got {describe(forward)}")
    arity: int | None
    if callable(derivatives):  # variadic: one rule returns every partial
        arity, rules = None, _checked_rules(name, derivatives)
        if formulas is None:
            formulas = lambda i, n: f"∂{{out}}/∂{{{i}}}"
        elif not callable(formulas):
            raise TypeError(f"define_op {name!r}: a variadic op takes formulas as a function (i, n) -> str")
        written = written or (lambda names: f"{symbol or name}({', '.join(names)})")
    else:
        arity, rules, formulas = _fixed(name, forward, derivatives, formulas)
        written = written or f"{symbol or name}({', '.join(f'{{{i}}}' for i in range(arity))})"
    n = 3 if arity is None else arity
    if domain is None:
        domain = ((-2.0, 2.0),) * n
    elif len(domain) == 2 and all(isinstance(d, Real) for d in domain):
        domain = (tuple(domain),) * n  # type: ignore[assignment]
    op = Op(name, symbol or name, _checked_forward(name, forward), rules, formulas, written, arity,
            domain)  # type: ignore[arg-type]
    OPS[name] = op
    return op


def _fixed(name: str, forward: Callable[..., Any], derivatives: Any, formulas: Any) -> tuple[int, Any, Any]:
    """Check one rule per input, and their formulas."""
    if isinstance(derivatives, (str, bytes)) or not isinstance(derivatives, Sequence):
        raise TypeError(
            f"define_op {name!r}: derivatives must be a list of rules, one per input, "
            f"got {describe(derivatives)}")
    arity = len(derivatives)
    if arity == 0:
        raise ValueError(f"define_op {name!r}: derivatives needs one rule per input, got none")
    for i, d in enumerate(derivatives):
        if not callable(d):
            raise TypeError(f"define_op {name!r}: derivatives[{i}] must be callable, got {describe(d)}")
        _check_takes(name, f"derivatives[{i}]", d, arity + 1, "each input, then out")
    _check_takes(name, "forward", forward, arity, "one float per input")
    if formulas is None:
        formulas = [f"∂{{out}}/∂{{{i}}}" for i in range(arity)]
    elif isinstance(formulas, str):
        raise TypeError(f"define_op {name!r}: formulas must be a list of strings, one per input")
    formulas = tuple(formulas)
    if len(formulas) != arity or not all(isinstance(f, str) for f in formulas):
        raise ValueError(f"define_op {name!r}: formulas must be {arity} string(s), one per input")
    return arity, _checked_rules(name, derivatives), formulas


def _check_takes(name: str, what: str, f: Callable[..., Any], n: int, meaning: str) -> None:
    """Refuse, when the op is defined, a function that cannot take n positional arguments."""
    try:
        signature = inspect.signature(f)
    except (TypeError, ValueError):  # a builtin without a signature: trust it
        return
    try:
        signature.bind(*range(n))
    except TypeError:
        raise TypeError(
            f"define_op {name!r}: {what} must take {n} argument(s) ({meaning}); it takes {signature}"
        ) from None


def _checked_forward(name: str, forward: Callable[..., Any]) -> Callable[..., Any]:
    """Your forward, made to return a float or say clearly what it returned instead."""

    def checked(*xs: Any) -> Any:
        try:
            out = forward(*xs)
        except (ArithmeticError, ValueError) as e:
            if name in str(e):
                raise
            raise reworded(e, f"{name}: {e} (its forward at {', '.join(map(repr, xs))})") from None
        if is_real(out):
            return float(out)
        raise TypeError(f"{name}: forward returned {describe(out)}; it must return a real number")

    return checked


def _checked_rules(name: str, rules: Any) -> Any:
    """Your rules, made to return a number (backward), or a node like out (create_graph),
    or say what they returned instead."""

    def check(i: int, d: Any, out: Any) -> Any:
        if is_real(d):
            return float(d)
        if type(d) is type(out) and not isinstance(out, float):
            return d
        also = "" if isinstance(out, float) else " or a " + type(out).__name__
        raise TypeError(
            f"{name}: derivative rule {i + 1} returned {describe(d)}; it must return a real number{also}")

    if callable(rules):
        return lambda xs, out: [check(i, d, out) for i, d in enumerate(rules(xs, out))]

    def wrap(i: int, rule: Rule) -> Rule:
        return lambda *xs: check(i, rule(*xs), xs[-1])

    return tuple(wrap(i, r) for i, r in enumerate(rules))
