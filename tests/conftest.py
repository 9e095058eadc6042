"""Shared helpers for the tests.

Some tests need things outside Python: Graphviz's `dot`, a Chromium for the browser test,
PyTorch as an oracle. Locally they skip when those are missing. CI sets
GRADSTEP_REQUIRE_DOT=1, GRADSTEP_REQUIRE_BROWSER=1 and GRADSTEP_REQUIRE_TORCH=1, which turn
those skips into failures, so CI always exercises them.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import shutil

import pytest

from autograd import Value, grad


def required(what: str) -> bool:
    """True when CI demands `what` ('DOT', 'BROWSER' or 'TORCH')."""
    return os.environ.get(f"GRADSTEP_REQUIRE_{what}", "") not in ("", "0")


def need_module(name: str, what: str):
    """Import a module, or skip (locally) / fail (when CI requires it)."""
    try:
        return importlib.import_module(name)
    except ImportError as e:
        if required(what):
            pytest.fail(f"{name} is required here (GRADSTEP_REQUIRE_{what}=1) but: {e}")
        pytest.skip(f"{name} is not installed", allow_module_level=True)


def need_program(name: str, what: str) -> str:
    """The path of a program, or skip (locally) / fail (when CI requires it)."""
    path = shutil.which(name)
    if path is None:
        if required(what):
            pytest.fail(f"`{name}` is required here (GRADSTEP_REQUIRE_{what}=1) but not on PATH")
        pytest.skip(f"`{name}` is not installed", allow_module_level=True)
    return path



def numeric_gradient(f, xs, h=1e-6):
    """Central differences of f (a function of floats) at xs."""
    out = []
    for i in range(len(xs)):
        up = list(xs)
        dn = list(xs)
        up[i] += h
        dn[i] -= h
        out.append((f(*up) - f(*dn)) / (2 * h))
    return out


def analytic_gradient(f, xs):
    """∂f/∂x for each x via grad(), with f taking Values."""
    vs = [Value(x) for x in xs]
    return [g.data for g in grad(f(*vs), vs)]


def close(a, b, rel=1e-6, abs_=1e-9):
    return abs(a - b) <= abs_ + rel * abs(b)


def cs231n():
    """CS231n's circuit f = (x + y)·z at x = -2, y = 5, z = -4, with every node labelled."""
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    return f, (x, y, z, q)


CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]


def chromium_path() -> str:
    """The system Chromium (Playwright never downloads a browser here)."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return need_program("chromium", "BROWSER")


@contextlib.contextmanager
def browser():
    """A headless system Chromium driven by Playwright, or skip / fail as need_module does."""
    sync_api = need_module("playwright.sync_api", "BROWSER")
    path = chromium_path()
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        try:
            yield b
        finally:
            b.close()


def lecture_neuron():
    """The neuron of Karpathy's micrograd lecture, built as its cells build it."""
    x1 = Value(2.0, label="x1")
    x2 = Value(0.0, label="x2")
    w1 = Value(-3.0, label="w1")
    w2 = Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    x1w1x2w2 = x1w1 + x2w2
    x1w1x2w2.label = "x1*w1 + x2*w2"
    n = x1w1x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, n, x1w1x2w2, x1w1, x2w2, (x1, x2, w1, w2, b)


def teaching_graphs():
    """The four graphs a lecture projects: the neuron, the CS231n circuit, Mazur's 2-2-2
    worked example and one sample through an MLP(2, [4, 1]) with its loss."""
    from demos import worked_example
    from nn import MLP, squared_error

    model, _ = worked_example.build()
    mlp = MLP(2, [4, 1], seed=0)
    loss = squared_error(mlp([0.5, -1.0]), 1.0)
    loss.label = "loss"
    return {"neuron": lecture_neuron()[0], "cs231n": cs231n()[0],
            "worked_example": worked_example.forward(model)[0], "mlp": loss}
