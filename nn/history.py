"""Watching a network learn: a History records snapshots of training every k steps.

    history = History(model, every=5)
    for k in range(steps):
        loss = ...                      # one graph per sample, or one batched graph
        opt.zero_grad()
        loss.backward()
        history.record(k, loss, accuracy=acc)   # after backward(), before opt.step()
        opt.step()

Every call adds (step, loss, accuracy) to history.curve; every k-th step (and any step
with force=True) also takes a Snapshot: the chosen parameters' values and, per layer, the
mean |δ| of its neurons (δ = ∂C/∂z, the grad of each neuron's Σ node, found in the loss's
graph by autograd.neurons) and the mean |∂C/∂w| of its weights, with each neuron's mean
activation a and mean |δ| over the samples. It works the same whether the loss is the
mean of one graph per sample or one batched graph (the numbers agree). The replays
(nn.save_replay_gif, nn.save_replay_html) draw a History.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograd import Value, neurons
from autograd.text import describe, is_real

from .module import Module


@dataclass(frozen=True)
class Snapshot:
    """The state of training at one step, taken after backward() and before the update."""

    step: int
    loss: float
    accuracy: float | None
    parameters: dict[str, float]  # name -> value, for the chosen parameters
    delta: dict[str, float]  # layer -> mean |δ| = mean |∂C/∂z| over its neurons (and samples)
    weight_grad: dict[str, float]  # layer -> mean |∂C/∂w| over its weights
    activations: dict[str, list[float]]  # layer -> each neuron's mean a over the samples
    deltas: dict[str, list[float]]  # layer -> each neuron's mean |δ| over the samples


def _layer(name: str) -> str | None:
    """'layer1' for a parameter named 'layer1.neuron3.w2'; None for other names."""
    parts = name.split(".")
    return parts[0] if len(parts) >= 3 else None


def _mean(x: Any) -> float:
    return float(np.mean(x)) if isinstance(x, np.ndarray) else float(x)


class History:
    """Snapshots of a model's training (see the module doc).

    model       the Module being trained (an MLP's parameters are named layerL.neuronJ.wK)
    every       take a snapshot every `every` steps (step % every == 0)
    parameters  the names of the parameters to keep (default: all of them; the replays
                need all)
    """

    def __init__(self, model: Module, every: int = 1, parameters: Iterable[str] | None = None) -> None:
        if not isinstance(model, Module):
            raise TypeError(f"History: model must be an nn Module, got {describe(model)}")
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"History: every must be a positive integer, got {every!r}")
        self.model, self.every = model, every
        named = dict(model.named_parameters())
        chosen = list(named) if parameters is None else list(parameters)
        unknown = [n for n in chosen if n not in named]
        if unknown:
            raise ValueError(f"History: the model has no parameter named {unknown[0]!r} "
                             f"(its names look like {next(iter(named), '?')!r})")
        self.names = chosen
        self._params = [named[n] for n in chosen]
        self._weights: dict[str, list[Value]] = {}  # per layer, the weights (not the biases)
        for name, p in named.items():
            layer = _layer(name)
            if layer is not None and name.rsplit(".", 1)[-1].startswith("w"):
                self._weights.setdefault(layer, []).append(p)
        self.curve: list[tuple[int, float, float | None]] = []
        self.snapshots: list[Snapshot] = []

    def due(self, step: int) -> bool:
        """True if record(step, ...) takes a snapshot: compute what it needs only then."""
        return step % self.every == 0

    def record(self, step: int, loss: Value | float, accuracy: float | None = None, *,
               force: bool = False) -> Snapshot | None:
        """Note this step's loss and accuracy; at a due step (or with force=True) take a
        snapshot too, reading the gradients that loss.backward() left, and return it."""
        if isinstance(step, bool) or not isinstance(step, int):
            raise TypeError(f"History.record: step must be an int, got {describe(step)}")
        if type(loss) is not Value and not is_real(loss):
            raise TypeError(f"History.record: loss must be a Value or a number, got {describe(loss)}")
        value = _mean(loss.data if type(loss) is Value else loss)
        acc = None if accuracy is None else float(accuracy)
        self.curve.append((step, value, acc))
        if not (force or self.due(step)):
            return None
        delta, deltas, activations = self._neurons(loss) if type(loss) is Value else ({}, {}, {})
        grads = {layer: float(np.mean([abs(w.grad) for w in ws])) for layer, ws in self._weights.items()}
        snap = Snapshot(step, value, acc, {n: float(p.data) for n, p in zip(self.names, self._params)},
                        delta, grads, activations, deltas)
        self.snapshots.append(snap)
        return snap

    def _neurons(self, loss: Value) -> tuple[dict[str, float], dict[str, list[float]],
                                             dict[str, list[float]]]:
        """Per layer: mean |δ| over neurons and samples; per neuron: mean |δ| and mean a."""
        sums: dict[str, dict[int, list[float]]] = {}  # layer -> neuron -> [Σ|δ|, Σa, count]
        for n in neurons(loss):
            layer = n.layer_scope.rsplit("/", 1)[-1] or "model"
            cell = sums.setdefault(layer, {}).setdefault(n.index or 0, [0.0, 0.0, 0.0])
            d, a = n.z.grad, n.a.data
            size = len(a) if isinstance(a, np.ndarray) else 1
            cell[0] += float(np.sum(np.abs(d))) * (1 if isinstance(d, np.ndarray) else size)
            cell[1] += float(np.sum(a))
            cell[2] += size
        delta = {layer: math.fsum(c[0] for c in cells.values()) / sum(c[2] for c in cells.values())
                 for layer, cells in sums.items()}
        deltas = {layer: [cells[j][0] / cells[j][2] for j in sorted(cells)] for layer, cells in sums.items()}
        acts = {layer: [cells[j][1] / cells[j][2] for j in sorted(cells)] for layer, cells in sums.items()}
        return delta, deltas, acts

    # -- reading it ---------------------------------------------------------------------

    @property
    def layers(self) -> list[str]:
        """The layers seen, in order ('layer1', 'layer2', ...)."""
        seen: dict[str, None] = {}
        for s in self.snapshots:
            seen.update(dict.fromkeys([*s.weight_grad, *s.delta]))
        return list(seen)

    @property
    def steps(self) -> list[int]:
        """The step of every snapshot."""
        return [s.step for s in self.snapshots]

    def series(self, what: str, layer: str) -> list[float]:
        """One layer's 'delta' (mean |δ|) or 'weight_grad' (mean |∂C/∂w|) over the snapshots."""
        if what not in ("delta", "weight_grad"):
            raise ValueError(f"History.series: what must be 'delta' or 'weight_grad', got {what!r}")
        return [getattr(s, what).get(layer, math.nan) for s in self.snapshots]

    @contextmanager
    def restored(self, index: int) -> Iterator[Module]:
        """Inside, the model's parameters hold snapshot `index`'s values (all parameters
        must have been recorded); afterwards the values they had. The graphs built before
        then are stale: run a new forward pass before the next backward()."""
        if len(self.names) != len(self.model.parameters()):
            raise ValueError("History.restored: only some parameters were recorded; pass parameters=None")
        values = self.snapshots[index].parameters
        saved = [p.data for p in self._params]
        try:
            for name, p in zip(self.names, self._params):
                p.data = values[name]
            yield self.model
        finally:
            for p, x in zip(self._params, saved):
                p.data = x

    def __len__(self) -> int:
        return len(self.snapshots)

    def __repr__(self) -> str:
        return f"History({len(self.snapshots)} snapshots every {self.every} step(s), {len(self.curve)} steps)"
