"""Vanishing gradients: why a deep sigmoid network's early layers barely learn, and what initialisation does.

    python -m demos.vanishing_gradients [--out out] [--seeds 8]

The network: MLP(2, [10, 10, 10, 10, 10, 10, 1]), six hidden layers of width 10 and a
sigmoid output, on a batch of 32 two-moons points with Nielsen's quadratic cost
C = (1/n) Σ ½(y − t)² (seed 002). Backpropagation (δˡ = ((Wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ f′(zˡ)) multiplies
the error by a weight and an activation derivative at every layer on its way down, so

    ∂C/∂w in layer l  ∝  Π over the layers above it of  (w · f′(z))

and with the sigmoid f′ = σ(1 − σ) ≤ ¼ (seed 004): unless the weights make up for it,
each layer shrinks the gradient by a factor of 4 or more, and the first layers learn
hundreds of times more slowly than the last. The demo measures the mean |∂C/∂w| in each
layer for sigmoid, tanh and ReLU networks, with weights drawn uniform in (−1, 1)
(micrograd's default) or scaled to the layer's size (init="auto"):

    Xavier (sigmoid, tanh)  U(±√(6/(fan_in + fan_out)))    He (ReLU)  U(±√(6/fan_in))

Xavier keeps the signal's size when f′(0) = 1, as for tanh; the sigmoid's f′(0) = ¼ needs
weights 4 times larger, so the demo also tries sigmoid with 4 × Xavier. Every number is
averaged over several random initialisations. Picture: the per-layer gradients on a log
scale, and the mean f′(z) in each hidden layer (PNG).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: python demos/vanishing_gradients.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from autograd import Value
from demos._common import arguments, pyplot, save_plot, title
from nn import MLP, make_moons, mean, squared_error

HIDDEN = [10] * 6
# (column name, activation, init, factor on the hidden weights)
CONFIGS = [
    ("sigmoid, uniform", "sigmoid", "uniform", 1.0),
    ("sigmoid, Xavier", "sigmoid", "auto", 1.0),
    ("sigmoid, 4×Xavier", "sigmoid", "auto", 4.0),
    ("tanh, Xavier", "tanh", "auto", 1.0),
    ("ReLU, uniform", "relu", "uniform", 1.0),
    ("ReLU, He", "relu", "auto", 1.0),
]


def derivative(activation: str, a: float) -> float:
    """f′(z) from the activation's output a = f(z): the factor backprop multiplies by."""
    if activation == "sigmoid":
        return a * (1.0 - a)  # σ′ = σ(1 − σ) ≤ ¼
    if activation == "tanh":
        return 1.0 - a * a  # tanh′ = 1 − tanh² ≤ 1
    return 1.0 if a > 0 else 0.0  # relu′ is 1 where the unit is on, 0 where it is off


def header(names: list[str]) -> None:
    """Two header lines, activation over init, so the table fits in 80 columns."""
    print(f"  {'':<9}" + "".join(f"{name.split(', ')[0]:>12}" for name in names))
    print(f"  {'layer':<9}" + "".join(f"{name.split(', ')[1]:>12}" for name in names))


def ratio(grads: np.ndarray) -> str:
    """How many times larger the output layer's mean gradient is than the first layer's."""
    r = grads[-1] / grads[0]
    return f"{r:.0f}×" if r >= 10 else f"{r:.1f}×"


def measure(activation: str, init: str, scale: float, seed: int, X: np.ndarray,
            t: np.ndarray) -> tuple[list[float], list[float]]:
    """Mean |∂C/∂w| per layer, and mean f′(z) per hidden layer, for one initialisation."""
    model = MLP(2, [*HIDDEN, 1], activation, output_activation="sigmoid", seed=seed, init=init)
    for layer in model.layers[:-1]:
        for neuron in layer.neurons:
            for w in neuron.w:
                w.data *= scale  # set the weights directly (only the 4×Xavier column uses this)
    slopes: list[list[float]] = [[] for _ in HIDDEN]
    outputs: list[Value] = []
    for x in X.tolist():
        h: list[Value] = x
        for k, layer in enumerate(model.layers):  # layer by layer, to see each hidden layer's output
            h = layer(h)
            if k < len(HIDDEN):
                slopes[k] += [derivative(activation, a.data) for a in h]
        outputs.append(h[0])
    cost = mean([squared_error(y, target) for y, target in zip(outputs, t.tolist())])
    cost.backward()
    grads = [float(np.mean([abs(w.grad) for n in layer.neurons for w in n.w])) for layer in model.layers]
    return grads, [float(np.mean(s)) for s in slopes]


