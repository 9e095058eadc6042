"""One sigmoid neuron trained by SGD on squared loss: logistic regression, by hand and by the engine.

    python -m demos.single_neuron [--out out] [--epochs 20] [--seed 0]

The neuron is y = σ(wᵀx + b) with σ(z) = 1/(1 + e⁻ᶻ), and one sample's loss is
E = ½(y − t)². The chain rule, with σ′(z) = σ(z)(1 − σ(z)) = y(1 − y), gives

    ∂E/∂wᵢ = (y − t) · y(1 − y) · xᵢ        ∂E/∂b = (y − t) · y(1 − y)

so one SGD step on one sample is  w ← w − η(y − t)y(1 − y)x,  b ← b − η(y − t)y(1 − y).
The demo computes that update by hand (plain floats) and by the engine (backward() and
SGD.step()) for the first sample and prints both, then trains for a few epochs, one
randomly chosen sample at a time, on two separable blobs of points. Picture: the data,
the neuron's output σ(wᵀx + b) as a background shade and its boundary wᵀx + b = 0 (PNG).
"""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: python demos/single_neuron.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from autograd import no_grad
from demos._common import arguments, pyplot, save_plot, scatter_classes, title
from nn import SGD, Minibatches, Neuron, accuracy, mean, squared_error

LR = 0.5


