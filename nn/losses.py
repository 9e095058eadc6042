"""Loss functions. Each takes one sample and returns a Value; average a batch with mean().

    squared_error          ½ Σ (t − y)²                      seeds 000, 002, 004
    binary_cross_entropy   −(t log p + (1 − t) log(1 − p))   seed 003
    cross_entropy          −log softmax(z)[target]           seeds 001, 004
    hinge_loss             max(0, 1 − label·score)           micrograd's demo
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any, Union

import numpy as np

from autograd import Value, linear, log, log1p, logsumexp, maximum, relu, softplus, total
from autograd.functional import values
from autograd.ops import BATCH_SUM
from autograd.text import describe, is_real
from autograd.value import apply, constant

Scalar = Union[Value, float]  # noqa: UP007 (a runtime alias)


def _value(owner: str, x: object) -> Value:
    v = constant(x)
    if v is None:
        raise TypeError(f"{owner}: expected a Value or a real number, got {describe(x)}")
    return v


def _is_bool(x: object) -> bool:  # True, False, numpy.True_: is_real takes them for 1 and 0
    return isinstance(x, bool) or getattr(getattr(x, "dtype", None), "kind", "") == "b"


def _as_list(owner: str, x: object) -> list[Any]:
    if type(x) is Value or is_real(x):
        return [x]
    if isinstance(x, (str, bytes)) or not hasattr(x, "__iter__"):
        raise TypeError(f"{owner}: expected a Value, a number or a list of them, got {describe(x)}")
    return list(x)  # it has __iter__


def _batched(*xs: Any) -> bool:
    return any(isinstance(x.data if type(x) is Value else x, np.ndarray) for x in xs)


def _reduce(owner: str, loss: Value, reduction: str) -> Value:
    """A batch of per-sample losses as one number: their mean (the default) or sum; "none"
    keeps the batch. One sample's loss is returned as it is."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{owner}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    if reduction == "none" or not isinstance(loss.data, np.ndarray):
        return loss
    summed = apply(BATCH_SUM, (loss,))
    return summed if reduction == "sum" else summed * (1.0 / len(loss.data))


def _targets(owner: str, preds: list[Any], target: Any) -> list[Any]:
    """The targets, one per prediction: over a batch, a target is one array of all samples
    (an (n_samples, n_outputs) array gives one column per output)."""
    if isinstance(target, np.ndarray) and _batched(*preds):
        return list(target.T) if target.ndim == 2 else [target] if len(preds) == 1 else list(target)
    return _as_list(owner, target)


def squared_error(pred: Scalar | Sequence[Scalar], target: Any, *, reduction: str = "mean") -> Value:
    """½ Σᵢ (targetᵢ − predᵢ)². Its gradient with respect to predᵢ is predᵢ − targetᵢ.

    pred is a Value or a list of them; target a number (or Value) or a list of the same
    length; over a batch, an array of targets (samples × outputs), reduced by `reduction`.
    """
    preds = _as_list("squared_error", pred)
    targets = _targets("squared_error", preds, target)
    if len(preds) != len(targets):
        raise ValueError(
            f"squared_error: {len(preds)} prediction(s) but {len(targets)} target(s); they must match"
        )
    if not preds:
        raise ValueError("squared_error: needs at least one prediction")
    terms = [(_value("squared_error", t) - _value("squared_error", p)) ** 2 for p, t in zip(preds, targets)]
    return _reduce("squared_error", 0.5 * (terms[0] if len(terms) == 1 else total(terms)), reduction)


def _check_probability_target(owner: str, target: Any) -> Any:
    if isinstance(target, np.ndarray):
        if target.ndim == 1 and target.dtype.kind in "biuf" and ((target >= 0) & (target <= 1)).all():
            return target.astype(float)
        raise ValueError(f"{owner}: targets must be numbers in [0, 1], got {describe(target)}")
    if not is_real(target) or not 0.0 <= float(target) <= 1.0:
        raise ValueError(f"{owner}: target must be a number in [0, 1], got {target!r}")
    return float(target)


