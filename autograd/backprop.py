"""grad(): ∂output/∂input for chosen inputs, as new Values, without touching any .grad.

The chain rule of backward(), ∂y/∂p += ∂v/∂p · ∂y/∂v, with the gradients kept in a dict.
Only nodes on a path to an input are visited. With create_graph=True the rules run on the
Values themselves, so each gradient is a node of the graph and can be differentiated
again: second and third derivatives, Hessian entries.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from typing import Any

import numpy as np

from .modes import enable_grad
from .numeric import contributions
from .text import describe
from .value import Value, backward, toposort

__all__ = ["backward", "grad", "toposort"]


def grad(output: Value, inputs: Value | Sequence[Value], create_graph: bool = False) -> list[Value]:
    """∂output/∂input for each input, as a list of Values (0.0 where output does not
    depend on it). No .grad is touched.

        >>> x = Value(3.0); y = x ** 3
        >>> dy, = grad(y, [x], create_graph=True)     # 3x² = 27
        >>> d2y, = grad(dy, [x])                      # 6x  = 18
    """
    if type(output) is not Value:
        raise TypeError(f"grad: output must be a Value, got {describe(output)}")
    if type(inputs) is Value:
        inputs = [inputs]
    if isinstance(inputs, (str, bytes)) or not hasattr(inputs, "__iter__"):
        raise TypeError(f"grad: inputs must be a list of Values, got {describe(inputs)}")
    inputs = list(inputs)
    for x in inputs:
        if type(x) is not Value:
            raise TypeError(f"grad: inputs must be Values, got {describe(x)}")
    order = toposort(output)
    on_path = set(inputs)  # the nodes that lead to an input: only their partials are needed
    for v in order:
        if any(p in on_path for p in v.parents):
            on_path.add(v)
    grads: dict[Value, Any] = {output: Value(1.0, requires_grad=False) if create_graph else 1.0}
    with enable_grad() if create_graph else nullcontext():  # a graph of the gradient
        for v in reversed(order):
            g = grads.get(v)
            if g is None or not v.parents or v not in on_path:
                continue
            wanted = [p in on_path for p in v.parents]
            ds = v.local_grads(wanted, create_graph)
            if isinstance(v.data, np.ndarray):  # a batch: each parameter's gradient sums the samples'
                if create_graph:
                    raise ValueError("grad: create_graph=True (higher derivatives) works on one sample's "
                                     "graph, not on a batch")
                batches = [isinstance(p.data, np.ndarray) for p in v.parents]
                cs = contributions(ds, g, batches, wanted, len(v.data))
            else:
                cs = [d * g if w else None for d, w in zip(ds, wanted)]
            for p, c, w in zip(v.parents, cs, wanted):
                if w:
                    grads[p] = grads[p] + c if p in grads else c
    return [g if type(g) is Value else Value(g, requires_grad=False)
            for g in (grads.get(x, 0.0) for x in inputs)]
