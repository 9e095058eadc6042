"""Nielsen's four equations of backpropagation, checked on the engine's own graph.

    python -m demos.nielsen [--out out] [--seed 7] [--sizes 3,4,3,2]

A small sigmoid network, MLP(3, [4, 3, 2]) with sigmoid outputs, one sample x with target
y and the quadratic cost C = ½‖y − aᴸ‖² (seed 002). Each neuron is two nodes of the graph,
its weighted input zˡⱼ = Σₖ wˡⱼₖ aˡ⁻¹ₖ + bˡⱼ (one Σ node) and its activation aˡⱼ = σ(zˡⱼ);
autograd.neurons(C) finds them by name, and after C.backward() its error
δˡⱼ = ∂C/∂zˡⱼ is the grad of the Σ node. Nielsen's equations compute the same numbers by
hand, layer by layer from the output back:

    BP1   δᴸ = ∇ₐC ⊙ σ′(zᴸ)                     with ∇ₐC = aᴸ − y and σ′ = σ(1 − σ)
    BP2   δˡ = ((wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ σ′(zˡ)
    BP3   ∂C/∂bˡⱼ = δˡⱼ
    BP4   ∂C/∂wˡⱼₖ = aˡ⁻¹ₖ δˡⱼ

The demo prints each equation's numbers beside the engine's (equal to 1e-12: it exits
with status 1 if they are not), δ layer by layer, output first, and explain's summary,
which names z, a, δ and ∂C/∂a per neuron. Layers are counted as nn names them: layer 1
is the first layer of weights and a⁰ = x (Nielsen counts the inputs as layer 1, so his
δ² is δ¹ here). Pictures: the network with δ written on each neuron (PNG, with
matplotlib) and the graph folded by neuron, each box with its z, a, δ and ∂C/∂a (SVG).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: python demos/nielsen.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from autograd import explain, neurons
from demos._common import arguments, pyplot, save_graph, save_plot, title
from nn import MLP, squared_error

TOLERANCE = 1e-12


def sigmoid_slope(z: np.ndarray) -> np.ndarray:
    s = 1.0 / (1.0 + np.exp(-z))
    return s * (1.0 - s)


def forward_and_backward(sizes: list[int], seed: int, backward: bool = True) -> tuple[MLP, np.ndarray,
                                                                                     np.ndarray, Any]:
    """The net, the sample, the target and the cost, after C.backward()."""
    rng = np.random.default_rng(seed)
    model = MLP(sizes[0], sizes[1:], "sigmoid", output_activation="sigmoid", seed=seed)
    x = np.round(rng.uniform(-1.5, 1.5, sizes[0]), 2)
    y = np.round(rng.uniform(0.05, 0.95, sizes[-1]), 2)
    C = squared_error(model(list(x)), list(y))  # C = ½‖y − aᴸ‖²
    C.label = "C"
    if backward:
        C.backward()
    return model, x, y, C


def by_hand(model: MLP, x: np.ndarray, y: np.ndarray) -> dict[str, list[np.ndarray]]:
    """Nielsen's algorithm on numpy arrays: the forward pass, then BP1 and BP2 down the
    layers, then BP3 and BP4. No autograd: only the weights are read from the model."""
    W = [np.array([[w.data for w in n.w] for n in layer.neurons]) for layer in model.layers]
    b = [np.array([n.b.data for n in layer.neurons]) for layer in model.layers]
    a, z = [x], []
    for Wl, bl in zip(W, b):
        z.append(Wl @ a[-1] + bl)
        a.append(1.0 / (1.0 + np.exp(-z[-1])))
    L = len(W)
    delta = [np.zeros(0)] * L
    delta[L - 1] = (a[L] - y) * sigmoid_slope(z[L - 1])  # BP1
    for li in range(L - 2, -1, -1):
        delta[li] = (W[li + 1].T @ delta[li + 1]) * sigmoid_slope(z[li])  # BP2
    return {"W": W, "z": z, "a": a, "delta": delta,
            "db": list(delta),  # BP3
            "dw": [np.outer(delta[li], a[li]) for li in range(L)]}  # BP4: aˡ⁻¹ₖ δˡⱼ (a[li] is aˡ⁻¹ here)


def engine(model: MLP, C: Any) -> dict[str, list[np.ndarray]]:
    """The same quantities from the graph: z, a and δ = z.grad of every neuron (found by
    autograd.neurons), and the parameters' .grad."""
    found = neurons(C)
    L = len(model.layers)
    layer = [[n for n in found if n.layer == li + 1] for li in range(L)]
    return {"z": [np.array([n.z.data for n in ns]) for ns in layer],
            "a": [np.array([n.a.data for n in ns]) for ns in layer],
            "delta": [np.array([n.delta for n in ns]) for ns in layer],
            "da": [np.array([n.a.grad for n in ns]) for ns in layer],
            "db": [np.array([n.b.grad for n in lay.neurons]) for lay in model.layers],
            "dw": [np.array([[w.grad for w in n.w] for n in lay.neurons]) for lay in model.layers]}


