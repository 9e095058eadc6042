"""Replays of a History: the decision boundary over training, beside the loss curve.

    save_replay_gif(history, model, X, y, "out/moons_replay.gif")    # needs matplotlib
    save_replay_html(history, model, X, y, "out/moons_replay.html")  # needs nothing

Both are for an MLP on 2-D inputs (X: samples × 2, y: the class labels). Each frame is a
snapshot: the model is evaluated on a grid with that snapshot's parameters (as one batch,
under no_grad) and the grid is coloured by the class the model picks there, paler where it
is less sure. The GIF shows the boundary and the loss curve; the HTML page (one file, no
network) also draws the network as the seeds' figures do, neurons in columns and one line
per weight, its width and colour by the weight (blue positive, orange negative), each
neuron filled by its mean activation or its mean |δ| over the samples, with a slider to
move through training.
"""

from __future__ import annotations

import base64
import html
import json
import math
import os
import re
from pathlib import Path
from typing import Any

import numpy as np

from autograd import no_grad
from autograd.files import write_atomically
from autograd.text import describe

from .history import History
from .module import MLP

PAGE = Path(__file__).with_name("replay.html")  # the page's HTML, CSS and script
CLASS_COLOURS = ("#c0392b", "#1f5fa8", "#27ae60", "#8e44ad", "#e67e22", "#16a085", "#7f8c8d", "#d35400",
                 "#2c3e50", "#c2185b")


