"""Three spiral arms told apart by a small MLP with a softmax output and cross-entropy loss.

    python -m demos.softmax_spiral [--out out] [--epochs 60] [--seed 0] [--batched]

Data: CS231n's spiral, 3 arms of 50 points (make_spiral). Model: MLP(2, [16, 3]), one ReLU
hidden layer and 3 linear outputs z = (z₀, z₁, z₂), the class scores (logits). Softmax
turns them into probabilities and cross-entropy scores the true class y:

    pₖ = e^zₖ / Σⱼ e^zⱼ          ℓ = −log p_y = log Σⱼ e^zⱼ − z_y

and its gradient with respect to the logits is simply ∂ℓ/∂zₖ = pₖ − [k = y]. Training:
minibatch SGD (seed 004): every epoch the data is shuffled and cut into batches of 10;
each batch's mean loss C = (1/m) Σ ℓ gives one step w ← w − η ∂C/∂w, with η decaying
linearly from 1.0 to 0.1. Pictures: the decision regions and the loss curve (PNG). With
--batched, each minibatch is one graph whose nodes hold its 10 samples' numbers, the
seeds' C = (1/m) Σₓ Cₓ computed at once; the batches and the numbers are the same.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: python demos/softmax_spiral.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from autograd import no_grad, softmax
from demos._common import arguments, progress, pyplot, save_plot, scatter_classes, title
from nn import MLP, SGD, Minibatches, accuracy, cross_entropy, linear_decay, make_spiral, mean

COLOURS = ("#c0392b", "#1f5fa8", "#27ae60")
LIGHT = ("#f6c9c4", "#c6dbef", "#c7e9c0")


def predict(model: MLP, X: np.ndarray) -> list[int]:
    """The class with the largest score (the largest softmax probability too)."""
    with no_grad():  # evaluation: no graph, and all the points in one batch
        scores = model(X)
    return np.argmax(np.stack([z.data for z in scores]), axis=0).tolist()  # type: ignore[no-any-return]


def one_sample(model: MLP, x: list[float], y: int) -> None:
    """Softmax, cross-entropy and its gradient ∂ℓ/∂z = p − onehot(y) for one sample."""
    logits = model(x)
    probs = softmax([z.data for z in logits])  # just the numbers, for printing
    loss = cross_entropy(logits, y)
    loss.backward()  # the logits are nodes of the graph, so they get .grad too
    print(f"  x = [{x[0]:.3f}, {x[1]:.3f}], true class y = {y}")
    print(f"  {'k':>3} {'logit zₖ':>10} {'softmax pₖ':>11} {'pₖ − [k=y]':>11} {'engine ∂ℓ/∂zₖ':>15}")
    for k, (z, p) in enumerate(zip(logits, probs)):
        print(f"  {k:>3} {z.data:>10.5f} {p.data:>11.5f} {p.data - (k == y):>11.5f} {z.grad:>15.5f}")
    print(f"  ℓ = −log p_y = −log {probs[y].data:.5f} = {loss.data:.5f}")


def train(model: MLP, X: np.ndarray, y: np.ndarray, epochs: int, seed: int, batched: bool) -> list[float]:
    opt = SGD(model.parameters(), lr=1.0)
    lr = linear_decay(1.0, 0.1, epochs)
    batches = Minibatches(X, y, batch_size=10, seed=seed)  # arrays in, arrays out
    history = []
    for epoch in range(epochs):
        opt.lr = lr(epoch)
        losses = []
        for xb, yb in batches:  # one epoch: every sample once, in shuffled batches
            if batched:  # one graph for the minibatch: C = (1/m) Σₓ Cₓ at once
                loss = cross_entropy(model(xb), yb)
            else:  # one graph per sample, then their mean
                loss = mean([cross_entropy(model(list(x)), int(t)) for x, t in zip(xb, yb)])
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.data)
        history.append(sum(losses) / len(losses))
        if (epoch + 1) % 10 == 0 or epoch == epochs - 1:
            acc = accuracy(predict(model, X), y.tolist())
            progress(f"  epoch {epoch + 1:3d}/{epochs}  mean batch loss {history[-1]:.4f}  "
                     f"accuracy {acc:6.1%}  lr {opt.lr:.3f}", done=epoch == epochs - 1)
    return history


def plot_regions(plt: Any, model: MLP, X: np.ndarray, y: np.ndarray, acc: float, path: Path) -> None:
    from matplotlib.colors import ListedColormap

    xs = np.linspace(-1.2, 1.2, 90)
    gx, gy = np.meshgrid(xs, xs)
    regions = np.array(predict(model, np.c_[gx.ravel(), gy.ravel()])).reshape(gx.shape)
    fig, ax = plt.subplots(figsize=(5.6, 5.2))
    ax.contourf(gx, gy, regions, levels=[-0.5, 0.5, 1.5, 2.5], cmap=ListedColormap(LIGHT))
    scatter_classes(ax, X, y, [(k, colour, f"class {k}") for k, colour in enumerate(COLOURS)])
    ax.set_title(f"Decision regions of MLP(2, [16, 3]), accuracy {acc:.0%}")
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.set_aspect("equal")
    ax.legend(loc="upper right", fontsize=8, framealpha=0.9)
    save_plot(fig, path)


def plot_loss(plt: Any, history: list[float], path: Path) -> None:
    fig, ax = plt.subplots(figsize=(6, 3.4))
    ax.plot(range(1, len(history) + 1), history, color="#c0392b")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean cross-entropy (log scale)")
    ax.set_title("Training loss, averaged over each epoch's minibatches")
    save_plot(fig, path)


def main() -> None:
    args = arguments(__doc__.splitlines()[0], epochs=(int, 60, "passes over the data"),
                     seed=(int, 0, "random seed"), batched=(bool, False, "one graph per minibatch"))
    start = time.perf_counter()
    X, y = make_spiral(50, 3, seed=args.seed)
    model = MLP(2, [16, 3], seed=args.seed)  # ReLU hidden layer, 3 linear scores
    print(f"{len(X)} points in 3 arms; {model}: {len(model.parameters())} parameters")

    title("Softmax and cross-entropy on one sample, before training")
    one_sample(model, X[7].tolist(), int(y[7]))
    print("  the last two columns agree: backpropagating through log-sum-exp gives p − onehot(y)")

    title(f"Minibatch SGD: {args.epochs} epochs, batches of 10, η from 1.0 down to 0.1")
    history = train(model, X, y, args.epochs, args.seed, args.batched)
    acc = accuracy(predict(model, X), y.tolist())
    print(f"\nfinal training accuracy {acc:.1%} (chance is 33%)")
    for k in range(3):
        with no_grad():
            p = softmax(model(X[y == k][25].tolist()))  # halfway along the arm
        print(f"  a point from the middle of arm {k}: p = ({', '.join(f'{v.data:.3f}' for v in p)})")

    title("Pictures")
    plt = pyplot()
    if plt is not None:
        plot_regions(plt, model, X, y, acc, args.out / "softmax_spiral.png")
        plot_loss(plt, history, args.out / "softmax_spiral_loss.png")
    print(f"\ndone in {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
