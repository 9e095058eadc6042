"""The built-in rows of the derivative table. MUL = row("mul", "*", "{a} * {b}",
operator.mul, (lambda a, b, out: b, "∂{out}/∂{a} = {b}"), (...)) reads: name, symbol, how
it is written, forward, then each input's rule and its formula.

Rules use + - * / ** and on(EXP, x) and the like, which take a number or a Value, so one
rule serves backward() (numbers) and grad(create_graph=True) (Values, for higher
derivatives). The forwards refuse what has no real answer, naming the op and the value:
log(0), a negative base to a fractional power, division by zero, exp(1000).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from . import numeric
from .table import OPS, Op
from .text import num

BUILTIN: set[str] = set()  # define_op may not replace these


def row(name: str, symbol: str, written: Any, forward: Callable[..., Any], *partials: tuple[Any, Any],
        domain: Any = None, add: bool = True, arg_names: Any = None) -> Op:
    """A built-in row with one input per (rule, formula) pair; one pair of a rule for all
    partials and a formula function (i, n) -> text makes it variadic."""
    n = None if len(partials) == 1 and callable(partials[0][1]) else len(partials)
    rules, texts = zip(*partials) if n else partials[0]
    op = Op(name, symbol, forward, rules, texts, written, n, domain or [(-2.0, 2.0)] * (n or 3), arg_names)
    if add:
        OPS[name] = op
        BUILTIN.add(name)
    return op


def on(op: Op, x: Any) -> Any:  # op on a number or batch (the same) or a Value (a node): rules run on all
    return op.forward(x) if isinstance(x, (float, int, numeric.Batch)) else op(x)


# -- the rows: their forwards (numeric.py) take numbers or batches ---------------------------
def _data(x: Any) -> Any:  # a number, or a Value's number
    return getattr(x, "data", x)

ADD = row("add", "+", "{a} + {b}", operator.add,
          (lambda a, b, out: 1.0, "∂{out}/∂{a} = 1"),
          (lambda a, b, out: 1.0, "∂{out}/∂{b} = 1"))
SUB = row("sub", "-", "{a} - {b}", operator.sub,
          (lambda a, b, out: 1.0, "∂{out}/∂{a} = 1"),
          (lambda a, b, out: -1.0, "∂{out}/∂{b} = −1"))
MUL = row("mul", "*", "{a} * {b}", operator.mul,
          (lambda a, b, out: b, "∂{out}/∂{a} = {b}"),
          (lambda a, b, out: a, "∂{out}/∂{b} = {a}"))
DIV = row("div", "/", "{a} / {b}", numeric.div,
          (lambda a, b, out: 1.0 / b, "∂{out}/∂{a} = 1/{b}"),
          (lambda a, b, out: -out / b, "∂{out}/∂{b} = −{a}/{b}²"), domain=[(-2.0, 2.0), (0.5, 2.0)])


def _dpow_dbase(a: Any, b: Any, out: Any) -> Any:  # b·a^(b−1); for b = 0, aᵇ is the constant 1
    if numeric.batched(a, b):
        return b * numeric.power(a, b - 1)
    return 0.0 if _data(b) == 0 else b * a ** (b - 1)


def _dpow_dexponent(a: Any, b: Any, out: Any) -> Any:  # aᵇ = e^(b·ln a); 0ᵇ = 0 for all b > 0
    if numeric.batched(a, b):
        return numeric.exponent_slope(a, b, out)
    if a > 0:
        return out * on(LOG, a)
    if a >= 0 and b > 0:
        return 0.0
    raise ValueError(f"ln a is undefined for a = {_data(a)!r}; for a constant exponent write x ** 3")


POW = row("pow", "**", "{a} ** {b}", numeric.power,
          (_dpow_dbase, "∂{out}/∂{a} = {b}·{a}^({b}−1)"),
          (_dpow_dexponent, "∂{out}/∂{b} = {out}·ln {a}"), domain=[(0.2, 2.0), (-2.0, 2.0)])
NEG = row("neg", "neg", "-{x}", operator.neg, (lambda x, out: -1.0, "∂{out}/∂{x} = −1"))
EXP = row("exp", "exp", "exp({x})", numeric.exp, (lambda x, out: out, "∂{out}/∂{x} = e^{x} = {out}"))
LOG = row("log", "log", "log({x})", numeric.log, (lambda x, out: 1.0 / x, "∂{out}/∂{x} = 1/{x}"),
          domain=[(0.2, 3.0)])
LOG1P = row("log1p", "log1p", "log1p({x})", numeric.log1p,  # log(1 + x), exact at tiny x
            (lambda x, out: 1.0 / (1.0 + x), "∂{out}/∂{x} = 1/(1 + {x})"), domain=[(-0.5, 2.0)])
TANH = row("tanh", "tanh", "tanh({x})", numeric.tanh,
           (lambda x, out: 1.0 - out * out, "∂{out}/∂{x} = 1 − {out}²"))
SIGMOID = row("sigmoid", "σ", "σ({x})", numeric.sigmoid,
              (lambda x, out: out * (1.0 - out), "∂{out}/∂{x} = {out}·(1 − {out})"), domain=[(-4.0, 4.0)])
RELU = row("relu", "ReLU", "relu({x})", numeric.relu,
           (lambda x, out: (x > 0) * 1.0, "∂{out}/∂{x} = 1 if {x} > 0 else 0"))
SOFTPLUS = row("softplus", "softplus", "softplus({x})", numeric.softplus,
               (lambda x, out: on(SIGMOID, x), "∂{out}/∂{x} = σ({x})"))
MAXIMUM = row("max", "max", "max({a}, {b})", numeric.maximum,
              (lambda a, b, out: (a >= b) * 1.0, "∂{out}/∂{a} = 1 if {a} ≥ {b} else 0"),
              (lambda a, b, out: 1.0 - (a >= b), "∂{out}/∂{b} = 1 if {b} > {a} else 0"))


@lru_cache(maxsize=128)  # a few exponents recur; a row per distinct exponent must not pile up
def pow_const(k: float) -> Op:
    """x ** k for a constant k: one input, drawn "**k"; the pow row's base rule with b = k."""
    k, kt = float(k), num(k)
    slope = "0" if k == 0 else kt if k == 1 else f"{kt}·{{x}}" if k == 2 else f"{kt}·{{x}}**{num(k - 1)}"
    return row("pow_const", f"**{kt}", f"{{x}}**{kt}", lambda a: numeric.power(a, k),
               (lambda a, out: _dpow_dbase(a, k, out), f"∂{{out}}/∂{{x}} = {slope}"),
               domain=[(0.2, 2.0)], add=False)


