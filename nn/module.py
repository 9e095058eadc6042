"""Neurons, layers and multi-layer perceptrons on top of autograd.

A neuron computes a = f(z) with z = Σᵢ wᵢxᵢ + b. The weighted sum is one node of the
graph (the table's "linear" row, drawn as Σ) whose local partials are ∂z/∂wᵢ = xᵢ,
∂z/∂xᵢ = wᵢ and ∂z/∂b = 1, exactly the terms of the seeds' derivations. A layer is a list
of neurons fed the same inputs; an MLP is a list of layers, each fed the previous one's
outputs (seed 001: h⁽ˡ⁾ = g(W⁽ˡ⁾h⁽ˡ⁻¹⁾ + b⁽ˡ⁾)).
"""

from __future__ import annotations

import json
import math
import os
import random
from collections.abc import Mapping, Sequence
from numbers import Integral
from pathlib import Path
from typing import Any, Union

import numpy as np

from autograd import Value, linear, scope
from autograd.files import read_limited, write_atomically
from autograd.functional import values
from autograd.ops import RELU, SIGMOID, TANH
from autograd.text import describe, is_real, num, table

Inputs = Union[Sequence[Union[Value, float]], Value, float]  # noqa: UP007 (a runtime alias)

# name -> the op applied to z (None: the identity)
ACTIVATIONS = {"relu": RELU, "sigmoid": SIGMOID, "tanh": TANH, "linear": None}

# Initial weights are drawn from U(−limit, +limit):
#   uniform  limit = 1                        micrograd's default
#   xavier   limit = √(6 / (fan_in + fan_out))  Glorot & Bengio, for sigmoid and tanh
#   he       limit = √(6 / fan_in)              He et al., for ReLU
#   auto     he for relu, xavier otherwise
INITS = ("uniform", "xavier", "he", "auto")

_FORMAT = "gradstep.nn"
NOTEBOOK_ROWS = 12  # parameters listed when a notebook shows a model


def _init_limit(init: str, activation: str, fan_in: int, fan_out: int) -> float:
    if init == "auto":
        init = "he" if activation == "relu" else "xavier"
    if init == "uniform":
        return 1.0
    if init == "xavier":
        return math.sqrt(6.0 / (fan_in + fan_out))
    return math.sqrt(6.0 / fan_in)


def _check_choice(owner: str, what: str, value: Any, choices: Sequence[str]) -> None:
    if value not in choices:
        expected = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{owner}: unknown {what} {value!r}; expected one of {expected}")


def _check_count(owner: str, what: str, n: Any) -> int:
    """n as a positive int (numpy integers are fine); ValueError otherwise."""
    if isinstance(n, bool) or not isinstance(n, Integral) or n < 1:
        raise ValueError(f"{owner}: {what} must be a positive integer, got {n!r}")
    return int(n)


def _rng(owner: str, seed: Any) -> random.Random:
    """A random generator for a seed: an integer, or None to draw from Python's global
    random (so random.seed(1337) repeats a run, as in micrograd's demo)."""
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, Integral)):
        raise ValueError(f"{owner}: seed must be an integer or None, got {seed!r}")
    return random.Random(random.getrandbits(64) if seed is None else int(seed))


def _as_inputs(owner: str, x: Inputs, nin: int) -> list[Value]:
    """x as a list of nin Values; numbers become constants named x1, x2, ... (so that
    graphs and explanations can tell the inputs apart). A 2-D array (samples × nin) is a
    batch: input j holds column j, one number per sample."""
    if type(x) is Value or is_real(x):
        x = [x]  # type: ignore[list-item]
    if isinstance(x, np.ndarray) and x.ndim == 2:
        if x.shape[1] != nin:
            raise ValueError(f"{owner}: expected a batch of {nin} inputs per sample, got shape {x.shape}")
        x = list(x.T)  # one batch per input
    xs = list(values(x, owner))
    if len(xs) != nin:
        raise ValueError(f"{owner}: expected {nin} inputs, got {len(xs)}")
    for i, v in enumerate(xs):
        if not (v.label or v.requires_grad or v.parents):  # a number, made a constant
            v.label = f"x{i + 1}"
    return xs