_EPS = 1e-12  # below this, a log term is continued along its tangent (PyTorch uses the same ε)


def _safe_log(x: Value) -> Value:
    """log x, continued below ε by its tangent line log ε + (x − ε)/ε.

    The value stays finite at x = 0 (log ε − 1 ≈ −28.6) and the slope stays 1/ε, so a
    confidently wrong prediction is still pushed back, as PyTorch's BCELoss does. Over a
    batch, sample by sample: log max(x, ε) − relu(ε − x)/ε is the same curve.
    """
    if isinstance(x.data, np.ndarray):
        return log(maximum(x, _EPS)) - relu(_EPS - x) * (1.0 / _EPS)
    if x.data > _EPS:
        return log(x)
    return (x - _EPS) * (1.0 / _EPS) + math.log(_EPS)


def _safe_log1m(p: Value) -> Value:
    """log(1 − p) as log1p(−p), which is exact for tiny p (1 − 1e-13 would round first);
    continued below ε like _safe_log. Over a batch, with u = −p and u₀ = ε − 1:
    log1p max(u, u₀) − relu(u₀ − u)/ε is the same curve."""
    if isinstance(p.data, np.ndarray):
        return log1p(maximum(-p, _EPS - 1.0)) - relu(p + (_EPS - 1.0)) * (1.0 / _EPS)
    if 1.0 - p.data > _EPS:
        return log1p(-p)
    return _safe_log(1.0 - p)


def binary_cross_entropy(p: Scalar, target: Any, *, reduction: str = "mean") -> Value:
    """−(t·log p + (1 − t)·log(1 − p)) for a probability p and a target t in [0, 1].

    Finite everywhere: below 1e-12 each log is continued along its tangent, so p = 0 with
    t = 1 costs about 28.6 and its gradient still points the right way; log(1 − p) is
    log1p(−p), exact for tiny p. Through a sigmoid,
    p = σ(z), the gradient with respect to the logit is p − t (seed 003). σ(z) rounds to
    exactly 1.0 once z > 36, and no formula on p can undo that; for such logits use
    binary_cross_entropy_with_logits(z, t), which is exact for any z.
    """
    t = _check_probability_target("binary_cross_entropy", target)
    p = _value("binary_cross_entropy", p)
    if not np.all((p.data >= 0.0) & (p.data <= 1.0)):
        shown = p.data if not isinstance(p.data, np.ndarray) else p.data[~((p.data >= 0) & (p.data <= 1))][0]
        raise ValueError(
            f"binary_cross_entropy: p must be a probability in [0, 1], got {shown!r} "
            "(pass a score through sigmoid() first, or use binary_cross_entropy_with_logits)"
        )
    terms = []
    if np.any(t != 0.0):  # a zero weight would only add 0·log p
        terms.append(t * _safe_log(p))
    if np.any(t != 1.0):
        terms.append((1.0 - t) * _safe_log1m(p))
    return _reduce("binary_cross_entropy", -(terms[0] if len(terms) == 1 else terms[0] + terms[1]), reduction)


def binary_cross_entropy_with_logits(z: Scalar, target: Any, *, reduction: str = "mean") -> Value:
    """binary_cross_entropy(σ(z), t) computed from the logit z: t·softplus(−z) + (1 − t)·softplus(z),
    since −log σ(z) = softplus(−z) and −log(1 − σ(z)) = softplus(z).

    Exact and finite for any z: both terms are ≥ 0, so nothing cancels (softplus(z) − t·z,
    the same number on paper, loses every digit at z = 35, t = 1), and σ(40), which rounds
    to 1.0, is never needed. Its gradient with respect to z is σ(z) − t.
    """
    t = _check_probability_target("binary_cross_entropy_with_logits", target)
    z = _value("binary_cross_entropy_with_logits", z)
    terms = []
    if np.any(t != 0.0):
        terms.append(t * softplus(-z))
    if np.any(t != 1.0):
        terms.append((1.0 - t) * softplus(z))
    return _reduce("binary_cross_entropy_with_logits", terms[0] if len(terms) == 1 else terms[0] + terms[1],
                   reduction)


