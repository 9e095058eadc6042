"""How numbers, values and failures are written, for every layer of the package.

    num(2.0) == "2"            a number as a learner reads it
    describe("0.5")            "str '0.5'", for an error message
    call(v)                    "log(x=-2.0)": a node's op on its inputs, with their labels

The node helpers read only a node's public side (label, data, parents, row), so this file
imports nothing else from the package.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Real
from typing import Any


def is_real(x: Any) -> bool:
    """int, float, bool, Fraction or a numpy real scalar."""
    if type(x) is float or isinstance(x, Real):
        return True
    dtype = getattr(x, "dtype", None)
    return dtype is not None and getattr(x, "ndim", None) == 0 and dtype.kind in "biuf"


def real(what: str, x: Any) -> float:
    """x as a float, or a TypeError saying that `what` must be a real number."""
    if type(x) is float:
        return x
    if type(x) is not int and not is_real(x):
        kinds = " (int, float, bool or numpy real scalar)" if what == "Value: data" else ""
        raise TypeError(f"{what} must be a real number{kinds}, got {describe(x)}")
    try:
        return float(x)
    except OverflowError:
        raise OverflowError(f"{what}: {describe(x)} is too large for a float") from None


def sequence(owner: str, what: str, x: Any) -> Any:
    """x, if it is an ordered sequence with len() and indexing (a list, a tuple, an array);
    a TypeError naming owner and what otherwise."""
    ordered = hasattr(x, "__getitem__") and not isinstance(x, (str, bytes, bytearray, dict))
    try:
        len(x)
    except TypeError:
        ordered = False
    if not ordered:
        raise TypeError(f"{owner}: {what} must be a sequence (a list or an array), got {describe(x)}")
    return x


def describe(x: Any) -> str:
    """A type and a short repr, for error messages: "str '0.5'"."""
    r = repr(x)
    return f"{type(x).__name__} {r if len(r) <= 60 else r[:57] + '...'}"


def num(x: float, digits: int = 6, *, decimals: int | None = None) -> str:
    """A number as a learner reads it: `digits` significant digits, no trailing zeros.

    decimals=4 gives four decimals instead (as graph boxes show them), keeping four
    significant digits where that would hide most of the value, and e-notation for the
    very small and the very large.
    """
    if not math.isfinite(x):
        return str(x)
    if decimals is not None:
        if x == 0 or 10.0 ** (2 - decimals) <= abs(x) < 1e6:
            return f"{x:.{decimals}f}"
        return f"{x:.{decimals}g}" if 1e-5 <= abs(x) < 1 else f"{x:.{decimals - 1}e}"
    text = f"{x:.{digits}g}"
    return "0" if text == "-0" else text


def well_formed(s: str) -> str:
    """s with each lone surrogate (which UTF-8 cannot encode) replaced by U+FFFD."""
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:
        return s.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def label(owner: str, v: Any) -> str:
    """v.label, checked where it is read: it is writable, so it may have been set to anything."""
    if not isinstance(v.label, str):
        raise TypeError(f"{owner}: a label must be a str, got {describe(v.label)} "
                        f"(the label of a node with data {v.data!r})")
    return v.label


def reworded(e: BaseException, message: str) -> BaseException:
    """The same kind of exception with a clearer message."""
    try:
        return type(e)(message)
    except Exception:  # an exception type with an unusual constructor: keep it as it is
        return e


# -- failures at a node ------------------------------------------------------------------


def name(v: Any) -> str:
    """x=-2.0 for a labelled node, -2.0 otherwise."""
    return f"{v.label}={v.data!r}" if v.label else repr(v.data)


def call(v: Any, parents: Sequence[Any] | None = None, op: Any = None) -> str:
    """'pow_const(x=0.0)': v's op applied to its inputs, with labels where there are any."""
    ps = v.parents if parents is None else parents
    shown = [name(p) for p in ps[:8]] + ([f"... {len(ps) - 8} more"] if len(ps) > 8 else [])
    row = op or v.row
    return f"{row.name if row else ''}({', '.join(shown)})"


