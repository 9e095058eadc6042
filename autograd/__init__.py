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
own rows, checked), functional.py (exp … softmax, linear, and the rows dot and
mean_square), neurons.py (each neuron's z, a and δ = ∂C/∂z by Nielsen's names), and
the teaching tools: explain, graph, gradcheck, html, notebook (show: the page in a
notebook), cli.

PyPI's unrelated `autograd` (HIPS autograd) installs a top-level package of the same name:
installed beside gradstep, their files land in one folder and overwrite each other. So
this file first checks its folder, and refuses to go on, saying what to do, when files of
that package are there or some of gradstep's are missing.
"""

import os as _os

_OURS = ("backprop", "cli", "define", "explain", "files", "functional", "gradcheck", "graph", "html",
         "modes", "neurons", "notebook", "numeric", "ops", "table", "text", "value", "version")
_THEIRS = ("tracer.py", "differential_operators.py", "wrap_util.py", "extend.py", "builtins.py",
           "test_util.py", "numpy", "scipy", "misc")  # files of HIPS autograd, none of ours
_FIX = ("Both install a top-level package called autograd, so they cannot share one environment: "
        "`pip uninstall autograd gradstep`, then `pip install gradstep` (or keep HIPS autograd in a "
        "separate virtualenv: python -m venv other-env).")


def _check_folder(here: str) -> None:
    theirs = [f for f in _THEIRS if _os.path.exists(_os.path.join(here, f))]
    if theirs:
        raise ImportError(f"autograd: {here} holds gradstep's autograd and files of PyPI's other "
                          f"`autograd` package (HIPS autograd: {', '.join(theirs[:3])}). {_FIX}")
    missing = [f"{m}.py" for m in _OURS if not _os.path.exists(_os.path.join(here, f"{m}.py"))]
    if missing:
        raise ImportError(f"autograd: gradstep's autograd in {here} is missing {', '.join(missing[:3])}: "
                          f"another `autograd` package (HIPS autograd, from PyPI) was probably installed "
                          f"over it or uninstalled from the same folder. {_FIX}")


_check_folder(_os.path.dirname(_os.path.abspath(__file__)))
__gradstep__ = True  # nn checks this: the autograd it imports is gradstep's

from .backprop import grad
from .define import define_op
from .explain import Explanation, explain
from .functional import (
    dot,
    exp,
    linear,
    log,
    log1p,
    logsumexp,
    matvec,
    maximum,
    mean_square,
    relu,
    rmsnorm,
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
from .neurons import NeuronNodes, neurons
from .notebook import show
from .table import OPS, Op
from .value import Value, backward, toposort
from .version import VERSION

__version__ = VERSION

__all__ = [
    "__version__",
    "Explanation",
    "GradcheckError",
    "GradcheckReport",
    "NeuronNodes",
    "OPS",
    "Op",
    "Value",
    "backward",
    "define_op",
    "detect_anomaly",
    "dot",
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
    "matvec",
    "maximum",
    "mean_square",
    "neurons",
    "no_grad",
    "relu",
    "render",
    "rmsnorm",
    "save_html",
    "scope",
    "show",
    "sigmoid",
    "softmax",
    "softplus",
    "tanh",
    "toposort",
    "total",
    "trace",
]
