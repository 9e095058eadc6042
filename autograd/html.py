"""save_html: one self-contained page that steps through the forward and backward pass.

The page holds the graph (an SVG drawn by Graphviz when the page is saved), the
explainer's steps as data, and a little JavaScript: Next / Previous / Play buttons and
the arrow keys move through the steps; the current node is outlined in red, its inputs in
blue; values appear as the forward pass reaches them and gradients fill in as the
backward pass goes. Nothing is fetched from the network.
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path
from typing import Any

from .explain import Explanation, explain
from .files import write_atomically
from .graph import LAYOUT_TIMEOUT, draw_dot, fmt, layout
from .table import bracket
from .text import describe, num, well_formed
from .value import Value, toposort

MAX_NODES = 2000


def save_html(root: Value, path: str | os.PathLike[str], *, title: str | None = None,
              timeout: float = LAYOUT_TIMEOUT) -> Path:
    """Write the step-through page for root's graph to path (one .html file).

    The gradients shown are those of one backward pass from root; the .grad attributes of
    the graph are left as they were. Needs Graphviz's `dot` to lay the graph out (stopped,
    with a RuntimeError, after timeout seconds). A graph of more than MAX_NODES nodes is
    refused before anything is computed.
    """
    if type(root) is not Value:
        raise TypeError(f"save_html: root must be a Value, got {describe(root)}")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"save_html: title must be a str, got {describe(title)}")
    path = Path(path)
    n = count(root, MAX_NODES)
    if n > MAX_NODES:
        raise ValueError(
            f"save_html: the graph has more than {MAX_NODES} nodes; a step-through page is made for "
            "graphs of up to that many (one neuron, a small circuit). Explain a bigger one with "
            "explain(root).summary(), or draw it with draw_dot(root, collapse=True)"
        )
    e, svg = _explain_and_draw(root, timeout)
    steps = _steps(e)
    page = _PAGE.format(
        title=html.escape(title or f"Backpropagation through {e.names[root]}"),
        css=_CSS,
        svg=svg,
        steps=_json(steps),
        initial=_json(_initial(e)),
        script=_SCRIPT,
        nsteps=len(steps),
    )
    write_atomically(path, well_formed(page).encode("utf-8"))
    return path


def count(root: Value, limit: int) -> int:
    """How many nodes root's graph has, counting no further than limit + 1, so that a huge
    graph is measured at once."""
    seen, stack = {root}, [root]
    while stack and len(seen) <= limit:
        for p in stack.pop().parents:
            if p not in seen:
                seen.add(p)
                stack.append(p)
    return len(seen)


def _json(data: Any) -> str:
    """JSON to embed in a <script> element: no <, > or & in it (each is written as \\u003c
    and so on), so that no label can close the element or open a comment in it."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _explain_and_draw(root: Value, timeout: float) -> tuple[Explanation, str]:
    """Explain one fresh backward pass and draw the graph, then put every .grad back."""
    import graphviz

    nodes = toposort(root)
    saved = [v.grad for v in nodes]
    try:
        for v in nodes:
            v.grad = 0.0
        e = explain(root)
        dot = draw_dot(root, max_nodes=MAX_NODES, names=True)
        try:
            svg = layout(dot, "svg", "save_html", timeout).decode("utf-8")
        except graphviz.ExecutableNotFound:
            raise RuntimeError(
                "save_html: Graphviz's `dot` program is needed to lay out the graph. Install it "
                "with `sudo apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` "
                "(macOS) or `conda install -c conda-forge graphviz` (conda)."
            ) from None
    finally:
        for v, g in zip(nodes, saved):
            v.grad = g
    return e, svg[svg.index("<svg"):]  # drop the XML prolog and doctype: the SVG goes inline


def _ids(e: Explanation) -> dict[Value, str]:
    """The DOT/SVG id of each node: n + its topological index, as draw_dot names them."""
    return {v: f"n{i}" for i, v in enumerate(e.nodes)}


def _initial(e: Explanation) -> dict[str, Any]:
    """What the page shows before the first step: data of the leaves only, no grads."""
    ids = _ids(e)
    return {
        ids[v]: {"data": f"data {fmt(v.data)}" if not v.parents else "data ?", "grad": "grad —"}
        for v in ids
    }


