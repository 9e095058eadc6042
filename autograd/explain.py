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

from dataclasses import dataclass, field

from .table import bracket
from .text import describe, label, num
from .value import Value, backward, toposort


@dataclass(frozen=True)
class ForwardStep:
    """One node computed from its inputs: `name = expression = value`."""

    node: Value
    name: str
    op: str
    inputs: tuple[Value, ...]
    input_names: tuple[str, ...]
    value: float
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

    def name(self, v: Value) -> str:
        """The name the listing uses for v: its label, or n3 for the fourth node."""
        return self.names[v]

    def gradient(self, v: Value) -> float:
        """∂root/∂v as this pass computed it (0 for a node the root does not depend on)."""
        return self.gradients.get(v, 0.0)

    def __str__(self) -> str:
        return self.to_text()

    def to_text(self, compact: bool = False, max_lines: int | None = None, leaves: bool = True) -> str:
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
        return "\n".join(lines)

    def summary(self, max_lines: int = 60) -> str:
        """A compact listing of at most max_lines lines."""
        return self.to_text(compact=True, max_lines=max_lines)


def explain(root: Value) -> Explanation:
    """Run root.backward() and record each forward and backward step (see the module doc).

    .grad ends up exactly as backward() leaves it. Running grads count this pass only: if
    some .grad already held a value, backward() adds it back at the end.
    """
    if type(root) is not Value:
        raise TypeError(f"explain: root must be a Value, got {describe(root)}")
    nodes = toposort(root)
    # Labelled nodes go by their label, constants by their value, the rest by their place
    # in the graph (n3 is the fourth node, as in draw_dot's DOT source).
    names = {v: label("explain", v) or (num(v.data) if not v.parents else f"n{i}")
             for i, v in enumerate(nodes)}
    forward = [_forward_step(v, names) for v in nodes if v.parents]
    earlier = [v for v in nodes if v.grad]

    records: list[tuple[Value, float, list[Partial], list[str]]] = []  # node, upstream, partials

    def observe(v: Value, i: int, p: Value, local: float, upstream: float, c: float) -> None:
        if not records or records[-1][0] is not v:  # the first input of the next node
            records.append((v, upstream, [], [names[q] for q in v.parents]))
        args = records[-1][3]
        formula = v.row.formula(i, len(args), args, names[v]) if v.row else ""
        records[-1][2].append(Partial(p, names[p], formula, local, upstream, c, p.grad))

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
    return Explanation(root, names, forward, steps, leaves, gradients, earlier, nodes)


def _forward_step(v: Value, names: dict[Value, str]) -> ForwardStep:
    parents = v.parents
    return ForwardStep(
        v, names[v], v.op, parents, tuple(names[p] for p in parents), v.data,
        _expression(v, [names[p] for p in parents]),
        _expression(v, [num(p.data) for p in parents]),
    )


def _expression(v: Value, args: list[str]) -> str:
    """v's op applied to args (names, or numbers), as its row writes it: 3 * (-4)."""
    return v.row.write(args) if v.row else ""


def _full(e: Explanation) -> list[str]:
    r = e.names[e.root]
    lines = [f"Forward pass: {len(e.forward_steps)} step(s)"]
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


def _compact(e: Explanation) -> list[str]:
    """One line per unscoped node, and one per scope (its output) for the nodes inside it."""
    r = e.names[e.root]
    last: dict[str, ForwardStep] = {}  # each scope's last node: what it hands on
    for step in e.forward_steps:
        if step.node.scope:
            last[step.node.scope] = step
    lines = ["Forward pass (compact: one line per scope)"]
    shown: set[str] = set()
    for step in e.forward_steps:
        s = step.node.scope
        if not s:
            lines.append(f"  {step.name} = {step.expression} = {num(step.value)}")
        elif s not in shown:
            shown.add(s)
            out = last[s]
            lines.append(f"  [{s}] {out.name} = {out.op}(…) = {num(out.value)}")
    lines += ["", f"Backward pass (compact), from ∂{r}/∂{r} = 1"]
    shown.clear()
    for back in e.backward_steps:
        s = back.node.scope
        if not s:
            parts = ", ".join(f"{p.name} += {num(p.contribution)}" for p in back.partials)
            lines.append(f"  {back.name}: upstream {num(back.upstream)}; {parts}")
        elif s not in shown:
            shown.add(s)
            lines.append(f"  [{s}] ∂{r}/∂{back.name} = {num(back.upstream)}")
    return lines
