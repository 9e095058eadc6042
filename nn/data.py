"""Small datasets made with numpy (no downloads), and an accuracy helper.

    make_moons    two interleaving half circles, 2 classes (micrograd's demo)
    make_spiral   a k-armed spiral, k classes (CS231n's softmax example)
    xor_data      the XOR truth table (not linearly separable)
    nand_data     the NAND truth table (seed 004's perceptron)
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from numbers import Integral, Real
from typing import Any

import numpy as np

from autograd.text import sequence


def _check_n(owner: str, what: str, n: Any, least: int = 1) -> int:
    if isinstance(n, bool) or not isinstance(n, Integral) or n < least:
        raise ValueError(f"{owner}: {what} must be an integer ≥ {least}, got {n!r}")
    return int(n)


def _check_noise(owner: str, noise: Any) -> float:
    if isinstance(noise, bool) or not isinstance(noise, Real) or not 0 <= float(noise) < float("inf"):
        raise ValueError(f"{owner}: noise must be a finite number ≥ 0, got {noise!r}")
    return float(noise)


def _rng(owner: str, seed: Any) -> np.random.Generator:
    """numpy's generator for a seed: an integer, or None to draw from Python's global random
    (so random.seed(1337) repeats a run, as in micrograd's demo)."""
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, Integral)):
        raise ValueError(f"{owner}: seed must be an integer or None, got {seed!r}")
    return np.random.default_rng(random.getrandbits(64) if seed is None else int(seed))


def make_moons(
    n_samples: int = 100, noise: float = 0.1, seed: int | None = None, *, random_state: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: X of shape (n, 2), y of ints in {0, 1}.

    Class 0 is the upper moon (cos t, sin t), class 1 the lower one
    (1 − cos t, ½ − sin t), t in [0, π], plus Gaussian noise of std `noise`; the samples
    are shuffled. The same seed gives the same data; random_state= is scikit-learn's name
    for it. Without either, the data follow Python's global random.
    """
    n_samples = _check_n("make_moons", "n_samples", n_samples, 2)
    noise = _check_noise("make_moons", noise)
    if random_state is not None:
        if seed is not None and seed != random_state:
            raise ValueError(f"make_moons: seed={seed!r} and random_state={random_state!r} disagree; "
                             "give one of them")
        seed = random_state
    rng = _rng("make_moons", seed)
    n_upper = n_samples // 2
    n_lower = n_samples - n_upper
    t_upper = np.linspace(0.0, np.pi, n_upper)
    t_lower = np.linspace(0.0, np.pi, n_lower)
    X = np.concatenate([
        np.stack([np.cos(t_upper), np.sin(t_upper)], axis=1),
        np.stack([1.0 - np.cos(t_lower), 0.5 - np.sin(t_lower)], axis=1),
    ])
    y = np.concatenate([np.zeros(n_upper, dtype=np.int64), np.ones(n_lower, dtype=np.int64)])
    X = X + rng.normal(scale=noise, size=X.shape)
    order = rng.permutation(n_samples)
    return X[order], y[order]


def make_spiral(
    n_per_class: int = 100, n_classes: int = 3, noise: float = 0.2, seed: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """A spiral with n_classes arms (CS231n): X of shape (n_per_class·n_classes, 2), y in
    {0, …, n_classes − 1}. Arm k has radius r from 0 to 1 and angle 4k + 4r + noise.
    Without a seed, the data follow Python's global random."""
    n_per_class = _check_n("make_spiral", "n_per_class", n_per_class)
    n_classes = _check_n("make_spiral", "n_classes", n_classes, 2)
    noise = _check_noise("make_spiral", noise)
    rng = _rng("make_spiral", seed)
    X = np.zeros((n_per_class * n_classes, 2))
    y = np.zeros(n_per_class * n_classes, dtype=np.int64)
    for k in range(n_classes):
        rows = slice(n_per_class * k, n_per_class * (k + 1))
        r = np.linspace(0.0, 1.0, n_per_class)
        t = np.linspace(4.0 * k, 4.0 * (k + 1), n_per_class) + rng.normal(scale=noise, size=n_per_class)
        X[rows] = np.stack([r * np.sin(t), r * np.cos(t)], axis=1)
        y[rows] = k
    return X, y


def xor_data() -> tuple[np.ndarray, np.ndarray]:
    """The XOR truth table: inputs (0,0), (0,1), (1,0), (1,1) -> 0, 1, 1, 0."""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return X, np.array([0, 1, 1, 0])


def nand_data() -> tuple[np.ndarray, np.ndarray]:
    """The NAND truth table: inputs (0,0), (0,1), (1,0), (1,1) -> 1, 1, 1, 0."""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return X, np.array([1, 1, 1, 0])


def accuracy(predictions: Sequence[Any], targets: Sequence[Any]) -> float:
    """The fraction of predicted labels equal to the targets, in [0, 1]."""
    sequence("accuracy", "predictions", predictions)
    sequence("accuracy", "targets", targets)
    if len(predictions) != len(targets):
        raise ValueError(
            f"accuracy: {len(predictions)} predictions but {len(targets)} targets; they must match"
        )
    if len(targets) == 0:
        raise ValueError("accuracy: no predictions")
    hits = sum(1 for p, t in zip(predictions, targets) if p == t)
    return hits / len(targets)
