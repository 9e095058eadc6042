"""autograd: a scalar reverse-mode autograd engine for teaching backpropagation.

    >>> from autograd import Value
    >>> x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    >>> f = (x + y) * z
    >>> f.backward()
    >>> x.grad, y.grad, z.grad
    (-4.0, -4.0, 3.0)

The derivative table holds every op's forward, local partials and formula text (table.py
says what a row is, ops.py holds the rows); the engine (engine.py), grad(), the explainer
and the graph renderer all read it.
"""

from .engine import Value, detect_anomaly, no_grad, scope  # noqa: I001 (the engine first)
from .backprop import backward, grad
from .explain import Explanation, explain
from .gradcheck import GradcheckError, GradcheckReport, gradcheck
from .graph import draw_dot, render, trace
from .html import save_html
from .ops import (
    exp,
    linear,
    log,
    logsumexp,
    maximum,
    relu,
    sigmoid,
    softmax,
    softplus,
    tanh,
    total,
)
from .table import OPS, Op, define_op

__all__ = [
    "Explanation",
    "GradcheckError",
    "GradcheckReport",
    "OPS",
    "Op",
    "Value",
    "backward",
    "define_op",
    "detect_anomaly",
    "draw_dot",
    "exp",
    "explain",
    "grad",
    "gradcheck",
    "linear",
    "log",
    "logsumexp",
    "maximum",
    "no_grad",
    "relu",
    "render",
    "save_html",
    "scope",
    "sigmoid",
    "softmax",
    "softplus",
    "tanh",
    "total",
    "trace",
]
