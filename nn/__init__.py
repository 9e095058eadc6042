"""nn: neurons, layers, MLPs, losses, SGD and toy datasets on top of autograd.

    >>> from nn import MLP, SGD, hinge_loss, make_moons
    >>> model = MLP(2, [16, 16, 1], seed=0)
    >>> X, y = make_moons(100, noise=0.1, seed=0)
"""

from autograd.version import VERSION as __version__

from .data import accuracy, make_moons, make_spiral, nand_data, xor_data
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
from .optim import SGD, Minibatches, linear_decay

__all__ = [
    "__version__",
    "ACTIVATIONS",
    "INITS",
    "MLP",
    "SGD",
    "Layer",
    "Minibatches",
    "Module",
    "Neuron",
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
    "squared_error",
    "xor_data",
]
