"""Batched Values against micrograd, torch and numpy, measured alternately in one process.

    pip install micrograd torch==2.13.0   # optional: an engine that is missing is left out
    python -m demos.benchmark_batched [--rounds 7] [--epoch-samples 50000]

1. micrograd's demo step (MLP(2, [16, 16, 1]), 100 two-moons points, mean hinge loss +
   1e-4·Σw², backward, SGD) in five versions, all given the same numpy arrays:
     micrograd     its own Value and nn.MLP, one graph per point
     per sample    gradstep's nn.MLP, one graph per point
     batched       gradstep's nn.MLP on the whole batch: one graph whose nodes hold 100 numbers
     torch         torch, vectorised, float64 (the same weights)
     numpy         the same step written by hand in numpy (forward and backprop)
   Each round runs the engines in turn (the order rotates); the collector runs before
   every timed step, outside the clock; the table gives medians and min/median/max of the
   ratios per round.
2. Nielsen's MNIST set-up on random data: a 784-30-10 sigmoid network, quadratic cost,
   minibatches of 10, one epoch: gradstep batched against numpy by hand and torch, the
   engines alternating every few hundred steps.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

import nn
from demos._common import report
from demos.benchmark import demo_step

try:
    import micrograd.engine as mg_engine
    import micrograd.nn as mg_nn
except ImportError:
    mg_engine = mg_nn = None
try:
    import torch

    torch.set_num_threads(1)  # every engine here runs on one core
except ImportError:
    torch = None

Step = Callable[[], Any]


def weights(model: nn.MLP) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each layer's W (nout × nin) and b."""
    return [(np.array([[w.data for w in n.w] for n in layer.neurons]),
             np.array([n.b.data for n in layer.neurons])) for layer in model.layers]


def moons_steps() -> dict[str, Step]:
    X, labels = nn.make_moons(100, noise=0.1, seed=1)
    y = (labels * 2 - 1).astype(float)
    steps: dict[str, Step] = {}
    if mg_nn is not None:
        random.seed(1)
        mg_model = mg_nn.MLP(2, [16, 16, 1])
        steps["micrograd"] = lambda: demo_step(mg_engine.Value, mg_model, X, y)
    one, opt1 = nn.MLP(2, [16, 16, 1], seed=1), None
    opt1 = nn.SGD(one.parameters(), lr=0.1)

    def per_sample() -> Any:
        loss = nn.mean([nn.hinge_loss(one(x), t) for x, t in zip(X, y)]) + 1e-4 * nn.l2(opt1.params)
        opt1.zero_grad()
        loss.backward()
        opt1.step()
        return loss

    batch_model = nn.MLP(2, [16, 16, 1], seed=1)
    opt2 = nn.SGD(batch_model.parameters(), lr=0.1)

    def batched() -> Any:
        loss = nn.hinge_loss(batch_model(X), y) + 1e-4 * nn.l2(opt2.params)
        opt2.zero_grad()
        loss.backward()
        opt2.step()
        return loss

    steps["per sample"] = per_sample
    steps["batched"] = batched
    start = weights(nn.MLP(2, [16, 16, 1], seed=1))
    if torch is not None:
        tX, ty = torch.tensor(X, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)
        params = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for W, b in start for a in (W, b)]
        topt = torch.optim.SGD(params, lr=0.1)

        def torch_step() -> Any:
            h = tX
            for k in range(0, len(params), 2):
                h = h @ params[k].T + params[k + 1]
                if k < len(params) - 2:
                    h = torch.relu(h)
            loss = torch.relu(1 - ty * h[:, 0]).mean() + 1e-4 * sum((p * p).sum() for p in params)
            topt.zero_grad()
            loss.backward()
            topt.step()
            return loss

        steps["torch"] = torch_step
    layers = [(W.copy(), b.copy()) for W, b in start]

    def numpy_step() -> float:
        hs, zs = [X], []
        for k, (W, b) in enumerate(layers):
            z = hs[-1] @ W.T + b
            zs.append(z)
            hs.append(np.maximum(z, 0) if k < len(layers) - 1 else z)
        margin = 1 - y * hs[-1][:, 0]
        loss = np.maximum(margin, 0).mean() + 1e-4 * sum((W * W).sum() + (b * b).sum() for W, b in layers)
        delta = (-1.0 * (margin > 0) * y / len(y))[:, None]  # ∂C/∂z of the output layer
        for k in range(len(layers) - 1, -1, -1):
            W, b = layers[k]
            gW, gb = delta.T @ hs[k] + 2e-4 * W, delta.sum(0) + 2e-4 * b
            if k:
                delta = (delta @ W) * (zs[k - 1] > 0)
            W -= 0.1 * gW
            b -= 0.1 * gb
        return float(loss)

    steps["numpy"] = numpy_step
    return steps