def input_name(v: Any, i: int) -> str:
    return str(v.parents[i].label) or f"input{i + 1}"


def formula(v: Any, i: int) -> str:
    """The text of ∂v/∂(its input i), in its inputs' labels where they have them."""
    names = [input_name(v, k) for k in range(len(v.parents))]
    return str(v.row.formula(i, len(names), names, v.label or "out"))


def labelled(e: BaseException, op: Any, parents: Sequence[Any]) -> BaseException:
    """A forward error, with the inputs' labels added when the user named any."""
    if not any(p.label for p in parents):
        return e
    return reworded(e, f"{e} [in {op.name}({', '.join(name(p) for p in parents[:8])})]")


def undefined(v: Any, e: BaseException, xs: Sequence[Any], out: Any, anomaly: bool) -> BaseException:
    """A rule failed at v: name the op, the input and the formula."""
    which = ""
    for i, rule in enumerate(v.row.derivatives if v.row.arity is not None else ()):
        try:
            rule(*xs, out)
        except (ArithmeticError, ValueError):
            which = f" with respect to {input_name(v, i)}, {formula(v, i)},"
            break
    msg = f"backward through {call(v)}: the local derivative{which} is undefined here ({e})"
    return FloatingPointError("detect_anomaly: " + msg) if anomaly else reworded(e, msg)


def from_finite(parents: Sequence[Any]) -> bool:
    """Every input finite: then an infinite result is an overflow, not IEEE carrying an inf on."""
    return all(math.isfinite(p.data) for p in parents)


def non_finite(v: Any, parents: Sequence[Any], op: Any, data: float) -> ArithmeticError:
    """A forward result of ±inf or NaN: from finite inputs an overflow, refused like exp(1000)
    is; from inputs already inf or NaN, what detect_anomaly() reports."""
    if not from_finite(parents):
        return FloatingPointError(f"detect_anomaly: {call(v, parents, op)} = {data!r}")
    why = "the result is too large for a float (the largest is 1.8e308)" if math.isinf(data) else \
        "NaN from finite inputs: a step overflowed, or the op has no real answer here"
    return OverflowError(f"{op.name}: {call(v, parents, op)} = {data!r}: {why}")


def check_grads(nodes: Sequence[Any], grads: Sequence[Any]) -> None:
    """backward(): every .grad must be a number before anything changes."""
    for v, g in zip(nodes, grads):
        if not is_real(g):
            raise TypeError(f"backward: {name(v)} has .grad = {describe(g)}; it must be a number")


def not_a_leaf(v: Any) -> str:
    return (f"cannot pickle or copy {call(v)}: it is a node of a graph, made by an op, and only leaves "
            "(inputs, parameters) can be; pickle or copy the leaves (or the model), then run the forward "
            "pass again")


def stale(v: Any, i: int) -> RuntimeError:
    """Parent i of v had its .data changed after v was computed from it."""
    return RuntimeError(
        f"backward through {call(v)}: {input_name(v, i)}.data was changed after this node was "
        "computed from it, so its gradient would be for numbers it never saw. Run the forward "
        "pass again after changing .data (a common slip: opt.step() before loss.backward())")


def not_finite(v: Any, i: int, local: float, upstream: float, c: float) -> FloatingPointError:
    """detect_anomaly(): a local derivative, or its product with the upstream gradient."""
    if not math.isfinite(local):
        return FloatingPointError(f"detect_anomaly: backward through {call(v)}: the local derivative "
                                  f"∂/∂{input_name(v, i)} = {formula(v, i)} is {local!r}")
    return FloatingPointError(f"detect_anomaly: backward through {call(v)}: local derivative "
                              f"{local!r} × upstream {upstream!r} = {c!r}")
