"""Speed and memory against micrograd, measured the fair way: alternately, in one process.

    pip install micrograd            # optional: without it only our own figures are printed
    python -m demos.benchmark [--rounds 7] [--chain 1000000]

1. One training step of micrograd's demo: MLP(2, [16, 16, 1]) on 100 two-moons points,
   mean hinge loss + 1e-4·Σw², backward, SGD. Three versions of the same step:
     micrograd   micrograd's own Value and nn.MLP, fed numpy rows as its demo does
     raw Values  our Value in user code written like micrograd's: sum(w*x for ...) + b
     nn.MLP      our nn: one Σ node per neuron, hinge_loss, mean, l2, SGD
   All three get the same numpy arrays. Each round runs the three in turn (the order
   rotates); the table gives medians and min/median/max of the per-round ratios. Absolute
   times on a shared machine are noise; the ratios are the result. Two figures per
   version, each treating the engines alike:
     step        one step: forward, backward and the SGD update. The cycle collector
                 runs before it, and the step's graph is still alive when the clock
                 stops, so no engine pays for freeing its graph. Timed 1 (micrograd),
                 3 (raw Values) or 10 (nn.MLP) times a round, so that a short step's
                 median is no more exposed to a passing slowdown than a long one.
     in a loop   the time per step of a block of consecutive steps, as a training loop
                 runs them (2 for micrograd, 10 for raw Values, 40 for nn.MLP), with the
                 collector working as usual and run once more at the end of the block.
                 This counts freeing each graph: ours by reference counting as the next
                 step begins; micrograd's closures make reference cycles, which only the
                 collector frees, and it runs more often and longer as they pile up.
2. backward() through a chain of a million nodes (micrograd's recursion dies near 1000).
3. Memory, by tracemalloc: one step's graph, and per node of a long chain.
"""

from __future__ import annotations

import gc
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: python demos/benchmark.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse

import autograd
import nn
from demos._common import report

try:
    import micrograd.engine as mg_engine
    import micrograd.nn as mg_nn
except ImportError:  # the comparison is optional
    mg_engine = mg_nn = None


# -- the three versions of one training step -------------------------------------------