class Module:
    """Something with parameters: zero_grad, save and load, state_dict and load_state_dict
    for all of them.

    A subclass may just set attributes, as with torch.nn.Module: the Values among them
    (leaves, not nodes computed from others), the Modules, and the lists, tuples and dicts
    of those are its parameters, named after the attributes ("encoder.layer1.neuron1.w1",
    "weights.0"). Or it overrides named_parameters() (as Neuron, Layer and MLP do) or,
    micrograd's way, just parameters(). Everything else then works.
    """

    def parameters(self) -> list[Value]:
        """Every trainable Value, in a fixed order (layer by layer, neuron by neuron,
        the weights then the bias)."""
        return [p for _, p in self.named_parameters()]

    def named_parameters(self) -> list[tuple[str, Value]]:
        """(name, Value) pairs; the names, like 'layer1.neuron3.w2', are fixed by the
        structure (the labels start out the same but are yours to change)."""
        if type(self).parameters is Module.parameters:  # neither method overridden
            return _found(self)
        return [(f"p{i}", p) for i, p in enumerate(self.parameters())]

    def state_dict(self) -> dict[str, float]:
        """Every parameter's number by name, in order: a snapshot (torch's holds the live
        tensors; these are floats), for load_state_dict() or for keeping the best model."""
        return {name: p.item() for name, p in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, float]) -> None:
        """Set every parameter from state, as state_dict() gives it. All or nothing: a
        missing, unexpected or non-finite entry raises ValueError and changes nothing."""
        if not isinstance(state, Mapping):
            raise TypeError("load_state_dict: expected a dict of parameter values (as state_dict() gives), "
                            f"got {describe(state)}")
        self._assign("load_state_dict", state, "the state dict")

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0 before the next backward()."""
        for p in self.parameters():
            p.grad = 0.0

    def config(self) -> dict[str, Any]:
        """The architecture, as saved in files and compared on load."""
        return {"type": type(self).__name__, "parameters": len(self.named_parameters())}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self.parameters())} parameters)"

    def _repr_html_(self) -> str:
        """A notebook shows the model and its first parameters (all of them: named_parameters())."""
        named = self.named_parameters()
        rows = [[name, num(p.data), num(p.grad)] for name, p in named[:NOTEBOOK_ROWS]]
        if len(named) > NOTEBOOK_ROWS:
            rows.append([f"… {len(named) - NOTEBOOK_ROWS} more: model.named_parameters()", "", ""])
        return table(["parameter", "data", "grad"], rows, f"{self!r}: {len(named)} parameters")

    # -- saving and loading -------------------------------------------------------------

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the parameters to a JSON file (floats round-trip exactly).

        The file is written beside the target and renamed into place, so an interrupted
        save never leaves a half-written file behind; an existing file keeps its mode, and
        a read-only one, or one that is not a regular file, is refused (autograd.files).
        """
        named = self.named_parameters()
        for name, p in named:
            if not math.isfinite(p.data):
                raise ValueError(f"save: parameter {name} is {p.data}; refusing to write it")
        doc = {
            "format": _FORMAT,
            "version": 1,
            "model": self.config(),
            "parameters": {name: p.data for name, p in named},
        }
        write_atomically(path, json.dumps(doc, indent=1, allow_nan=False).encode("utf-8"))

    def load(self, path: str | os.PathLike[str]) -> None:
        """Read parameters written by save(). All or nothing: a truncated or corrupt file,
        one for a different architecture, one that is not a regular file (a FIFO,
        /dev/zero) or one over 64 MiB raises ValueError and changes nothing."""
        path = Path(path)
        try:
            text = read_limited(path, "load", what="model file").decode("utf-8")
        except UnicodeDecodeError as e:
            raise ValueError(f"load: {path} is not a text file ({e})") from None
        try:
            doc = json.loads(text)
        except (ValueError, RecursionError) as e:  # JSONDecodeError is a ValueError
            raise ValueError(f"load: {path} is not valid JSON (truncated or corrupt?): {e}") from None
        if not isinstance(doc, dict) or doc.get("format") != _FORMAT:
            raise ValueError(f"load: {path} is not a model file saved by Module.save")
        if doc.get("version") != 1:
            raise ValueError(f"load: {path} has format version {doc.get('version')!r}; expected 1")
        mine, theirs = self.config(), doc.get("model")
        if theirs != mine:
            raise ValueError(f"load: {path} holds {_describe(theirs)}, but this model is {_describe(mine)}")
        values = doc.get("parameters")
        if not isinstance(values, dict):
            raise ValueError(f"load: {path} has no parameter table")
        self._assign("load", values, str(path))

    def _assign(self, owner: str, values: Mapping[str, Any], where: str) -> None:
        """Set the parameters from values (name -> number), once every name and number is
        checked: ValueError, naming owner and where the values came from, otherwise."""
        named = self.named_parameters()
        names = [name for name, _ in named]
        if list(values) != names:
            missing = [n for n in names if n not in values]
            extra = [n for n in values if n not in names]
            if missing:
                detail = f"missing {missing[:3]}"
            else:
                detail = f"unexpected {extra[:3]}" if extra else "in a different order"
            raise ValueError(f"{owner}: {where} has the wrong parameters: {detail}")
        new = []
        for name in names:
            x = values[name]
            try:
                ok = not isinstance(x, bool) and is_real(x) and math.isfinite(float(x))
            except OverflowError:  # an integer too large for a float
                ok = False
            if not ok:
                shown = repr(x) if len(repr(x)) < 40 else repr(x)[:37] + "..."
                raise ValueError(f"{owner}: parameter {name} in {where} is {shown}, not a finite number")
            new.append(float(x))
        for (_, p), x in zip(named, new):  # only now, with everything checked
            p.data = x


