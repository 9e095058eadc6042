"""Functions on numbers or Values: exp, log, tanh, sigmoid, relu, softplus (a number
gives a number, a Value a Value), and ops on lists, each one node of the graph: Σ wᵢxᵢ + b,
Σ wᵢxᵢ, Σ xᵢ, mean xᵢ², log Σ e^zᵢ, softmax, max. One node with n parents is smaller and
faster than a chain of n − 1 `+` nodes, and it is what the seeds write: a neuron's
z = Σ wᵢxᵢ + b is one quantity.

A transformer needs two more rows, added to the one table here: dot (Σ wᵢxᵢ with no bias:
a row of W·x, attention's q·k and its weighted sum of values) and mean_square (the
(1/n) Σ xᵢ² of RMSNorm). matvec and rmsnorm are made of them.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from typing import Any, Protocol, Union, cast, overload

from . import numeric
from .ops import EXP, LINEAR, LOG, LOG1P, LOGSUMEXP, MAXIMUM, RELU, SIGMOID, SOFTPLUS, TANH, TOTAL, row
from .table import Op
from .text import describe, finite, is_real, real
from .value import Value, apply, constant, node

__all__ = ["dot", "exp", "linear", "log", "log1p", "logsumexp", "matvec", "maximum", "mean_square", "relu",
           "rmsnorm", "sigmoid", "softmax", "softplus", "tanh", "total"]

Scalar = Union[Value, float]  # noqa: UP007 (a runtime alias for Python 3.10)
_VALUES = frozenset({Value})


# -- two more rows of the table: dot and mean_square --------------------------------------

def _half(v: Sequence[Any]) -> int:
    """n, for the dot row's inputs w1..wn, x1..xn."""
    n = len(v) // 2
    if 2 * n != len(v):
        raise ValueError(f"dot: takes w1..wn, x1..xn, an even number of inputs; got {len(v)}")
    return n


def _dot(v: Sequence[float]) -> float:
    n = _half(v)
    return sum(map(operator.mul, v[:n], v[n:]), 0.0)


def _dot_partials(v: Sequence[Any], out: Any) -> list[Any]:  # ∂/∂wᵢ = xᵢ, ∂/∂xᵢ = wᵢ
    n = _half(v)
    return [*v[n:], *v[:n]]


def _dot_formula(i: int, count: int) -> str:  # "∂{out}/∂{0} = {2}": w₁'s partner is x₁
    n = count // 2
    return f"∂{{out}}/∂{{{i}}} = {{{i + n if i < n else i - n}}}"


def _dot_written(names: list[str]) -> str:
    n = _half(names)
    return " + ".join(f"{wi}·{xi}" for wi, xi in zip(names[:n], names[n:]))


def _dot_names(count: int) -> list[str]:
    n = count // 2
    return [*(f"w{i}" for i in range(1, n + 1)), *(f"x{i}" for i in range(1, n + 1))]


def _mean_square(v: Sequence[float]) -> float:
    return sum(x * x for x in v) / len(v)


DOT = row("dot", "Σ", _dot_written, _dot, (_dot_partials, _dot_formula), domain=[(-2.0, 2.0)] * 4,
          arg_names=_dot_names)
MEAN_SQUARE = row("mean_square", "ms", lambda names: f"({' + '.join(n + '²' for n in names)})/{len(names)}",
                  _mean_square, (lambda v, out: [2.0 * x / len(v) for x in v],
                                 lambda i, n: f"∂{{out}}/∂{{{i}}} = 2·{{{i}}}/{n}"))


class Elementwise(Protocol):
    """A function on numbers or Values: a number gives a number, a Value a Value."""

    @overload
    def __call__(self, x: Value) -> Value: ...
    @overload
    def __call__(self, x: float) -> float: ...


def _elementwise(op: Op, doc: str) -> Elementwise:
    def f(x: Any) -> Any:
        if is_real(x):
            return op.forward(real(op.name, x))
        if type(x) is Value:
            return apply(op, (x,))
        raise TypeError(f"{op.name}: expected a Value or a real number, got {describe(x)}")

    f.__name__, f.__qualname__, f.__doc__ = op.name, op.name, doc
    return cast(Elementwise, f)


exp = _elementwise(EXP, "eˣ. ∂eˣ/∂x = eˣ. OverflowError past x ≈ 709.78.")
log = _elementwise(LOG, "ln x for x > 0 (ValueError otherwise). ∂ln x/∂x = 1/x.")
log1p = _elementwise(LOG1P, "ln(1 + x) for x > −1, exact for tiny x (where 1 + x would round). "
                            "∂/∂x = 1/(1 + x).")
tanh = _elementwise(TANH, "tanh x. ∂tanh x/∂x = 1 − tanh²x.")
sigmoid = _elementwise(SIGMOID, "σ(x) = 1/(1 + e⁻ˣ), computed without overflow. ∂σ/∂x = σ(1 − σ).")
relu = _elementwise(RELU, "max(0, x). ∂relu/∂x = 1 if x > 0 else 0 (so relu′(0) = 0).")
softplus = _elementwise(SOFTPLUS, "log(1 + eˣ), computed without overflow. ∂softplus/∂x = σ(x).")


