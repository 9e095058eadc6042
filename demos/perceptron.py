"""Perceptrons (the cheese festival, NAND), why a step cannot be trained by gradients, and a sigmoid that can.

    python -m demos.perceptron [--out out] [--steps 1000]

A perceptron weighs up its binary inputs and fires when the evidence beats a threshold:

    y = step(Σⱼ wⱼxⱼ − threshold),   step(z) = 1 if z > 0 else 0     (seed 004)

The cheese festival: weather, partner and transit weighted 6, 2, 2 with threshold 5. NAND:
weights −2, −2 and bias +3 (a bias is a threshold with its sign flipped).

step′(z) = 0 for every z ≠ 0 (and it has no derivative at 0), so by the chain rule every
∂y/∂w is 0: gradient descent gets no signal, and a small change of a weight changes
nothing at all until the output suddenly flips. The sigmoid σ(z) = 1/(1 + e⁻ᶻ) is a
smoothed step with σ′(z) = σ(z)(1 − σ(z)) > 0 everywhere, so a sigmoid neuron trained by
gradient descent on the binary cross-entropy −(t log y + (1 − t) log(1 − y)) (seed 003)
learns NAND. Picture: step and sigmoid with their derivatives, and the NAND boundaries (PNG).
"""

from __future__ import annotations

import itertools
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: python demos/perceptron.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from autograd import Value, define_op, gradcheck, linear, no_grad
from demos._common import arguments, pyplot, save_plot, scatter_classes, title
from nn import SGD, Neuron, binary_cross_entropy, mean, nand_data

# The step as a row of the derivative table: its local derivative is 0 (the jump at z = 0
# has no derivative at all; like relu at 0, the rule just picks a value there).
step = define_op("step", lambda z: 1.0 if z > 0 else 0.0, [lambda z, out: 0.0],
                 ["∂step/∂z = 0 (z ≠ 0)"], symbol="step")


def perceptron(weights: list[float], bias: float, x: list[float]) -> Value:
    """step(w·x + b) as two nodes: the weighted sum Σ, then the step."""
    return step(linear(weights, x, bias))


def cheese_festival() -> None:
    weights, threshold = [6.0, 2.0, 2.0], 5.0
    print(f"  weights: weather {weights[0]:g}, partner {weights[1]:g}, transit {weights[2]:g}; "
          f"threshold {threshold:g}")
    print(f"  {'weather good':>12} {'partner comes':>13} {'near transit':>12} {'Σ wⱼxⱼ':>7}  decision")
    for x in itertools.product((0.0, 1.0), repeat=3):
        y = perceptron(weights, -threshold, list(x))  # bias = −threshold
        evidence = sum(w * xi for w, xi in zip(weights, x))
        go = "go to the festival" if y.data == 1 else "stay home"
        print(f"  {'yes' if x[0] else 'no':>12} {'yes' if x[1] else 'no':>13} {'yes' if x[2] else 'no':>12} "
              f"{evidence:>7g}  {'>' if y.data else '≤'} {threshold:g}: {go}")
    print("  the weather alone decides: with weight 6 > 5 it is enough, without it 2 + 2 = 4 is not")


def nand_table(weights: list[float], bias: float) -> None:
    X, t = nand_data()
    print(f"  {'x1':>3} {'x2':>3} {'z = −2x1 − 2x2 + 3':>19} {'y':>3} {'NAND':>5}")
    for x, target in zip(X.tolist(), t):
        y = perceptron(weights, bias, x)
        z = y.parents[0].data  # the Σ node feeding the step
        print(f"  {x[0]:>3g} {x[1]:>3g} {z:>19g} {y.data:>3g} {target:>5d}")