def sub(k: int) -> str:
    return str(k).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def sup(k: int) -> str:
    return str(k).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    print("  " + "  ".join(h.rjust(w) for h, w in zip(header, widths)))
    for r in rows:
        print("  " + "  ".join(c.rjust(w) for c, w in zip(r, widths)))


def f(v: float) -> str:
    return f"{v:+.12f}"


def report(model: MLP, x: np.ndarray, y: np.ndarray, C: Any) -> float:
    """Print every equation beside the engine; return the largest difference."""
    hand, eng = by_hand(model, x, y), engine(model, C)
    L = len(model.layers)
    worst = 0.0

    def diff(a: float, b: float) -> str:
        nonlocal worst
        worst = max(worst, abs(a - b))
        return f"{abs(a - b):.1e}"

    title(f"The forward pass: z and a of every neuron (the engine's nodes; by hand they agree to "
          f"{max(np.max(np.abs(hand['z'][li] - eng['z'][li])) for li in range(L)):.0e})")
    for li in range(L):
        print(f"  z{sup(li + 1)} = [{', '.join(f'{v:+.4f}' for v in eng['z'][li])}]".ljust(48)
              + f"a{sup(li + 1)} = σ(z{sup(li + 1)}) = [{', '.join(f'{v:.4f}' for v in eng['a'][li])}]")
    print(f"  C = ½‖y − a{sup(L)}‖² = {C.data:.12f}   (x = {x.tolist()}, y = {y.tolist()})")

    title(f"BP1, the output layer L = {L}: δᴸ = ∇ₐC ⊙ σ′(zᴸ), with ∇ₐC = aᴸ − y")
    rows = []
    for j in range(len(y)):
        grad_a, slope = hand["a"][L][j] - y[j], sigmoid_slope(hand["z"][L - 1])[j]
        rows.append([f"δ{sup(L)}{sub(j + 1)}", f(grad_a), f"{slope:.12f}", f(hand["delta"][L - 1][j]),
                     f(eng["delta"][L - 1][j]), diff(hand["delta"][L - 1][j], eng["delta"][L - 1][j]),
                     f(eng["da"][L - 1][j])])
    table(["", "∇ₐC = a − y", "σ′(z)", "BP1: product", "engine ∂C/∂z", "|diff|", "engine ∂C/∂a"], rows)

    title("BP2, δ layer by layer from the output back: δˡ = ((wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ σ′(zˡ)")
    for li in range(L - 2, -1, -1):
        back = hand["W"][li + 1].T @ hand["delta"][li + 1]
        print(f"  layer {li + 1}, from δ{sup(li + 2)} through w{sup(li + 2)} "
              f"({hand['W'][li + 1].shape[0]} × {hand['W'][li + 1].shape[1]}):")
        rows = [[f"δ{sup(li + 1)}{sub(j + 1)}", f(back[j]), f"{sigmoid_slope(hand['z'][li])[j]:.12f}",
                 f(hand["delta"][li][j]), f(eng["delta"][li][j]),
                 diff(hand["delta"][li][j], eng["delta"][li][j])]
                for j in range(len(back))]
        table(["", "((wˡ⁺¹)ᵀδˡ⁺¹)ⱼ", "σ′(zˡⱼ)", "BP2: product", "engine ∂C/∂z", "|diff|"], rows)

    title("BP3: ∂C/∂bˡⱼ = δˡⱼ  (each bias's gradient is its neuron's error)")
    rows = [[f"layer{li + 1}.neuron{j + 1}.b", f(hand["db"][li][j]), f(eng["db"][li][j]),
             diff(hand["db"][li][j], eng["db"][li][j])]
            for li in range(L - 1, -1, -1) for j in range(len(hand["db"][li]))]
    table(["", "δˡⱼ (BP1/BP2)", "engine b.grad", "|diff|"], rows)

    title("BP4: ∂C/∂wˡⱼₖ = aˡ⁻¹ₖ δˡⱼ  (input activation × output error; a⁰ = x)")
    rows, count = [], 0
    for li in range(L - 1, -1, -1):
        for j in range(hand["dw"][li].shape[0]):
            for k in range(hand["dw"][li].shape[1]):
                d = diff(hand["dw"][li][j, k], eng["dw"][li][j, k])
                count += 1
                if k == 0 or (li == 0 and j == 0):  # a sample of the rows; every weight is compared
                    rows.append([f"layer{li + 1}.neuron{j + 1}.w{k + 1}", f"{hand['a'][li][k]:+.6f}",
                                 f(hand["delta"][li][j]), f(hand["dw"][li][j, k]), f(eng["dw"][li][j, k]), d])
    table(["", "aˡ⁻¹ₖ", "δˡⱼ", "BP4: product", "engine w.grad", "|diff|"], rows)
    print(f"  ({len(rows)} of the {count} weights shown; all {count} compared)")
    return worst


