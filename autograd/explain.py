"""The chain rule, one step at a time: explain(root) runs backward() and records every step.

Forward, each non-leaf node in topological order:

    q = x + y = -2 + 5 = 3

Backward, each non-leaf node from the output back, and for each of its inputs the local
derivative (its formula from the derivative table, and its value), the upstream gradient,
their product (the contribution) and the input's running gradient:

    f = q * z            upstream ∂f/∂f = 1
      q   ∂(a·b)/∂a = b   = -4   × 1   = -4   q.grad = -4

The numbers are the engine's own: explain() runs root.backward() with an observer, so the
grads it leaves behind are exactly those of backward(), and nothing is computed twice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .neurons import backward_text, forward_text, single
from .table import bracket
from .text import Listing, batch_note, batch_of, check_sample, describe, label, num, pick, pre
from .value import Value, backward, toposort

NOTEBOOK_LINES = 60  # a notebook shows a listing up to this long in full, a longer one's summary


@dataclass(frozen=True)
class ForwardStep:
    """One node computed from its inputs: `name = expression = value`."""

    node: Value
    name: str
    op: str
    inputs: tuple[Value, ...]
    input_names: tuple[str, ...]
    value: Any  # a float, or a batch
    expression: str  # in names, e.g. "x + y"
    substituted: str  # in numbers, e.g. "-2 + 5"

    def __str__(self) -> str:
        return f"{self.name} = {self.expression} = {self.substituted} = {num(self.value)}"


@dataclass(frozen=True)
class Partial:
    """One input of a backward step: local derivative × upstream = contribution."""

    parent: Value
    name: str
    formula: str  # from the derivative table, in the step's names: "∂f/∂q = z"
    local: float  # its value here
    upstream: float  # ∂root/∂node, the same for every input of the step
    contribution: float  # local × upstream, added to the input's grad
    grad_after: float  # the input's running grad once it is added


@dataclass(frozen=True)
class BackwardStep:
    """One node passing its gradient on to its inputs."""

    node: Value
    name: str
    op: str
    expression: str
    upstream: float
    partials: tuple[Partial, ...]


@dataclass
class Explanation:
    """What explain() recorded. str() gives the full listing; to_text(compact=True) a
    summary with one line per scope (an MLP neuron, say) instead of one per node."""

    root: Value
    names: dict[Value, str]
    forward_steps: list[ForwardStep]
    backward_steps: list[BackwardStep]
    leaves: list[Value] = field(default_factory=list)
    gradients: dict[Value, float] = field(default_factory=dict)  # ∂root/∂v from this pass
    earlier: list[Value] = field(default_factory=list)  # nodes whose .grad was not 0 before
    nodes: list[Value] = field(default_factory=list)  # every node, in topological order
    batch: int | None = None  # the batch size of a batched graph
    sample: int | None = None  # the sample whose numbers the listing shows (None: batch means)

    def name(self, v: Value) -> str:
        """The name the listing uses for v: its label, or n3 for the fourth node."""
        return self.names[v]

    def gradient(self, v: Value) -> float:
        """∂root/∂v as this pass computed it (0 for a node the root does not depend on)."""
        return self.gradients.get(v, 0.0)

    def __str__(self) -> str:
        return str(self.to_text())

    def __repr__(self) -> str:  # short: the full listing is str(e), or print(e)
        return (f"<Explanation of {self.names[self.root]}: {len(self.nodes)} nodes, "
                f"{len(self.forward_steps)} forward and {len(self.backward_steps)} backward steps>")

    def _repr_html_(self) -> str:
        """A notebook shows the full listing when it is short, else the summary."""
        full = self.to_text()
        lines = full.count("\n") + 1
        if lines <= NOTEBOOK_LINES:
            return pre(full)
        return pre(self.summary(), f"The summary of a {lines}-line listing; the full text: print(e), "
                   "or e.to_text(); one scope or node at a time: e.backward_steps")

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:  # IPython's text view: the same choice
        full = self.to_text()
        p.text(full if full.count("\n") < NOTEBOOK_LINES else self.summary())

    def to_text(self, compact: bool = False, max_lines: int | None = None, leaves: bool = True) -> Listing:
        """The listing. compact=True folds each scope into one line; max_lines keeps the
        first and last lines and says how many were left out; leaves=False leaves out the
        final list of the named leaves' gradients."""
        lines = _compact(self) if compact else _full(self)
        if leaves:
            lines += _leaf_gradients(self, compact)
        if max_lines is not None and len(lines) > max_lines:
            head = max(1, max_lines // 2)
            tail = max(1, max_lines - head - 1)
            skipped = len(lines) - head - tail
            lines = [*lines[:head], f"  … {skipped} more lines …", *lines[-tail:]]
        return Listing("\n".join(lines))

    def summary(self, max_lines: int = 60) -> Listing:
        """A compact listing of at most max_lines lines (a str; notebooks show it as text)."""
        return self.to_text(compact=True, max_lines=max_lines)


def explain(root: Value, sample: int | None = None) -> Explanation:
    """Run root.backward() and record each forward and backward step (see the module doc).

    .grad ends up exactly as backward() leaves it. Running grads count this pass only: if
    some .grad already held a value, backward() adds it back at the end. On a batched graph
    the numbers are the batch's means, or with sample=k sample k's (its share of each
    parameter's gradient, whose .grad sums the whole batch); the listing says which.
    """
    if type(root) is not Value:
        raise TypeError(f"explain: root must be a Value, got {describe(root)}")
    nodes = toposort(root)
    batch = batch_of(nodes)
    sample = check_sample("explain", sample, batch)
    # Labelled nodes go by their label, constants by their value, the rest by their place
    # in the graph (n3 is the fourth node, as in draw_dot's DOT source).
    names = {v: label("explain", v) or (num(v.data) if not v.parents and batch_of([v]) is None else f"n{i}")
             for i, v in enumerate(nodes)}
    forward = [_forward_step(v, names, sample) for v in nodes if v.parents]
    earlier = [v for v in nodes if np.any(v.grad)]

    records: list[tuple[Value, Any, list[Partial], list[str]]] = []  # node, upstream, partials

    def observe(v: Value, i: int, p: Value, local: Any, upstream: Any, c: Any) -> None:
        if not records or records[-1][0] is not v:  # the first input of the next node
            records.append((v, pick(upstream, sample), [], [names[q] for q in v.parents]))
        args = records[-1][3]
        formula = v.row.formula(i, len(args), args, names[v]) if v.row else ""
        d, g = pick(local, sample), pick(upstream, sample)
        share = d * g if sample is not None and batch_of([p]) is None and batch_of([v]) else pick(c, sample)
        records[-1][2].append(Partial(p, names[p], formula, d, g, share, pick(p.grad, sample)))

    backward(root, observe=observe)
    steps = [
        BackwardStep(v, names[v], v.op, _expression(v, args), up, tuple(ps))
        for v, up, ps, args in records
    ]
    gradients = {root: 1.0}  # each node's total: its running grad after its last contribution
    for step in steps:
        for p in step.partials:
            gradients[p.parent] = p.grad_after
    leaves = [v for v in nodes if not v.parents]
    return Explanation(root, names, forward, steps, leaves, gradients, earlier, nodes, batch, sample)


def _forward_step(v: Value, names: dict[Value, str], sample: int | None) -> ForwardStep:
    parents = v.parents
    return ForwardStep(
        v, names[v], v.op, parents, tuple(names[p] for p in parents), pick(v.data, sample),
        _expression(v, [names[p] for p in parents]),
        _expression(v, [num(pick(p.data, sample)) for p in parents]),
    )


def _expression(v: Value, args: list[str]) -> str:
    """v's op applied to args (names, or numbers), as its row writes it: 3 * (-4)."""
    return v.row.write(args) if v.row else ""


def _full(e: Explanation) -> list[str]:
    r = e.names[e.root]
    lines = [f"(On {batch_note(e.batch, e.sample)}.)", ""] if e.batch else []
    lines += [f"Forward pass: {len(e.forward_steps)} step(s)"]
    lines += [f"  {i}. {step}" for i, step in enumerate(e.forward_steps, 1)]
    lines += [
        "",
        f"Backward pass: {len(e.backward_steps)} step(s), starting from ∂{r}/∂{r} = 1",
        "  each input: its local derivative (formula → value) × the upstream gradient",
        "  = its contribution, added to the input's running grad",
    ]
    for i, step in enumerate(e.backward_steps, 1):
        lines.append(f"  {i}. {step.name} = {step.expression}    "
                     f"upstream ∂{r}/∂{bracket(step.name)} = {num(step.upstream)}")
        rows = [(p.name, p.formula, num(p.local), bracket(num(p.upstream)), num(p.contribution),
                 f"{bracket(p.name)}.grad = {num(p.grad_after)}") for p in step.partials]
        widths = [max(len(row[k]) for row in rows) for k in range(6)]
        for name, formula, local, up, c, running in rows:
            lines.append(
                f"       {name:<{widths[0]}}  {formula:<{widths[1]}} → {local:>{widths[2]}}"
                f"   × {up:>{widths[3]}}   = {c:>{widths[4]}}   {running}"
            )
        constants = dict.fromkeys(e.names[q] for q in step.node.parents if not q.requires_grad)
        lines += [f"       {c:<{widths[0]}}  (a constant: it needs no gradient)" for c in constants]
    return lines


def _leaf_gradients(e: Explanation, compact: bool) -> list[str]:
    """The gradients of the named leaves (inputs and parameters), and a word about grads
    that an earlier backward() had left, since .grad now holds their sum."""
    r = e.names[e.root]
    named = [v for v in e.leaves if v.label]
    lines = ["", f"Gradients ∂{r}/∂v of the named leaves" if named else "No named leaves"]
    counts: dict[str, int] = {}
    for v in named:
        counts[v.label] = counts.get(v.label, 0) + 1
    width = max((len(v.label) for v in named), default=0) + 2
    shown: set[str] = set()
    by_scope: dict[str, list[Value]] = {}
    if compact:  # a model's parameters: one line per scope, with its largest gradient
        for v in named:
            if v.scope:
                by_scope.setdefault(v.scope, []).append(v)
        named = [v for v in named if not v.scope]
    for scope_path, group in by_scope.items():
        top = max(group, key=lambda v: abs(e.gradient(v)))
        lines.append(f"  [{scope_path}] {len(group)} named leaves; the largest |∂{r}/∂v| is "
                     f"{top.label}'s, {num(e.gradient(top))}")
    for v in named:
        if compact and counts[v.label] > 1:  # a batch: x1 of every sample
            if v.label not in shown:
                shown.add(v.label)
                lines.append(f"  {v.label:<{width}} ({counts[v.label]} leaves with this name)")
            continue
        lines.append(f"  {v.label:<{width}} {num(e.gradient(v))}")
    if e.earlier:
        example = next((v for v in e.earlier if v.label), e.earlier[0])
        lines += [
            "",
            f"Note: {len(e.earlier)} node(s) already had a gradient from an earlier backward().",
            "The grads above count this pass only; backward() then added them to the old ones,",
            f"so {e.names[example]}.grad is now {num(example.grad)}.",
        ]
    return lines


def _few(numbers: list[Any], most: int = 4) -> str:
    shown = ", ".join(num(x) for x in numbers[:most])
    return shown + (f", … ({len(numbers)} in all)" if len(numbers) > most else "")


def _norm(numbers: list[Any]) -> str:  # of the numbers, or of a batch's means
    return num(math.sqrt(math.fsum(float(np.mean(x)) ** 2 for x in numbers)))


def _compact(e: Explanation) -> list[str]:
    """One line per unscoped node, and one per scope for the nodes inside it: forward, what
    the scope hands on; backward, the gradient it receives for that and what it passes on
    to the values it was computed from outside it (an attention head: to q, k and v)."""

    def number(x: Any) -> str:  # one sample's, or a batch's mean
        return num(pick(x, e.sample))

    r = e.names[e.root]
    members: dict[str, list[Value]] = {}  # each scope's computed nodes, in order
    for v in e.nodes:
        if v.scope and v.parents:
            members.setdefault(v.scope, []).append(v)
    used_outside = {p for v in e.nodes for p in v.parents if p.scope != v.scope}
    outputs = {s: [v for v in vs if v is e.root or v in used_outside] or vs[-1:] for s, vs in members.items()}
    neuron = {s: n for s, vs in members.items() if (n := single(s, vs)) is not None}
    lines = [f"(On {batch_note(e.batch, e.sample)}.)", ""] if e.batch else []
    lines += ["Forward pass (compact: one line per scope)"]
    shown: set[str] = set()
    for step in e.forward_steps:
        s = step.node.scope
        if not s:
            lines.append(f"  {step.name} = {step.expression} = {num(step.value)}")
        elif s not in shown:
            shown.add(s)
            outs = outputs[s]
            if s in neuron:  # Nielsen's names: z, a, and (backward) δ = ∂C/∂z and ∂C/∂a
                lines.append(f"  [{s}] {forward_text(neuron[s], number)}")
            elif len(outs) == 1:
                lines.append(f"  [{s}] {e.names[outs[0]]} = {outs[0].op}(…) = {number(outs[0].data)}")
            else:
                lines.append(f"  [{s}] {len(members[s])} steps, {len(outs)} outputs = "
                             f"{_few([pick(o.data, e.sample) for o in outs])}")
    # what each scope passes back to values outside it, summed per value
    sent: dict[str, dict[Value, Any]] = {}
    for back in e.backward_steps:
        s = back.node.scope
        for part in back.partials if s else ():
            if part.parent.scope != s:
                to = sent.setdefault(s, {})
                to[part.parent] = to.get(part.parent, 0.0) + np.mean(part.contribution)
    lines += ["", f"Backward pass (compact), from ∂{r}/∂{r} = 1"]
    shown.clear()
    for back in e.backward_steps:
        s = back.node.scope
        if not s:
            parts = ", ".join(f"{p.name} += {num(p.contribution)}" for p in back.partials)
            lines.append(f"  {back.name}: upstream {num(back.upstream)}; {parts}")
            continue
        if s in shown:
            continue
        shown.add(s)
        outs = outputs[s]
        grads = [e.gradient(o) for o in outs]
        line = f"  [{s}] ∂{r}/∂{e.names[outs[0]]} = {num(grads[0])}" if len(outs) == 1 else \
            f"  [{s}] ∂{r}/∂(its {len(outs)} outputs) = {_few(grads)} (norm {_norm(grads)})"
        if s in neuron:
            n = neuron[s]
            line = f"  [{s}] {backward_text(n, r, e.gradient(n.z), e.gradient(n.a), number)}"
        to = sent.get(s, {})
        if to:
            where = sorted({p.scope or "inputs" for p in to})
            place = f" in {', '.join(where)}" if len(where) <= 2 else f" in {len(where)} scopes"
            line += f"; passes {_norm(list(to.values()))} (norm) back to {len(to)} value(s){place}"
        lines.append(line)
    return lines
