"""Optimizers, a learning-rate schedule, and minibatches.

SGD (seed 004's update rule, w ← w − η ∂C/∂w) with PyTorch's momentum and weight decay
(torch.optim.SGD, dampening 0, no Nesterov):

    g ← ∂C/∂w + λ·w                 weight decay λ
    v ← g (first step), v ← μ·v + g  momentum μ
    w ← w − η·v

Adam (Kingma & Ba; torch.optim.Adam, no amsgrad), at step t = 1, 2, …:

    g ← ∂C/∂w + λ·w                 weight decay λ (L2, into the gradient)
    m ← β₁·m + (1 − β₁)·g            running mean of the gradient
    v ← β₂·v + (1 − β₂)·g²           running mean of its square
    m̂ ← m / (1 − β₁ᵗ),  v̂ ← v / (1 − β₂ᵗ)   bias correction: m and v start at 0
    w ← w − η·m̂ / (√v̂ + ε)

AdamW (Loshchilov & Hutter; torch.optim.AdamW) decays the weight itself instead,
w ← w − η·λ·w, then takes Adam's step without λ in the gradient.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from numbers import Integral
from typing import Any

import numpy as np

from autograd import Value
from autograd.text import describe, is_real, name, sequence, table


def _check_rate(owner: str, name: str, x: Any) -> float:
    if not is_real(x) or not math.isfinite(float(x)) or float(x) < 0.0:
        raise ValueError(f"{owner}: {name} must be a finite number ≥ 0, got {x!r}")
    return float(x)


def _check_params(owner: str, params: Iterable[Value]) -> list[Value]:
    if not hasattr(params, "__iter__") or isinstance(params, Value):
        hint = "; pass model.parameters()" if hasattr(params, "parameters") else ""
        raise TypeError(f"{owner}: params must be a list of Values{hint}, got {describe(params)}")
    out = list(params)
    if not out:
        raise ValueError(f"{owner}: got an empty parameter list")
    first: dict[int, int] = {}
    for i, p in enumerate(out):
        if type(p) is not Value:
            raise TypeError(f"{owner}: parameters must be Values, got {describe(p)}")
        if (j := first.setdefault(id(p), i)) != i:
            raise ValueError(f"{owner}: params[{j}] and params[{i}] are the same Value ({name(p)}); it "
                             "would be stepped twice. Pass each parameter once")
    return out


def _rate(attr: str, doc: str) -> Any:
    """A property holding a finite number ≥ 0, checked whenever it is set (opt.lr = "0.1"
    is refused there, not at the next step)."""

    def get(self: Optimizer) -> float:
        value: float = getattr(self, f"_{attr}")
        return value

    def put(self: Optimizer, value: float) -> None:
        setattr(self, f"_{attr}", _check_rate(type(self).__name__, attr, value))

    return property(get, put, doc=doc)


class Optimizer:
    """What every optimizer here shares: the parameter list (checked: Values, each once), a
    learning rate lr (set opt.lr each step to follow a schedule; checked whenever it is
    set), zero_grad(). step() only reads .grad and writes .data, so it builds no graph."""

    lr = _rate("lr", "The learning rate η, a finite number ≥ 0.")

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        self.params = _check_params(type(self).__name__, params)
        self.lr = lr

    def step(self) -> None:
        """One update of every parameter from its current .grad."""
        raise NotImplementedError

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0."""
        for p in self.params:
            p.grad = 0.0


