"""nn: neurons, layers, MLPs, losses, SGD and Adam, toy datasets, and a training History
with its replays (an animated GIF, a page with a slider), on top of autograd.

    >>> from nn import MLP, SGD, hinge_loss, make_moons
    >>> model = MLP(2, [16, 16, 1], seed=0)
    >>> X, y = make_moons(100, noise=0.1, seed=0)
"""

import autograd

if getattr(autograd, "__gradstep__", None) is not True:  # HIPS autograd in its place
    where = getattr(autograd, "__file__", None) or ", ".join(getattr(autograd, "__path__", [])) or "?"
    raise ImportError(
        f"nn: the autograd package Python finds ({where}) is not gradstep's: PyPI's other "
        "`autograd` package (HIPS autograd) installs a package of the same name, and its files have "
        "replaced gradstep's. They cannot share one environment: `pip uninstall autograd gradstep`, then "
        "`pip install gradstep` (or keep HIPS autograd in a separate virtualenv: python -m venv other-env)."
    )

from autograd.version import VERSION as __version__

from .data import accuracy, make_moons, make_spiral, nand_data, xor_data
from .history import History, Snapshot
from .losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    l2,
    mean,
    squared_error,
)
from .module import ACTIVATIONS, INITS, MLP, Layer, Module, Neuron
from .optim import SGD, Adam, AdamW, Minibatches, Optimizer, linear_decay
from .replay import save_replay_gif, save_replay_html

__all__ = [
    "__version__",
    "ACTIVATIONS",
    "Adam",
    "AdamW",
    "History",
    "INITS",
    "MLP",
    "SGD",
    "Snapshot",
    "Layer",
    "Minibatches",
    "Module",
    "Neuron",
    "Optimizer",
    "accuracy",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "hinge_loss",
    "l2",
    "linear_decay",
    "make_moons",
    "make_spiral",
    "mean",
    "nand_data",
    "save_replay_gif",
    "save_replay_html",
    "squared_error",
    "xor_data",
]
