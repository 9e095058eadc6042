"""Vanishing gradients: why a deep sigmoid network's early layers barely learn, and what initialisation does.

    python -m demos.vanishing_gradients [--out out] [--seeds 8] [--depth 6] [--width 10]
        [--activation all|sigmoid|tanh|relu] [--steps 200] [--lr 0.5] [--samples 200]

The network: MLP(2, [10, 10, 10, 10, 10, 10, 1]), six hidden layers of width 10 (--depth,
--width) and a sigmoid output, on a batch of 32 two-moons points with Nielsen's quadratic cost
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
averaged over several random initialisations.

Then it trains three of them side by side, sigmoid/uniform, sigmoid/Xavier and ReLU/He
(with --activation A: A/uniform and A with its own scaling), by full-batch SGD on 200
two-moons points, one batched graph per step; an nn.History records every step's loss and
each layer's mean |∂C/∂w|. The sigmoid nets' first layers barely move and their loss
stays near 0.125, the cost of answering ½ everywhere, while the ReLU/He net learns.
--activation also picks the columns of the first table. Pictures: the per-layer gradients
at initialisation on a log scale and the mean f′(z) in each hidden layer
(vanishing_gradients.png), and, over training, each variant's per-layer mean |∂C/∂w| with
the losses and accuracies below (vanishing_gradients_training.png).
"""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: python demos/vanishing_gradients.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from autograd import no_grad
from demos._common import arguments, progress, pyplot, save_plot, title
from nn import MLP, SGD, History, accuracy, make_moons, squared_error

# (column name, activation, init, factor on the hidden weights)
CONFIGS = [
    ("sigmoid, uniform", "sigmoid", "uniform", 1.0),
    ("sigmoid, Xavier", "sigmoid", "auto", 1.0),
    ("sigmoid, 4×Xavier", "sigmoid", "auto", 4.0),
    ("tanh, Xavier", "tanh", "auto", 1.0),
    ("ReLU, uniform", "relu", "uniform", 1.0),
    ("ReLU, He", "relu", "auto", 1.0),
]
TRAINED = ["sigmoid, uniform", "sigmoid, Xavier", "ReLU, He"]  # trained side by side by default
NAMES = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU"}
STYLES = {
    "sigmoid, uniform": ("#c0392b", "--", "o"), "sigmoid, Xavier": ("#e67e22", "-", "o"),
    "sigmoid, 4×Xavier": ("#8e44ad", "-", "D"), "tanh, Xavier": ("#27ae60", "-", "s"),
    "tanh, uniform": ("#16a085", "--", "s"), "ReLU, uniform": ("#1f5fa8", "--", "^"),
    "ReLU, He": ("#17becf", "-", "^"),
}


def configs(activation: str) -> list[tuple[str, str, str, float]]:
    """The initialisation table's columns: all six, or those of one activation."""
    return [c for c in CONFIGS if activation in ("all", c[1])]


def trained(activation: str) -> list[tuple[str, str, str]]:
    """(name, activation, init) of the variants trained side by side: sigmoid/uniform,
    sigmoid/Xavier and ReLU/He, or one activation with uniform weights and with its own
    scaling (Xavier, or He for ReLU)."""
    if activation == "all":
        return [(name, act, init) for name, act, init, scale in CONFIGS if name in TRAINED]
    scaled = "He" if activation == "relu" else "Xavier"
    return [(f"{NAMES[activation]}, uniform", activation, "uniform"),
            (f"{NAMES[activation]}, {scaled}", activation, "auto")]


def derivative(activation: str, a: np.ndarray) -> np.ndarray:
    """f′(z) from the activation's output a = f(z): the factor backprop multiplies by."""
    if activation == "sigmoid":
        return a * (1.0 - a)  # σ′ = σ(1 − σ) ≤ ¼
    if activation == "tanh":
        return 1.0 - a * a  # tanh′ = 1 − tanh² ≤ 1
    return (a > 0).astype(float)  # relu′ is 1 where the unit is on, 0 where it is off


def header(names: list[str]) -> None:
    """Two header lines, activation over init, so the table fits in 80 columns."""
    print(f"  {'':<9}" + "".join(f"{name.split(', ')[0]:>12}" for name in names))
    print(f"  {'layer':<9}" + "".join(f"{name.split(', ')[1]:>12}" for name in names))


def ratio(grads: np.ndarray) -> str:
    """How many times larger the output layer's mean gradient is than the first layer's."""
    r = grads[-1] / grads[0]
    return f"{r:.0f}×" if r >= 10 else f"{r:.1f}×"


def layer_grads(model: MLP) -> list[float]:
    return [float(np.mean([abs(w.grad) for n in layer.neurons for w in n.w])) for layer in model.layers]