def _found(module: Module) -> list[tuple[str, Value]]:
    """The parameters among a module's attributes, in the order they were set (see Module):
    each Value once (tied weights), each module once (modules that refer to each other)."""
    found: list[tuple[str, Value]] = []
    seen: set[int] = {id(module)}
    stack = _members(module)
    while stack:
        name, x = stack.pop()
        if id(x) in seen:
            continue
        if type(x) is Value:
            seen.add(id(x))
            if not x.parents:  # a node computed from others (a stored output) is no parameter
                found.append((name, x))
        elif isinstance(x, Module) and not _plain(x):  # Neuron, Layer, MLP: they name their own
            seen.add(id(x))
            for sub, p in x.named_parameters():
                if id(p) not in seen:
                    seen.add(id(p))
                    found.append((f"{name}.{sub}", p))
        elif isinstance(x, (Module, list, tuple, dict)):
            seen.add(id(x))
            stack += [(f"{name}.{key}", y) for key, y in _members(x)]
    return found


def _plain(module: Module) -> bool:
    """A subclass that overrides neither parameters() nor named_parameters()."""
    return type(module).parameters is Module.parameters and \
        type(module).named_parameters is Module.named_parameters


def _members(x: Any) -> list[tuple[str, Any]]:
    """(name, member) of a module's attributes or a container's items, last first (a stack)."""
    if isinstance(x, Module):
        pairs: Any = getattr(x, "__dict__", {}).items()
    else:
        pairs = x.items() if isinstance(x, dict) else enumerate(x)
    return [(str(key), y) for key, y in pairs][::-1]


def _describe(config: Any) -> str:
    if not isinstance(config, dict):
        return repr(config)
    return ", ".join(f"{k}={v!r}" for k, v in config.items())


class Neuron(Module):
    """a = f(Σᵢ wᵢxᵢ + b): nin weights, a bias and an activation f.

    activation is "relu", "sigmoid", "tanh" or "linear". Weights start uniform in (−1, 1)
    like micrograd's, or scaled with init="xavier" / "he" / "auto"; the bias starts at 0.
    The same seed gives the same weights.
    """

    def __init__(
        self,
        nin: int,
        activation: str = "relu",
        seed: int | None = None,
        *,
        init: str = "uniform",
        fan_out: int = 1,
        name: str = "",
    ) -> None:
        nin = _check_count("Neuron", "nin", nin)
        _check_choice("Neuron", "activation", activation, tuple(ACTIVATIONS))
        _check_choice("Neuron", "init", init, INITS)
        self.nin, self.activation, self.init, self.name = nin, activation, init, name
        # a = z.relu(), z.sigmoid(), z.tanh(), or z itself: the Value method of that row
        self.act = None if activation == "linear" else getattr(Value, activation)
        self.scope_name = name.rsplit(".", 1)[-1] if name else "neuron"
        self._scope = scope(self.scope_name)
        rng = _rng("Neuron", seed)
        limit = _init_limit(init, activation, nin, fan_out)
        prefix = f"{name}." if name else ""
        self._names = [f"{prefix}w{i + 1}" for i in range(nin)] + [f"{prefix}b"]
        with scope(self.scope_name):
            self.w = [Value(rng.uniform(-limit, limit), n) for n in self._names[:-1]]
            self.b = Value(0.0, self._names[-1])

    def __call__(self, x: Inputs) -> Value:
        return self.forward(_as_inputs("Neuron", x, self.nin))

    def forward(self, xs: list[Value]) -> Value:
        """a = f(z), z = Σᵢ wᵢxᵢ + b: one Σ node (the seeds' z) and the activation's node."""
        if len(self.w) != self.nin or type(self.b) is not Value or not set(map(type, self.w)) <= {Value}:
            self.named_parameters()  # a weight list changed by hand: say what is wrong
        with self._scope:
            z = linear(self.w, xs, self.b)
            return z if self.act is None else self.act(z)

    def named_parameters(self) -> list[tuple[str, Value]]:
        if len(self.w) != self.nin:
            raise ValueError(f"Neuron: expected {self.nin} weights in .w, got {len(self.w)}")
        for p in (*self.w, self.b):
            if type(p) is not Value:
                raise TypeError(f"Neuron: weights and bias must be Values, got {describe(p)}")
        return list(zip(self._names, [*self.w, self.b]))

    def config(self) -> dict[str, Any]:
        return {"type": "Neuron", "nin": self.nin, "activation": self.activation}

    def __repr__(self) -> str:
        return f"Neuron({self.nin}, activation={self.activation!r})"