def draw_network(plt: Any, model: MLP, C: Any, path: Path) -> None:
    """The network as the seeds draw it: neurons in columns, a line per weight (width and
    colour by the weight), each neuron filled by its δ and labelled with it."""
    found = neurons(C)
    sizes = [model.nin, *model.nouts]
    cols = len(sizes)
    pos = [[(c, (size - 1) / 2 - j) for j in range(size)] for c, size in enumerate(sizes)]
    fig, ax = plt.subplots(figsize=(2.6 * cols, 1.0 + 0.95 * max(sizes)))
    wmax = max(abs(w.data) for w in model.parameters())
    for li, layer in enumerate(model.layers):
        for j, neuron in enumerate(layer.neurons):
            for k, w in enumerate(neuron.w):
                (x0, y0), (x1, y1) = pos[li][k], pos[li + 1][j]
                ax.plot([x0, x1], [y0, y1], color="#1f5fa8" if w.data >= 0 else "#e67e22",
                        lw=0.4 + 3.6 * abs(w.data) / wmax, alpha=0.75, zorder=1)
    dmax = max(abs(n.delta) for n in found) or 1.0
    cmap = plt.get_cmap("PRGn_r")  # purple for δ > 0, green for δ < 0
    for k, (cx, cy) in enumerate(pos[0]):
        ax.scatter([cx], [cy], s=900, c="#e6e6e6", edgecolors="#555555", zorder=2)
        ax.text(cx, cy, f"x{sub(k + 1)}", ha="center", va="center", fontsize=10, zorder=3)
    for n in found:
        cx, cy = pos[n.layer][n.index - 1]  # type: ignore[index,operator]
        t = n.delta / dmax
        ax.scatter([cx], [cy], s=1700, c=[cmap(0.5 + 0.42 * t)], edgecolors="#333333", zorder=2)
        ink = "white" if abs(t) > 0.6 else "black"
        ax.text(cx, cy + 0.05, n.symbol("δ"), ha="center", va="bottom", fontsize=10, color=ink, zorder=3)
        ax.text(cx, cy - 0.02, f"{n.delta:+.2e}", ha="center", va="top", fontsize=7.5, color=ink, zorder=3)
    for c in range(cols):
        name = "inputs a⁰ = x" if c == 0 else f"layer {c}" + (" (output)" if c == cols - 1 else "")
        ax.text(c, (max(sizes) - 1) / 2 + 0.75, name, ha="center", fontsize=10, color="#444444")
    ax.set_xlim(-0.5, cols - 0.5)
    ax.set_ylim(-(max(sizes) - 1) / 2 - 0.6, (max(sizes) - 1) / 2 + 1.0)
    ax.axis("off")
    ax.set_title("δ = ∂C/∂z on each neuron (purple +, green −); lines: weights (blue +, orange −)",
                 fontsize=10)
    save_plot(fig, path)


def main() -> None:
    args = arguments(__doc__.splitlines()[0], seed=(int, 7, "random seed for the weights and the sample"),
                     sizes=(str, "3,4,3,2", "layer sizes, inputs first"))
    sizes = [int(s) for s in args.sizes.split(",")]
    if len(sizes) < 3 or min(sizes) < 1:
        sys.exit("nielsen: --sizes needs the inputs and at least two layers, like 3,4,3,2")
    model, x, y, C = forward_and_backward(sizes, args.seed)
    print(f"{model}, one sample, C = ½‖y − a‖²; every number below is from one C.backward()")
    worst = report(model, x, y, C)

    title("explain(C).summary(): z, a, δ = ∂C/∂z and ∂C/∂a per neuron, by name")
    _, _, _, fresh = forward_and_backward(sizes, args.seed, backward=False)  # explain runs backward() itself
    print(explain(fresh).summary(max_lines=80))

    title("Pictures")
    plt = pyplot()
    if plt is not None:
        draw_network(plt, model, C, args.out / "nielsen_network.png")
    save_graph(C, args.out / "nielsen_graph.svg", collapse=True)

    ok = worst <= TOLERANCE
    print(f"\nmax |hand − engine| over BP1–BP4 = {worst:.1e}: "
          f"{'equal to 1e-12' if ok else 'NOT equal to 1e-12'}")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