def cross_entropy(logits: Sequence[Scalar], target_index: Any, *, reduction: str = "mean") -> Value:
    """−log softmax(z)[target] = log Σⱼ e^(zⱼ − z_target) (seed 001's ℓ = −log f(x)_y).

    Each logit is measured from the target's before the log-sum-exp, so nothing cancels:
    log Σⱼ e^zⱼ − z_target would lose every digit for logits like 1e15 and 1e15 − 1. The
    gradient with respect to z is softmax(z) − onehot(target). Over a batch, target_index
    is an array of class indices, one per sample, and z_target is one Σ node: Σ_c onehot_c · z_c.
    """
    zs = [_value("cross_entropy", z) for z in _as_list("cross_entropy", logits)]
    if not zs:
        raise ValueError("cross_entropy: needs at least one logit")
    if isinstance(target_index, np.ndarray) and target_index.ndim > 0:
        if target_index.ndim != 1 or target_index.dtype.kind not in "iu" or \
                not ((target_index >= 0) & (target_index < len(zs))).all():
            raise ValueError(f"cross_entropy: targets must be class indices in 0..{len(zs) - 1}, "
                             f"one per sample, got {describe(target_index)}")
        onehots = [(target_index == c).astype(float) for c in range(len(zs))]
        zt = linear(onehots, zs)
        return _reduce("cross_entropy", logsumexp([z - zt for z in zs]), reduction)
    if _is_bool(target_index):
        raise ValueError(f"cross_entropy: target_index must be an integer, got {describe(target_index)}")
    if not isinstance(target_index, int):
        if is_real(target_index) and float(target_index).is_integer():
            target_index = int(target_index)
        else:
            raise ValueError(f"cross_entropy: target_index must be an integer, got {target_index!r}")
    if not 0 <= target_index < len(zs):
        raise ValueError(
            f"cross_entropy: target_index {target_index} is out of range for {len(zs)} logits"
        )
    zt = zs[target_index]
    return logsumexp([z - zt for z in zs])


def hinge_loss(score: Scalar, label: Any, *, reduction: str = "mean") -> Value:
    """max(0, 1 − label·score) for a label of −1 or +1 (the SVM loss of micrograd's demo);
    over a batch, an array of labels."""
    if isinstance(label, np.ndarray) and label.ndim > 0:
        if label.ndim != 1 or label.dtype.kind not in "iuf" or not np.isin(label, (-1.0, 1.0)).all():
            raise ValueError(f"hinge_loss: labels must be -1 or +1, got {describe(label)}")
        return _reduce("hinge_loss", relu(1.0 - label.astype(float) * _value("hinge_loss", score)), reduction)
    if _is_bool(label) or not is_real(label) or float(label) not in (-1.0, 1.0):
        raise ValueError(f"hinge_loss: label must be -1 or +1, got {describe(label)}")
    return relu(1.0 - float(label) * _value("hinge_loss", score))


def mean(losses: Value | Iterable[Scalar]) -> Value:
    """(1/n) Σ lossᵢ: the average of per-sample losses, as one Σ node and a scale; a batch
    of losses (one Value over a batch) is averaged over its samples."""
    xs = [losses] if type(losses) is Value else values(losses, "mean")
    if not xs:
        raise ValueError("mean: needs at least one loss")
    m = total(xs) * (1.0 / len(xs)) if len(xs) > 1 else _value("mean", xs[0])
    return _reduce("mean", m, "mean")


def l2(params: Iterable[Value]) -> Value:
    """Σ p² over the parameters, as one node (add alpha·l2(params) to a loss to decay weights)."""
    ps = values(params, "l2")
    if not ps:
        raise ValueError("l2: needs at least one parameter")
    return linear(ps, ps)


__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "hinge_loss",
    "l2",
    "mean",
    "squared_error",
]
