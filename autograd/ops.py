"""The derivative table: every op's forward, its local partials and their formulas, side by side.

Each row below is one `builtin_op(name, forward, rules, formulas, symbol)` call. A rule
`rule(*inputs, out)` returns the local partial ∂out/∂input and nothing else; the engine
multiplies it by the upstream gradient and accumulates. (The variadic rows at the end,
Σ wᵢxᵢ + b, Σ xᵢ and log Σ e^zᵢ, take their inputs as one list and have one rule for all.)
Rules use only + - * / ** and the functions at the end of this file, so the same rule runs
on floats (backward) and on Values (grad with create_graph=True, for higher derivatives).
No derivative appears twice.

The forward functions check their domain and raise a clear error that names the op and
the value (Python would otherwise hand back a complex number, or a bare "math domain error").
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterable, Sequence

from .engine import Number, Value, _apply, _apply1, _applyn, _is_real, _lift, _num, _show
from .table import Op, builtin_op

# ---------------------------------------------------------------------------------------
# Forward functions on floats, with their domain checks
# ---------------------------------------------------------------------------------------


def _div(a: float, b: float) -> float:
    if b == 0.0:
        raise ZeroDivisionError(f"div: division by zero ({a!r} / {b!r})")
    return a / b


def _pow(a: float, b: float) -> float:
    if a < 0.0 and not float(b).is_integer():
        raise ValueError(
            f"pow: a negative base to a non-integer power is not a real number ({a!r} ** {b!r})"
        )
    if a == 0.0 and b < 0.0:
        raise ZeroDivisionError(f"pow: zero to a negative power divides by zero ({a!r} ** {b!r})")
    try:
        return float(a**b)
    except OverflowError:
        raise OverflowError(f"pow: {a!r} ** {b!r} is too large for a float") from None


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        raise OverflowError(
            f"exp: exp({x!r}) is too large for a float (the largest is exp(709.78))"
        ) from None


def _log(x: float) -> float:
    if not x > 0.0:
        if x != x:  # NaN in, NaN out; detect_anomaly() reports it
            return x
        raise ValueError(f"log: input must be > 0, got {x!r}")
    return math.log(x)


def _sigmoid(x: float) -> float:
    # Two forms so that exp never overflows: σ(±1000) is 1.0 or 0.0, not an OverflowError.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _relu(x: float) -> float:
    return 0.0 if x <= 0.0 else x


def _softplus(x: float) -> float:
    # log(1 + eˣ) = max(x, 0) + log(1 + e^-|x|), which never overflows.
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def weighted_sum(ws: Iterable[float], xs: Iterable[float], b: float) -> float:
    """Σᵢ wᵢxᵢ + b on floats: the linear row's forward. nn's neurons call it directly
    with the data they have already read, rather than packing it into one list first."""
    return sum(map(operator.mul, ws, xs)) + b


def _linear(v: list[float]) -> float:
    # inputs are w1..wn, b, x1..xn: the neuron's parameters, then its inputs
    n = (len(v) - 1) // 2
    return weighted_sum(v[:n], v[n + 1 :], v[n])


def _logsumexp(v: list[float]) -> float:
    m = max(v)
    if m in (math.inf, -math.inf):
        return m
    return m + math.log(math.fsum(math.exp(x - m) for x in v))


def _maximum(a: float, b: float) -> float:
    return a if a >= b else b


# ---------------------------------------------------------------------------------------
# The rows
# ---------------------------------------------------------------------------------------

ADD = builtin_op(
    "add", operator.add,
    [lambda a, b, out: 1.0, lambda a, b, out: 1.0],
    ["∂(a+b)/∂a = 1", "∂(a+b)/∂b = 1"], "+",
)
SUB = builtin_op(
    "sub", operator.sub,
    [lambda a, b, out: 1.0, lambda a, b, out: -1.0],
    ["∂(a−b)/∂a = 1", "∂(a−b)/∂b = −1"], "-",
)
MUL = builtin_op(
    "mul", operator.mul,
    [lambda a, b, out: b, lambda a, b, out: a],
    ["∂(a·b)/∂a = b", "∂(a·b)/∂b = a"], "*",
)
DIV = builtin_op(
    "div", _div,
    [lambda a, b, out: 1.0 / b, lambda a, b, out: -out / b],
    ["∂(a/b)/∂a = 1/b", "∂(a/b)/∂b = −a/b²"], "/",
    domain=[(-2.0, 2.0), (0.5, 2.0)],
)


def _dpow_dexponent(a, b, out):
    # a**b = e^(b·ln a); where a = 0 < b it is 0 for every such b, so the slope is 0.
    if a > 0:
        return out * log(a)
    if a >= 0 and b > 0:
        return 0.0
    raise ValueError(
        f"ln a is undefined for a = {_data(a)!r}; for a constant exponent write x ** 3 with a number"
    )


def _dpow_dbase(a, b, out):
    # b·a^(b−1); written out for b = 0, where a**b is the constant 1 (and 0**−1 would raise)
    if _data(b) == 0:
        return 0.0
    return b * a ** (b - 1)


POW = builtin_op(
    "pow", _pow,
    [_dpow_dbase, _dpow_dexponent],
    ["∂(aᵇ)/∂a = b·aᵇ⁻¹", "∂(aᵇ)/∂b = aᵇ·ln a"], "**",
    domain=[(0.2, 2.0), (-2.0, 2.0)],
)
NEG = builtin_op("neg", operator.neg, [lambda x, out: -1.0], ["∂(−x)/∂x = −1"], "neg")
EXP = builtin_op("exp", _exp, [lambda x, out: out], ["∂eˣ/∂x = eˣ"], "exp")
LOG = builtin_op(
    "log", _log, [lambda x, out: 1.0 / x], ["∂ln x/∂x = 1/x"], "log", domain=[(0.2, 3.0)]
)
TANH = builtin_op(
    "tanh", math.tanh, [lambda x, out: 1.0 - out * out], ["∂tanh x/∂x = 1 − tanh²x"], "tanh"
)
SIGMOID = builtin_op(
    "sigmoid", _sigmoid, [lambda x, out: out * (1.0 - out)], ["∂σ/∂x = σ(1−σ)"], "σ",
    domain=[(-4.0, 4.0)],
)
RELU = builtin_op(
    "relu", _relu, [lambda x, out: 1.0 if x > 0 else 0.0],
    ["∂relu/∂x = 1 if x > 0 else 0"], "relu",
)
SOFTPLUS = builtin_op(
    "softplus", _softplus, [lambda x, out: sigmoid(x)], ["∂softplus/∂x = σ(x)"], "softplus",
)
MAXIMUM = builtin_op(
    "max", _maximum,
    [lambda a, b, out: 1.0 if a >= b else 0.0, lambda a, b, out: 0.0 if a >= b else 1.0],
    ["∂max(a,b)/∂a = 1 if a ≥ b else 0", "∂max(a,b)/∂b = 1 if b > a else 0"], "max",
)


def _linear_partials(v, out):
    # inputs w1..wn, b, x1..xn: ∂z/∂wᵢ = xᵢ, ∂z/∂b = 1, ∂z/∂xᵢ = wᵢ
    n = (len(v) - 1) // 2
    return [*v[n + 1 :], 1.0, *v[:n]]


def _linear_formula(i: int, count: int) -> str:
    # z = Σᵢ wᵢxᵢ + b; by role, not by position, so the names never clash with labels
    n = (count - 1) // 2
    if i < n:
        return "∂z/∂wᵢ = xᵢ"
    if i == n:
        return "∂z/∂b = 1"
    return "∂z/∂xᵢ = wᵢ"


LINEAR = builtin_op(
    "linear", _linear, _linear_partials, _linear_formula, "Σ",
)
TOTAL = builtin_op(
    "sum", lambda v: sum(v, 0.0), lambda v, out: [1.0] * len(v),
    lambda i, n: "∂(Σⱼ xⱼ)/∂xᵢ = 1", "Σ",
)
LOGSUMEXP = builtin_op(
    "logsumexp", _logsumexp, lambda v, out: [exp(x - out) for x in v],
    lambda i, n: "∂lse/∂zᵢ = softmax(z)ᵢ = e^(zᵢ − lse)", "lse",
)

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
# Functions on floats or Values. With a float they return a float; with a Value they
# return a Value. Rules above use them, which is what lets one rule serve both.
# ---------------------------------------------------------------------------------------


def _data(x):
    return x._data if type(x) is Value else x


def _unary(op: Op, x: Value | float, name: str) -> Value | float:
    if type(x) is Value:
        return _apply1(op, x)
    if _is_real(x):
        return op.forward(float(x))
    raise TypeError(f"{name}: expected a Value or a real number, got {_show(x)}")


def exp(x: Value | float) -> Value | float:
    """eˣ. A float gives a float, a Value gives a Value. ∂eˣ/∂x = eˣ."""
    return _unary(EXP, x, "exp")


def log(x: Value | float) -> Value | float:
    """ln x for x > 0 (ValueError otherwise). ∂ln x/∂x = 1/x."""
    return _unary(LOG, x, "log")


def tanh(x: Value | float) -> Value | float:
    """tanh x. ∂tanh x/∂x = 1 − tanh²x."""
    return _unary(TANH, x, "tanh")


def sigmoid(x: Value | float) -> Value | float:
    """σ(x) = 1/(1 + e⁻ˣ), computed without overflow. ∂σ/∂x = σ(1 − σ)."""
    return _unary(SIGMOID, x, "sigmoid")


def relu(x: Value | float) -> Value | float:
    """max(0, x). ∂relu/∂x = 1 if x > 0 else 0 (so relu′(0) = 0)."""
    return _unary(RELU, x, "relu")


def softplus(x: Value | float) -> Value | float:
    """log(1 + eˣ), computed without overflow. ∂softplus/∂x = σ(x)."""
    return _unary(SOFTPLUS, x, "softplus")


def maximum(a: Value | float, b: Value | float) -> Value:
    """max(a, b) as one node; the gradient goes to the larger input (to a on a tie)."""
    return MAXIMUM(a, b)


def _values(xs: Iterable, name: str) -> list[Value] | tuple[Value, ...]:
    """xs as Values (numbers become constant leaves); TypeError for anything else."""
    if type(xs) in (list, tuple) and set(map(type, xs)) <= {Value}:
        return xs  # already all Values: the common case, checked at C speed
    if type(xs) is Value or _is_real(xs) or not hasattr(xs, "__iter__"):
        raise TypeError(f"{name}: expected a list of Values or numbers, got {_show(xs)}")
    out = []
    for x in xs:
        v = _lift(x)
        if v is None:
            raise TypeError(f"{name}: expected Values or real numbers, got {_show(x)}")
        out.append(v)
    return out


def linear(w: Sequence, x: Sequence, b=0.0) -> Value:
    """z = Σ wᵢxᵢ + b as one node, with local partials ∂z/∂wᵢ = xᵢ, ∂z/∂xᵢ = wᵢ, ∂z/∂b = 1.

    The weighted sum of a neuron. Its parents are w1..wn, b, x1..xn, in that order: the
    neuron's parameters (in the order of Module.parameters()), then its inputs.
    """
    ws = _values(w, "linear")
    xs = _values(x, "linear")
    if len(ws) != len(xs):
        raise ValueError(f"linear: {len(ws)} weights but {len(xs)} inputs; they must match")
    if type(b) is not Value and (b := _lift(b)) is None:
        raise TypeError(f"linear: the bias must be a Value or a real number, got {_show(b)}")
    return _applyn(LINEAR, (*ws, b), tuple(xs))


def total(values: Iterable) -> Value:
    """Σ xᵢ as one node (∂/∂xᵢ = 1): faster and smaller than a chain of + nodes."""
    xs = _values(values, "total")
    if not xs:
        raise ValueError("total: needs at least one value")
    return _apply(TOTAL, xs)


def logsumexp(values: Iterable) -> Value:
    """log Σ e^zᵢ, computed stably as one node; ∂/∂zᵢ = softmax(z)ᵢ."""
    xs = _values(values, "logsumexp")
    if not xs:
        raise ValueError("logsumexp: needs at least one value")
    return _apply(LOGSUMEXP, xs)


def softmax(values: Iterable) -> list[Value]:
    """pᵢ = e^zᵢ / Σⱼ e^zⱼ for a list of Values or numbers, as a list of Values.

    The largest z is subtracted first (softmax does not change when every z shifts by the
    same amount), so logits like 1000, 1001, 1002 give 0.090, 0.245, 0.665, not inf/inf.
    """
    zs = _values(values, "softmax")
    if not zs:
        raise ValueError("softmax: needs at least one value")
    bad = [z.data for z in zs if not math.isfinite(z.data)]
    if bad:  # inf − inf would make every probability NaN
        raise ValueError(f"softmax: logits must be finite numbers, got {bad[0]!r}")
    m = Value(max(z.data for z in zs))
    exps = [(z - m).exp() for z in zs]
    s = total(exps)
    return [e / s for e in exps]
