"""The forward computations of the built-in rows, on numbers or on batches.

A batch is a 1-D numpy array: one quantity of the graph for every sample of a minibatch.
Each function takes numbers (plain math, the fast path) or batches (numpy), and refuses
what has no real answer, naming the op, the value and, in a batch, the first sample where
it happens: log(0), a negative base to a fractional power, division by zero, exp(1000).
NaN in gives NaN out.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

Batch = np.ndarray


def batched(*xs: Any) -> bool:
    """True if any of xs is a batch."""
    return any(type(x) is Batch for x in xs)


def first(bad: Any) -> int:
    """The index of the first sample where bad is true."""
    return int(np.flatnonzero(bad)[0])


def at(x: Any, k: int) -> Any:
    """Sample k of x (x itself if it is one number for the whole batch)."""
    return float(x[k]) if type(x) is Batch else x


def div(a: Any, b: Any) -> Any:
    if type(b) is Batch:
        if (b == 0.0).any():
            k = first(b == 0.0)
            raise ZeroDivisionError(f"div: division by zero ({at(a, k)!r} / 0.0 in sample {k} of the batch)")
        return a / b
    if b == 0.0:
        raise ZeroDivisionError(f"div: division by zero ({a!r} / {b!r})")
    return a / b


def power(a: Any, b: Any) -> Any:
    if type(a) is Batch or type(b) is Batch:
        a, b = np.broadcast_arrays(np.asarray(a, float), np.asarray(b, float))
        checks = (((a < 0) & (np.floor(b) != b), ValueError, "a negative base to a fractional power"),
                  ((a == 0) & (b < 0), ZeroDivisionError, "zero to a negative power divides by zero"))
        for bad, error, what in checks:
            if bad.any():
                k = first(bad)
                raise error(f"pow: {what} ({a[k]!r} ** {b[k]!r} in sample {k} of the batch)")
        with np.errstate(over="ignore"):
            out = a**b
        if (np.isinf(out) & np.isfinite(a)).any():
            k = first(np.isinf(out) & np.isfinite(a))
            raise OverflowError(f"pow: {a[k]!r} ** {b[k]!r} is too large for a float (sample {k})")
        return out
    if a < 0.0 and not float(b).is_integer():
        raise ValueError(f"pow: a negative base to a non-integer power is not a real number ({a!r} ** {b!r})")
    if a == 0.0 and b < 0.0:
        raise ZeroDivisionError(f"pow: zero to a negative power divides by zero ({a!r} ** {b!r})")
    try:
        return float(a**b)
    except OverflowError:
        raise OverflowError(f"pow: {a!r} ** {b!r} is too large for a float") from None


def exp(x: Any) -> Any:
    if type(x) is Batch:
        if (x > 709.782712893384).any():
            k = first(x > 709.782712893384)
            raise OverflowError(f"exp: exp({float(x[k])!r}) is too large for a float (sample {k})")
        return np.exp(x)
    try:
        return math.exp(x)
    except OverflowError:
        raise OverflowError(f"exp: exp({x!r}) is too large for a float (the largest is exp(709.78))") \
            from None


def log(x: Any, name: str = "log", least: float = 0.0) -> Any:
    """ln x for x > 0; log1p(x) = ln(1 + x) for x > −1, exact where 1 + x would round."""
    if type(x) is Batch:
        bad = ~(x > least) & ~np.isnan(x)  # NaN in, NaN out; detect_anomaly() reports it
        if bad.any():
            k = first(bad)
            raise ValueError(f"{name}: input must be > {least:g}, got {float(x[k])!r} "
                             f"in sample {k} of the batch")
        return np.log(x) if least == 0.0 else np.log1p(x)
    if x > least or x != x:
        return (math.log if least == 0.0 else math.log1p)(x) if x == x else x
    raise ValueError(f"{name}: input must be > {least:g}, got {x!r}")


def log1p(x: Any) -> Any:
    return log(x, "log1p", -1.0)


def tanh(x: Any) -> Any:
    return np.tanh(x) if type(x) is Batch else math.tanh(x)


def sigmoid(x: Any) -> Any:
    """1/(1 + e⁻ˣ) in two forms, so that exp never overflows: σ(±1000) is 1 or 0."""
    if type(x) is Batch:
        small = np.exp(-np.abs(x))
        return np.where(x >= 0.0, 1.0 / (1.0 + small), small / (1.0 + small))
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def relu(x: Any) -> Any:
    if type(x) is Batch:
        return np.maximum(x, 0.0)  # NaN in, NaN out
    return x if x > 0.0 or x != x else 0.0


def softplus(x: Any) -> Any:
    """log(1 + eˣ) = max(x, 0) + log(1 + e^-|x|), which never overflows."""
    if type(x) is Batch:
        return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def maximum(a: Any, b: Any) -> Any:
    if type(a) is Batch or type(b) is Batch:
        return np.maximum(a, b)  # NaN in either gives NaN
    return a if a >= b or a != a else b


def maximum_of(v: Sequence[Any]) -> Any:
    """The largest of v, sample by sample over a batch."""
    return np.maximum.reduce(np.broadcast_arrays(*v)) if batched(*v) else max(v)


def weighted_sum(w: Sequence[Any], b: Any, x: Sequence[Any]) -> Any:
    """Σ wᵢxᵢ + b; over a batch of inputs, one matrix-vector product."""
    if x and type(x[0]) is Batch and set(map(type, x)) == {Batch} and set(map(type, w)) <= {float}:
        return np.asarray(w) @ np.array(x) + b  # (np.array stacks equal rows 3x faster than np.stack)
    return sum(map(operator.mul, w, x)) + b


def exponent_slope(a: Any, b: Any, out: Any) -> Any:
    """∂aᵇ/∂b = aᵇ·ln a, sample by sample: 0 where a = 0 < b, undefined where a < 0."""
    a, b = np.broadcast_arrays(np.asarray(a, float), np.asarray(b, float))
    bad = (a < 0) | ((a == 0) & (b <= 0))
    if bad.any():
        k = first(bad)
        raise ValueError(f"ln a is undefined for a = {a[k]!r} (sample {k} of the batch)")
    return np.where(a > 0, out * np.log(np.where(a > 0, a, 1.0)), 0.0)


def contributions(ds: Sequence[Any], g: Any, batches: Sequence[bool], needs: Sequence[bool],
                  size: int) -> list[Any]:
    """local × upstream for every parent of a node over a batch of `size` samples, as
    backward() adds them: a batch where the parent holds a batch (batches[i]), and the sum
    over the samples where it holds one number for all of them, a parameter:
    ∂C/∂w = Σₖ ∂wₖ·gₖ, one matrix-vector product for all the parameters at once (and one
    outer product for the inputs whose partial is one number, like a neuron's wᵢ). g, the
    upstream gradient, and a partial may be one number standing for every sample. Parents
    that need no gradient get None."""
    gs = g if type(g) is Batch else np.full(size, float(g))
    out: list[Any] = [None] * len(ds)
    params = [i for i, need in enumerate(needs) if need and not batches[i]]
    inputs = [i for i, need in enumerate(needs) if need and batches[i]]
    varying = [i for i in params if type(ds[i]) is Batch]
    if varying:
        for i, c in zip(varying, (np.array([ds[i] for i in varying]) @ gs).tolist()):
            out[i] = c
    fixed = [i for i in inputs if type(ds[i]) is not Batch]
    if fixed:
        for i, row in zip(fixed, np.multiply.outer([float(ds[i]) for i in fixed], gs)):
            out[i] = row
    total = None  # Σₖ gₖ, for a parameter whose partial is one number (a bias's 1)
    for i in params + inputs:
        if out[i] is None:
            if batches[i]:
                out[i] = ds[i] * gs
            else:
                total = float(gs.sum()) if total is None else total
                out[i] = float(ds[i]) * total
    return out


def total(v: Sequence[Any]) -> Any:
    return sum(v, 0.0)


def logsumexp(v: Sequence[Any]) -> Any:
    """log Σ e^vᵢ, stably: the largest v is taken out first."""
    if batched(*v):
        m = maximum_of(v)
        finite = np.where(np.isfinite(m), m, 0.0)
        return np.where(np.isfinite(m), finite + np.log(sum(np.exp(x - finite) for x in v)), m)
    m = max(v)
    if m != m or any(x != x for x in v):  # NaN in, NaN out (max() may pass a NaN by)
        return math.nan
    return m if m in (math.inf, -math.inf) else m + math.log(math.fsum(math.exp(x - m) for x in v))
