"""Matt Mazur's "A Step by Step Backpropagation Example", done by the engine.

    python -m demos.worked_example [--out out]

The network has 2 inputs, 2 sigmoid hidden neurons and 2 sigmoid outputs:

    net_h1 = w1·i1 + w2·i2 + b1      out_h1 = σ(net_h1)     (h2: w3, w4, b1)
    net_o1 = w5·out_h1 + w6·out_h2 + b2   out_o1 = σ(net_o1)  (o2: w7, w8, b2)
    E_total = ½(target_o1 − out_o1)² + ½(target_o2 − out_o2)²

with i1 = 0.05, i2 = 0.10, targets 0.01 and 0.99, w1..w8 = 0.15 … 0.55, b1 = 0.35,
b2 = 0.60. The chain rule gives, for an output weight and a hidden weight,

    ∂E/∂w5 = (out_o1 − target_o1) · out_o1(1 − out_o1) · out_h1
    ∂E/∂w1 = [Σₒ (out_o − target_o) · out_o(1 − out_o) · w_(h1→o)] · out_h1(1 − out_h1) · i1

and one step of gradient descent with η = 0.5 sets w ← w − η ∂E/∂w. Mazur updates only the
eight weights, not the biases, so this demo does the same. Pictures: a step-through page
of the forward and backward pass (HTML, needs Graphviz).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a file: python demos/worked_example.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from autograd import Value, explain, save_html
from demos._common import arguments, title
from nn import MLP, SGD, squared_error

INPUTS = (0.05, 0.10)
TARGETS = (0.01, 0.99)
# Mazur's weights, neuron by neuron: (w1, w2) into h1, (w3, w4) into h2, (w5, w6) into o1, (w7, w8) into o2
WEIGHTS = ((0.15, 0.20), (0.25, 0.30), (0.40, 0.45), (0.50, 0.55))
BIASES = (0.35, 0.35, 0.60, 0.60)  # nn gives every neuron its own bias; Mazur shares b1 and b2
LR = 0.5
# Mazur's published numbers, as printed in the article (to his 8 or 9 digits)
MAZUR = {"out_o1": "0.75136507", "out_o2": "0.772928465", "E_total": "0.298371109",
         "dE/dw5": "0.082167041", "dE/dw1": "0.000438568", "E_after": "0.291027924",
         "w1": "0.149780716", "w2": "0.19956143", "w3": "0.24975114", "w4": "0.29950229",
         "w5": "0.35891648", "w6": "0.408666186", "w7": "0.511301270", "w8": "0.561370121"}


def build() -> tuple[MLP, list[Value]]:
    """MLP(2, [2, 2]) with Mazur's weights, its parameters renamed w1..w8, b1, b2."""
    model = MLP(2, [2, 2], "sigmoid", output_activation="sigmoid")
    neurons = [n for layer in model.layers for n in layer.neurons]
    weights = []
    for j, (neuron, ws, b) in enumerate(zip(neurons, WEIGHTS, BIASES)):
        for w, value in zip(neuron.w, ws):
            w.data = value
            w.label = f"w{len(weights) + 1}"  # so the listings read like the article
            weights.append(w)
        neuron.b.data = b
        neuron.b.label = ("b1", "b1'", "b2", "b2'")[j]  # primed: the second neuron's copy
    return model, weights


def forward(model: MLP) -> tuple[Value, list[Value], list[Value]]:
    """E_total for Mazur's one sample, with the neurons' nodes named as he names them
    (returned too, in his order: net_h1, out_h1, net_h2, out_h2, net_o1, out_o1, ...)."""
    i1, i2 = Value(INPUTS[0], "i1"), Value(INPUTS[1], "i2")
    outs = model([i1, i2])
    targets = [Value(t, f"target_o{k + 1}") for k, t in enumerate(TARGETS)]
    loss = squared_error(outs, targets)  # ½ Σ (target − out)²
    loss.label = "E_total"
    # Each neuron is σ(Σ node): name both, walking back from the outputs.
    net_o1 = outs[0].parents[0]  # parents of a Σ node: w5, w6, b2, out_h1, out_h2
    named = []
    for kind, outputs in (("h", net_o1.parents[3:5]), ("o", outs)):
        for k, out in enumerate(outputs, 1):
            out.label, out.parents[0].label = f"out_{kind}{k}", f"net_{kind}{k}"
            named += [out.parents[0], out]
    return loss, outs, named


def main() -> None:
    args = arguments(__doc__.splitlines()[0])
    start = time.perf_counter()
    model, weights = build()

    title("The network: MLP(2, [2, 2]), sigmoid everywhere, Mazur's weights")
    for name, p in model.named_parameters():
        print(f"  {name:<18} is Mazur's {p.label:<4} = {p.data}")
    print("  (nn gives each neuron its own bias, so b1 and b2 each appear twice: b1' is h2's copy)")

    title("Forward and backward pass, compact (one line per neuron)")
    loss, outs, named = forward(model)
    explanation = explain(loss)  # runs backward() and records every step
    print(explanation.to_text(compact=True))

    title("Each neuron's net input and output, with its gradient ∂E_total/∂(it)")
    for v in named:  # .grad of every node was filled in by the backward pass above
        print(f"  {v.label:<7} = {v.data:.9f}    ∂E_total/∂{v.label:<7} = {v.grad:>12.9f}")

    title("The key numbers")
    w1, w5 = weights[0], weights[4]
    rows = [
        ("out_o1", outs[0].data, MAZUR["out_o1"]), ("out_o2", outs[1].data, MAZUR["out_o2"]),
        ("E_total", loss.data, MAZUR["E_total"]), ("∂E/∂w5", w5.grad, MAZUR["dE/dw5"]),
        ("∂E/∂w1", w1.grad, MAZUR["dE/dw1"]),
    ]
    print(f"  {'':<10} {'engine':>14} {'Mazur':>14}")
    for name, ours, his in rows:
        print(f"  {name:<10} {ours:>14.9f} {his:>14}")

    title("Step-through page")
    path = args.out / "worked_example.html"
    try:  # drawn now, before the update changes the weights the graph holds
        save_html(loss, path, title="Mazur's worked example: one backpropagation step")
        print(f"  wrote {path} (open it in a browser; Next / Previous or the arrow keys step)")
    except RuntimeError as e:
        print(f"  {e}")

    title(f"One gradient-descent step on the weights, η = {LR} (biases stay put, as in the article)")
    old = [w.data for w in weights]
    opt = SGD(weights, lr=LR)  # only the eight weights: Mazur does not update b1, b2
    opt.step()
    print(f"  {'':<4} {'old':>6} {'∂E/∂w':>13} {'new':>13} {'Mazur':>13}")
    for w, before in zip(weights, old):
        print(f"  {w.label:<4} {before:>6.2f} {w.grad:>13.9f} {w.data:>13.9f} {MAZUR[w.label]:>13}")
    print(f"  updated w5 = {w5.data:.8f}, updated w1 = {w1.data:.9f}")
    after = forward(model)[0]  # the same sample through the updated network
    print(f"  E_total after the step: {after.data:.9f}, down from {loss.data:.9f}")
    for w in weights:  # the article's own rounded weights give the same error
        w.data = float(MAZUR[w.label])
    print(f"  (the article prints {MAZUR['E_after']}, but its own updated weights give "
          f"{forward(model)[0].data:.9f} as well)")

    print(f"\ndone in {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
