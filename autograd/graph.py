"""Drawing the computation graph: trace() collects, draw_dot() draws, render() writes a file.

Every value is a record box `label | data 2.0000 | grad -3.0000`; every non-leaf gets a
small op node with its symbol from the derivative table, and edges run
input -> op -> result, one edge per use (x*x has two). Node names come from the
topological index (n0, n1, ...), never from id(), so the same graph gives the same DOT
text in every run. Graphviz is imported only here, and only when drawing.

Colours say what each box is:
    output        the value drawn from (the root)         red
    variable      a labelled leaf: a named input or an nn parameter (nn labels all of
                  its weights and biases, e.g. layer1.neuron3.w2)    green
    constant      an unlabelled leaf, such as the 2 in 2*x or a data input   grey
    intermediate  any other value, made by an op           blue
    op            the small node showing the op            yellow
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .files import write_atomically, write_new
from .text import describe, num
from .value import Value, toposort

COLOURS = {
    "output": "#f4b6b0",
    "variable": "#bfe3c0",
    "constant": "#e6e6e6",
    "intermediate": "#cfe3f7",
    "op": "#fff1b8",
    "scope": "#fafafa",
}
FORMATS = ("svg", "png", "pdf")


def trace(root: Value) -> tuple[list[Value], list[tuple[Value, Value]]]:
    """(nodes, edges): every Value reachable from root in topological order (inputs first,
    root last), and every (parent, child) edge in order, duplicates kept (x*x gives two).

    Iterative, so graphs of any depth are fine.
    """
    nodes = toposort(root)
    edges = [(p, v) for v in nodes for p in v.parents]
    return nodes, edges


def role(v: Value, root: Value) -> str:
    """'output', 'variable', 'constant' or 'intermediate' (see the module docstring)."""
    if v is root:
        return "output"
    if v.parents:
        return "intermediate"
    return "variable" if v.label else "constant"


def fmt(x: float) -> str:
    """A number in a box: four decimals (see table.num)."""
    return num(x, decimals=4)


def _record(*fields: str) -> str:
    """A record label with its fields side by side (braces flip them under rankdir=LR)."""
    return "{ " + " | ".join(_escape(f) for f in fields) + " }"


def _escape(text: str) -> str:
    for ch in "\\{}|<>\"":
        text = text.replace(ch, "\\" + ch)
    return text


def draw_dot(
    root: Value,
    *,
    rankdir: str = "LR",
    show_grad: bool = True,
    max_nodes: int = 1000,
    collapse: bool = False,
    format: str = "svg",
    names: bool = False,
) -> Any:
    """The computation graph of root as a graphviz.Digraph (in Jupyter it shows itself).

    Boxes show `label | data | grad`; the label is left out when empty and the grad when
    show_grad=False. Before any backward() has reached root (root.grad is still 0) grads
    are drawn as "grad —", since zeros would mislead. Scopes (autograd.scope, used by nn
    for layers and neurons) are drawn as boxes around their nodes; collapse=True folds each
    innermost scope into one box showing its output's data and grad. More than max_nodes
    boxes raises ValueError. names=True also writes n3-style names into unlabelled boxes,
    the names the explainer's text uses.
    """
    import graphviz  # only drawing needs it

    if type(root) is not Value:
        raise TypeError(f"draw_dot: root must be a Value, got {describe(root)}")
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"draw_dot: rankdir must be 'LR', 'TB', 'RL' or 'BT', got {rankdir!r}")
    if format not in FORMATS:
        raise ValueError(f"draw_dot: format must be one of {', '.join(FORMATS)}, got {format!r}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"draw_dot: max_nodes must be a positive integer, got {max_nodes!r}")
    nodes, edges = trace(root)
    index = {v: i for i, v in enumerate(nodes)}
    # backward() always adds 1 to its root, so all-zero grads mean none were computed yet
    grads_known = any(v.grad != 0.0 for v in nodes)

    def grad_field(v: Value) -> list[str]:
        if not show_grad:
            return []
        return [f"grad {fmt(v.grad)}" if grads_known else "grad —"]

    # Which box each value is drawn in: itself, or (collapse=True) its innermost scope's.
    folded = _innermost_scopes(nodes) if collapse else {}
    box = {v: f"n{i}" for v, i in index.items()}
    for members in folded.values():
        for v in members:
            box[v] = f"s{index[members[0]]}"
    drawn = len(set(box.values()))
    if drawn > max_nodes:
        hint = "a larger max_nodes"
        if not collapse:
            hint = "collapse=True to fold each scope into one box, or " + hint
        raise ValueError(
            f"draw_dot: the graph has {drawn} nodes, more than max_nodes={max_nodes}; pass {hint}"
        )

    dot = graphviz.Digraph("autograd", format=format)
    # mclimit: almost no reordering to reduce crossings, so boxes keep the order the graph
    # was built in (neuron1 above neuron2, w1 above w2) rather than a rotation of it.
    dot.attr(rankdir=rankdir, fontname="Helvetica", fontsize="11", nodesep="0.25", ranksep="0.35",
             mclimit="0.01")
    dot.attr("node", fontname="Helvetica", fontsize="10", style="filled")
    if collapse:  # folded layers are densely connected: thin, translucent arrows
        dot.attr("edge", color="#55555580", arrowsize="0.5", penwidth="0.6")
    else:
        dot.attr("edge", color="#555555", arrowsize="0.7")

    used: set[str] = set()  # the roles drawn, for the legend
    # Group the statements by scope so nested scopes become nested clusters.
    statements: dict[str, list[tuple[str, dict[str, str]]]] = {}

    def add(scope_path: str, name: str, **attrs: str) -> None:
        statements.setdefault(scope_path, []).append((name, attrs))

    for v in nodes:
        name = box[v]
        if v.scope in folded:
            members = folded[v.scope]
            if v is not members[0]:
                continue
            out = _scope_output(members, root, edges)
            fields = [v.scope.rsplit("/", 1)[-1], f"data {fmt(out.data)}", *grad_field(out)]
            kind = "output" if out is root else "intermediate"
            used.add(kind)
            colour = COLOURS[kind]
            parent_scope = v.scope.rsplit("/", 1)[0] if "/" in v.scope else ""
            add(parent_scope, name, label=_record(*fields), shape="record", fillcolor=colour, id=name)
            continue
        label = v.label or (name if names and v.parents else "")  # constants show their data
        fields = ([label] if label else []) + [f"data {fmt(v.data)}"] + grad_field(v)
        kind = role(v, root)
        used.add(kind)
        add(v.scope, name, label=_record(*fields), shape="record", fillcolor=COLOURS[kind], id=name)
        if v.parents:  # nohtml: a symbol like <x> is text, not Graphviz's HTML-like label
            used.add("op")
            add(v.scope, f"{name}_op", label=graphviz.nohtml(v.row.symbol if v.row else ""), shape="circle",
                fillcolor=COLOURS["op"], width="0.3", fixedsize="false", margin="0.02",
                fontsize="10", id=f"{name}_op")

    _emit_scopes(dot, statements)

    # Edges: each input into its op (once per use), each op into its result.
    seen_pairs: set[tuple[str, str]] = set()
    for v in nodes:
        inside_box = v.scope in folded
        for p in v.parents:
            head = box[v] if inside_box else f"{box[v]}_op"
            tail = box[p]
            if tail == box[v]:
                continue  # inside one folded box
            if inside_box and (tail, head) in seen_pairs:
                continue  # one arrow between two folded boxes is enough
            seen_pairs.add((tail, head))
            dot.edge(tail, head)
        if v.parents and not inside_box:
            dot.edge(f"{box[v]}_op", box[v])
    dot.attr(label=_legend(used), labelloc="b", labeljust="l")
    return dot


def _innermost_scopes(nodes: list[Value]) -> dict[str, list[Value]]:
    """The nodes of each innermost scope (one with no scope inside it), in order."""
    paths = {v.scope for v in nodes if v.scope}
    outer = {p.rsplit("/", 1)[0] for p in paths if "/" in p}
    outer |= {q for p in outer for q in _prefixes(p)}
    groups: dict[str, list[Value]] = {}
    for v in nodes:
        if v.scope and v.scope not in outer:
            groups.setdefault(v.scope, []).append(v)
    return groups


def _prefixes(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(parts[:k]) for k in range(1, len(parts))]


def _scope_output(members: list[Value], root: Value, edges: Iterable[tuple[Value, Value]]) -> Value:
    """The value a scope hands on: its last member used outside the scope (or the root)."""
    inside = set(members)
    used_outside = {p for p, v in edges if p in inside and v not in inside}
    for v in reversed(members):
        if v is root or v in used_outside:
            return v
    return members[-1]


def _emit_scopes(dot: Any, statements: dict[str, list[tuple[str, dict[str, str]]]]) -> None:
    """Write each scope's statements into nested clusters (a scope inside its parent)."""
    import graphviz

    number: dict[str, int] = {}  # every scope and its ancestors, in order of appearance
    for path in statements:
        parts = path.split("/") if path else []
        for k in range(1, len(parts) + 1):
            number.setdefault("/".join(parts[:k]), len(number))
    children: dict[str, list[str]] = {}
    for path in number:
        children.setdefault(path.rsplit("/", 1)[0] if "/" in path else "", []).append(path)

    def write(graph: Any, path: str) -> None:
        for name, attrs in statements.get(path, []):
            graph.node(name, **attrs)
        for child in children.get(path, []):
            with graph.subgraph(name=f"cluster_{number[child]}") as sub:
                sub.attr(label=graphviz.nohtml(child.rsplit("/", 1)[-1]), style="rounded,filled",
                         fillcolor=COLOURS["scope"], color="#bbbbbb", fontcolor="#666666",
                         fontsize="10", labeljust="l")
                write(sub, child)

    write(dot, "")


