"""Backpropagation: walk the graph from the output back to the inputs, applying the chain rule.

For every node v, from the output y backwards, and each parent p of v:

    ∂y/∂p  +=  ∂v/∂p · ∂y/∂v          (local partial × upstream gradient)

toposort() finds the order (each node after all the nodes that use it), backward() adds
∂y/∂v into every v.grad, and grad() returns ∂y/∂x for chosen inputs, as graph nodes when
asked, for higher derivatives. The local partials come from each node's row of the
derivative table; this file only multiplies and adds.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from itertools import compress, filterfalse
from typing import TYPE_CHECKING, Any

from . import engine
from .engine import Value, _call, _leaf, _show, _with_message

if TYPE_CHECKING:
    from .table import Op

_seen = operator.attrgetter("_n")  # non-zero once toposort has met a node
_grad = operator.attrgetter("grad")


def toposort(root: Value) -> list[Value]:
    """Every node reachable from root, each after all of its parents; root comes last.

    An iterative depth-first search (micrograd's recursive one dies near 1000 nodes deep):
    a node is emitted once all its parents have been, so the list runs from the inputs to
    the output, and backward walks it in reverse. The first parent is explored first, so
    f = (x + y) * z gives x, y, x+y, z, f. A node's _n slot marks it while this runs
    (1: expanded, 2: emitted) and is back to 0 when it returns.
    """
    if type(root) is not Value:
        raise TypeError(f"expected a Value, got {_show(root)}")
    order: list[Value] = []
    emit = order.append
    stack = [root]
    push, pop = stack.append, stack.pop
    emitted: set[int] = set()  # ids of parent tuples whose members are all emitted
    try:
        while stack:
            v = stack[-1]
            state = v._n
            if state:  # its parents are done (or this is a duplicate entry): emit it once
                if state == 1:
                    v._n = 2
                    emit(v)
                pop()  # last, so that an interrupt leaves v in stack or order, to be reset
                continue
            op = v._op
            if op is not None:
                # Queue the parents not seen yet, last first, so that the first parent is
                # explored first. A parent may be queued twice before it is expanded; the
                # extra entry is skipped when it surfaces.
                queued = len(stack)
                if op.arity == 2:
                    if not v._b._n:
                        push(v._b)
                    if not v._a._n:
                        push(v._a)
                elif op.arity == 1:
                    if not v._a._n:
                        push(v._a)
                else:  # many parents (a neuron's Σ), in two tuples shared by many nodes
                    # Queue each tuple's unseen members at C speed. A tuple that queues
                    # nothing has all its members emitted (see below), so every other
                    # node sharing it skips it from then on: a neuron's parameters after
                    # the first samples, a layer's inputs after its first neurons.
                    for group in (v._b, v._a):  # _a last, so the first parent is on top
                        if id(group) not in emitted:
                            before = len(stack)
                            stack.extend(filterfalse(_seen, reversed(group)))
                            if len(stack) == before:
                                emitted.add(id(group))
                if len(stack) > queued:
                    v._n = 1  # expanded: emitted when it surfaces again
                    continue
            # A leaf, or a node whose parents are all emitted already: emit it right away.
            # (A parent seen but not emitted would be expanded and waiting on the path
            # above v, so v would be upstream of its own parent: a cycle.)
            v._n = 2
            emit(v)
            pop()
        return order
    finally:
        for v in order:
            v._n = 0
        for v in stack:  # only if interrupted
            v._n = 0


# ---------------------------------------------------------------------------------------
# Backward and grad
# ---------------------------------------------------------------------------------------

# observe(node, i, parent, local, upstream, contribution), called after each accumulation
Observer = Callable[[Value, int, Value, float, float, float], None]


def backward(root: Value, observe: Observer | None = None) -> None:
    """root.backward(): add ∂root/∂v to v.grad for every v reachable from root.

    observe, if given, is called after every single accumulation (the explainer uses it to
    record each step); the arithmetic is the same either way.
    """
    order = toposort(root)
    order.reverse()  # from the output back to the inputs
    # This pass computes each node's gradient from zero and adds it to .grad at the very
    # end. Propagating grads left over from an earlier pass would leak them into this one
    # (micrograd's repeated-backward bug), and adding each contribution straight into an
    # old grad would round differently: this way a second call doubles every grad exactly.
    old = list(map(_grad, order))
    for v in order:
        v.grad = 0.0  # every one, -0.0 too: _sweep's skipping of ±0.0 terms relies on it
    root.grad = 1.0
    try:
        _sweep(order, observe)
    except BaseException as e:
        for v, g in zip(order, old):  # all or nothing: a failed pass leaves every grad as it was
            v.grad = g
        if isinstance(e, (ArithmeticError, ValueError)) and not isinstance(e, FloatingPointError):
            _explain_failure(order)
        raise
    for v, g in compress(zip(order, old), old):  # the nodes whose old grad was not 0
        v.grad += g


def _sweep(order: list[Value], observe: Observer | None) -> None:
    """The chain rule, node by node from the output: p.grad += ∂v/∂p · v.grad.

    The common cases (one or two parents, any number of parents) have fast paths that
    call the table's rules directly; the general path, used under detect_anomaly or with
    an observer, does the same arithmetic through _local_partials. The fast path for
    many parents also skips terms that are all ±0.0; the grads come out the same to
    the last bit either way.
    """
    fast = observe is None and not engine._anomaly
    isfinite = math.isfinite
    data: dict[int, list[float]] = {}  # id of a tuple of parents -> their data
    for v in order:
        op = v._op
        if op is None:  # a leaf: nothing to pass on
            continue
        g = v.grad
        k = op.arity
        if not fast:
            parents = v.parents
            for i, (p, d) in enumerate(zip(parents, _local_partials(v, parents, False))):
                c = d * g
                if engine._anomaly and not math.isfinite(c):
                    raise FloatingPointError(
                        f"detect_anomaly: backward through {_call(op, parents)}: "
                        f"local derivative {d!r} × upstream {g!r} = {c!r}"
                    )
                p.grad += c
                if observe is not None:
                    observe(v, i, p, d, g, c)
        elif k == 2:
            a = v._a
            b = v._b
            x = a._data
            y = b._data
            out = v._data
            da, db = op.derivatives
            a.grad += da(x, y, out) * g
            b.grad += db(x, y, out) * g
        elif k == 1:
            a = v._a
            a.grad += op.derivatives[0](a._data, v._data) * g
        else:
            a = v._a
            b = v._b
            # Each shared tuple's data is read once per sweep (nothing here changes data).
            xa = data.get(id(a))
            if xa is None:
                xa = data[id(a)] = [p._data for p in a]
            xb = data.get(id(b))
            if xb is None:
                xb = data[id(b)] = [p._data for p in b]
            xs = xa + xb
            ds = op.derivatives(xs, v._data) if k is None else op.partials(xs, v._data)
            if g == 0.0 and type(total := sum(ds)) is float and isfinite(total):
                # Nothing flows back (a dead ReLU, a met hinge margin): every term would be
                # ±0.0, which changes no grad (none is -0.0: backward() starts them at 0.0).
                # A non-finite partial (the sum shows it) is still multiplied out, so 0 × inf
                # gives NaN here just as it does elsewhere.
                continue
            for p, d in zip(a + b, ds):
                p.grad += d * g


def _explain_failure(order: list[Value]) -> None:
    """Find the node whose rule failed and raise again, naming its op, input and formula."""
    for v in order:
        if v._op is not None:
            _local_partials(v, v.parents, False)


def _local_partials(v: Value, parents: Sequence[Value], symbolic: bool) -> list:
    """The local partials ∂v/∂p for v's parents, from v's row of the table.

    On floats (symbolic=False) or, for create_graph, on the Values themselves. An undefined
    partial raises naming the op, its inputs and the formula; under detect_anomaly a
    non-finite one raises FloatingPointError.
    """
    op = v._op
    if symbolic:
        xs: Sequence[Any] = parents
        out: Any = v
    else:
        xs = [p._data for p in parents]
        out = v._data
    try:
        ds = op.partials(xs, out)
    except (ArithmeticError, ValueError) as e:
        i = _failing_input(op, xs, out)
        which = "" if i is None else (
            f" with respect to {_input_name(parents, i)}, {op.formula(i, len(parents))},"
        )
        msg = f"backward through {_call(op, parents)}: the local derivative{which} is undefined here ({e})"
        if engine._anomaly:
            raise FloatingPointError("detect_anomaly: " + msg) from None
        raise _with_message(e, msg) from None
    if engine._anomaly:
        for i, d in enumerate(ds):
            x = d._data if type(d) is Value else d
            if not math.isfinite(x):
                raise FloatingPointError(
                    f"detect_anomaly: backward through {_call(op, parents)}: the local derivative "
                    f"∂/∂{_input_name(parents, i)} = {op.formula(i, len(parents))} is {x!r}"
                )
    return ds


def _failing_input(op: Op, xs: Sequence[Any], out: Any) -> int | None:
    """Which input's rule raises (for the error message), or None for a variadic op."""
    if op.arity is None:
        return None
    for i, d in enumerate(op.derivatives):
        try:
            d(*xs, out)
        except (ArithmeticError, ValueError):
            return i
    return None


def _input_name(parents: Sequence[Value], i: int) -> str:
    p = parents[i]
    return p.label if p.label else f"input{i + 1}"


def grad(
    output: Value, inputs: Value | Sequence[Value], create_graph: bool = False
) -> list[Value]:
    """∂output/∂input for each input, as a list of Values. No .grad is touched.

    An input the output does not depend on gets 0.0. With create_graph=True the results are
    themselves graph nodes (the rules run on Values), so they can be differentiated again:
    second and third derivatives, Hessian entries.

        >>> x = Value(3.0); y = x ** 3
        >>> dy, = grad(y, [x], create_graph=True)     # 3x² = 27
        >>> d2y, = grad(dy, [x])                      # 6x  = 18
    """
    if type(output) is not Value:
        raise TypeError(f"grad: output must be a Value, got {_show(output)}")
    if type(inputs) is Value:
        inputs = [inputs]
    inputs = list(inputs)
    for x in inputs:
        if type(x) is not Value:
            raise TypeError(f"grad: inputs must be Values, got {_show(x)}")
    order = toposort(output)
    order.reverse()
    grads: dict[Value, Any] = {output: _leaf(1.0) if create_graph else 1.0}
    saved = engine._record
    if create_graph:  # asking for a graph of the gradient overrides no_grad()
        engine._record = True
    try:
        for v in order:
            g = grads.get(v)
            if g is None or v._op is None:
                continue
            parents = v.parents
            for p, d in zip(parents, _local_partials(v, parents, create_graph)):
                c = d * g
                grads[p] = grads[p] + c if p in grads else c
    finally:
        engine._record = saved
    out = []
    for x in inputs:
        g = grads.get(x, 0.0)
        out.append(g if type(g) is Value else _leaf(float(g)))
    return out
