"""The Value node, and the backward pass over a graph of them.

Every operation on Values makes a new node that remembers its row of the derivative table
(ops.py) and its parents, its inputs in order. backward() visits the nodes from the output
back and applies the chain rule at each node v, to each parent p:

    p.grad  +=  ∂v/∂p · v.grad          (local partial × upstream gradient)

The row gives ∂v/∂p; only this file multiplies and adds. It reads: the node, making
nodes, the backward pass. (The modes no_grad, detect_anomaly and scope are in modes.py.)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from . import text
from .modes import MODES, Observer, watch_for_anomalies
from .numeric import Batch, contributions
from .ops import ADD, DIV, EXP, LOG, MUL, NEG, POW, RELU, SIGMOID, SUB, TANH, pow_const
from .table import Op
from .text import describe, is_real, real

# Each change of some .data starts a new epoch, and every node notes the epoch it was made
# in: a parent newer than its node was changed after the node was computed from it.
_epoch = 0


class Value:
    """A number in the graph: its data, the gradient accumulated into it, and its origin.

    data     the number (a float; writable)
    grad     ∂y/∂self, summed over every backward() from an output y (starts at 0.0)
    label    a name for graphs and explanations (writable)
    op       the name of the op that made it ('' for a leaf)           read-only
    parents  its inputs, in argument order, duplicates kept           read-only
    requires_grad  False for constants: numbers in expressions, results under no_grad()
    """

    __slots__ = ("_data", "grad", "label", "_row", "_parents", "_scope", "_epoch", "requires_grad")
    __array_ufunc__ = None  # numpy scalars defer to our operators: np.float64(2) * v is a Value

    def __init__(self, data: float | Batch, label: str = "", *, requires_grad: bool = True) -> None:
        if not isinstance(label, str):
            raise TypeError(f"Value: label must be a str, got {describe(label)}")
        self._data: Any = text.data("Value: data", data)
        self.grad: Any = 0.0
        self.label = label
        self._row: Op | None = None
        self._parents: tuple[Value, ...] = ()
        self._scope, self._epoch, self.requires_grad = MODES.get()[2], _epoch, bool(requires_grad)

    @property
    def data(self) -> float | Batch:  # the number (or batch); setting it starts a new epoch
        return self._data  # type: ignore[no-any-return]

    @data.setter
    def data(self, value: float | Batch) -> None:
        global _epoch
        self._data, _epoch = text.data("Value.data", value), _epoch + 1
        self._epoch = _epoch

    def item(self) -> float:  # as torch's; float(v) is refused, so math.exp(v) fails loudly
        if type(self._data) is Batch:
            raise TypeError(f"item: {text.name(self)} is a batch of {len(self._data)}; pick one: v.data[k]")
        return self._data  # type: ignore[no-any-return]

    @property
    def op(self) -> str: return "" if self._row is None else self._row.name  # '' for a leaf
    @property
    def row(self) -> Op | None: return self._row  # the row of the table that made it
    @property
    def parents(self) -> tuple[Value, ...]: return self._parents
    @property
    def scope(self) -> str: return self._scope  # the scope path it was made in
    @property  # micrograd's names, read by its lecture's cells: the parents as a set, the symbol
    def _prev(self) -> set[Value]: return set(self._parents)
    @property
    def _op(self) -> str: return "" if self._row is None else self._row.symbol

    def __repr__(self) -> str: return text.value_repr(self)  # Value(data=2.0, grad=0.0, label='x')
    def _repr_html_(self) -> str: return text.value_html(self)  # a notebook shows its box

    def __format__(self, spec: str) -> str:  # f"{v:.4f}" formats the data
        return format(self._data, spec) if spec else repr(self)

    def __reduce__(self) -> Any:  # pickle and copy: a leaf becomes a new leaf; a node is refused
        if self._row is not None:
            raise TypeError(text.not_a_leaf(self))
        state = {"grad": self.grad, "requires_grad": self.requires_grad, "_scope": self._scope}
        return Value, (self._data, self.label), (None, state)

    # Arithmetic: each operator is one row of the table; a number on either side is a constant.
    def __add__(self, other: Value | float) -> Value: return _binary(ADD, self, other)
    def __radd__(self, other: float) -> Value: return _binary(ADD, other, self)
    def __sub__(self, other: Value | float) -> Value: return _binary(SUB, self, other)
    def __rsub__(self, other: float) -> Value: return _binary(SUB, other, self)
    def __mul__(self, other: Value | float) -> Value: return _binary(MUL, self, other)
    def __rmul__(self, other: float) -> Value: return _binary(MUL, other, self)
    def __truediv__(self, other: Value | float) -> Value: return _binary(DIV, self, other)
    def __rtruediv__(self, other: float) -> Value: return _binary(DIV, other, self)
    def __rpow__(self, other: float) -> Value: return _binary(POW, other, self)
    def __neg__(self) -> Value: return _make(NEG, (self,))
    def __pos__(self) -> Value: return self
    def exp(self) -> Value: return _make(EXP, (self,))
    def log(self) -> Value: return _make(LOG, (self,))
    def tanh(self) -> Value: return _make(TANH, (self,))
    def sigmoid(self) -> Value: return _make(SIGMOID, (self,))
    def relu(self) -> Value: return _make(RELU, (self,))

    def __pow__(self, other: Value | float) -> Value:
        """x ** 2 is one node with one parent (the exponent is part of its row); x ** y,
        with y a Value, has two."""
        if type(other) is not Value and is_real(other):
            return _make(pow_const(real("pow: the exponent", other)), (self,))
        return _binary(POW, self, other)

    # Comparisons look at data, so rules like `1.0 if x > 0 else 0.0` run on Values; == is identity.
    def __lt__(self, other: Value | float) -> Any: return self._data < _number(other)  # a bool, or
    def __le__(self, other: Value | float) -> Any: return self._data <= _number(other)  # a batch
    def __gt__(self, other: Value | float) -> Any: return self._data > _number(other)  # of bools
    def __ge__(self, other: Value | float) -> Any: return self._data >= _number(other)

    def backward(self) -> None:
        """Add ∂self/∂v to v.grad for every v that self depends on: twice doubles every grad
        exactly; if it fails or is interrupted, every grad is as it was; any depth is fine."""
        backward(self)

    def backward_step(self) -> None:
        """The chain rule at this node only, parent.grad += ∂self/∂parent × self.grad: backprop
        by hand, as micrograd's lecture does with _backward(): o.grad = 1.0; o.backward_step()"""
        _step(self, watch_for_anomalies(None))

    _backward = backward_step

    def local_grads(self, wanted: Sequence[bool] | None = None, symbolic: bool = False) -> list[Any]:
        """∂self/∂p for each parent p, by this node's row, on the parents' data (symbolic=True:
        on the parents, for higher derivatives); None where not wanted (by default: where p
        needs no gradient, so 0 ** 0.5 is fine). First: no parent changed since."""
        row, parents = self._row, self._parents
        if row is None:
            return []
        if self._epoch != _epoch:
            for i, p in enumerate(parents):
                if p._epoch > self._epoch:
                    raise text.stale(self, i)
        if wanted is None and row.arity is not None:
            for p in parents:  # usually every parent needs one: then no list is built at all
                if not p.requires_grad:
                    wanted = [q.requires_grad for q in parents]
                    break
        if wanted is None and not symbolic:  # most nodes: one or two rules on numbers, no more
            rules, out = row.derivatives, self._data
            try:
                if row.arity == 2:
                    a, b = parents[0]._data, parents[1]._data
                    return [rules[0](a, b, out), rules[1](a, b, out)]
                if row.arity == 1:
                    return [rules[0](parents[0]._data, out)]
            except (ArithmeticError, ValueError) as e:
                raise text.undefined(self, e, [p._data for p in parents], out, MODES.get()[1]) from None
        xs: Sequence[Any] = parents if symbolic else [p._data for p in parents]
        out = self if symbolic else self._data
        try:
            return row.partials(xs, out, wanted)
        except (ArithmeticError, ValueError) as e:
            raise text.undefined(self, e, xs, out, MODES.get()[1]) from None


