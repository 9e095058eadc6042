"""The flagship demo: micrograd's two-moons classifier, done with nn.

    python -m demos.moons [--out out] [--steps 100] [--seed 0] [--batched] [--replay [--every 2]]

Data: two interleaving half circles, 100 points, labels ±1. Model: MLP(2, [16, 16, 1]),
ReLU hidden layers and a linear score. Loss: the mean hinge loss max(0, 1 − y·score) plus
1e-4·Σ w² (an L2 penalty). Training: full-batch SGD, the learning rate decaying linearly
from 1.0 to 0.1, as in micrograd's demo. Pictures: the decision boundary and the loss
curve (PNG, with matplotlib) and the collapsed graph of one forward pass (SVG, with
Graphviz). With --batched, each step is one graph over all 100 points (every node holds
the 100 samples' numbers), instead of one graph per point: the same numbers, much faster.
With --replay, an nn.History takes a snapshot every --every steps (loss, accuracy, every
parameter, each layer's mean |δ| and |∂C/∂w|) and the demo also writes a replay of
training: moons_replay.gif (the boundary and the loss curve, frame by frame) and
moons_replay.html (one offline page with a slider: the boundary, the loss curve and the
network, each weight a line and each neuron filled by its activation or its |δ|).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a file: python demos/moons.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from autograd import no_grad
from demos._common import arguments, progress, pyplot, save_graph, save_plot, scatter_classes, title
from nn import (
    MLP,
    SGD,
    History,
    accuracy,
    hinge_loss,
    l2,
    linear_decay,
    make_moons,
    mean,
    save_replay_gif,
    save_replay_html,
)


def train(steps: int, seed: int, batched: bool = False, every: int = 0):
    X, y = make_moons(100, noise=0.1, seed=seed)
    labels = 2 * y - 1  # hinge loss wants -1 / +1
    model = MLP(2, [16, 16, 1], seed=seed)
    params = model.parameters()
    opt = SGD(params, lr=1.0)
    lr = linear_decay(1.0, 0.1, steps)
    history = []
    recorder = History(model, every=every) if every else None  # snapshots for the replay
    start = time.perf_counter()
    for k in range(steps):
        if batched:  # one graph for the whole batch: the per-sample hinge losses' mean
            score = model(X)
            data_loss = hinge_loss(score, labels)
            predicted = np.where(score.data > 0, 1, -1)
        else:  # one graph per point, as micrograd's demo does it
            scores = [model(x) for x in X]
            data_loss = mean([hinge_loss(s, t) for s, t in zip(scores, labels)])
            predicted = np.array([1 if s.data > 0 else -1 for s in scores])
        loss = data_loss + 1e-4 * l2(params)
        opt.zero_grad()
        loss.backward()
        acc = accuracy(predicted, labels)
        if recorder is not None:  # after backward(), before the step: this step's parameters and grads
            recorder.record(k, loss, acc, force=k == steps - 1)
        opt.lr = lr(k)
        opt.step()
        history.append((loss.data, acc))
        progress(f"step {k + 1:3d}/{steps}  loss {loss.data:.4f}  accuracy {acc:6.1%}  lr {opt.lr:.3f}",
                 done=k == steps - 1)
    seconds = time.perf_counter() - start
    return model, X, labels, history, seconds, recorder


def plot_boundary(plt, model, X, labels, path: Path) -> None:
    h = 0.05
    xs = np.arange(X[:, 0].min() - 0.5, X[:, 0].max() + 0.5, h)
    ys = np.arange(X[:, 1].min() - 0.5, X[:, 1].max() + 0.5, h)
    gx, gy = np.meshgrid(xs, ys)
    with no_grad():  # evaluation: no graph needed, and every grid point in one batch
        scores = model(np.c_[gx.ravel(), gy.ravel()]).data
    fig, ax = plt.subplots(figsize=(6, 5))
    ax.contourf(gx, gy, (scores > 0).reshape(gx.shape), levels=1, colors=["#f6c9c4", "#c6dbef"], alpha=0.9)
    ax.contour(gx, gy, scores.reshape(gx.shape), levels=[0], colors="k", linewidths=1)
    scatter_classes(ax, X, labels, [(-1, "#c0392b", "class −1"), (1, "#1f5fa8", "class +1")])
    ax.set_title("Decision boundary of MLP(2, [16, 16, 1])")
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.legend(loc="upper right", fontsize=8)
    save_plot(fig, path)


def plot_history(plt, history, path: Path) -> None:
    loss = [h[0] for h in history]
    acc = [h[1] for h in history]
    fig, ax = plt.subplots(figsize=(6, 3.6))
    ax.plot(range(1, len(loss) + 1), loss, color="#c0392b", label="loss")
    ax.set_xlabel("SGD step")
    ax.set_ylabel("hinge loss + 1e-4·L2", color="#c0392b")
    ax.set_yscale("log")
    ax2 = ax.twinx()
    ax2.plot(range(1, len(acc) + 1), [100 * a for a in acc], color="#1f5fa8", label="accuracy")
    ax2.set_ylabel("training accuracy (%)", color="#1f5fa8")
    ax2.set_ylim(0, 105)
    ax.set_title("Training on two moons")
    save_plot(fig, path)


def main() -> None:
    args = arguments(__doc__.splitlines()[0], steps=(int, 100, "SGD steps"), seed=(int, 0, "random seed"),
                     batched=(bool, False, "one graph over the whole batch per step"),
                     replay=(bool, False, "also write moons_replay.gif and moons_replay.html"),
                     every=(int, 2, "with --replay: a snapshot every this many steps"))
    how = "one batched graph per step" if args.batched else "one graph per point"
    title(f"Two moons: MLP(2, [16, 16, 1]), hinge loss + L2, SGD with linear decay ({how})")
    model, X, labels, history, seconds, recorder = train(args.steps, args.seed, args.batched,
                                                         args.every if args.replay else 0)
    loss, acc = history[-1]
    n = len(model.parameters())
    print(f"\n{model}: {n} parameters")
    print(f"final loss {loss:.4f}, training accuracy {acc:.0%}, "
          f"{args.steps} steps in {seconds:.2f} s ({1000 * seconds / args.steps:.1f} ms per step)")

    title("Pictures")
    plt = pyplot()
    if plt is not None:
        plot_boundary(plt, model, X, labels, args.out / "moons_boundary.png")
        plot_history(plt, history, args.out / "moons_loss.png")
    if recorder is not None:
        accs = "  ".join(f"{s.step}: {s.accuracy:.0%}" for s in recorder.snapshots
                         if s.step in (0, 4, 10, 20, 50) or s is recorder.snapshots[-1])
        print(f"  replay: {len(recorder)} snapshots; accuracy at steps {accs}")
        title_ = f"Two moons, MLP(2, [16, 16, 1]): {args.steps} SGD steps"
        if plt is not None:
            gif = save_replay_gif(recorder, model, X, labels, args.out / "moons_replay.gif", title=title_)
            print(f"  wrote {gif} ({gif.stat().st_size / 1024:.0f} KiB)")
        page = save_replay_html(recorder, model, X, labels, args.out / "moons_replay.html", title=title_)
        print(f"  wrote {page} ({page.stat().st_size / 1024:.0f} KiB, one offline page with a slider)")
    sample = model(X[0].tolist())  # one forward and backward pass, drawn with each neuron folded
    sample.backward()
    if save_graph(sample, args.out / "moons_graph.svg", collapse=True):
        print(f"  (the graph of the score for the first point, x = ({X[0][0]:.3f}, {X[0][1]:.3f}):"
              " one box per neuron with its output and ∂score/∂output)")


if __name__ == "__main__":
    main()