# -- variadic rows: any number of inputs, taken as one list ------------------------------

def linear_parts(v: Sequence[Any]) -> tuple[Sequence[Any], Any, Sequence[Any]]:
    """The linear row's inputs w1..wn, b, x1..xn as (w, b, x): the neuron's parameters
    (in Module.parameters() order), then its inputs. The one place this layout is known."""
    if len(v) % 2 == 0:
        raise ValueError(f"linear: takes w1..wn, b, x1..xn, an odd number of inputs; got {len(v)}")
    n = len(v) // 2
    return v[:n], v[n], v[n + 1:]


def _linear(v: Sequence[Any]) -> Any:
    w, b, x = linear_parts(v)
    return numeric.weighted_sum(w, b, x)


def _linear_partials(v: Sequence[Any], out: Any) -> list[Any]:
    w, _, x = linear_parts(v)  # ∂z/∂wᵢ = xᵢ, ∂z/∂b = 1, ∂z/∂xᵢ = wᵢ
    return [*x, 1.0, *w]


def _linear_formula(i: int, count: int) -> str:  # "∂{out}/∂{0} = {3}": w₁'s partner is x₁
    n = count // 2
    return f"∂{{out}}/∂{{{i}}} = " + ("1" if i == n else f"{{{i + n + 1 if i < n else i - n - 1}}}")


def _linear_written(names: list[str]) -> str:
    w, b, x = linear_parts(names)
    return " + ".join([*(f"{wi}·{xi}" for wi, xi in zip(w, x)), b])


def _linear_names(count: int) -> list[str]:
    n = count // 2
    return [*(f"w{i}" for i in range(1, n + 1)), "b", *(f"x{i}" for i in range(1, n + 1))]


LINEAR = row("linear", "Σ", _linear_written, _linear, (_linear_partials, _linear_formula),
             arg_names=_linear_names)
TOTAL = row("sum", "Σ", " + ".join, numeric.total,
            (lambda v, out: [1.0] * len(v), lambda i, n: f"∂{{out}}/∂{{{i}}} = 1"))
BATCH_SUM = row("batch_sum", "Σₖ", "Σₖ {x}", lambda x: float(x.sum()) if numeric.batched(x) else x,
                (lambda x, out: 1.0, "∂{out}/∂{x}ₖ = 1 for every sample k"))
LOGSUMEXP = row("logsumexp", "lse", lambda names: f"log(Σ exp({', '.join(names)}))", numeric.logsumexp,
                (lambda v, out: [on(EXP, x - out) for x in v],
                 lambda i, n: f"∂{{out}}/∂{{{i}}} = e^({{{i}}} − {{out}}) = softmax ᵢ"))