def measure(hidden: list[int], activation: str, init: str, scale: float, seed: int, X: np.ndarray,
            t: np.ndarray) -> tuple[list[float], list[float]]:
    """Mean |∂C/∂w| per layer, and mean f′(z) per hidden layer, for one initialisation:
    one batched graph over the samples, C = (1/n) Σ ½(y − t)²."""
    model = MLP(2, [*hidden, 1], activation, output_activation="sigmoid", seed=seed, init=init)
    for layer in model.layers[:-1]:
        for neuron in layer.neurons:
            for w in neuron.w:
                w.data *= scale  # set the weights directly (only the 4×Xavier column uses this)
    slopes = []
    h: Any = X
    for k, layer in enumerate(model.layers):  # layer by layer, to see each hidden layer's output
        h = layer(h)
        if k < len(hidden):
            slopes.append(float(np.mean([derivative(activation, a.data) for a in h])))
    cost = squared_error(h[0], t)  # the mean over the batch
    cost.backward()
    return layer_grads(model), slopes


def plot(plt: Any, hidden: list[int], results: dict[str, tuple[np.ndarray, np.ndarray]], path: Path) -> None:
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(12, 4.6), gridspec_kw={"width_ratios": [1.35, 1]})
    layers = np.arange(1, len(hidden) + 2)
    for name, (grads, slopes) in results.items():
        colour, ls, marker = STYLES[name]
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
    if "ReLU, uniform" in results and "ReLU, He" in results:
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


def train(hidden: list[int], activation: str, init: str, X: np.ndarray, t: np.ndarray, steps: int,
          lr: float, seed: int) -> tuple[MLP, History, float, float]:
    """Full-batch SGD, one batched graph per step; a snapshot every step. Returns the model,
    its history, and the loss and accuracy after the last step."""
    model = MLP(2, [*hidden, 1], activation, output_activation="sigmoid", seed=seed, init=init)
    opt = SGD(model.parameters(), lr=lr)
    history = History(model, every=1)
    for k in range(steps):
        a = model(X)
        cost = squared_error(a, t)  # C = (1/n) Σ ½(a − t)²
        opt.zero_grad()
        cost.backward()
        history.record(k, cost, accuracy((a.data > 0.5).astype(int), t))
        opt.step()
    with no_grad():
        a = model(X)
        final = squared_error(a, t).data
    return model, history, float(final), accuracy((a.data > 0.5).astype(int), t)


def plot_training(plt: Any, runs: dict[str, tuple[History, float, float]], path: Path) -> None:
    """Top: each variant's per-layer mean |∂C/∂w| over the steps; below: the losses."""
    n = len(runs)
    fig = plt.figure(figsize=(4.2 * n, 7.2))
    grid = fig.add_gridspec(2, n, height_ratios=[1.25, 1])
    top = [fig.add_subplot(grid[0, i]) for i in range(n)]
    low, high = math.inf, 0.0
    for ax, (name, (history, _, _)) in zip(top, runs.items()):
        layers = history.layers
        cmap = plt.get_cmap("viridis")
        for i, layer in enumerate(layers):
            series = history.series("weight_grad", layer)
            low, high = min(low, *[v for v in series if v > 0]), max(high, *series)
            label = f"layer {i + 1}" + (" (out)" if i == len(layers) - 1 else "")
            ax.plot(history.steps, series, color=cmap(i / max(1, len(layers) - 1)), lw=1.3, label=label)
        ax.set_yscale("log")
        ax.set_title(name, color=STYLES.get(name, ("#333333",))[0])
        ax.set_xlabel("SGD step")
        ax.grid(alpha=0.3)
    for ax in top:
        ax.set_ylim(low / 2, high * 2)
    top[0].set_ylabel("mean |∂C/∂w| per layer (log scale)")
    top[-1].legend(fontsize=7, loc="lower right", ncol=2)
    ax = fig.add_subplot(grid[1, :])
    ax2 = ax.twinx()
    for name, (history, loss, acc) in runs.items():
        colour, ls, _ = STYLES.get(name, ("#333333", "-", "o"))
        steps = [c[0] for c in history.curve]
        ax.plot(steps, [c[1] for c in history.curve], color=colour, ls=ls, lw=1.6,
                label=f"{name}: loss {loss:.4f}, accuracy {acc:.0%}")
        ax2.plot(steps, [100 * (c[2] or 0.0) for c in history.curve], color=colour, ls=":", lw=1.0)
    ax.axhline(0.125, color="#888888", lw=0.8, ls=":")
    ax.text(0, 0.127, "0.125: answering ½ everywhere", fontsize=8, color="#666666", va="bottom")
    ax.set_xlabel("SGD step")
    ax.set_ylabel("quadratic cost C (solid)")
    ax2.set_ylabel("training accuracy, % (dotted)")
    ax2.set_ylim(0, 105)
    ax.legend(fontsize=8, loc="center right")
    ax.grid(alpha=0.3)
    fig.suptitle("Training side by side: how much each layer's weights are pushed, step by step")
    fig.tight_layout()
    save_plot(fig, path)


