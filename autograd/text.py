"""How numbers, values and failures are written, for every layer of the package.

    num(2.0) == "2"            a number as a learner reads it
    describe("0.5")            "str '0.5'", for an error message
    call(v)                    "log(x=-2.0)": a node's op on its inputs, with their labels
    Listing(text)              a multi-line text that notebooks show as text, not as '...\\n...'
    table(header, rows)        an HTML table, for the notebook views (_repr_html_)

The node helpers read only a node's public side (label, data, parents, row), so this file
imports nothing else from the package.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from numbers import Real
from typing import Any

import numpy as np


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


def data(what: str, x: Any) -> Any:
    """A Value's data: a float, or a batch (a 1-D float array, one number per sample)."""
    if type(x) is float:
        return x
    if isinstance(x, np.ndarray) and x.ndim == 1 and x.dtype.kind in "biuf" and len(x):
        return x.astype(float)  # a copy: the graph keeps the numbers it was computed from
    if isinstance(x, np.ndarray) and x.ndim != 0:
        raise TypeError(f"{what} must be a real number or a 1-D array of numbers over a batch, got an array "
                        f"of shape {x.shape} and dtype {x.dtype}")
    return real(what, x)


def batch_of(values: Any) -> int | None:
    """The batch size of a graph's nodes (None when no node holds a batch)."""
    return next((len(v.data) for v in values if isinstance(v.data, np.ndarray)), None)


def pick(x: Any, sample: int | None) -> Any:
    """Sample k of a batch (x itself when it is one number, or when no sample is asked for)."""
    return float(x[sample]) if sample is not None and isinstance(x, np.ndarray) else x


def check_sample(owner: str, sample: Any, batch: int | None) -> int | None:
    """sample as an index into the graph's batch, or a clear error."""
    if sample is None:
        return None
    if batch is None:
        raise ValueError(f"{owner}: sample={sample!r} was given, but no node of this graph holds a batch")
    if isinstance(sample, bool) or not isinstance(sample, int) or not -batch <= sample < batch:
        raise ValueError(f"{owner}: sample must be an integer index into the batch of {batch}, "
                         f"got {sample!r}")
    return sample % batch


def batch_note(batch: int | None, sample: int | None) -> str:
    """What the numbers of a batched graph's picture or listing are."""
    if batch is None:
        return ""
    if sample is None:
        return f"a batch of {batch} samples: ⟨mean … of {batch}⟩ is a mean over it (sample=k picks one)"
    return (f"a batch of {batch} samples: the numbers are sample {sample}'s, and a parameter's grad is "
            "summed over the whole batch")


def finite(x: Any) -> bool:
    """Every number of x (a number or a batch) is finite."""
    return bool(np.isfinite(x).all()) if isinstance(x, np.ndarray) else math.isfinite(x)


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


def num(x: Any, digits: int = 6, *, decimals: int | None = None) -> str:
    """A number as a learner reads it: `digits` significant digits, no trailing zeros.

    decimals=4 gives four decimals instead (as graph boxes show them), keeping four
    significant digits where that would hide most of the value, and e-notation for the
    very small and the very large. A batch is written as its mean and its size.
    """
    if isinstance(x, np.ndarray):
        return f"⟨mean {num(float(x.mean()), digits, decimals=decimals)} of {len(x)}⟩"
    if not math.isfinite(x):
        return str(x)
    if decimals is not None:
        if x == 0 or 10.0 ** (2 - decimals) <= abs(x) < 1e6:
            return f"{x:.{decimals}f}"
        return f"{x:.{decimals}g}" if 1e-5 <= abs(x) < 1 else f"{x:.{decimals - 1}e}"
    text = f"{x:.{digits}g}"
    return "0" if text == "-0" else text


class Listing(str):
    """A str that notebooks (IPython, Jupyter, VS Code) show as the text it is, in lines,
    instead of a quoted string full of \\n."""

    __slots__ = ()

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:  # IPython's text view
        p.text(str(self))

    def _repr_html_(self) -> str:
        return pre(self)