def time_rounds(steps: dict[str, Step], rounds: int, repeats: dict[str, int]) -> dict[str, list[float]]:
    """Per engine, the median step time of each round (engines alternate, order rotating)."""
    names = list(steps)
    per_round: dict[str, list[float]] = {n: [] for n in names}
    for r in range(rounds):
        for name in names[r % len(names):] + names[: r % len(names)]:
            times = []
            for _ in range(repeats.get(name, 20)):
                gc.collect()
                t0 = time.perf_counter()
                out = steps[name]()  # the step's graph stays alive until the clock has stopped
                t1 = time.perf_counter()
                del out
                times.append(t1 - t0)
            per_round[name].append(statistics.median(times))
        shown = "  ".join(f"{n} {1000 * per_round[n][-1]:.2f} ms" for n in names)
        print(f"  round {r + 1}/{rounds}: {shown}")
    return per_round


def ratios(a: list[float], b: list[float]) -> str:
    rs = sorted(x / y for x, y in zip(a, b))
    return f"{rs[0]:.0f} / {statistics.median(rs):.0f} / {rs[-1]:.0f}" if rs[-1] >= 10 else \
        f"{rs[0]:.2f} / {statistics.median(rs):.2f} / {rs[-1]:.2f}"


def mnist_engines(samples: int) -> dict[str, Callable[[int], float]]:
    """784-30-10 sigmoid nets with the same weights; each function runs k minibatch steps."""
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 1, size=(samples, 784))
    Y = np.eye(10)[rng.integers(0, 10, size=samples)]
    start = weights(nn.MLP(784, [30, 10], "sigmoid", "sigmoid", seed=0, init="xavier"))
    position = {"k": 0}
    model = nn.MLP(784, [30, 10], "sigmoid", "sigmoid", seed=0, init="xavier")
    opt = nn.SGD(model.parameters(), lr=3.0)

    def batch(i: int) -> slice:
        return slice(10 * i % samples, 10 * i % samples + 10)

    def gradstep(k: int) -> float:
        i0 = position.setdefault("g", 0)
        for i in range(i0, i0 + k):
            xb, yb = X[batch(i)], Y[batch(i)]
            loss = nn.squared_error(model(xb), yb)  # ½‖y − a‖², averaged over the minibatch
            opt.zero_grad()
            loss.backward()
            opt.step()
        position["g"] = i0 + k
        return float(loss.data)

    layers = [(W.copy(), b.copy()) for W, b in start]

    def sig(z: np.ndarray) -> np.ndarray:
        return 1 / (1 + np.exp(-z))

    def numpy(k: int) -> float:
        i0 = position.setdefault("n", 0)
        for i in range(i0, i0 + k):
            xb, yb = X[batch(i)], Y[batch(i)]
            a1 = sig(xb @ layers[0][0].T + layers[0][1])
            a2 = sig(a1 @ layers[1][0].T + layers[1][1])
            d2 = (a2 - yb) * a2 * (1 - a2) / len(xb)  # BP1, over the minibatch's mean
            d1 = (d2 @ layers[1][0]) * a1 * (1 - a1)  # BP2
            for (W, b), d, a in ((layers[1], d2, a1), (layers[0], d1, xb)):
                W -= 3.0 * d.T @ a  # BP4
                b -= 3.0 * d.sum(0)  # BP3
        position["n"] = i0 + k
        return float(0.5 * ((a2 - yb) ** 2).sum(1).mean())

    engines = {"gradstep batched": gradstep, "numpy": numpy}
    if torch is not None:
        tX, tY = torch.tensor(X), torch.tensor(Y)
        ps = [torch.tensor(a, requires_grad=True) for W, b in start for a in (W, b)]
        topt = torch.optim.SGD(ps, lr=3.0)

        def torch_steps(k: int) -> float:
            i0 = position.setdefault("t", 0)
            for i in range(i0, i0 + k):
                xb, yb = tX[batch(i)], tY[batch(i)]
                a = torch.sigmoid(torch.sigmoid(xb @ ps[0].T + ps[1]) @ ps[2].T + ps[3])
                loss = 0.5 * ((a - yb) ** 2).sum(1).mean()
                topt.zero_grad()
                loss.backward()
                topt.step()
            position["t"] = i0 + k
            return float(loss)

        engines["torch"] = torch_steps
    return engines