def pale(colour: str, strength: float = 0.45) -> str:
    """A '#rrggbb' colour mixed with white: strength 1 is the colour, 0 is white."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 - (255 - c) * strength):02x}" for c in rgb)


def _check(owner: str, history: Any, model: Any, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(history, History) or not history.snapshots:
        raise ValueError(f"{owner}: history must be a History with at least one snapshot, "
                         f"got {describe(history)}")
    if not isinstance(model, MLP) or model.nin != 2:
        raise ValueError(f"{owner}: the model must be an MLP with 2 inputs (the boundary is drawn in 2-D)")
    if history.model is not model:
        raise ValueError(f"{owner}: the history was recorded for another model")
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2 or len(X) != len(y):
        raise ValueError(f"{owner}: X must be samples × 2 and y one label per sample, "
                         f"got shapes {X.shape} and {y.shape}")
    if len(np.unique(y)) > len(CLASS_COLOURS):
        raise ValueError(f"{owner}: at most {len(CLASS_COLOURS)} classes can be coloured")
    return X, y


def grid(X: np.ndarray, resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """The x and y coordinates of a resolution × resolution grid around X (0.5 beyond it)."""
    lo, hi = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
    return np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)


def boundaries(history: History, model: MLP, X: np.ndarray, resolution: int) -> list[np.ndarray]:
    """For every snapshot, the model's verdict on the grid (rows from the bottom), one
    number per cell: with one output, tanh of its margin (the score, or the logit of a
    sigmoid output), in (−1, 1), positive for the larger label; with several, the class
    index plus its confidence in [0, 1), (p_max − 1/K) / (1 − 1/K) just below 1."""
    xs, ys = grid(X, resolution)
    gx, gy = np.meshgrid(xs, ys)
    points = np.c_[gx.ravel(), gy.ravel()]
    sigmoid = model.output_activation == "sigmoid"
    frames = []
    for i in range(len(history.snapshots)):
        with history.restored(i), no_grad():
            out = model(points)
        if not isinstance(out, list):
            s = out.data
            if sigmoid:
                p = np.clip(s, 1e-9, 1 - 1e-9)
                s = np.log(p / (1 - p))
            frames.append(np.tanh(s))
            continue
        z = np.stack([o.data for o in out])
        p = np.exp(z - z.max(axis=0))
        p /= p.sum(axis=0)
        k = len(out)
        conf = (p.max(axis=0) - 1 / k) / (1 - 1 / k)
        frames.append(p.argmax(axis=0) + np.minimum(conf, 0.999))
    return frames


# -- the GIF -------------------------------------------------------------------------------


def save_replay_gif(history: History, model: MLP, X: Any, y: Any, path: str | os.PathLike[str], *,
                    fps: int = 6, resolution: int = 90, dpi: int = 72, title: str = "") -> Path:
    """An animated GIF: the decision boundary at every snapshot, the loss curve beside it
    with the snapshot's step marked. Needs matplotlib (its pillow writer)."""
    X, y = _check("save_replay_gif", history, model, X, y)
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.animation import PillowWriter
        from matplotlib.colors import LinearSegmentedColormap, to_rgb
    except ImportError:
        raise ImportError("save_replay_gif needs matplotlib: pip install 'gradstep[demos]'") from None
    path = Path(path)
    labels = np.unique(y)
    frames = boundaries(history, model, X, resolution)
    xs, ys = grid(X, resolution)
    extent = (xs[0], xs[-1], ys[0], ys[-1])
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(9, 3.9), gridspec_kw={"width_ratios": [1, 1.25]})
    fig.subplots_adjust(left=0.06, right=0.92, bottom=0.15, top=0.84 if title else 0.9, wspace=0.28)
    binary = model.nouts[-1] == 1
    if binary:
        cmap = LinearSegmentedColormap.from_list("boundary", [pale(CLASS_COLOURS[0]), "#ffffff",
                                                              pale(CLASS_COLOURS[1])])

        def picture(f: np.ndarray) -> Any:
            return f.reshape(len(ys), len(xs))

        image = ax.imshow(picture(frames[0]), origin="lower", extent=extent, cmap=cmap, vmin=-1, vmax=1,
                          aspect="auto", interpolation="bilinear")
    else:
        colours = np.array([to_rgb(c) for c in CLASS_COLOURS])

        def picture(f: np.ndarray) -> Any:
            conf = (f % 1.0)[:, None]
            rgb = 1.0 - (1.0 - colours[f.astype(int)]) * (0.25 + 0.45 * conf)
            return rgb.reshape(len(ys), len(xs), 3)

        image = ax.imshow(picture(frames[0]), origin="lower", extent=extent, aspect="auto",
                          interpolation="bilinear")
    for k, label in enumerate(labels):
        pts = X[y == label]
        ax.scatter(pts[:, 0], pts[:, 1], s=18, c=CLASS_COLOURS[k], edgecolors="white", linewidths=0.6)
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(ys[0], ys[-1])
    ax.set_xticks([])
    ax.set_yticks([])
    heading = ax.set_title("", fontsize=10, y=1.01)  # a fixed y: matplotlib skips placing it each frame
    steps = [c[0] for c in history.curve]
    ax2.plot(steps, [c[1] for c in history.curve], color="#c0392b", lw=1.4)
    ax2.set_xlabel("step")
    ax2.set_ylabel("loss", color="#c0392b")
    if max(c[1] for c in history.curve) > 20 * max(min(c[1] for c in history.curve), 1e-12):
        ax2.set_yscale("log")
    marker, = ax2.plot([], [], "o", color="#c0392b", ms=6)
    cursor = ax2.axvline(steps[0], color="#555555", lw=0.8, ls=":")
    accs = [c for c in history.curve if c[2] is not None]
    if accs:
        ax3 = ax2.twinx()
        ax3.plot([c[0] for c in accs], [100 * c[2] for c in accs], color="#1f5fa8", lw=1.2)  # type: ignore[operator]
        ax3.set_ylim(0, 105)
        ax3.set_ylabel("accuracy (%)", color="#1f5fa8")
    ax2.set_title("loss and accuracy over training", fontsize=10, y=1.01)
    if title:
        fig.suptitle(title, fontsize=11)
    contours: list[Any] = []

    def draw(i: int) -> list[Any]:
        s = history.snapshots[i]
        image.set_data(picture(frames[i]))
        for c in contours:
            c.remove()
        contours.clear()
        if binary and frames[i].min() < 0 < frames[i].max():
            contours.append(ax.contour(xs, ys, picture(frames[i]), levels=[0], colors="k", linewidths=0.9))
        acc = "" if s.accuracy is None else f", accuracy {s.accuracy:.0%}"
        heading.set_text(f"step {s.step}: loss {s.loss:.4f}{acc}")
        marker.set_data([s.step], [s.loss])
        cursor.set_xdata([s.step, s.step])
        return [image, marker, cursor, heading]

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp{path.suffix}")
    writer = PillowWriter(fps=fps)
    try:
        with writer.saving(fig, tmp, dpi):  # one drawing per frame
            for i in range(len(frames)):
                draw(i)
                writer.grab_frame()
        os.replace(tmp, path)
    finally:
        plt.close(fig)
        if tmp.exists():
            tmp.unlink()
    return path


