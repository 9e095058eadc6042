"""CS231n's circuits, step by step: the chain rule gate by gate, checked against hand derivations.

    python -m demos.circuits [--out out]

Backpropagation is local: every gate knows its own partials, and the chain rule multiplies
each by the gradient arriving from above (CS231n, "Backpropagation, Intuitions").

1. f = (x + y)·z at x = −2, y = 5, z = −4. With q = x + y:
       ∂f/∂z = q = 3     ∂f/∂q = z = −4     ∂f/∂x = ∂f/∂q · ∂q/∂x = −4 · 1 = −4, ∂f/∂y = −4
2. A 2-D sigmoid neuron f = σ(w0·x0 + w1·x1 + w2) = 1/(1 + e^−(w0·x0 + w1·x1 + w2)) at
   w = [2, −3, −3], x = [−1, −2]. The weighted sum is 1 and f = σ(1) = 0.7310585786;
   since σ′ = (1 − σ)σ = 0.1966119332, ∂f/∂w = [x0, x1, 1]·σ′, ∂f/∂x = [w0, w1]·σ′.
   Built from +, ·, −, exp, + 1 and 1/·, gate by gate as CS231n draws it, and then as one σ gate.
3. f = 2·(x·y + max(z, w)) at x = 3, y = −4, z = 2, w = −1: the add gate hands its
   gradient to both inputs, the max gate routes it to the larger input only (z; w gets 0),
   and the multiply gate swaps its inputs: ∂f/∂x = 2y = −8, ∂f/∂y = 2x = 6.

For each, the explainer prints every step, gradcheck compares the engine's gradient with
finite differences and with the hand derivation, and the graph is drawn (SVG, Graphviz).
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):  # run as a file: python demos/circuits.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from autograd import Value, explain, gradcheck, linear, maximum, sigmoid
from demos._common import arguments, save_graph, title


def add_mul(x: Value, y: Value, z: Value) -> Value:
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    return f


def neuron_gates(w0: Value, w1: Value, w2: Value, x0: Value, x1: Value) -> Value:
    """σ(w0·x0 + w1·x1 + w2) from primitive gates, one named node per gate."""

    def name(v: Value, label: str) -> Value:
        v.label = label  # so the listing and the graph say w0x0, dot, e ... rather than n7
        return v

    w0x0 = name(w0 * x0, "w0x0")
    w1x1 = name(w1 * x1, "w1x1")
    dot = name(name(w0x0 + w1x1, "s") + w2, "dot")
    e = name(name(-dot, "u").exp(), "e")  # u = −dot, e = e^u
    return name(1.0 / name(1.0 + e, "den"), "f")  # 1 / (1 + e^−dot)


def neuron_sigma(w0: Value, w1: Value, w2: Value, x0: Value, x1: Value) -> Value:
    """The same neuron as two nodes: the weighted sum Σ and one σ gate."""
    dot = linear([w0, w1], [x0, x1], w2)
    dot.label = "dot"
    f = sigmoid(dot)
    f.label = "f"
    return f


def max_circuit(x: Value, y: Value, z: Value, w: Value) -> Value:
    xy = x * y
    xy.label = "xy"
    m = maximum(z, w)
    m.label = "m"
    s = xy + m
    s.label = "s"
    f = 2.0 * s
    f.label = "f"
    return f


def show(build: Callable[..., Value], inputs: dict[str, float], expected: Callable[..., list[float]],
         out: Path, svg: str) -> list[float]:
    """Explain one circuit, gradcheck it against the hand derivation, draw it. Returns the grads."""
    leaves = [Value(v, k) for k, v in inputs.items()]
    f = build(*leaves)
    print(str(explain(f)))  # runs backward(): every forward and backward step
    grads = [v.grad for v in leaves]
    print("\n  engine: " + ", ".join(f"∂f/∂{v.label} = {v.grad:.10g}" for v in leaves[:3]))
    if leaves[3:]:
        print("          " + ", ".join(f"∂f/∂{v.label} = {v.grad:.10g}" for v in leaves[3:]))
    print("\ngradcheck against finite differences and the hand derivation:")
    report = gradcheck(build, list(inputs.values()), expected=expected)  # raises if any row fails
    print(str(report))
    save_graph(f, out / svg)
    if svg == "circuits_add_mul.svg":  # the README shows this one, as a PNG
        save_graph(f, out / "circuits_add_mul.png")
    return grads


def main() -> None:
    args = arguments(__doc__.splitlines()[0])
    start = time.perf_counter()

    title("1. f = (x + y)·z: the add gate and the multiply gate")
    show(add_mul, {"x": -2.0, "y": 5.0, "z": -4.0},
         lambda x, y, z: [z, z, x + y],  # hand: ∂f/∂x = ∂f/∂y = z, ∂f/∂z = x + y
         args.out, "circuits_add_mul.svg")

    title("2. A 2-D sigmoid neuron, gate by gate")
    point = {"w0": 2.0, "w1": -3.0, "w2": -3.0, "x0": -1.0, "x1": -2.0}

    def by_hand(w0: float, w1: float, w2: float, x0: float, x1: float) -> list[float]:
        f = 1.0 / (1.0 + math.exp(-(w0 * x0 + w1 * x1 + w2)))
        ddot = (1.0 - f) * f  # σ′(dot), CS231n's "ddot"
        return [x0 * ddot, x1 * ddot, ddot, w0 * ddot, w1 * ddot]

    gates = show(neuron_gates, point, by_hand, args.out, "circuits_neuron.svg")
    f = 1.0 / (1.0 + math.exp(-1.0))
    print(f"\n  f = σ(1) = {f:.10f};  dw = [{', '.join(f'{g:.10f}' for g in gates[:3])}]")
    print(f"  dx = [{', '.join(f'{g:.10f}' for g in gates[3:])}]")

    title("2b. The same neuron with one σ gate: σ′ = (1 − σ)σ in one step")
    sigma = show(neuron_sigma, point, by_hand, args.out, "circuits_neuron_sigma.svg")
    gap = max(abs(a - b) for a, b in zip(gates, sigma))
    print(f"\n  max |gate-by-gate − one σ gate| over the five gradients = {gap:.2e}")

    title("3. f = 2·(x·y + max(z, w)): add distributes, max routes, multiply swaps")
    show(max_circuit, {"x": 3.0, "y": -4.0, "z": 2.0, "w": -1.0},
         lambda x, y, z, w: [2 * y, 2 * x, 2.0 if z >= w else 0.0, 0.0 if z >= w else 2.0],
         args.out, "circuits_max.svg")
    print("  w lost the max, so no gradient reaches it: changing w a little does not change f")
    print(f"\ndone in {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