def main() -> None:
    parser = argparse.ArgumentParser(description="Batched Values against micrograd, torch and numpy.")
    parser.add_argument("--rounds", type=int, default=7, help="alternating rounds (default 7)")
    parser.add_argument("--epoch-samples", type=int, default=50_000, help="samples in the MNIST-shaped epoch")
    parser.add_argument("--out", default="out", help="folder for benchmark_batched.txt (default: ./out)")
    args = parser.parse_args()
    with report(Path(args.out) / "benchmark_batched.txt"):
        run(args)


def run(args: argparse.Namespace) -> None:
    print(f"1. micrograd's demo step, B = 100, {args.rounds} alternating rounds (median of a round's steps)")
    steps = moons_steps()
    per_round = time_rounds(steps, args.rounds, {"micrograd": 1, "per sample": 3})
    print(f"\n  {'':<12} {'median':>10}   ratios per round (min / median / max)")
    for name, times in per_round.items():
        line = f"  {name:<12} {1000 * statistics.median(times):>8.2f}ms"
        if "micrograd" in per_round and name != "micrograd":
            line += f"   micrograd ÷ this {ratios(per_round['micrograd'], times)}"
        if "torch" in per_round and name == "batched":
            line += f";  this ÷ torch {ratios(times, per_round['torch'])}"
        print(line)

    n = args.epoch_samples
    print(f"\n2. One epoch of {n:,} samples (random data), 784-30-10 sigmoid net, minibatches of 10")
    engines = mnist_engines(n)
    steps_per_epoch = n // 10
    chunk = max(1, steps_per_epoch // 10)
    spent = {name: 0.0 for name in engines}
    done = 0
    while done < steps_per_epoch:
        k = min(chunk, steps_per_epoch - done)
        for name, run_steps in engines.items():
            gc.collect()
            t0 = time.perf_counter()
            loss = run_steps(k)
            spent[name] += time.perf_counter() - t0
        done += k
        shown = "  ".join(f"{m} {s:.1f} s" for m, s in spent.items())
        print(f"  {done:>6,}/{steps_per_epoch:,} steps: {shown} (last loss {loss:.4f})")
    base = spent["numpy"]
    print("\n  " + "  ".join(f"{m}: {s:.1f} s ({s / base:.1f}× numpy)" for m, s in spent.items()))
    print(f"\nPython {sys.version.split()[0]}, numpy {np.__version__}" +
          (f", torch {torch.__version__}" if torch is not None else ""))


if __name__ == "__main__":
    main()
