"""Nielsen's names on the graph: each neuron's z, a and δ = ∂C/∂z, found by scope.

A neuron, as nn builds one, is a scope (layer2/neuron3) holding one weighted-sum node
z = Σₖ wₖxₖ + b (the table's `linear` row, drawn as Σ) and, unless its activation is
the identity, one node a = f(z) made from z alone. neurons(root) finds every such pair in
root's graph, so that after root.backward()

    zˡⱼ = n.z.data      aˡⱼ = n.a.data      δˡⱼ = ∂C/∂zˡⱼ = n.z.grad      ∂C/∂aˡⱼ = n.a.grad

with C the root. l and j come from the scope's names, layerL/neuronJ, as nn numbers them:
l = 1 is the first layer of weights and a⁰ = x, the inputs. (Nielsen counts the inputs as
layer 1, so his δ² is δ¹ here.) A scope that was run several times in one graph (one
forward pass per sample) gives one entry per pass; a batched pass gives one whose numbers
are batches. explain's summary and draw_dot(collapse=True) use these names per neuron.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .value import Value, toposort

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


@dataclass(frozen=True)
class NeuronNodes:
    """One neuron in one forward pass: its weighted sum z and its activation a (z itself
    for a linear neuron), with layer l and index j from its scope (None if not numbered)."""

    scope: str  # "layer2/neuron3"
    layer: int | None  # l
    index: int | None  # j
    z: Value
    a: Value

    @property
    def delta(self) -> Any:
        """δ = ∂C/∂z, the z node's grad (a number, or a batch)."""
        return self.z.grad

    @property
    def layer_scope(self) -> str:
        """The scope around the neuron's own: "layer2"."""
        return self.scope.rpartition("/")[0]

    def symbol(self, letter: str) -> str:
        """letter with l up and j down: symbol("δ") is "δ²₃"; the bare letter if unnumbered."""
        up = "" if self.layer is None else str(self.layer).translate(_SUPERSCRIPT)
        down = "" if self.index is None else str(self.index).translate(_SUBSCRIPT)
        return f"{letter}{up}{down}"


def neurons(root: Value) -> list[NeuronNodes]:
    """Every neuron in root's graph (see the module doc), layer by layer, neuron by neuron
    (in the graph's order where the scopes are not numbered)."""
    nodes = toposort(root)
    members: dict[str, list[Value]] = {}
    for v in nodes:
        if v.scope and v.parents:
            members.setdefault(v.scope, []).append(v)
    found: list[NeuronNodes] = []
    for path, vs in members.items():
        pairs = neuron_pairs(vs)
        if pairs:
            layer, index = numbers(path)
            found += [NeuronNodes(path, layer, index, z, a) for z, a in pairs]
    place = {v: i for i, v in enumerate(nodes)}
    return sorted(found, key=lambda n: (n.layer is None, n.layer or 0, n.index is None, n.index or 0,
                                        place[n.z]))


def neuron_pairs(members: list[Value]) -> list[tuple[Value, Value]]:
    """The (z, a) pairs of one scope's computed nodes, in order, if they are all neurons:
    every node a `linear` z, or made from such a z alone and the only one made from it.
    [] otherwise."""
    zs = {v: v for v in members if v.op == "linear"}
    if not zs:
        return []
    for v in members:
        if v in zs:
            continue
        z = v.parents[0]
        if len(v.parents) != 1 or z not in zs or zs[z] is not z:
            return []  # not an activation, or the second node made from one z
        zs[z] = v
    return list(zs.items())


def single(path: str, members: list[Value]) -> NeuronNodes | None:
    """The neuron of a scope whose computed nodes are exactly one neuron's z and a."""
    pairs = neuron_pairs(members)
    return NeuronNodes(path, *numbers(path), *pairs[0]) if len(pairs) == 1 else None


def forward_text(n: NeuronNodes, fmt: Callable[[Any], str]) -> str:
    """"z¹₃ = 0.42, a¹₃ = relu(z¹₃) = 0.42", the neuron's forward pass in Nielsen's names."""
    z, a = n.symbol("z"), n.symbol("a")
    if n.a is n.z:
        return f"{z} = {a} = {fmt(n.z.data)} (linear)"
    return f"{z} = {fmt(n.z.data)}, {a} = {n.a.op}({z}) = {fmt(n.a.data)}"


def backward_text(n: NeuronNodes, c: str, dz: Any, da: Any, fmt: Callable[[Any], str]) -> str:
    """"∂C/∂a¹₃ = 0.2, δ¹₃ = ∂C/∂z¹₃ = 0.2", given ∂C/∂z and ∂C/∂a."""
    return f"∂{c}/∂{n.symbol('a')} = {fmt(da)}, {n.symbol('δ')} = ∂{c}/∂{n.symbol('z')} = {fmt(dz)}"


def box_fields(n: NeuronNodes, c: str, fmt: Callable[[Any], str],
               grads: bool | None) -> list[tuple[str, str]]:
    """The fields of a folded neuron's box: z over a, then δ over ∂C/∂a (grads=None: no
    gradients; False: not computed yet, drawn as —)."""
    z, a, d = n.symbol("z"), n.symbol("a"), n.symbol("δ")
    fields = [(f"{z} {fmt(n.z.data)}", f"{a} {fmt(n.a.data)}")]
    if grads is not None:
        dz, da = (fmt(n.z.grad), fmt(n.a.grad)) if grads else ("—", "—")
        # (a no-break space after δ: Graphviz drops the plain space that follows a δ in a record)
        fields.append((f"{d}\u00a0= ∂{c}/∂{z}  {dz}", f"∂{c}/∂{a}  {da}"))
    return fields


def numbers(path: str) -> tuple[int | None, int | None]:
    """(l, j) from a scope path ending in layerL/neuronJ; None for a part that is not there."""
    parts = path.split("/")
    j = re.fullmatch(r"neuron(\d+)", parts[-1])
    l_ = re.fullmatch(r"layer(\d+)", parts[-2]) if len(parts) > 1 else None
    return (int(l_.group(1)) if l_ else None), (int(j.group(1)) if j else None)