LEGEND = {
    "output": "output",
    "variable": "input / parameter",
    "constant": "constant",
    "intermediate": "intermediate",
    "op": "op",
}


def _legend(used: set[str]) -> str:
    """A key to the colours that the graph uses."""
    cells = "".join(
        f'<td bgcolor="{COLOURS[k]}"> {text} </td>' for k, text in LEGEND.items() if k in used
    )
    return f'<<table border="0" cellspacing="3" cellpadding="2"><tr>{cells}</tr></table>>'


def render(root: Value, path: str | os.PathLike[str], **draw_dot_kwargs: Any) -> Path:
    """Draw root's graph into path; the suffix (.svg, .png or .pdf) picks the format.

    Without Graphviz's `dot` program the DOT source is still written beside path (same
    name, .dot suffix) and RuntimeError says how to install Graphviz.
    """
    import graphviz

    path = Path(path)
    fmt_ = path.suffix.lower().lstrip(".")
    if fmt_ not in FORMATS:
        raise ValueError(f"render: {path} should end in .svg, .png or .pdf")
    if draw_dot_kwargs.get("format", fmt_) != fmt_:
        raise ValueError(f"render: format={draw_dot_kwargs['format']!r} disagrees with {path.name}")
    draw_dot_kwargs["format"] = fmt_
    dot = draw_dot(root, **draw_dot_kwargs)
    try:
        data = dot.pipe(format=fmt_)
    except graphviz.ExecutableNotFound:
        wanted = path.with_suffix(".dot")  # a file the user did not name: never replace one
        source = write_new(wanted, dot.source.encode("utf-8"))
        instead = f" ({wanted} already exists, so it was left alone)" if source != wanted else ""
        raise RuntimeError(
            f"render: Graphviz's `dot` program was not found, so {path} was not drawn. "
            f"The graph's DOT source was written to {source}{instead}; draw it later with "
            f"`dot -T{fmt_} {source} -o {path}`. Install Graphviz with "
            "`sudo apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS) "
            "or `conda install -c conda-forge graphviz` (conda)."
        ) from None
    write_atomically(path, data)
    return path