class SGD(Optimizer):
    """Plain SGD over a list of parameters, optionally with momentum and weight decay.

    step() only reads .grad and writes .data (floats), so it builds no graph. Set opt.lr
    each step to follow a schedule; lr, momentum and weight_decay are checked whenever they
    are set. Each parameter may appear once: twice would step it twice.
    """

    momentum = _rate("momentum", "The momentum μ, a finite number ≥ 0 (0: none).")
    weight_decay = _rate("weight_decay", "The weight decay λ, a finite number ≥ 0 (0: none).")

    def __init__(
        self,
        params: Iterable[Value],
        lr: float,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        self.momentum, self.weight_decay = momentum, weight_decay
        self._velocity: list[float | None] = [None] * len(self.params)

    def step(self) -> None:
        """One update of every parameter from its current .grad."""
        lr, mu, wd = self.lr, self.momentum, self.weight_decay
        if not mu and not wd:
            for p in self.params:
                p.data -= lr * p.grad
            return
        velocity = self._velocity
        for i, p in enumerate(self.params):
            g = p.grad
            if wd:
                g = g + wd * p.data
            if mu:
                v = velocity[i]
                g = velocity[i] = g if v is None else mu * v + g
            p.data -= lr * g

    def __repr__(self) -> str:
        return (
            f"SGD({len(self.params)} parameters, lr={self.lr}, momentum={self.momentum}, "
            f"weight_decay={self.weight_decay})"
        )

    def _repr_html_(self) -> str:  # in a notebook: the settings as a table
        rows = [["parameters", len(self.params)], ["lr", self.lr], ["momentum", self.momentum],
                ["weight_decay", self.weight_decay]]
        return table(["SGD", ""], rows, "w ← w − lr·v,  v = μ·v + ∂C/∂w + λ·w")


def _check_betas(owner: str, betas: Any) -> tuple[float, float]:
    ok = isinstance(betas, (tuple, list)) and len(betas) == 2 and all(
        is_real(b) and 0.0 <= float(b) < 1.0 for b in betas)
    if not ok:
        raise ValueError(f"{owner}: betas must be two numbers in [0, 1), like (0.9, 0.999), got {betas!r}")
    return float(betas[0]), float(betas[1])


class Adam(Optimizer):
    """Adam, as torch.optim.Adam computes it (see the module doc): bias-corrected running
    means of the gradient and of its square; weight_decay adds λ·w to the gradient.

    lr, betas, eps and weight_decay are read at every step (set opt.lr each step to follow
    a schedule; lr, eps and weight_decay are checked whenever they are set). step_count is
    the number of steps taken (t above).
    """

    decoupled = False  # AdamW: the weight decays by itself, outside the gradient
    eps = _rate("eps", "The ε added to √v̂, a finite number ≥ 0.")
    weight_decay = _rate("weight_decay", "The weight decay λ, a finite number ≥ 0 (0: none).")

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        owner = type(self).__name__
        self.betas = _check_betas(owner, betas)
        self.eps, self.weight_decay = eps, weight_decay
        self.step_count = 0
        self.m = [0.0] * len(self.params)  # running mean of the gradient, per parameter
        self.v = [0.0] * len(self.params)  # running mean of its square

    def step(self) -> None:
        """One update of every parameter from its current .grad."""
        self.step_count += 1
        t, lr, eps, wd = self.step_count, self.lr, self.eps, self.weight_decay
        beta1, beta2 = self.betas
        correction1, correction2 = 1.0 - beta1**t, 1.0 - beta2**t
        m, v = self.m, self.v
        for i, p in enumerate(self.params):
            g, w = p.grad, p.data
            if wd and self.decoupled:
                w -= lr * wd * w
            elif wd:
                g = g + wd * w
            m[i] = beta1 * m[i] + (1.0 - beta1) * g
            v[i] = beta2 * v[i] + (1.0 - beta2) * g * g
            p.data = w - lr * (m[i] / correction1) / (math.sqrt(v[i] / correction2) + eps)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({len(self.params)} parameters, lr={self.lr}, betas={self.betas}, "
            f"eps={self.eps}, weight_decay={self.weight_decay})"
        )


class AdamW(Adam):
    """Adam with decoupled weight decay, as torch.optim.AdamW: each step first shrinks every
    weight, w ← w − η·λ·w, then takes Adam's step on the plain gradient. Its default λ is
    torch's, 0.01."""

    decoupled = True

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay)


def linear_decay(start: float, end: float, steps: int) -> Callable[[int], float]:
    """The learning rate at step k, going linearly from start (k = 0) to end (k = steps).

    micrograd's demo uses linear_decay(1.0, 0.1, 100): lr = 1.0 − 0.9·k/100. Past the last
    step it stays at end.
    """
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"linear_decay: steps must be a positive integer, got {steps!r}")
    start = _check_rate("linear_decay", "start", start)
    end = _check_rate("linear_decay", "end", end)

    def lr(k: int) -> float:
        return start + (end - start) * min(max(k, 0), steps) / steps

    return lr


class Minibatches:
    """Shuffled minibatches of (inputs, targets), reshuffled every epoch (seed 004):

        for a fixed number of epochs:
            randomly partition the data into minibatches of size m
            for each minibatch: update the parameters

    Each iteration over this object is one epoch. With the same seed the sequence of
    epochs is the same; without one, it follows Python's global random. The last batch is
    smaller when m does not divide n.

        >>> X, y = list(range(25)), [i % 2 for i in range(25)]
        >>> batches = Minibatches(X, y, batch_size=10, seed=0)
        >>> [len(xb) for xb, yb in batches]      # one epoch
        [10, 10, 5]
        >>> sorted(x for xb, _ in batches for x in xb) == X      # each sample once per epoch
        True
    """

    def __init__(
        self,
        inputs: Sequence[Any],
        targets: Sequence[Any],
        batch_size: int,
        *,
        seed: int | None = None,
        shuffle: bool = True,
    ) -> None:
        sequence("Minibatches", "inputs", inputs)
        sequence("Minibatches", "targets", targets)
        if len(inputs) != len(targets):
            raise ValueError(
                f"Minibatches: {len(inputs)} inputs but {len(targets)} targets; they must match"
            )
        if len(inputs) == 0:
            raise ValueError("Minibatches: no data")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"Minibatches: batch_size must be a positive integer, got {batch_size!r}")
        self.inputs, self.targets = inputs, targets
        self.batch_size = batch_size
        self.shuffle = shuffle
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, Integral)):
            raise ValueError(f"Minibatches: seed must be an integer or None, got {seed!r}")
        self._rng = random.Random(random.getrandbits(64) if seed is None else int(seed))

    def __len__(self) -> int:
        """The number of batches in one epoch."""
        return -(-len(self.inputs) // self.batch_size)

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        """One epoch: (inputs, targets) per minibatch; numpy arrays give numpy arrays, which
        feed a model straight in as a batch (model(xb)), and lists give lists."""
        order = list(range(len(self.inputs)))
        if self.shuffle:
            self._rng.shuffle(order)
        m = self.batch_size
        for start in range(0, len(order), m):
            idx = order[start : start + m]
            yield _take(self.inputs, idx), _take(self.targets, idx)


def _take(data: Any, idx: list[int]) -> Any:
    return data[idx] if isinstance(data, np.ndarray) else [data[i] for i in idx]
