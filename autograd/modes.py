"""The modes that every new node reads: no_grad(), enable_grad(), detect_anomaly(), scope.

They are one tuple (record, anomaly, scope path) in a ContextVar, so each thread (and each
asyncio task) has its own: no_grad() in one thread does not strip the graph another is
building. Each mode swaps the whole tuple, and a node reads it once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from . import text

# observe(node, i, parent, local partial, upstream gradient, contribution), after each
# accumulation of backward(): the explainer records the steps with one.
Observer = Callable[[Any, int, Any, float, float, float], None]

MODES: ContextVar[tuple[bool, bool, str]] = ContextVar("gradstep_modes", default=(True, False, ""))


@contextmanager
def _modes(record: bool | None = None, anomaly: bool | None = None) -> Iterator[None]:
    was_recording, was_watching, path = MODES.get()
    token = MODES.set((was_recording if record is None else record,
                        was_watching if anomaly is None else anomaly, path))
    try:
        yield
    finally:
        MODES.reset(token)


def no_grad() -> Any:
    """Ops inside make leaves that need no gradient: for SGD updates and evaluation.
    Works as a decorator too: @no_grad()."""
    return _modes(record=False)


def enable_grad() -> Any:
    """Ops inside record the graph again, even within no_grad()."""
    return _modes(record=True)


def detect_anomaly() -> Any:
    """Inside, an op whose result or local derivative is NaN or ±inf raises
    FloatingPointError naming the op, its inputs and their labels."""
    return _modes(anomaly=True)


def watch_for_anomalies(observe: Observer | None) -> Observer | None:
    """What backward() calls after each accumulation: the observer and, inside
    detect_anomaly(), a check that every local partial and contribution is finite."""
    if not MODES.get()[1]:
        return observe

    def watch(v: Any, i: int, p: Any, local: float, upstream: float, c: float) -> None:
        if not (math.isfinite(local) and math.isfinite(c)):
            raise text.not_finite(v, i, local, upstream, c)
        if observe is not None:
            observe(v, i, p, local, upstream, c)

    return watch


class scope:
    """`with scope("layer1"):` tags every node made inside with "layer1". Scopes nest into
    paths ("layer1/neuron3"); draw_dot draws each as a box, collapse=True folds it."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        if not isinstance(name, str) or not name or "/" in name:
            raise ValueError(f"scope: name must be a non-empty string without '/', got {name!r}")
        self.name = name

    def __enter__(self) -> scope:
        record, anomaly, path = MODES.get()
        MODES.set((record, anomaly, f"{path}/{self.name}" if path else self.name))
        return self

    def __exit__(self, *exc: object) -> None:  # back to the enclosing path ('/' is not in names)
        record, anomaly, path = MODES.get()
        MODES.set((record, anomaly, path.rpartition("/")[0]))