def main() -> None:
    args = arguments(__doc__.splitlines()[0], seeds=(int, 8, "random initialisations to average over"),
                     depth=(int, 6, "hidden layers"), width=(int, 10, "neurons per hidden layer"),
                     activation=(str, "all", "all, sigmoid, tanh or relu"),
                     steps=(int, 200, "SGD steps of the side-by-side training (0: none)"),
                     lr=(float, 0.5, "its learning rate"), samples=(int, 200, "its two-moons points"))
    if args.activation not in ("all", *NAMES):
        sys.exit(f"vanishing_gradients: --activation must be all, sigmoid, tanh or relu, "
                 f"got {args.activation!r}")
    if args.depth < 1 or args.width < 1:
        sys.exit("vanishing_gradients: --depth and --width must be at least 1")
    hidden = [args.width] * args.depth
    start = time.perf_counter()
    X, t = make_moons(32, noise=0.1, seed=0)
    print(f"MLP(2, {[*hidden, 1]}): {args.depth} hidden layers of {args.width} and a sigmoid output; "
          f"a batch of {len(X)} two-moons points; quadratic cost; averages over {args.seeds} initialisations")

    results = {}
    for name, activation, init, scale in configs(args.activation):
        runs = [measure(hidden, activation, init, scale, seed, X, t) for seed in range(args.seeds)]
        results[name] = (np.mean([g for g, _ in runs], axis=0), np.mean([s for _, s in runs], axis=0))

    title("Mean |∂C/∂w| per layer")
    names = list(results)
    header(names)
    for k in range(len(hidden) + 1):
        label = f"{k + 1} (out)" if k == len(hidden) else str(k + 1)
        print(f"  {label:<9}" + "".join(f"{results[name][0][k]:>12.2e}" for name in names))
    print(f"  {'out / 1':<9}" + "".join(f"{ratio(results[n][0]):>12}" for n in names))
    print("  (out / 1: how many times faster the output layer's weights move than the first layer's)")

    title("Mean f′(z) per hidden layer: the factor each layer multiplies the backward signal by")
    header(names)
    for k in range(len(hidden)):
        print(f"  {k + 1:<9}" + "".join(f"{results[name][1][k]:>12.3f}" for name in names))
    if "ReLU, uniform" in results:
        print("  (the two ReLU columns agree: with zero biases, which units are on does not depend on "
              "the scale)")

    if "sigmoid, uniform" in results and "sigmoid, Xavier" in results:
        title("What the table says")
        sig, xav = results["sigmoid, uniform"][0], results["sigmoid, Xavier"][0]
        print(f"  sigmoid, uniform: layer 1 gets {sig[0]:.1e}, the output layer {sig[-1]:.1e}, "
              f"{ratio(sig)} as much:")
        print("    σ′ ≤ ¼ at every layer shrinks the gradient on its way down")
        print(f"  sigmoid, Xavier: smaller weights make it worse ({ratio(xav)}): Xavier assumes f′(0) = 1, "
              "but\n    σ′(0) = ¼; with 4 × Xavier the hidden layers' gradients are within a few times of "
              "each other")
        print("  tanh with Xavier and ReLU with He keep w·f′ near 1 per layer: the gradient stays about the "
              "same\n    size through all the hidden layers; ReLU with uniform(−1, 1) weights is a little "
              "too large,\n    so its gradient grows towards the input instead")

    runs: dict[str, tuple[History, float, float]] = {}
    if args.steps > 0:
        Xt, tt = make_moons(args.samples, noise=0.1, seed=0)
        title(f"Training side by side: {args.steps} steps of full-batch SGD (lr {args.lr}) on {len(Xt)} "
              "two-moons points")
        for name, activation, init in trained(args.activation):
            began = time.perf_counter()
            _, history, loss, acc = train(hidden, activation, init, Xt, tt, args.steps, args.lr, seed=0)
            runs[name] = (history, loss, acc)
            progress(f"  {name:<17} loss {loss:.4f}  accuracy {acc:4.0%}  "
                     f"({time.perf_counter() - began:.1f} s, one batched graph per step)", done=True)
        names = list(runs)
        print(f"\n  mean |∂C/∂w| per layer, at the first step → the last ({args.steps} steps):")
        print(f"  {'layer':<9}" + "".join(f"{name:>24}" for name in names))
        for k in range(len(hidden) + 1):
            label = f"{k + 1} (out)" if k == len(hidden) else str(k + 1)
            cells = []
            for name in names:
                series = runs[name][0].series("weight_grad", f"layer{k + 1}")
                cells.append(f"{series[0]:.1e} → {series[-1]:.1e}")
            print(f"  {label:<9}" + "".join(f"{c:>24}" for c in cells))
        if any(name.startswith("sigmoid") for name in names):
            print("  (a sigmoid net stuck at loss 0.125 answers ½ everywhere: its first layers' gradients "
                  "are tiny)")

    title("Pictures")
    plt = pyplot()
    if plt is not None:
        plot(plt, hidden, results, args.out / "vanishing_gradients.png")
        if runs:
            plot_training(plt, runs, args.out / "vanishing_gradients_training.png")
    print(f"\ndone in {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