def pre(text: str, note: str = "") -> str:
    """Text in a <pre> block for a notebook, with an optional note in small print below it."""
    extra = f'<div style="color:#666;font-size:90%">{html.escape(note)}</div>' if note else ""
    return f'<pre style="line-height:1.35">{html.escape(text)}</pre>{extra}'


def table(header: Sequence[str], rows: Sequence[Sequence[Any]], caption: str = "") -> str:
    """An HTML table (every cell escaped), for notebook views."""
    def cells(tag: str, row: Sequence[Any]) -> str:
        return "".join(f"<{tag}>{html.escape(str(c))}</{tag}>" for c in row)

    head = f"<caption style='text-align:left'>{html.escape(caption)}</caption>" if caption else ""
    body = "".join(f"<tr>{cells('td', r)}</tr>" for r in rows)
    return f"<table>{head}<thead><tr>{cells('th', header)}</tr></thead><tbody>{body}</tbody></table>"


def value_repr(v: Any) -> str:
    """Value(data=2.0, grad=0.0, label='x', op='mul'): the label and op only when there are;
    a batch as its size and mean."""
    extra = f", label={v.label!r}" if v.label else ""
    extra += f", op={v.op!r}" if v.op else ""
    data, grad = (num(x) if isinstance(x, np.ndarray) else repr(x) for x in (v.data, v.grad))
    return f"Value(data={data}, grad={grad}{extra})"


def value_html(v: Any) -> str:
    """A Value in a notebook: its box as graphs draw it, label | data | grad, and its op."""
    made = f"made by {call(v)}" if v.parents else ("a constant" if not v.requires_grad else "a leaf")
    return table(["label", "data", "grad", ""], [[v.label or "—", num(v.data), num(v.grad), made]])


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
    """x=-2.0 for a labelled node, -2.0 otherwise (a batch: its size and first numbers)."""
    shown = repr(v.data)
    if isinstance(v.data, np.ndarray) and len(shown) > 60:
        shown = f"a batch of {v.data.size}: {shown[:40]}…"
    return f"{v.label}={shown}" if v.label else shown


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
    """A forward error, with the inputs' labels added when the user named any; batches of
    different sizes meeting are said to be that, not numpy's broadcasting message."""
    sizes = sorted({len(p.data) for p in parents if type(p.data) is np.ndarray})
    if len(sizes) > 1:
        met = " and ".join(map(str, sizes))
        e = ValueError(f"{op.name}: batches of different sizes meet ({met} samples); "
                       "all the batches in one graph must hold the same samples")
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
    return all(map(finite, (p.data for p in parents)))


def non_finite(v: Any, parents: Sequence[Any], op: Any, data: Any) -> ArithmeticError:
    """A forward result of ±inf or NaN: from finite inputs an overflow, refused like exp(1000)
    is; from inputs already inf or NaN, what detect_anomaly() reports. Over a batch: the
    first sample that is not finite."""
    where = ""
    if isinstance(data, np.ndarray):
        k = int(np.flatnonzero(~np.isfinite(data))[0])
        data, where = float(data.flat[k]), f" at sample {k}"
    if not from_finite(parents):
        return FloatingPointError(f"detect_anomaly: {call(v, parents, op)} = {data!r}{where}")
    why = "the result is too large for a float (the largest is 1.8e308)" if math.isinf(data) else \
        "NaN from finite inputs: a step overflowed, or the op has no real answer here"
    return OverflowError(f"{op.name}: {call(v, parents, op)} = {data!r}{where}: {why}")


def check_grads(nodes: Sequence[Any], grads: Sequence[Any]) -> None:
    """backward(): every .grad must be a number before anything changes."""
    for v, g in zip(nodes, grads):
        if not (is_real(g) or isinstance(g, np.ndarray) and g.dtype.kind == "f"):
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