def demo_step(value_type, model, X, y):
    """micrograd's demo step, for any engine's Value: rows into Values, mean hinge loss,
    L2, backward, SGD. micrograd gets numpy rows and labels, as its demo gives it."""
    inputs = [list(map(value_type, xrow)) for xrow in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    total_loss = data_loss + reg_loss
    params = model.parameters()
    for p in params:
        p.grad = 0.0
    total_loss.backward()
    for p in params:
        p.data -= 0.1 * p.grad
    return total_loss


class RawMLP:
    """An MLP written in user code with raw Values, the way micrograd's nn.py writes it."""

    def __init__(self, sizes, seed=0):
        rng = random.Random(seed)
        V = autograd.Value
        self.layers = [
            [([V(rng.uniform(-1, 1)) for _ in range(nin)], V(0.0)) for _ in range(nout)]
            for nin, nout in zip(sizes, sizes[1:])
        ]

    def __call__(self, x):
        last = len(self.layers) - 1
        for i, layer in enumerate(self.layers):
            out = []
            for w, b in layer:
                act = sum(wi * xi for wi, xi in zip(w, x)) + b
                out.append(act.relu() if i < last else act)
            x = out
        return x[0]

    def parameters(self):
        return [p for layer in self.layers for w, b in layer for p in (*w, b)]


def nn_step(model, opt, X, y):
    scores = [model(x) for x in X]
    loss = nn.mean([nn.hinge_loss(s, t) for s, t in zip(scores, y)]) + 1e-4 * nn.l2(opt.params)
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss


# Per round and engine: how many single steps to time, and how many steps make a block of
# the training loop, so that each engine spends comparable time (a second or two) on each.
SINGLE = {"micrograd": 1, "raw Values": 3, "nn.MLP": 10}
BLOCK = {"micrograd": 2, "raw Values": 10, "nn.MLP": 40}


def make_steps() -> dict[str, Any]:
    """name -> a function that runs one step and returns its loss (and so its graph)."""
    X, labels = nn.make_moons(100, noise=0.1, seed=1)
    y = labels * 2 - 1  # every engine gets these numpy arrays, as micrograd's demo has them
    raw = RawMLP([2, 16, 16, 1], seed=1)
    model = nn.MLP(2, [16, 16, 1], seed=1)
    opt = nn.SGD(model.parameters(), lr=0.1)
    steps = {
        "raw Values": lambda: demo_step(autograd.Value, raw, X, y),
        "nn.MLP": lambda: nn_step(model, opt, X, y),
    }
    if mg_nn is not None:
        random.seed(1)
        mg_model = mg_nn.MLP(2, [16, 16, 1])
        steps = {"micrograd": lambda: demo_step(mg_engine.Value, mg_model, X, y), **steps}
    return steps


def time_steps(rounds: int, steps: dict[str, Any]) -> dict[str, dict[str, list[float]]]:
    times: dict[str, dict[str, list[float]]] = {name: {"step": [], "loop": []} for name in steps}
    names = list(steps)
    for r in range(rounds):
        order = names[r % len(names):] + names[: r % len(names)]
        for name in order:
            step = steps[name]
            for _ in range(SINGLE[name]):
                gc.collect()
                t0 = time.perf_counter()
                loss = step()  # keeps this step's graph alive until the clock has stopped
                t1 = time.perf_counter()
                del loss
                times[name]["step"].append(t1 - t0)
            gc.collect()
            t2 = time.perf_counter()
            for _ in range(BLOCK[name]):  # each step's graph is dropped as the next begins
                step()
            gc.collect()  # whatever garbage the block left is the block's to collect
            t3 = time.perf_counter()
            times[name]["loop"].append((t3 - t2) / BLOCK[name])
        print(f"  round {r + 1}/{rounds}: " + "  ".join(
            f"{n} {1000 * statistics.median(times[n]['step'][-SINGLE[n]:]):.0f}"
            f"/{1000 * times[n]['loop'][-1]:.0f} ms" for n in names))
    return times


def per_round(times: dict[str, dict[str, list[float]]], ref: str, name: str, kind: str) -> list[float]:
    """ref's time ÷ name's, round by round (each round's median for the single steps)."""
    def rounds(n: str) -> list[float]:
        t = times[n][kind]
        k = SINGLE[n] if kind == "step" else 1
        return [statistics.median(t[i:i + k]) for i in range(0, len(t), k)]
    return [a / b for a, b in zip(rounds(ref), rounds(name))]


def spread(rs: list[float]) -> str:
    return f"{min(rs):.1f}× / {statistics.median(rs):.1f}× / {max(rs):.1f}×"


# -- depth and memory -------------------------------------------------------------------


def chain(value_type, n: int):
    x = value_type(1.0)
    c = value_type(1.0)
    y = x
    for _ in range(n):
        y = y * c
    return x, y


def deep_chain(n: int) -> None:
    gc.collect()
    t0 = time.perf_counter()
    x, y = chain(autograd.Value, n)
    built = time.perf_counter() - t0
    gc.collect()
    t1 = time.perf_counter()
    y.backward()
    t2 = time.perf_counter()
    print(f"  ours: {n:,} nodes built in {built:.2f} s, backward in {t2 - t1:.2f} s, "
          f"∂y/∂x = {x.grad}")
    if mg_engine is not None:
        for depth in (500, 1000, 2000, 5000):
            _, z = chain(mg_engine.Value, depth)
            try:
                z.backward()
                print(f"  micrograd: a chain of {depth:,} nodes works")
            except RecursionError:
                print(f"  micrograd: a chain of {depth:,} nodes fails with RecursionError")
                break


def traced_bytes(make) -> int:
    """The memory that what make() returns holds on to, by tracemalloc."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    keep = make()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del keep
    return after - before


def main() -> None:
    parser = argparse.ArgumentParser(description="Speed and memory against micrograd.")
    parser.add_argument("--rounds", type=int, default=7, help="alternating rounds (default 7)")
    parser.add_argument("--chain", type=int, default=1_000_000, help="nodes in the deep chain")
    parser.add_argument("--out", default="out", help="folder for benchmark.txt (default: ./out)")
    args = parser.parse_args()
    with report(Path(args.out) / "benchmark.txt"):
        _run(args)


def _run(args: argparse.Namespace) -> None:
    if mg_engine is None:
        print("micrograd is not installed (pip install micrograd): printing our figures only\n")

    print(f"1. One step of micrograd's demo, {args.rounds} alternating rounds (step/in a loop)")
    steps = make_steps()
    times = time_steps(args.rounds, steps)
    med = {n: {k: statistics.median(v) for k, v in t.items()} for n, t in times.items()}
    print(f"\n  {'':<12} {'step':>10} {'in a loop':>10}", end="")
    heading = "   micrograd ÷ this, per round: min / median / max (step; in a loop)"
    print(heading if "micrograd" in med else "")
    for name, m in med.items():
        line = f"  {name:<12} {1000 * m['step']:>8.1f}ms {1000 * m['loop']:>8.1f}ms"
        if "micrograd" in med and name != "micrograd":
            line += f"   {spread(per_round(times, 'micrograd', name, 'step'))};" \
                    f"  {spread(per_round(times, 'micrograd', name, 'loop'))}"
        print(line)

    print(f"\n2. backward() through a chain of {args.chain:,} nodes")
    deep_chain(args.chain)

    print("\n3. Memory, by tracemalloc")
    print("  one step's graph, still held after backward and the update:")
    for name, step in steps.items():
        print(f"    {name:<12} {traced_bytes(step) / 2**20:6.1f} MB")
    n = 200_000
    print(f"  per node of a chain y = y * c of {n:,} nodes:")
    print(f"    ours         {traced_bytes(lambda: chain(autograd.Value, n)) / n:6.0f} bytes")
    if mg_engine is not None:
        print(f"    micrograd    {traced_bytes(lambda: chain(mg_engine.Value, n)) / n:6.0f} bytes")
    print(f"\nPython {sys.version.split()[0]} on {sys.platform}")


if __name__ == "__main__":
    main()
