"""autograd: a scalar reverse-mode autograd engine for teaching backpropagation.

    >>> from autograd import Value
    >>> x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    >>> f = (x + y) * z
    >>> f.backward()
    >>> x.grad, y.grad, z.grad
    (-4.0, -4.0, 3.0)

The core, in the order a lecture reads it, each file using only the ones before it:
    table.py       what a row of the derivative table is (Op) and the table (OPS)
    ops.py         the built-in rows: forward, local partials, formulas, symbols
    value.py       the Value node, the modes, and backward()
    backprop.py    grad(): gradients as Values, for higher derivatives
Around it: text.py (how numbers and failures are written), define.py (define_op: your
own rows, checked), functional.py (exp … softmax, linear), and the teaching tools:
explain, graph, html, gradcheck, cli.
"""

from .backprop import grad
from .define import define_op
from .explain import Explanation, explain
from .functional import (
    exp,
    linear,
    log,
    log1p,
    logsumexp,
    maximum,
    relu,
    sigmoid,
    softmax,
    softplus,
    tanh,
    total,
)
from .gradcheck import GradcheckError, GradcheckReport, gradcheck
from .graph import draw_dot, render, trace
from .html import save_html
from .modes import detect_anomaly, enable_grad, no_grad, scope
from .table import OPS, Op
from .value import Value, backward, toposort
from .version import VERSION

__version__ = VERSION

__all__ = [
    "__version__",
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
    "enable_grad",
    "exp",
    "explain",
    "grad",
    "gradcheck",
    "linear",
    "log",
    "log1p",
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
    "toposort",
    "total",
    "trace",
]