# -- making nodes -----------------------------------------------------------------------

_new, _VALUES = object.__new__, frozenset({Value})


def constant(x: Any) -> Value | None:
    """x as a Value: a Value as it is, a number as a constant (no gradient), else None."""
    if type(x) is Value:
        return x
    return Value(x, requires_grad=False) if type(x) in (float, int, Batch) or is_real(x) else None


def _number(x: Any) -> Any:
    return x._data if type(x) is Value else real("a comparison with a Value", x)


def _binary(op: Op, a: Any, b: Any) -> Value:
    if type(a) is not Value and (a := constant(a)) is None:
        return NotImplemented  # type: ignore[no-any-return]  # Python then raises TypeError
    if type(b) is not Value and (b := constant(b)) is None:
        return NotImplemented  # type: ignore[no-any-return]
    try:
        data = op.forward(a._data, b._data)
    except (ArithmeticError, ValueError) as e:
        raise text.labelled(e, op, (a, b)) from None
    return _node(op, data, (a, b), a.requires_grad or b.requires_grad)


def _make(op: Op, parents: tuple[Value, ...]) -> Value:
    """op on parents that are Values already: its forward, then the node (one parent: at once)."""
    one = op.arity == 1
    try:
        data = op.forward(parents[0]._data) if one else op.evaluate([p._data for p in parents])
    except (ArithmeticError, ValueError) as e:
        raise text.labelled(e, op, parents) from None
    needs_grad = parents[0].requires_grad if one else any(p.requires_grad for p in parents)
    return _node(op, data, parents, needs_grad)