def _steps(e: Explanation) -> list[dict[str, Any]]:
    """The page's steps: a start, one per forward step, the seed, one per backward step."""
    ids = _ids(e)
    r = e.names[e.root]
    leaves = ", ".join(e.names[v] for v in e.leaves)
    steps: list[dict[str, Any]] = [{
        "phase": "start", "node": None, "inputs": [ids[v] for v in e.leaves], "set": {},
        "text": f"The inputs ({leaves}) are known. The forward pass computes every other node "
                "from its inputs, in topological order. Press → or Next.",
    }]
    for i, s in enumerate(e.forward_steps, 1):
        steps.append({
            "phase": f"forward {i}/{len(e.forward_steps)}",
            "node": ids[s.node],
            "inputs": [ids[p] for p in s.inputs],
            "set": {ids[s.node]: {"data": f"data {fmt(s.value)}"}},
            "text": str(s),
        })
    steps.append({
        "phase": "backward: seed",
        "node": ids[e.root],
        "inputs": [],
        "set": {ids[e.root]: {"grad": f"grad {fmt(1.0)}"}},
        "text": f"The backward pass starts at the output: ∂{r}/∂{r} = 1. Each step then takes a "
                "node's gradient (the upstream gradient) and passes it to the node's inputs: "
                "input.grad += local derivative × upstream.",
    })
    for i, b in enumerate(e.backward_steps, 1):
        lines = [f"{b.name} = {b.expression}    upstream ∂{r}/∂{b.name} = {num(b.upstream)}"]
        updates: dict[str, dict[str, str]] = {}
        for p in b.partials:
            lines.append(
                f"  {p.name}:  local {p.formula} → {num(p.local)};  "
                f"{num(p.local)} × {bracket(num(p.upstream))} = {num(p.contribution)};  "
                f"{p.name}.grad = {num(p.grad_after)}"
            )
            updates[ids[p.parent]] = {"grad": f"grad {fmt(p.grad_after)}"}
        steps.append({
            "phase": f"backward {i}/{len(e.backward_steps)}",
            "node": ids[b.node],
            "inputs": [ids[p.parent] for p in b.partials],
            "set": updates,
            "text": "\n".join(lines),
        })
    named = [v for v in e.leaves if v.label] or e.leaves
    grads = ", ".join(f"∂{r}/∂{e.names[v]} = {num(e.gradient(v))}" for v in named)
    steps.append({
        "phase": "done", "node": None, "inputs": [ids[v] for v in named], "set": {},
        "text": f"Done: every node holds ∂{r}/∂node. For the named inputs: {grads}.",
    })
    return steps


_CSS = """
html, body { height: 100%; margin: 0; }
body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
       color: #222; background: #fdfdfd; display: flex; flex-direction: column;
       overflow: hidden; }
header { padding: 12px 20px 4px; flex: none; }
h1 { font-size: 20px; margin: 0 0 4px; }
.help { color: #666; font-size: 13px; margin: 0; }
.controls { display: flex; gap: 8px; align-items: center; padding: 8px 20px; flex: none; }
button { font-size: 15px; padding: 6px 14px; border: 1px solid #999; border-radius: 6px;
         background: #fff; cursor: pointer; }
button:hover { background: #f0f0f0; }
button:disabled { color: #aaa; border-color: #ddd; cursor: default; }
#counter { font-variant-numeric: tabular-nums; margin-left: 8px; }
.zoom { margin-left: auto; color: #666; font-size: 13px; }
.zoom button { font-size: 13px; padding: 3px 9px; margin-left: 3px; }
#phase { font-weight: 600; margin-left: 8px; color: #8a3b12; }
#text { flex: none; margin: 4px 20px 10px; padding: 10px 14px; background: #fff8e1;
        border: 1px solid #f0d98c; border-radius: 6px; white-space: pre-wrap; min-height: 3em;
        max-height: 30vh; overflow: auto;
        font: 14px/1.5 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
#graph { flex: 1; min-height: 0; overflow: auto; padding: 0 20px 20px;
         border-top: 1px solid #e4e4e4; }
g.node.current polygon, g.node.current ellipse { stroke: #d62728; stroke-width: 4px; }
g.node.input polygon, g.node.input ellipse { stroke: #1f6fd1; stroke-width: 3px; }
g.node text.changed { fill: #d62728; font-weight: bold; }
"""