# -- the page ------------------------------------------------------------------------------


def _round(x: float) -> float:
    return float(f"{x:.4g}") if math.isfinite(x) else 0.0


def replay_data(history: History, model: MLP, X: Any, y: Any, resolution: int = 64) -> dict[str, Any]:
    """Everything the page draws, as JSON-ready data."""
    X, y = _check("save_replay_html", history, model, X, y)
    labels = np.unique(y)
    frames = boundaries(history, model, X, resolution)
    binary = model.nouts[-1] == 1
    if binary:  # int8: 127 · tanh(margin)
        encoded = [np.round(f * 127).astype(np.int8).tobytes() for f in frames]
    else:  # a byte per cell: 16 · class + 15 · confidence
        encoded = [(np.floor(f).astype(np.uint8) * 16 + np.round((f % 1.0) * 15).astype(np.uint8)).tobytes()
                   for f in frames]
    xs, ys = grid(X, resolution)
    names = history.names
    index = {n: i for i, n in enumerate(names)}
    edges, biases = [], []
    for li, layer in enumerate(model.layers):
        for j, neuron in enumerate(layer.neurons):
            for k, (name, _) in enumerate(neuron.named_parameters()[:-1]):
                edges.append([li, k, j, index[name]])
            biases.append([li, j, index[neuron.named_parameters()[-1][0]]])
    layer_names = [f"layer{i + 1}" for i in range(len(model.layers))]
    snapshots = history.snapshots
    return {
        "binary": binary,
        "classes": [str(v) for v in labels],
        "colours": list(CLASS_COLOURS[: len(labels)]),
        "grid": {"n": resolution, "x": [float(xs[0]), float(xs[-1])], "y": [float(ys[0]), float(ys[-1])],
                 "frames": [base64.b64encode(e).decode("ascii") for e in encoded]},
        "points": [[_round(a), _round(b), int(np.searchsorted(labels, c))] for (a, b), c in zip(X, y)],
        "steps": [s.step for s in snapshots],
        "loss": [_round(s.loss) for s in snapshots],
        "accuracy": [s.accuracy for s in snapshots],
        "curve": [[c[0], _round(c[1]), c[2]] for c in history.curve],
        "sizes": [model.nin, *model.nouts],
        "activations": [model.activation] * (len(model.layers) - 1) + [model.output_activation],
        "layers": layer_names,
        "edges": edges,
        "biases": biases,
        "params": [[_round(s.parameters[n]) for n in names] for s in snapshots],
        "act": [[list(map(_round, s.activations.get(name, []))) for name in layer_names] for s in snapshots],
        "delta": [[list(map(_round, s.deltas.get(name, []))) for name in layer_names] for s in snapshots],
        "layer_delta": [[_round(s.delta.get(name, math.nan)) for name in layer_names] for s in snapshots],
        "layer_grad": [[_round(s.weight_grad.get(name, math.nan)) for name in layer_names]
                       for s in snapshots],
    }


def save_replay_html(history: History, model: MLP, X: Any, y: Any, path: str | os.PathLike[str], *,
                     title: str = "Watching a network learn", resolution: int = 64) -> Path:
    """One self-contained page (no network, no CDN): a slider through the snapshots, the
    decision boundary, the loss curve, and the network with each weight and neuron."""
    data = replay_data(history, model, X, y, resolution)
    fields = {"title": html.escape(title), "last": str(len(data["steps"]) - 1),
              "data": json.dumps(data, ensure_ascii=False, allow_nan=False).replace("</", "<\\/")}
    template = PAGE.read_text(encoding="utf-8").split("\n", 1)[1]  # its first line says what it is
    page = re.sub(r"\{(title|last|data)\}", lambda m: fields[m.group(1)], template)
    return write_atomically(path, page.encode("utf-8"))