def values(xs: Any, owner: str) -> Sequence[Value]:
    """xs, an ordered sequence of Values or numbers, as Values (numbers become constants)."""
    if type(xs) in (list, tuple) and set(map(type, xs)) <= _VALUES:
        return xs  # type: ignore[no-any-return]  # all Values already, checked at C speed
    if isinstance(xs, (str, bytes, bytearray, set, frozenset, dict)) or type(xs) is Value \
            or is_real(xs) or not hasattr(xs, "__iter__"):
        hint = "; pass model.parameters()" if hasattr(xs, "parameters") else ""  # an nn.Module
        raise TypeError(f"{owner}: expected a list of Values or numbers, got {describe(xs)}{hint}")
    out = []
    for x in xs:
        v = constant(x)
        if v is None:
            raise TypeError(f"{owner}: expected Values or real numbers, got {describe(x)}")
        out.append(v)
    return out


def linear(w: Sequence[Scalar], x: Sequence[Scalar], b: Scalar = 0.0) -> Value:
    """z = Σ wᵢxᵢ + b as one node, with local partials ∂z/∂wᵢ = xᵢ, ∂z/∂xᵢ = wᵢ, ∂z/∂b = 1.

    A neuron's weighted sum. Its parents are w1..wn, b, x1..xn: the neuron's parameters
    (in Module.parameters() order), then its inputs.
    """
    ws, xs = values(w, "linear"), values(x, "linear")
    if len(ws) != len(xs):
        raise ValueError(f"linear: {len(ws)} weights but {len(xs)} inputs; they must match")
    bias = constant(b)
    if bias is None:
        raise TypeError(f"linear: the bias must be a Value or a real number, got {describe(b)}")
    return node(LINEAR, (*ws, bias, *xs))  # every input checked to be a Value by now


def dot(w: Sequence[Scalar], x: Sequence[Scalar]) -> Value:
    """Σ wᵢxᵢ as one node, with local partials ∂/∂wᵢ = xᵢ and ∂/∂xᵢ = wᵢ: linear without a
    bias. Its parents are w1..wn, x1..xn."""
    ws, xs = values(w, "dot"), values(x, "dot")
    if len(ws) != len(xs):
        raise ValueError(f"dot: {len(ws)} weights but {len(xs)} inputs; they must match")
    return node(DOT, (*ws, *xs))


def matvec(W: Sequence[Sequence[Scalar]], x: Sequence[Scalar]) -> list[Value]:
    """W·x, one dot node per row of W: what microgpt calls linear(x, W)."""
    xs = values(x, "matvec")
    rows = [values(w, "matvec") for w in W]
    for w in rows:
        if len(w) != len(xs):
            raise ValueError(f"matvec: a row of {len(w)} weights but {len(xs)} inputs; they must match")
    return [node(DOT, (*w, *xs)) for w in rows]


def mean_square(xs: Iterable[Scalar]) -> Value:
    """(1/n) Σ xᵢ² as one node; ∂/∂xᵢ = 2xᵢ/n."""
    return apply(MEAN_SQUARE, values(xs, "mean_square"))


def rmsnorm(xs: Iterable[Scalar], eps: float = 1e-5) -> list[Value]:
    """xᵢ / √(mean x² + ε), as microgpt's RMSNorm (no gain): one mean_square node, the
    scale s = (ms + ε)^(−1/2), and one xᵢ·s node per input."""
    vs = values(xs, "rmsnorm")
    scale = (mean_square(vs) + eps) ** -0.5
    return [x * scale for x in vs]


def total(xs: Iterable[Scalar]) -> Value:
    """Σ xᵢ as one node (∂/∂xᵢ = 1)."""
    return apply(TOTAL, values(xs, "total"))


def logsumexp(zs: Iterable[Scalar]) -> Value:
    """log Σ e^zᵢ, computed stably as one node; ∂/∂zᵢ = softmax(z)ᵢ."""
    return apply(LOGSUMEXP, values(zs, "logsumexp"))


def maximum(a: Scalar, b: Scalar) -> Value:
    """max(a, b) as one node; the gradient goes to the larger input (to a on a tie)."""
    return apply(MAXIMUM, (a, b))


def softmax(zs: Iterable[Scalar]) -> list[Value]:
    """pᵢ = e^zᵢ / Σⱼ e^zⱼ for a list of Values or numbers, as a list of Values.

    The largest z is subtracted first (softmax does not change when every z shifts by the
    same amount), so logits like 1000, 1001, 1002 give 0.090, 0.245, 0.665, not inf/inf.
    """
    vs = values(zs, "softmax")
    if not vs:
        raise ValueError("softmax: needs at least one value")
    bad = [z.data for z in vs if not finite(z.data)]
    if bad:  # inf − inf would make every probability NaN
        raise ValueError(f"softmax: logits must be finite numbers, got {bad[0]!r}")
    m = Value(numeric.maximum_of([z.data for z in vs]), requires_grad=False)
    exps = [(z - m).exp() for z in vs]
    s = total(exps)
    return [e / s for e in exps]