def blobs(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n points per class: class 0 around (1, 3), class 1 around (3, 1); targets 0 / 1."""
    rng = np.random.default_rng(seed)
    X = np.concatenate([rng.normal((1.0, 3.0), 0.6, (n, 2)), rng.normal((3.0, 1.0), 0.6, (n, 2))])
    t = np.concatenate([np.zeros(n), np.ones(n)])
    order = rng.permutation(2 * n)
    return X[order], t[order]


def hand_update(w: list[float], b: float, x: list[float], t: float, lr: float) -> tuple[list[float], float]:
    """The derived rule, on plain floats: no autograd anywhere."""
    y = 1.0 / (1.0 + math.exp(-(sum(wi * xi for wi, xi in zip(w, x)) + b)))
    delta = (y - t) * y * (1.0 - y)  # ∂E/∂z, the same factor for every weight
    return [wi - lr * delta * xi for wi, xi in zip(w, x)], b - lr * delta


def evaluate(neuron: Neuron, X: np.ndarray, t: np.ndarray) -> tuple[float, float]:
    """The mean loss over the whole set and the accuracy (output > ½ means class 1)."""
    with no_grad():  # evaluation only: no graph
        ys = [neuron(x) for x in X.tolist()]
        loss = mean([squared_error(y, target) for y, target in zip(ys, t.tolist())]).data
    return loss, accuracy([int(y.data > 0.5) for y in ys], t.astype(int).tolist())


def sign(x: float) -> str:
    return "−" if x < 0 else "+"


def plot(plt: Any, neuron: Neuron, X: np.ndarray, t: np.ndarray, history: list[float], path: Path) -> None:
    w1, w2, b = (p.data for p in neuron.parameters())
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(10, 4.2), gridspec_kw={"width_ratios": [1.15, 1]})
    lo, hi = X.min() - 0.5, X.max() + 0.5
    gx, gy = np.meshgrid(np.linspace(lo, hi, 200), np.linspace(lo, hi, 200))
    prob = 1.0 / (1.0 + np.exp(-(w1 * gx + w2 * gy + b)))  # σ(wᵀx + b) on a grid, for the shading only
    shade = ax.contourf(gx, gy, prob, levels=np.linspace(0, 1, 11), cmap="RdBu", alpha=0.35)
    fig.colorbar(shade, ax=ax, label="neuron output y = σ(wᵀx + b)")
    ax.contour(gx, gy, prob, levels=[0.5], colors="k", linewidths=1.2)
    scatter_classes(ax, X, t, [(0, "#c0392b", "target t = 0"), (1, "#1f5fa8", "target t = 1")], size=24)
    ax.set_title(f"Learned boundary {w1:.2f}·x1 {sign(w2)} {abs(w2):.2f}·x2 {sign(b)} {abs(b):.2f} = 0")
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_aspect("equal")
    ax.legend(loc="upper left", fontsize=8)
    ax2.plot(range(len(history)), history, marker="o", markersize=4, color="#c0392b")
    ax2.set_title("Loss over the training set, after each epoch")
    ax2.set_xlabel("epoch (0: the initial weights)")
    ax2.set_ylabel("mean of ½(y − t)²  (log scale)")
    ax2.set_yscale("log")
    ax2.xaxis.get_major_locator().set_params(integer=True)
    fig.tight_layout()
    save_plot(fig, path)


def main() -> None:
    args = arguments(__doc__.splitlines()[0], epochs=(int, 20, "passes over the data"),
                     seed=(int, 0, "random seed"))
    start = time.perf_counter()
    X, t = blobs(20, args.seed)
    neuron = Neuron(2, "sigmoid", seed=args.seed)  # weights uniform in (−1, 1), bias 0
    params = neuron.parameters()  # [w1, w2, b]
    opt = SGD(params, lr=LR)
    loss0, acc0 = evaluate(neuron, X, t)  # where training starts, for the loss curve

    title(f"The first SGD step, on sample x = {X[0].round(3).tolist()}, t = {t[0]:.0f}, η = {LR}")
    w0, b0 = [w.data for w in neuron.w], neuron.b.data
    print(f"  before: w = [{w0[0]:.6f}, {w0[1]:.6f}], b = {b0:.6f}")
    hand_w, hand_b = hand_update(w0, b0, X[0].tolist(), float(t[0]), LR)
    y = neuron(X[0].tolist())
    loss = squared_error(y, float(t[0]))  # E = ½(t − y)², the same as ½(y − t)²
    opt.zero_grad()
    loss.backward()
    print(f"  y = σ(wᵀx + b) = {y.data:.6f},  E = ½(y − t)² = {loss.data:.6f}")
    print(f"  engine's gradient (∂E/∂w1, ∂E/∂w2, ∂E/∂b) = ({', '.join(f'{p.grad:.6f}' for p in params)})")
    opt.step()
    hand = [*hand_w, hand_b]
    engine = [p.data for p in params]
    print("  hand-derived  w ← w − η(y−t)y(1−y)x :", "[" + ", ".join(f"{v:.12f}" for v in hand) + "]")
    print("  engine        backward() + SGD.step():", "[" + ", ".join(f"{v:.12f}" for v in engine) + "]")
    gap = max(abs(a - b) for a, b in zip(hand, engine))
    print(f"  (both vectors are [w1, w2, b])  max |hand − engine| = {gap:.3e}")

    title(f"Training: {args.epochs} epochs of SGD, one random sample per step, on {len(X)} points")
    # batch_size=1 is seed 000's SGD: pick one sample, step, repeat; reshuffled every epoch
    batches = Minibatches(X.tolist(), t.tolist(), batch_size=1, seed=args.seed)
    history = [loss0]
    print(f"  epoch   0  mean loss {loss0:.4f}  accuracy {acc0:6.1%}   (the initial weights)")
    for epoch in range(1, args.epochs + 1):
        for (x,), (target,) in batches:
            loss = squared_error(neuron(x), target)
            opt.zero_grad()
            loss.backward()
            opt.step()
        epoch_loss, acc = evaluate(neuron, X, t)
        history.append(epoch_loss)
        if epoch in (1, 2, 3, 5) or epoch % 5 == 0:
            print(f"  epoch {epoch:3d}  mean loss {epoch_loss:.4f}  accuracy {acc:6.1%}")
    w1, w2, b = (p.data for p in params)
    print(f"\nlearned w = [{w1:.3f}, {w2:.3f}], b = {b:.3f}; training accuracy {acc:.0%}")

    title("Pictures")
    plt = pyplot()
    if plt is not None:
        plot(plt, neuron, X, t, history, args.out / "single_neuron.png")
    print(f"\ndone in {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