def no_gradient(weights: list[float], bias: float) -> None:
    """Three ways to see that a step gives gradient descent nothing to follow."""
    w = [Value(v, f"w{i + 1}") for i, v in enumerate(weights)]
    b = Value(bias, "b")
    y = step(linear(w, [1.0, 1.0], b))  # NAND on the input (1, 1): z = −1, y = 0
    y.backward()
    print(f"  1. backward() on input (1, 1): ∂y/∂w1 = {w[0].grad:g}, ∂y/∂w2 = {w[1].grad:g}, "
          f"∂y/∂b = {b.grad:g}")

    X, _ = nand_data()
    before = [int(perceptron(weights, bias, x).data) for x in X.tolist()]
    nudged = [int(perceptron([weights[0] + 0.01, weights[1]], bias, x).data) for x in X.tolist()]
    print(f"  2. nudge w1 from {weights[0]:g} to {weights[0] + 0.01:g}: outputs {before} -> {nudged} "
          f"({'unchanged' if before == nudged else 'changed'})")

    def f(w1: Value, w2: Value, b: Value) -> Value:
        return step(linear([w1, w2], [1.0, 1.0], b))

    print("  3. gradcheck of y = step(w1·1 + w2·1 + b) at the NAND weights, where z = −1")
    report = gradcheck(f, [*weights, bias], expected=[0.0, 0.0, 0.0])
    print("     " + str(report).replace("\n", "\n     "))
    print("     ... and at b = 4, where z = 0 sits exactly on the jump:")
    report = gradcheck(f, [*weights, 4.0], raise_exception=False)
    print("     " + str(report).replace("\n", "\n     "))
    print("     the finite difference straddles the jump, (1 − 0)/(2ε) = 500000, while autograd reports")
    print("     the rule's 0: as the note says, the step has no derivative at the jump. Either way")
    print("     there is no slope that tells gradient descent which way to move a weight.")


def train_nand(steps: int) -> Neuron:
    """A sigmoid neuron fitted to NAND by full-batch gradient descent on the mean BCE."""
    X, t = nand_data()
    neuron = Neuron(2, "sigmoid", seed=1)
    opt = SGD(neuron.parameters(), lr=1.0)
    before = outputs(neuron)
    for k in range(steps):
        loss = mean([binary_cross_entropy(neuron(x), float(target)) for x, target in zip(X.tolist(), t)])
        opt.zero_grad()
        loss.backward()
        opt.step()
        if k + 1 in (1, 10, 100) or (k + 1) % 250 == 0:
            print(f"  step {k + 1:5d}  mean cross-entropy {loss.data:.4f}")
    after = outputs(neuron)
    print(f"\n  {'x1':>3} {'x2':>3} {'NAND':>5} {'σ before':>9} {'σ after':>8} {'rounded':>8}")
    for x, target, y0, y1 in zip(X.tolist(), t, before, after):
        print(f"  {x[0]:>3g} {x[1]:>3g} {target:>5d} {y0:>9.3f} {y1:>8.3f} {int(y1 > 0.5):>8d}")
    learned = [int(y > 0.5) for y in after] == t.tolist()
    print(f"  the rounded outputs {'are' if learned else 'are NOT'} the NAND table")
    w1, w2, b = (p.data for p in neuron.parameters())
    print(f"  learned w = [{w1:.2f}, {w2:.2f}], b = {b:.2f}: the perceptron's (−2, −2, 3) "
          f"scaled up about {b / 3:.1f}×")
    return neuron


def outputs(neuron: Neuron) -> list[float]:
    with no_grad():  # evaluation only
        return [neuron(x).data for x in nand_data()[0].tolist()]


