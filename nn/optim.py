"""Stochastic gradient descent, a learning-rate schedule, and minibatches.

    w ← w − η ∂C/∂w                                   (seed 004's update rule)

with PyTorch's momentum and weight decay (torch.optim.SGD, dampening 0, no Nesterov):

    g ← ∂C/∂w + λ·w                 weight decay λ
    v ← g (first step), v ← μ·v + g  momentum μ
    w ← w − η·v
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from numbers import Integral
from typing import Any

from autograd import Value
from autograd.text import describe, is_real, name, sequence


def _check_rate(owner: str, name: str, x: Any) -> float:
    if not is_real(x) or not math.isfinite(float(x)) or float(x) < 0.0:
        raise ValueError(f"{owner}: {name} must be a finite number ≥ 0, got {x!r}")
    return float(x)


def _rate(name: str, doc: str) -> Any:
    """A property of SGD holding a finite number ≥ 0, checked whenever it is set."""

    def get(self: SGD) -> float:
        value: float = getattr(self, f"_{name}")
        return value

    def put(self: SGD, value: float) -> None:
        setattr(self, f"_{name}", _check_rate("SGD", name, value))

    return property(get, put, doc=doc)


class SGD:
    """Plain SGD over a list of parameters, optionally with momentum and weight decay.

    step() only reads .grad and writes .data (floats), so it builds no graph. Set opt.lr
    each step to follow a schedule; lr, momentum and weight_decay are checked whenever they
    are set. Each parameter may appear once: twice would step it twice.
    """

    lr = _rate("lr", "The learning rate η, a finite number ≥ 0.")
    momentum = _rate("momentum", "The momentum μ, a finite number ≥ 0 (0: none).")
    weight_decay = _rate("weight_decay", "The weight decay λ, a finite number ≥ 0 (0: none).")

    def __init__(
        self,
        params: Iterable[Value],
        lr: float,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
    ) -> None:
        if not hasattr(params, "__iter__") or isinstance(params, Value):
            hint = "; pass model.parameters()" if hasattr(params, "parameters") else ""
            raise TypeError(f"SGD: params must be a list of Values{hint}, got {describe(params)}")
        self.params = list(params)
        if not self.params:
            raise ValueError("SGD: got an empty parameter list")
        first: dict[int, int] = {}
        for i, p in enumerate(self.params):
            if type(p) is not Value:
                raise TypeError(f"SGD: parameters must be Values, got {describe(p)}")
            if (j := first.setdefault(id(p), i)) != i:
                raise ValueError(f"SGD: params[{j}] and params[{i}] are the same Value ({name(p)}); it "
                                 "would be stepped twice. Pass each parameter once")
        self.lr, self.momentum, self.weight_decay = lr, momentum, weight_decay
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

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0."""
        for p in self.params:
            p.grad = 0.0

    def __repr__(self) -> str:
        return (
            f"SGD({len(self.params)} parameters, lr={self.lr}, momentum={self.momentum}, "
            f"weight_decay={self.weight_decay})"
        )


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

    def __iter__(self) -> Iterator[tuple[list[Any], list[Any]]]:
        order = list(range(len(self.inputs)))
        if self.shuffle:
            self._rng.shuffle(order)
        m = self.batch_size
        for start in range(0, len(order), m):
            idx = order[start : start + m]
            yield [self.inputs[i] for i in idx], [self.targets[i] for i in idx]