def plot(plt: Any, results: dict[str, tuple[np.ndarray, np.ndarray]], path: Path) -> None:
    styles = {
        "sigmoid, uniform": ("#c0392b", "--", "o"), "sigmoid, Xavier": ("#e67e22", "-", "o"),
        "sigmoid, 4×Xavier": ("#8e44ad", "-", "D"), "tanh, Xavier": ("#27ae60", "-", "s"),
        "ReLU, uniform": ("#1f5fa8", "--", "^"), "ReLU, He": ("#17becf", "-", "^"),
    }
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(12, 4.6), gridspec_kw={"width_ratios": [1.35, 1]})
    layers = np.arange(1, len(HIDDEN) + 2)
    for name, (grads, slopes) in results.items():
        colour, ls, marker = styles[name]
        ax.plot(layers, grads, color=colour, ls=ls, marker=marker, label=name)
        ax2.plot(layers[:-1], slopes, color=colour, ls=ls, marker=marker, label=name)
    ax.set_yscale("log")
    ax.set_xticks(layers)
    ax.set_xlabel(f"layer (1 is nearest the input, {layers[-1]} is the output layer)")
    ax.set_ylabel("mean |∂C/∂w| in the layer (log scale)")
    ax.set_title("How fast each layer learns: gradients per layer")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    ax2.axhline(0.25, color="#c0392b", lw=0.8, ls=":")
    ax2.text(1, 0.27, "σ′ ≤ ¼", color="#c0392b", fontsize=9)
    ax2.text(1, 0.63, "ReLU, uniform and ReLU, He: the same line (with zero biases,\n"
             "which units are on does not depend on the weights' scale)", color="#1f5fa8", fontsize=8)
    ax2.set_ylim(0, 1.05)
    ax2.set_xticks(layers[:-1])
    ax2.set_xlabel("hidden layer")
    ax2.set_ylabel("mean f′(z) over the layer's units")
    ax2.set_title("The activation's slope: the factor backprop multiplies by")
    ax2.grid(alpha=0.3)
    fig.tight_layout()
    save_plot(fig, path)


def main() -> None:
    args = arguments(__doc__.splitlines()[0], seeds=(int, 8, "random initialisations to average over"))
    start = time.perf_counter()
    X, t = make_moons(32, noise=0.1, seed=0)
    print(f"MLP(2, {[*HIDDEN, 1]}): six hidden layers of 10 and a sigmoid output; a batch of {len(X)} "
          f"two-moons points; quadratic cost; averages over {args.seeds} initialisations")

    results = {}
    for name, activation, init, scale in CONFIGS:
        runs = [measure(activation, init, scale, seed, X, t) for seed in range(args.seeds)]
        results[name] = (np.mean([g for g, _ in runs], axis=0), np.mean([s for _, s in runs], axis=0))

    title("Mean |∂C/∂w| per layer")
    names = list(results)
    header(names)
    for k in range(len(HIDDEN) + 1):
        label = f"{k + 1} (out)" if k == len(HIDDEN) else str(k + 1)
        print(f"  {label:<9}" + "".join(f"{results[name][0][k]:>12.2e}" for name in names))
    print(f"  {'out / 1':<9}" + "".join(f"{ratio(results[n][0]):>12}" for n in names))
    print("  (out / 1: how many times faster the output layer's weights move than the first layer's)")

    title("Mean f′(z) per hidden layer: the factor each layer multiplies the backward signal by")
    header(names)
    for k in range(len(HIDDEN)):
        print(f"  {k + 1:<9}" + "".join(f"{results[name][1][k]:>12.3f}" for name in names))
    print("  (the two ReLU columns agree: with zero biases, which units are on does not depend on the scale)")

    title("What the table says")
    sig, xav = results["sigmoid, uniform"][0], results["sigmoid, Xavier"][0]
    print(f"  sigmoid, uniform: layer 1 gets {sig[0]:.1e}, the output layer {sig[-1]:.1e}, "
          f"{ratio(sig)} as much:")
    print("    σ′ ≤ ¼ at every layer shrinks the gradient on its way down")
    print(f"  sigmoid, Xavier: smaller weights make it worse ({ratio(xav)}): Xavier assumes f′(0) = 1, but")
    print("    σ′(0) = ¼; with 4 × Xavier the hidden layers' gradients are within a few times of each other")
    print("  tanh with Xavier and ReLU with He keep w·f′ near 1 per layer: the gradient stays about the same")
    print("    size through all six hidden layers; ReLU with uniform(−1, 1) weights is a little too large,")
    print("    so its gradient grows towards the input instead")

    title("Pictures")
    plt = pyplot()
    if plt is not None:
        plot(plt, results, args.out / "vanishing_gradients.png")
    print(f"\ndone in {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
