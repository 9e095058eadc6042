"""Drawing the computation graph: trace() collects, draw_dot() draws, render() writes a file.

Every value is a record box `label | data 2.0000 | grad -3.0000`; every non-leaf gets a
small op node with its symbol from the derivative table, and edges run
input -> op -> result, one edge per use (x*x has two). Node names come from the
topological index (n0, n1, ...), never from id(), so the same graph gives the same DOT
text in every run. Graphviz is imported only here, and only when drawing.

Text from the graph (labels, scope names, op symbols) is made safe for DOT: control
characters are written out (\x00, \n), lone surrogates become U+FFFD, and a label longer
than MAX_LABEL characters is cut. Layout time is bounded: a graph whose arrows cross many
ranks (one value used by many nodes far apart, as in x*x*…*x) is laid out without
Graphviz's slow positioning step, a graph far beyond that is refused before dot runs, and
render() and save_html() stop dot after LAYOUT_TIMEOUT seconds.

Colours say what each box is:
    output        the value drawn from (the root)         red
    variable      a labelled leaf: a named input or an nn parameter (nn labels all of
                  its weights and biases, e.g. layer1.neuron3.w2)    green
    constant      an unlabelled leaf, such as the 2 in 2*x or a data input   grey
    intermediate  any other value, made by an op           blue
    op            the small node showing the op            yellow

Unlabelled computed boxes carry the explainer's names (n3 is the fourth node), so a
listing, a picture and a step-through page of one graph name its nodes alike. With
collapse=True each neuron is one box, in columns by layer, and the arrows between them
are straight and thin: blue for a positive weight, red for a negative one, wider for a
larger |w|, so that 256 arrows between two layers of 16 stay apart.

In a notebook draw_dot's graph shows itself; without Graphviz's `dot` it shows how to
install it instead of raising ExecutableNotFound.
"""

from __future__ import annotations

import html
import math
import os
import re
import subprocess
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from .files import write_atomically, write_new
from .neurons import box_fields, single
from .ops import LINEAR, linear_parts
from .text import batch_note, batch_of, check_sample, describe, label, num, pick, pre, well_formed
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
MAX_LABEL = 200  # characters of a label drawn in a box (DOT takes at most 16,384 per string)
# Layout work: the ranks every arrow crosses, beyond the next one (dot makes a virtual node
# for each). Measured with Graphviz 2.43 on x*x*…*x: 2,400 takes 5 s in dot's positioning
# step, and skipping it (nslimit=0) takes 0.1 s; on x*y*x*y*…, 62,000 takes 20 s to route
# splines, and straight arrows (splines=line) 1.3 s. 100,000 takes 1.5 s and 330 MB so.
SIMPLE_LAYOUT = 1_000  # above this, skip the positioning step and draw straight arrows
MAX_LAYOUT = 100_000  # above this, refuse
LAYOUT_TIMEOUT = 30.0  # seconds render() and save_html() give dot
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
WEIGHT_COLOURS = ("#1f5fa8", "#c0392b")  # an arrow into a folded neuron: w > 0, w < 0
BLANK = "\u00a0" * 12  # a grad cell left empty to fill in by hand: draw_dot(show_grad="blank")
INSTALL = ("Install Graphviz with `sudo apt-get install graphviz` (Debian/Ubuntu), `brew install "
           "graphviz` (macOS) or `conda install -c conda-forge graphviz` (conda); `pip install "
           "graphviz` alone installs only the Python half, not the `dot` program.")


def no_dot(what: str) -> str:
    """The message for a missing `dot` program: what could not be done, and how to install it."""
    return f"{what}: Graphviz's `dot` program was not found. {INSTALL}"


@cache
def digraph_class() -> Any:
    """graphviz.Digraph, except that in a notebook a missing `dot` gives the install hint."""
    import graphviz

    class Graph(graphviz.Digraph):  # type: ignore[misc]  # graphviz has no type information
        def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any) -> Any:
            try:
                return super()._repr_mimebundle_(include, exclude, **kwargs)
            except graphviz.ExecutableNotFound:
                hint = no_dot("draw_dot: the graph cannot be drawn here")
                return {"text/plain": hint, "text/html": pre(hint)}

    Graph.__name__ = Graph.__qualname__ = "Digraph"
    return Graph


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


def fmt(x: Any) -> str:
    """A number in a box: four decimals (see text.num)."""
    return num(x, decimals=4)


def _record(*fields: str | tuple[str, ...], braces: bool = True) -> str:
    """A record label with its fields side by side (braces flip them under rankdir=LR;
    without them, under LR, they stand one above the other); a tuple of fields is stacked
    across them (a record inside the record)."""
    inner = " | ".join(_escape(f) if isinstance(f, str) else _record(*f) for f in fields)
    return "{ " + inner + " }" if braces else inner