def plot(plt: Any, neuron: Neuron, path: Path) -> None:
    fig, (ax, ax1, ax2) = plt.subplots(1, 3, figsize=(15, 4.4), gridspec_kw={"width_ratios": [1, 1, 1.2]})
    z = np.linspace(-6, 6, 601)
    sig = 1 / (1 + np.exp(-z))
    ax.step(z, (z > 0).astype(float), where="post", color="#7f8c8d", lw=2, label="step(z)")
    ax.plot(z, sig, color="#1f5fa8", lw=2, label="σ(z) = 1/(1 + e⁻ᶻ)")
    ax.set_title("The step and its smooth stand-in")

    ax1.plot(z[z < 0], np.zeros(int((z < 0).sum())), color="#7f8c8d", lw=2, label="step′(z) = 0")
    ax1.plot(z[z > 0], np.zeros(int((z > 0).sum())), color="#7f8c8d", lw=2)
    ax1.plot([0], [0], marker="o", mfc="white", color="#7f8c8d", ms=7, label="no derivative at the jump")
    ax1.plot(z, sig * (1 - sig), color="#c0392b", lw=2, label="σ′(z) = σ(z)(1 − σ(z))")
    ax1.axhline(0.25, color="#c0392b", lw=0.8, ls=":")
    ax1.text(0.35, 0.258, "σ′(0) = ¼, its largest value", fontsize=8, color="#c0392b")
    ax1.set_title("Their derivatives: only σ gives a slope to follow")
    for a in (ax, ax1):
        a.set_xlabel("z = Σ wⱼxⱼ + b")
        a.set_ylim(-0.05, 1.05 if a is ax else 0.32)
        a.grid(alpha=0.3)
        a.legend(loc="upper left", fontsize=8)

    w1, w2, b = (p.data for p in neuron.parameters())
    g = np.linspace(-0.5, 1.5, 200)
    gx, gy = np.meshgrid(g, g)
    shade = ax2.contourf(gx, gy, 1 / (1 + np.exp(-(w1 * gx + w2 * gy + b))), levels=np.linspace(0, 1, 11),
                         cmap="RdBu", alpha=0.4)
    fig.colorbar(shade, ax=ax2, label="trained sigmoid neuron's output")
    ax2.contour(gx, gy, w1 * gx + w2 * gy + b, levels=[0], colors="k", linewidths=4, alpha=0.5)
    ax2.plot([], [], color="k", lw=4, alpha=0.5, label="trained neuron: σ = ½")
    ax2.plot(g, (3 - 2 * g) / 2, color="#e67e22", lw=1.8, ls="--", label="perceptron: −2x1 − 2x2 + 3 = 0")
    X, t = nand_data()
    scatter_classes(ax2, X, t, [(1, "#1f5fa8", "NAND = 1"), (0, "#c0392b", "NAND = 0")], size=90, zorder=3)
    ax2.set_xlim(-0.5, 1.5)
    ax2.set_ylim(-0.5, 1.5)
    ax2.set_aspect("equal")
    ax2.set_xticks([-0.5, 0, 0.5, 1, 1.5])
    ax2.set_yticks([-0.5, 0, 0.5, 1, 1.5])
    ax2.set_xlabel("x1")
    ax2.set_ylabel("x2")
    ax2.set_title("NAND: the two boundaries almost coincide")
    ax2.legend(loc="lower left", fontsize=7.5, framealpha=0.9)
    fig.tight_layout()
    save_plot(fig, path)


def main() -> None:
    args = arguments(__doc__.splitlines()[0], steps=(int, 1000, "gradient-descent steps on NAND"))
    start = time.perf_counter()
    title("The cheese festival: a perceptron weighing up evidence")
    cheese_festival()

    nand_weights, nand_bias = [-2.0, -2.0], 3.0
    title("NAND with a step: weights −2, −2, bias 3")
    nand_table(nand_weights, nand_bias)

    title("Why the step cannot be trained by gradient descent")
    no_gradient(nand_weights, nand_bias)

    title(f"A sigmoid neuron learns NAND: {args.steps} steps of gradient descent, η = 1")
    neuron = train_nand(args.steps)

    title("Pictures")
    plt = pyplot()
    if plt is not None:
        plot(plt, neuron, args.out / "perceptron.png")
    print(f"\ndone in {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
