"""Linear regression y = wx + b by gradient descent and by minibatch SGD, checked against least squares.

    python -m demos.regression [--out out] [--steps 300] [--epochs 40] [--seed 0]

Data: n = 50 points on the line y = 2x + 1 with Gaussian noise. The cost (seed 004) is

    C(w, b) = (1/2n) Σᵢ (wxᵢ + b − yᵢ)²
    ∂C/∂w = (1/n) Σᵢ (wxᵢ + b − yᵢ) xᵢ        ∂C/∂b = (1/n) Σᵢ (wxᵢ + b − yᵢ)

Full-batch gradient descent takes v ← v − η∇C over all n points every step. Minibatch
SGD estimates ∇C from m = 5 random points, (1/m) Σ over the batch, and takes many cheaper
steps: each epoch shuffles the data and visits every batch once. Both should land on the
least-squares solution, which numpy computes directly (np.linalg.lstsq solves the normal
equations). Pictures: the data with the three fitted lines, and the cost per step (PNG).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: python demos/regression.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from autograd import Value
from demos._common import arguments, pyplot, save_plot, title
from nn import SGD, Minibatches, linear_decay, mean, squared_error

TRUE_W, TRUE_B = 2.0, 1.0


def data(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 3.0, n)
    return x, TRUE_W * x + TRUE_B + rng.normal(0.0, 0.5, n)


def cost(w: Value, b: Value, xs: list[float], ys: list[float]) -> Value:
    """C = (1/n) Σ ½(wx + b − y)²: the mean of per-sample squared errors."""
    return mean([squared_error(w * x + b, y) for x, y in zip(xs, ys)])


def gradient_descent(x: np.ndarray, y: np.ndarray, steps: int,
                     lr: float) -> tuple[Value, Value, list[float], dict[int, tuple[float, float]]]:
    w, b = Value(0.0, "w"), Value(0.0, "b")
    opt = SGD([w, b], lr=lr)
    history, snapshots = [], {}
    for k in range(steps):
        c = cost(w, b, x.tolist(), y.tolist())  # all n points, every step
        opt.zero_grad()
        c.backward()
        if k == 0:
            residual = w.data * x + b.data - y  # seed 004's formulas, in numpy, to check the engine
            print(f"  at w = b = 0: C = {c.data:.4f}")
            print(f"    engine:  ∂C/∂w = {w.grad:.6f}, ∂C/∂b = {b.grad:.6f}")
            print(f"    by hand: ∂C/∂w = (1/n) Σ (wx+b−y)·x = {np.mean(residual * x):.6f}, "
                  f"∂C/∂b = (1/n) Σ (wx+b−y) = {np.mean(residual):.6f}")
        opt.step()
        history.append(c.data)  # C before update k + 1, i.e. after k updates
        if k + 1 in (1, 3):
            snapshots[k + 1] = (w.data, b.data)
        if (k + 1) in (1, 3, 10, 50) or (k + 1) % 100 == 0:
            print(f"  after {k + 1:4d} steps: w = {w.data:.6f}, b = {b.data:.6f}")
    return w, b, history, snapshots


def minibatch_sgd(x: np.ndarray, y: np.ndarray, epochs: int, seed: int) -> tuple[Value, Value, list[float]]:
    w, b = Value(0.0, "w"), Value(0.0, "b")
    opt = SGD([w, b], lr=0.1)
    batches = Minibatches(x.tolist(), y.tolist(), batch_size=5, seed=seed)
    # a noisy gradient keeps the weights jittering around the minimum; shrinking η calms them
    lr = linear_decay(0.1, 0.005, epochs)
    history = [cost(w, b, x.tolist(), y.tolist()).data]  # the full cost, after 0, 10, 20, ... updates
    for epoch in range(epochs):
        opt.lr = lr(epoch)
        for xb, yb in batches:
            c = cost(w, b, xb, yb)  # only m = 5 points: a cheap, noisy estimate of ∇C
            opt.zero_grad()
            c.backward()
            opt.step()
        history.append(cost(w, b, x.tolist(), y.tolist()).data)
        if (epoch + 1) in (1, 5) or (epoch + 1) % 10 == 0:
            print(f"  epoch {epoch + 1:3d} ({(epoch + 1) * len(batches):4d} steps): C = {history[-1]:.6f}, "
                  f"w = {w.data:.5f}, b = {b.data:.5f}")
    return w, b, history


def plot(plt: Any, x: np.ndarray, y: np.ndarray, fits: dict[str, tuple[float, float]],
         snapshots: dict[int, tuple[float, float]], gd_history: list[float], sgd_history: list[float],
         batches: int, path: Path) -> None:
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11.5, 4.4))
    ax.scatter(x, y, s=18, color="#7f8c8d", label="data")
    line = np.array([x.min() - 0.2, x.max() + 0.2])
    for k, (w, b) in snapshots.items():  # where gradient descent was early on
        ax.plot(line, w * line + b, color="#c0392b", lw=1, alpha=0.35 + 0.1 * k,
                label=f"gradient descent after {k} step{'s' if k > 1 else ''}")
    styles = {"least squares": ("k", "-", 4, 0.35), "gradient descent": ("#c0392b", "--", 1.6, 1),
              "minibatch SGD": ("#1f5fa8", ":", 2, 1)}
    for name, (w, b) in fits.items():
        colour, ls, lw, alpha = styles[name]
        ax.plot(line, w * line + b, color=colour, ls=ls, lw=lw, alpha=alpha,
                label=f"{name}: y = {w:.3f}x + {b:.3f}")
    ax.set_title(f"n = {len(x)} noisy points from y = {TRUE_W:g}x + {TRUE_B:g}")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend(loc="upper left", fontsize=7.5)

    best = fits_cost(x, y, *fits["least squares"])
    gap = lambda h: [max(c - best, 1e-16) for c in h]  # the distance from the minimum
    ax2.plot(range(len(gd_history)), gap(gd_history), color="#c0392b",
             label="gradient descent (all 50 points)")
    ax2.plot([batches * k for k in range(len(sgd_history))], gap(sgd_history), color="#1f5fa8",
             marker=".", label="minibatch SGD (5 points), after each epoch")
    ax2.set_yscale("log")
    ax2.set_xlabel("parameter updates")
    ax2.set_ylabel("C(w, b) − least-squares minimum (log scale)")
    ax2.set_title("How far above the least-squares cost")
    ax2.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    save_plot(fig, path)


def fits_cost(x: np.ndarray, y: np.ndarray, w: float, b: float) -> float:
    return float(np.mean((w * x + b - y) ** 2) / 2)


def main() -> None:
    args = arguments(__doc__.splitlines()[0], steps=(int, 300, "gradient-descent steps"),
                     epochs=(int, 40, "minibatch SGD epochs"), seed=(int, 0, "random seed"))
    start = time.perf_counter()
    x, y = data(50, args.seed)

    title("Least squares, directly: np.linalg.lstsq on the columns [x, 1]")
    A = np.c_[x, np.ones_like(x)]
    (ls_w, ls_b), *_ = np.linalg.lstsq(A, y, rcond=None)
    print(f"  w = {ls_w:.6f}, b = {ls_b:.6f}, C = {fits_cost(x, y, ls_w, ls_b):.6f} "
          f"(the data came from w = {TRUE_W:g}, b = {TRUE_B:g} plus noise)")

    title(f"Full-batch gradient descent: {args.steps} steps, η = 0.1, all {len(x)} points per step")
    gd_w, gd_b, gd_history, snapshots = gradient_descent(x, y, args.steps, lr=0.1)

    title(f"Minibatch SGD: {args.epochs} epochs of 10 batches of 5, η from 0.1 down to 0.005")
    sgd_w, sgd_b, sgd_history = minibatch_sgd(x, y, args.epochs, args.seed)

    title("Compared with least squares")
    fits = {"least squares": (ls_w, ls_b), "gradient descent": (gd_w.data, gd_b.data),
            "minibatch SGD": (sgd_w.data, sgd_b.data)}
    print(f"  {'':<18} {'w':>10} {'b':>10} {'|Δw|':>10} {'|Δb|':>10}")
    for name, (w, b) in fits.items():
        print(f"  {name:<18} {w:>10.6f} {b:>10.6f} {abs(w - ls_w):>10.2e} {abs(b - ls_b):>10.2e}")
    print("  gradient descent converges to the least-squares answer; minibatch SGD lands close to it,")
    print("  as close as its noisy steps and decaying learning rate allow. The work differs too:")
    print(f"  gradient descent looked at {args.steps * len(x)} samples, "
          f"minibatch SGD at {args.epochs * len(x)}")

    title("Pictures")
    plt = pyplot()
    if plt is not None:
        plot(plt, x, y, fits, snapshots, gd_history, sgd_history, 10, args.out / "regression.png")
    print(f"\ndone in {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