_SCRIPT = """
(function () {
  const steps = JSON.parse(document.getElementById('steps').textContent);
  const initial = JSON.parse(document.getElementById('initial').textContent);
  const textBox = document.getElementById('text');
  const counter = document.getElementById('counter');
  const phase = document.getElementById('phase');
  const prev = document.getElementById('prev');
  const next = document.getElementById('next');
  const play = document.getElementById('play');
  let k = 0;
  let timer = null;

  function fields(id) {
    // A record box draws its fields as <text> elements: [label], data, grad.
    const g = document.getElementById(id);
    if (!g) return null;
    const t = g.querySelectorAll('text');
    return { g: g, data: t[t.length - 2], grad: t[t.length - 1] };
  }

  function show(n) {
    k = Math.max(0, Math.min(steps.length - 1, n));
    document.querySelectorAll('g.node').forEach(function (g) {
      g.classList.remove('current', 'input');
    });
    document.querySelectorAll('text.changed').forEach(function (t) { t.classList.remove('changed'); });
    for (const id in initial) {
      const f = fields(id);
      if (f) { f.data.textContent = initial[id].data; f.grad.textContent = initial[id].grad; }
    }
    for (let i = 0; i <= k; i++) {
      for (const id in steps[i].set) {
        const f = fields(id);
        if (!f) continue;
        const s = steps[i].set[id];
        if (s.data) { f.data.textContent = s.data; if (i === k) f.data.classList.add('changed'); }
        if (s.grad) { f.grad.textContent = s.grad; if (i === k) f.grad.classList.add('changed'); }
      }
    }
    const step = steps[k];
    step.inputs.forEach(function (id) {
      const f = fields(id);
      if (f) f.g.classList.add('input');
    });
    if (step.node) {
      const f = fields(step.node);
      if (f) { f.g.classList.add('current'); f.g.scrollIntoView({block: 'nearest', inline: 'center'}); }
      const op = document.getElementById(step.node + '_op');
      if (op) op.classList.add('current');
    }
    textBox.textContent = step.text;
    counter.textContent = 'step ' + (k + 1) + ' / ' + steps.length;
    phase.textContent = step.phase;
    prev.disabled = k === 0;
    next.disabled = k === steps.length - 1;
    document.body.dataset.step = String(k);
  }

  function stop() {
    if (timer) { clearInterval(timer); timer = null; }
    play.textContent = '▶ Play';
  }

  function toggle() {
    if (timer) { stop(); return; }
    if (k === steps.length - 1) show(0);
    play.textContent = '❚❚ Pause';
    timer = setInterval(function () {
      if (k >= steps.length - 1) { stop(); return; }
      show(k + 1);
    }, 1200);
  }

  // Zoom: the graph is drawn at its natural size (1 pt = 1 px), scaled by `zoom`.
  const svg = document.querySelector('#graph svg');
  const pane = document.getElementById('graph');
  const natural = svg.viewBox.baseVal.width || svg.getBBox().width;
  let zoom = 1;
  function setZoom(z) {
    zoom = Math.max(0.2, Math.min(3, z));
    svg.style.width = (natural * zoom) + 'px';
    svg.style.height = 'auto';
  }
  function fit() { setZoom(Math.min(1, (pane.clientWidth - 40) / natural)); }
  document.getElementById('zoom-in').addEventListener('click', function () { setZoom(zoom * 1.25); });
  document.getElementById('zoom-out').addEventListener('click', function () { setZoom(zoom / 1.25); });
  document.getElementById('zoom-fit').addEventListener('click', fit);
  setZoom(Math.max(0.6, Math.min(1, (pane.clientWidth - 40) / natural)));  // readable first

  prev.addEventListener('click', function () { stop(); show(k - 1); });
  next.addEventListener('click', function () { stop(); show(k + 1); });
  play.addEventListener('click', toggle);
  document.addEventListener('keydown', function (ev) {
    if (ev.key === 'ArrowRight') { stop(); show(k + 1); ev.preventDefault(); }
    else if (ev.key === 'ArrowLeft') { stop(); show(k - 1); ev.preventDefault(); }
    else if (ev.key === ' ') { toggle(); ev.preventDefault(); }
    else if (ev.key === '+' || ev.key === '=') { setZoom(zoom * 1.25); }
    else if (ev.key === '-') { setZoom(zoom / 1.25); }
    else if (ev.key === 'Home') { stop(); show(0); }
    else if (ev.key === 'End') { stop(); show(steps.length - 1); }
  });
  show(0);
})();
"""

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
<header>
<h1>{title}</h1>
<p class="help">{nsteps} steps: the forward pass computes each value, then the backward pass
sends gradients from the output back to the inputs. Red outline: the node of this step;
blue: its inputs; red text: what this step changed. Keys: ← → (step), space (play), + − (zoom).</p>
</header>
<div class="controls">
<button id="prev" type="button">◀ Previous</button>
<button id="play" type="button">▶ Play</button>
<button id="next" type="button">Next ▶</button>
<span id="counter"></span><span id="phase"></span>
<span class="zoom">zoom <button id="zoom-out" type="button">−</button><button id="zoom-fit"
type="button">fit</button><button id="zoom-in" type="button">+</button></span>
</div>
<div id="text"></div>
<div id="graph">
{svg}
</div>
<script type="application/json" id="steps">{steps}</script>
<script type="application/json" id="initial">{initial}</script>
<script>{script}</script>
</body>
</html>
"""