def shown(text: str) -> str:
    """Text as a box can show it: control characters written out, lone surrogates as
    U+FFFD, at most MAX_LABEL characters."""
    text = _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), well_formed(text))
    return text if len(text) <= MAX_LABEL else text[:MAX_LABEL - 1] + "…"


def _escape(text: str) -> str:  # in a record label, these characters are DOT syntax
    text = shown(text)
    for ch in "\\{}|<>\"":
        text = text.replace(ch, "\\" + ch)
    return text


def _plain(text: str) -> Any:
    """A label that is not a record (an op's symbol, a scope's name): graphviz quotes it;
    a backslash is doubled so that it never escapes the closing quote."""
    import graphviz

    return graphviz.nohtml(shown(text).replace("\\", "\\\\"))


def draw_dot(
    root: Value,
    *,
    rankdir: str = "LR",
    show_grad: bool | str = True,
    max_nodes: int = 1000,
    collapse: bool = False,
    format: str = "svg",
    names: bool = True,
    stack: bool = False,
    sample: int | None = None,
) -> Any:
    """The computation graph of root as a graphviz.Digraph (in Jupyter it shows itself).

    Boxes show `label | data | grad`; the label is left out when empty and the grad when
    show_grad=False; show_grad="blank" draws empty grad cells, a worksheet to fill in by
    hand. Before any backward() has reached root (root.grad is still 0) grads are drawn as
    "grad —", since zeros would mislead. Scopes (autograd.scope, used by nn for layers and
    neurons) are drawn as boxes around their nodes; collapse=True folds each innermost
    scope into one box showing its output's data and grad (for a scope that hands on
    several values, like a layer's 16 outputs: how many, and the norm of their grads; for
    an nn neuron: z and a, δ = ∂C/∂z and ∂C/∂a, by Nielsen's names, see neurons.py). More
    than max_nodes boxes raises ValueError. Unlabelled computed boxes show the explainer's
    n3-style names (names=False leaves them empty). stack=True puts a box's fields one
    above the other (narrower boxes, for a screen). On a batched graph the boxes show each
    batch's mean, or with sample=k sample k's numbers; the caption says which.
    """
    if type(root) is not Value:
        raise TypeError(f"draw_dot: root must be a Value, got {describe(root)}")
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"draw_dot: rankdir must be 'LR', 'TB', 'RL' or 'BT', got {rankdir!r}")
    if format not in FORMATS:
        raise ValueError(f"draw_dot: format must be one of {', '.join(FORMATS)}, got {format!r}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"draw_dot: max_nodes must be a positive integer, got {max_nodes!r}")
    if show_grad not in (True, False, "blank"):
        raise ValueError(f"draw_dot: show_grad must be True, False or 'blank', got {show_grad!r}")
    nodes, edges = trace(root)
    batch = batch_of(nodes)
    sample = check_sample("draw_dot", sample, batch)
    index = {v: i for i, v in enumerate(nodes)}
    # backward() always adds 1 to its root, so all-zero grads mean none were computed yet
    grads_known = any(bool(np.any(v.grad != 0.0)) for v in nodes)

    def number(x: Any) -> str:  # the mean of a batch, or its sample-th entry
        return fmt(pick(x, sample))

    def grad_field(v: Value) -> list[str]:
        if not show_grad:
            return []
        if show_grad == "blank":
            return [f"grad {BLANK}"]
        return [f"grad {number(v.grad)}" if grads_known else "grad —"]

    braces = not (stack and rankdir in ("LR", "RL"))

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

    dot = digraph_class()("autograd", format=format)
    # mclimit: almost no reordering to reduce crossings, so boxes keep the order the graph
    # was built in (neuron1 above neuron2, w1 above w2) rather than a rotation of it.
    dot.attr(rankdir=rankdir, fontname="Helvetica", fontsize="11", nodesep="0.25", ranksep="0.35",
             mclimit="0.01")
    dot.attr("node", fontname="Helvetica", fontsize="10", style="filled")
    if collapse:  # folded layers are densely connected: columns apart, straight thin arrows
        dot.attr(ranksep="2.0", splines="line")
        dot.attr("edge", color="#55555580", arrowsize="0.4", penwidth="0.6")
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
            outs = _scope_outputs(members, root, edges)
            out = outs[-1]
            fields: list[Any] = [v.scope.rsplit("/", 1)[-1], f"data {number(out.data)}", *grad_field(out)]
            if (n := single(v.scope, [m for m in members if m.parents])) is not None:  # Nielsen's names
                grads_shown = grads_known if show_grad else None
                fields = [fields[0], *box_fields(n, label("draw_dot", root) or "C", number, grads_shown)]
            elif len(outs) > 1:  # a block handing on a vector: how many values, and their gradient's size
                norm = math.sqrt(math.fsum(float(np.mean(pick(o.grad, sample))) ** 2 for o in outs))
                grads = [f"‖grad‖ {fmt(norm)}" if grads_known else "grad —"] if show_grad else []
                fields = [fields[0], f"{len(outs)} outputs", *grads]
            kind = "output" if out is root else "intermediate"
            used.add(kind)
            colour = COLOURS[kind]
            parent_scope = v.scope.rsplit("/", 1)[0] if "/" in v.scope else ""
            add(parent_scope, name, label=_record(*fields, braces=braces), shape="record", fillcolor=colour,
                id=name)
            continue
        text = label("draw_dot", v) or (name if names and v.parents else "")  # constants show their data
        fields = ([text] if text else []) + [f"data {number(v.data)}"] + grad_field(v)
        kind = role(v, root)
        used.add(kind)
        add(v.scope, name, label=_record(*fields, braces=braces), shape="record", fillcolor=COLOURS[kind],
            id=name)
        if v.parents:  # nohtml: a symbol like <x> is text, not Graphviz's HTML-like label
            used.add("op")
            add(v.scope, f"{name}_op", label=_plain(v.row.symbol if v.row else ""), shape="circle",
                fillcolor=COLOURS["op"], width="0.3", fixedsize="false", margin="0.02",
                fontsize="10", id=f"{name}_op")

    _emit_scopes(dot, statements)

    # Edges: each input into its op (once per use), each op into its result.
    arrows: list[tuple[str, str, dict[str, str]]] = []
    seen_pairs: set[tuple[str, str]] = set()
    weighted = False
    for v in nodes:
        inside_box = v.scope in folded
        for k, p in enumerate(v.parents):
            head = box[v] if inside_box else f"{box[v]}_op"
            tail = box[p]
            if tail == box[v]:
                continue  # inside one folded box
            if inside_box and (tail, head) in seen_pairs:
                continue  # one arrow between two folded boxes is enough
            seen_pairs.add((tail, head))
            w = _weight(v, k) if inside_box else None
            if w is None:
                arrows.append((tail, head, {}))
            else:  # into a folded neuron: the colour says the weight's sign, the width its size
                weighted = True
                sides = ("e", "w") if rankdir == "LR" else ("w", "e") if rankdir == "RL" else \
                    ("s", "n") if rankdir == "TB" else ("n", "s")
                arrows.append((f"{tail}:{sides[0]}", f"{head}:{sides[1]}",
                               {"color": WEIGHT_COLOURS[w < 0] + "b0",
                                "penwidth": f"{0.3 + 1.5 * min(1.0, abs(w)):.2f}"}))
        if v.parents and not inside_box:
            arrows.append((f"{box[v]}_op", box[v], {}))
    work = layout_work([(tail.split(":")[0], head.split(":")[0]) for tail, head, _ in arrows])  # no ports
    if work > MAX_LAYOUT:
        raise ValueError(
            f"draw_dot: the graph is too tangled to lay out: its arrows cross {work} ranks in all "
            f"(as when one value feeds many nodes far apart, like x in x*x*…*x), more than {MAX_LAYOUT}; "
            "Graphviz would take minutes and gigabytes. Draw a smaller graph"
        )
    if work > SIMPLE_LAYOUT:  # dot's positioning and spline routing grow too fast here: skip them
        dot.attr(nslimit="0", splines="line")
    for tail, head, attrs in arrows:
        dot.edge(tail, head, **attrs)
    dot.attr(label=_legend(used, weighted, batch_note(batch, sample)), labelloc="b", labeljust="l")
    return dot


def _weight(v: Value, k: int) -> float | None:
    """The weight that multiplies parent k of a Σ wᵢxᵢ + b node, if it is one of its x."""
    if v.row is not LINEAR:
        return None
    w, _, x = linear_parts(v.parents)
    i = k - len(w) - 1
    if not 0 <= i < len(x) or type(d := w[i].data) is not float or not math.isfinite(d):
        return None  # not a weight on an input, or a batch of them, or not a number to draw
    return d


def layout_work(arrows: list[tuple[str, str]]) -> int:
    """About how many virtual nodes dot's layout will make: each arrow, beyond its first
    rank, crosses one per rank. Ranks as dot assigns them, roughly: a node one after its
    latest input, and an input with no inputs of its own just before its first use."""
    rank: dict[str, int] = {}
    for tail, head in arrows:  # in the order drawn: every box before the arrows out of it
        rank[head] = max(rank.get(head, 0), rank.get(tail, 0) + 1)
    sources: dict[str, int] = {}
    for tail, head in arrows:
        if tail not in rank:
            sources[tail] = min(sources.get(tail, rank[head]), rank[head] - 1)
    rank.update(sources)
    return sum(max(0, rank[head] - rank[tail] - 1) for tail, head in arrows)


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


def _scope_outputs(members: list[Value], root: Value, edges: Iterable[tuple[Value, Value]]) -> list[Value]:
    """The values a scope hands on, in order: its members used outside the scope (or the
    root); its last member if there are none."""
    inside = set(members)
    used_outside = {p for p, v in edges if p in inside and v not in inside}
    return [v for v in members if v is root or v in used_outside] or members[-1:]


def _emit_scopes(dot: Any, statements: dict[str, list[tuple[str, dict[str, str]]]]) -> None:
    """Write each scope's statements into nested clusters (a scope inside its parent)."""
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
                sub.attr(label=_plain(child.rsplit("/", 1)[-1]), style="rounded,filled",
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


def _legend(used: set[str], weighted: bool = False, note: str = "") -> str:
    """A key to the colours that the graph uses (and what a batched graph's numbers are)."""
    cells = "".join(
        f'<td bgcolor="{COLOURS[k]}"> {text} </td>' for k, text in LEGEND.items() if k in used
    )
    if weighted:
        plus, minus = WEIGHT_COLOURS
        cells += (f'<td><font color="{plus}">→ weight &gt; 0</font></td>'
                  f'<td><font color="{minus}">→ weight &lt; 0</font></td><td>(wider: larger |w|)</td>')
    if note:
        cells += f"<td>{html.escape(note, quote=False)}</td>"
    return f'<<table border="0" cellspacing="3" cellpadding="2"><tr>{cells}</tr></table>>'


def render(root: Value, path: str | os.PathLike[str], *, dpi: float | None = None,
           timeout: float = LAYOUT_TIMEOUT, **draw_dot_kwargs: Any) -> Path:
    """Draw root's graph into path; the suffix (.svg, .png or .pdf) picks the format.

    dpi sets the resolution of a PNG (Graphviz's default is 96; 200 or 300 for slides;
    it also scales an SVG or PDF). Without Graphviz's `dot` program the DOT source is
    still written beside path (same name, .dot suffix; or name-2.dot, … if that exists,
    since render never replaces a file you did not name) and RuntimeError says how to
    install Graphviz. When dot takes more than timeout seconds it is stopped, with a
    RuntimeError saying so.
    """
    import graphviz

    if dpi is not None and (type(dpi) not in (int, float) or not 1 <= dpi <= 2400):
        raise ValueError(f"render: dpi must be a number from 1 to 2400, got {dpi!r}")
    path = Path(path)
    fmt_ = path.suffix.lower().lstrip(".")
    if fmt_ not in FORMATS:
        raise ValueError(f"render: {path} should end in .svg, .png or .pdf")
    if draw_dot_kwargs.get("format", fmt_) != fmt_:
        raise ValueError(f"render: format={draw_dot_kwargs['format']!r} disagrees with {path.name}")
    draw_dot_kwargs["format"] = fmt_
    dot = draw_dot(root, **draw_dot_kwargs)
    if dpi is not None:
        dot.attr(dpi=f"{dpi:g}")
    try:
        data = layout(dot, fmt_, "render", timeout)
    except graphviz.ExecutableNotFound:
        wanted = path.with_suffix(".dot")  # a file the user did not name: never replace one
        source = write_new(wanted, dot.source.encode("utf-8"))
        instead = f" ({wanted} already exists, so it was left alone)" if source != wanted else ""
        raise RuntimeError(
            f"render: Graphviz's `dot` program was not found, so {path} was not drawn. "
            f"The graph's DOT source was written to {source}{instead}; draw it later with "
            f"`dot -T{fmt_} {source} -o {path}`. {INSTALL}"
        ) from None
    write_atomically(path, data)
    return path


def layout(dot: Any, format: str, owner: str, timeout: float = LAYOUT_TIMEOUT) -> bytes:
    """Run Graphviz's dot on a draw_dot graph and return the picture. Without dot:
    graphviz.ExecutableNotFound; when dot fails or takes more than timeout seconds (it is
    then stopped): RuntimeError, naming owner."""
    import graphviz

    source: str = dot.source
    try:
        done = subprocess.run(["dot", f"-T{format}"], input=source.encode("utf-8"),
                              capture_output=True, timeout=timeout)
    except FileNotFoundError:
        raise graphviz.ExecutableNotFound(["dot"]) from None
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"{owner}: Graphviz's dot did not finish laying out the graph in {timeout:g} s, "
                           "so it was stopped; draw a smaller graph (or pass collapse=True)") from None
    if done.returncode != 0:
        why = done.stderr.decode("utf-8", "replace").strip().splitlines() or [f"status {done.returncode}"]
        raise RuntimeError(f"{owner}: Graphviz's dot failed: {why[0]}")
    return done.stdout