class Layer(Module):
    """nout neurons that all see the same nin inputs. Calling it returns a list of nout Values."""

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str = "relu",
        seed: int | None = None,
        *,
        init: str = "uniform",
        name: str = "",
    ) -> None:
        nin = _check_count("Layer", "nin", nin)
        if isinstance(nout, Integral) and not isinstance(nout, bool) and nout < 1:
            raise ValueError(f"Layer: nout must be at least 1 (an empty layer has no neurons), got {nout}")
        nout = _check_count("Layer", "nout", nout)
        _check_choice("Layer", "activation", activation, tuple(ACTIVATIONS))
        _check_choice("Layer", "init", init, INITS)
        self.nin, self.nout, self.activation, self.init, self.name = nin, nout, activation, init, name
        self.scope_name = name.rsplit(".", 1)[-1] if name else "layer"
        self._scope = scope(self.scope_name)
        rng = _rng("Layer", seed)
        prefix = f"{name}." if name else ""
        with scope(self.scope_name):
            self.neurons = [
                Neuron(
                    nin, activation, rng.getrandbits(64), init=init, fan_out=nout,
                    name=f"{prefix}neuron{j + 1}",
                )
                for j in range(nout)
            ]

    def __call__(self, x: Inputs) -> list[Value]:
        return self.forward(_as_inputs("Layer", x, self.nin))

    def forward(self, xs: list[Value]) -> list[Value]:
        """Every neuron on the same inputs (already Values)."""
        with self._scope:
            return [n.forward(xs) for n in self.neurons]

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [np for n in self.neurons for np in n.named_parameters()]

    def config(self) -> dict[str, Any]:
        return {"type": "Layer", "nin": self.nin, "nout": self.nout, "activation": self.activation}

    def __repr__(self) -> str:
        return f"Layer({self.nin}, {self.nout}, activation={self.activation!r})"


class MLP(Module):
    """A multi-layer perceptron: layers of sizes nouts after nin inputs.

    Hidden layers use activation; the last layer uses output_activation ("linear" by
    default, as for a score; "sigmoid" for a probability). Calling it returns a Value when
    the last layer has one neuron and a list otherwise; only that final output is
    unwrapped, so MLP(2, [1, 1, 1]) works.
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str = "relu",
        output_activation: str = "linear",
        seed: int | None = None,
        *,
        init: str = "uniform",
    ) -> None:
        nin = _check_count("MLP", "nin", nin)
        if isinstance(nouts, (str, bytes)) or not hasattr(nouts, "__iter__") or len(nouts) == 0:
            raise ValueError(f"MLP: nouts must be a non-empty list of layer sizes, got {nouts!r}")
        nouts = [_check_count("MLP", "every layer size in nouts", n) for n in nouts]
        _check_choice("MLP", "activation", activation, tuple(ACTIVATIONS))
        _check_choice("MLP", "output_activation", output_activation, tuple(ACTIVATIONS))
        _check_choice("MLP", "init", init, INITS)
        self.nin, self.nouts = nin, nouts
        self.activation, self.output_activation, self.init = activation, output_activation, init
        rng = _rng("MLP", seed)
        sizes = [nin, *self.nouts]
        last = len(self.nouts) - 1
        self.layers = [
            Layer(
                sizes[i], sizes[i + 1], output_activation if i == last else activation,
                rng.getrandbits(64), init=init, name=f"layer{i + 1}",
            )
            for i in range(len(self.nouts))
        ]

    def __call__(self, x: Inputs) -> Value | list[Value]:
        xs = _as_inputs("MLP", x, self.nin)
        for layer in self.layers:
            xs = layer.forward(xs)
        return xs[0] if len(xs) == 1 else xs

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [np for layer in self.layers for np in layer.named_parameters()]

    def config(self) -> dict[str, Any]:
        return {
            "type": "MLP", "nin": self.nin, "nouts": self.nouts,
            "activation": self.activation, "output_activation": self.output_activation,
        }

    def __repr__(self) -> str:
        return (
            f"MLP({self.nin}, {self.nouts}, activation={self.activation!r}, "
            f"output_activation={self.output_activation!r})"
        )