def apply(op: Op, inputs: Sequence[Any]) -> Value:
    """op applied to Values or numbers (numbers become constants): a new node."""
    if op.arity is not None and len(inputs) != op.arity:
        raise TypeError(f"{op.name}: takes {op.arity} input(s), got {len(inputs)}")
    if not inputs:
        raise ValueError(f"{op.name}: needs at least one input")
    if set(map(type, inputs)) <= _VALUES:  # the usual case, all Values, is checked at C speed
        parents = tuple(inputs)
    elif None in (parents := tuple(map(constant, inputs))):
        bad = describe(inputs[parents.index(None)])
        raise TypeError(f"{op.name}: inputs must be Values or real numbers, got {bad}")
    return node(op, parents)


def node(op: Op, parents: tuple[Value, ...]) -> Value:
    """op applied to parents that are all Values (apply() makes sure of that): a new node."""
    return _binary(op, *parents) if op.arity == 2 else _make(op, parents)


Op.engine = apply


def _node(op: Op, data: Any, parents: tuple[Value, ...], needs_grad: bool) -> Value:
    """The one place nodes are made; under no_grad() a node is a leaf, a constant."""
    record, anomaly, path = MODES.get()
    v = _new(Value)
    v._data, v.grad, v.label, v._scope, v._epoch = data, 0.0, "", path, _epoch
    if record:
        v._row, v._parents, v.requires_grad = op, parents, needs_grad
    else:
        v._row, v._parents, v.requires_grad = None, (), False
    if not (math.isfinite(data) if type(data) is float else text.finite(data)) and \
            (anomaly or text.from_finite(parents)):  # 1e300 * 1e300 is refused, inf * 2 is not
        raise text.non_finite(v, parents, op, data)
    return v


# -- the backward pass ------------------------------------------------------------------


def toposort(root: Value) -> list[Value]:
    """Every node root depends on, each after its parents, root last: micrograd's build_topo
    with a stack instead of recursion, so any depth is fine. (x + y) * z: x, y, x+y, z, f."""
    if type(root) is not Value:
        raise TypeError(f"expected a Value, got {describe(root)}")
    order: list[Value] = []
    seen = {root}
    # The path down from root, each with its next parent's index: ints, nothing for the GC.
    path, nexts = [root], [0]
    while path:
        parents, i = path[-1]._parents, nexts[-1]
        while i < len(parents):  # the next parent not met yet goes deeper first
            p = parents[i]
            i += 1
            if p not in seen:
                seen.add(p)
                nexts[-1] = i
                path.append(p)
                nexts.append(0)
                break
        else:  # every parent is placed, so the node can be
            order.append(path.pop())
            nexts.pop()
    return order


def backward(root: Value, observe: Observer | None = None) -> None:
    """root.backward(); observe(node, i, parent, local, upstream, contribution), if given,
    is called after each accumulation (the explainer records the steps with it)."""
    if type(root) is not Value:
        raise TypeError(f"backward: expected a Value, got {describe(root)}")
    if not root.requires_grad:
        raise ValueError(f"backward: {text.name(root)} needs no gradient: it was computed under no_grad(), "
                         "or only from constants (numbers, or Values made with requires_grad=False)")
    order = toposort(root)
    old = [v.grad for v in order]
    if not set(map(type, old)) <= {float}:  # the usual case is checked at C speed, the rest here:
        text.check_grads(order, old)
    watch = watch_for_anomalies(observe)
    # From zero, adding the old grads back at the end: grads left by an earlier pass must not
    # flow on (micrograd's repeated-backward bug), and a second call doubles every grad exactly.
    try:
        for v in order:
            v.grad = 0.0
        root.grad = 1.0
        for v in reversed(order):
            _step(v, watch)
        for v, g in zip(order, old):
            if type(g) is Batch or g:
                v.grad = v.grad + g
    except BaseException:
        for v, g in zip(order, old):  # all or nothing, Ctrl-C included
            v.grad = g
        raise


def _step(v: Value, watch: Observer | None) -> None:
    """The chain rule at node v: each parent that needs a gradient gets local × upstream
    (over a batch, summed over the samples where the parent is one number: see numeric)."""
    if not v.requires_grad or v._row is None:
        return
    g, parents, ds = v.grad, v._parents, v.local_grads()
    batch = type(v._data) is Batch
    if batch:
        needs = [p.requires_grad for p in parents]
        cs = contributions(ds, g, [type(p._data) is Batch for p in parents], needs, len(v._data))
    for i, p in enumerate(parents):
        if p.requires_grad:
            c = cs[i] if batch else ds[i] * g
            p.grad = p.grad + c  # (not +=, which would change a batch's array under whoever holds it)
            if watch is not None:
                watch(v, i, p, ds[i], g, c)
