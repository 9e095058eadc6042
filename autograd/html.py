"""save_html: one self-contained page that steps through the forward and backward pass.

The page holds the graph (an SVG drawn by Graphviz when the page is saved), the
explainer's steps as data, and a little JavaScript: Next / Previous / Play (at a chosen
speed) and the arrow keys move through the steps; the current node is outlined in red,
its inputs in blue; values appear as the forward pass reaches them and gradients fill in
as the backward pass goes. Nothing is fetched from the network.

Made for a projector: the graph is scaled to fill the window (up as well as down), the
explanation sits beside or below it, whichever leaves the graph larger, and never over it.

exercise=True makes it a worksheet that grades: the gradients (and with
hide="both" the values too) are hidden, and the student types each one, and each local
derivative, in the order backprop finds them. An answer is right when
|answer − right| ≤ tolerance·|right| + abs_tolerance (relative 1e-2 by default); a wrong
one can be tried again, revealed, or explained with the explainer's line for that step,
and the page keeps the score. The answers are in the page only encoded (XOR and base64,
so not readable in its source; this is not security).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import os
import re
from pathlib import Path
from typing import Any

from .explain import Explanation, explain
from .files import write_atomically
from .graph import LAYOUT_TIMEOUT, draw_dot, fmt, layout, no_dot
from .table import bracket
from .text import describe, num, pick, well_formed
from .value import Value, toposort

MAX_NODES = 2000
HIDE = ("gradients", "both")
SCREEN = (1880.0, 820.0)  # the graph's part of a 1920×1080 window, for choosing a layout
TWO_LAYOUTS = 400  # up to this many nodes, both box shapes are laid out and the larger kept


def save_html(root: Value, path: str | os.PathLike[str], *, title: str | None = None,
              exercise: bool = False, hide: str = "gradients", tolerance: float = 1e-2,
              abs_tolerance: float = 1e-9, sample: int | None = None,
              timeout: float = LAYOUT_TIMEOUT) -> Path:
    """Write the step-through page for root's graph to path (one .html file).

    The gradients shown are those of one backward pass from root; the .grad attributes of
    the graph are left as they were. Needs Graphviz's `dot` to lay the graph out (stopped,
    with a RuntimeError, after timeout seconds). A graph of more than MAX_NODES nodes is
    refused before anything is computed. exercise=True: the student types the answers (see
    the module docstring); hide is "gradients" or "both" (values too); tolerance is
    relative, abs_tolerance absolute. On a batched graph the page shows the batch's means,
    or with sample=k sample k's numbers.
    """
    if type(root) is not Value:
        raise TypeError(f"save_html: root must be a Value, got {describe(root)}")
    page = html_page(root, title=title, exercise=exercise, hide=hide, tolerance=tolerance,
                     abs_tolerance=abs_tolerance, what="save_html", sample=sample, timeout=timeout)
    return write_atomically(Path(path), page.encode("utf-8"))


def html_page(root: Value, *, title: str | None = None, exercise: bool = False, hide: str = "gradients",
              tolerance: float = 1e-2, abs_tolerance: float = 1e-9, what: str = "html_page",
              sample: int | None = None, timeout: float = LAYOUT_TIMEOUT) -> str:
    """The text of save_html's page (what show() puts into a notebook)."""
    if type(root) is not Value:
        raise TypeError(f"{what}: root must be a Value, got {describe(root)}")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"{what}: title must be a str, got {describe(title)}")
    if hide not in HIDE:
        raise ValueError(f"{what}: hide must be 'gradients' or 'both', got {hide!r}")
    for name, t in (("tolerance", tolerance), ("abs_tolerance", abs_tolerance)):
        if isinstance(t, bool) or not isinstance(t, (int, float)) or not (math.isfinite(t) and t >= 0):
            raise ValueError(f"{what}: {name} must be a number ≥ 0, got {t!r}")
    if count(root, MAX_NODES) > MAX_NODES:  # before anything is computed: a huge graph is refused at once
        raise ValueError(
            f"{what}: the graph has more than {MAX_NODES} nodes; a step-through page is made for "
            "graphs of up to that many (one neuron, a small circuit). Explain a bigger one with "
            "explain(root).summary(), or draw it with draw_dot(root, collapse=True)"
        )
    e, svg = _explain_and_draw(root, what, sample, timeout)
    if exercise and e.batch is not None and e.sample is None:
        raise ValueError(f"{what}: an exercise on a batched graph needs one sample's numbers: pass sample=k "
                         f"(0 ≤ k < {e.batch})")
    hidden = ("grad", "data") if hide == "both" else ("grad",)
    steps = _steps(e)
    if exercise:
        steps = _exercise(e, steps, "data" in hidden)
        svg = _scrub(svg, e, hidden)
    title = title or f"Backpropagation through {e.names[root]}"
    mode = {"exercise": bool(exercise), "tolerance": float(tolerance), "abs_tolerance": float(abs_tolerance),
            "hide": list(hidden) if exercise else []}
    data = well_formed(json.dumps(steps, ensure_ascii=False))  # a label may hold a lone surrogate
    key = hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]
    return well_formed(_PAGE.format(  # a label may hold a lone surrogate, which UTF-8 cannot encode
        title=html.escape(title),
        css=_CSS,
        svg=svg,
        steps=_json([]) if exercise else _json(steps),
        encoded=_encode(data, key) if exercise else "",
        key=key if exercise else "",
        initial=_json(_initial(e, exercise)),
        mode=_json(mode),
        script=_SCRIPT,
        help=_HELP_EXERCISE if exercise else _HELP,
        nsteps=len(steps),
        exercise="exercise" if exercise else "",
    ))


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


def _encode(text: str, key: str) -> str:
    """XOR with the key, then base64: no answer is readable in the page's source."""
    data = text.encode("utf-8")
    k = key.encode("ascii")
    return base64.b64encode(bytes(b ^ k[i % len(k)] for i, b in enumerate(data))).decode("ascii")


def decode(encoded: str, key: str) -> Any:
    """The steps of an exercise page, from its encoded form (what the page's script does)."""
    k = key.encode("ascii")
    data = base64.b64decode(encoded)
    return json.loads(bytes(b ^ k[i % len(k)] for i, b in enumerate(data)).decode("utf-8"))


def _explain_and_draw(root: Value, what: str, sample: int | None,
                      timeout: float) -> tuple[Explanation, str]:
    """Explain one fresh backward pass and draw the graph, then put every .grad back."""
    import graphviz

    nodes = toposort(root)
    saved = [v.grad for v in nodes]
    try:
        for v in nodes:
            v.grad = 0.0
        e = explain(root, sample=sample)
        shapes = (False, True) if len(nodes) <= TWO_LAYOUTS else (False,)
        try:  # boxes side by side, or stacked: whichever a wide screen shows larger
            dots = [draw_dot(root, max_nodes=MAX_NODES, stack=s, sample=e.sample) for s in shapes]
            svgs = [layout(dot, "svg", what, timeout).decode("utf-8") for dot in dots]
        except graphviz.ExecutableNotFound:
            raise RuntimeError(no_dot(f"{what}: the graph cannot be laid out")) from None
    finally:
        for v, g in zip(nodes, saved):
            v.grad = g
    svg = max(svgs, key=_screen_scale)
    return e, svg[svg.index("<svg"):]  # drop the XML prolog and doctype: the SVG goes inline


def _screen_scale(svg: str) -> float:
    """How large a 1920×1080 window can show this SVG (its scale when fitted)."""
    found = re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ([\d.]+)"', svg)
    if not found:
        return 0.0
    w, h = float(found.group(1)), float(found.group(2))
    return min(SCREEN[0] / max(w, 1.0), SCREEN[1] / max(h, 1.0))


def _ids(e: Explanation) -> dict[Value, str]:
    """The DOT/SVG id of each node: n + its topological index, as draw_dot names them."""
    return {v: f"n{i}" for i, v in enumerate(e.nodes)}


def _initial(e: Explanation, exercise: bool = False) -> dict[str, Any]:
    """What the page shows before the first step: data of the leaves only, no grads."""
    ids = _ids(e)
    unknown = "grad ?" if exercise else "grad —"
    return {
        ids[v]: {"data": f"data {fmt(pick(v.data, e.sample))}" if not v.parents else "data ?",
                 "grad": unknown if v.requires_grad else "grad —"}
        for v in ids
    }


def _constants(e: Explanation, nodes: Any) -> list[str]:
    """The names of the constants among nodes (each once)."""
    return list(dict.fromkeys(e.names[v] for v in nodes if not v.requires_grad))


def _steps(e: Explanation) -> list[dict[str, Any]]:
    """The page's steps: a start, one per forward step, the seed, one per backward step."""
    ids = _ids(e)
    r = e.names[e.root]
    inputs = [v for v in e.leaves if v.requires_grad]
    constants = _constants(e, e.leaves)
    known = f"The inputs ({', '.join(e.names[v] for v in inputs)}) are known" if inputs else \
        "Only constants are given"
    if constants:
        known += f"; so are the constants ({', '.join(constants)}), which need no gradient"
    steps: list[dict[str, Any]] = [{
        "phase": "start", "node": None, "inputs": [ids[v] for v in e.leaves], "set": {},
        "text": f"{known}. The forward pass computes every other node from its inputs, in "
                "topological order. Press → or Next.",
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
        lines = [f"{b.name} = {b.expression}    upstream ∂{r}/∂{bracket(b.name)} = {num(b.upstream)}"]
        updates: dict[str, dict[str, str]] = {}
        for p in b.partials:
            lines.append(_line(p))
            updates[ids[p.parent]] = {"grad": f"grad {fmt(p.grad_after)}"}
        lines += [f"  {c}:  a constant: it needs no gradient" for c in _constants(e, b.node.parents)]
        steps.append({
            "phase": f"backward {i}/{len(e.backward_steps)}",
            "node": ids[b.node],
            "inputs": [ids[p.parent] for p in b.partials],
            "set": updates,
            "text": "\n".join(lines),
        })
    named = [v for v in inputs if v.label] or inputs
    grads = ", ".join(f"∂{r}/∂{e.names[v]} = {num(e.gradient(v))}" for v in named)
    steps.append({
        "phase": "done", "node": None, "inputs": [ids[v] for v in named], "set": {},
        "text": f"Done: every node holds ∂{r}/∂node. For the named inputs: {grads}." if grads else
                f"Done: every node holds ∂{r}/∂node.",
    })
    return steps


def _line(p: Any) -> str:
    """The explainer's line for one input of a backward step."""
    return (f"  {p.name}:  local {p.formula} → {num(p.local)};  "
            f"{num(p.local)} × {bracket(num(p.upstream))} = {num(p.contribution)};  "
            f"{bracket(p.name)}.grad = {num(p.grad_after)}")


def _exercise(e: Explanation, steps: list[dict[str, Any]], hide_data: bool) -> list[dict[str, Any]]:
    """The steps with questions: each value (if hidden), the seed, and in each backward step
    each input's local derivative and its gradient once this step's contribution is added."""
    ids = _ids(e)
    r = e.names[e.root]
    nf = len(e.forward_steps)
    out = [dict(s) for s in steps]
    if hide_data:
        for s, f in zip(out[1:nf + 1], e.forward_steps):
            s["text"] = f"{f.name} = {f.expression} = {f.substituted} = ?"
            s["ask"] = [{"q": f"{f.name} = ", "a": f.value, "explain": str(f), "id": ids[f.node],
                         "field": "data"}]
    seed = out[nf + 1]
    seed["text"] = (f"The backward pass starts at the output. Each step then passes a node's gradient "
                    f"(the upstream gradient) to its inputs: input.grad += local derivative × upstream. "
                    f"First: ∂{r}/∂{r} = ?")
    seed["ask"] = [{"q": f"∂{r}/∂{r} = ", "a": 1.0, "id": ids[e.root], "field": "grad",
                    "explain": f"∂{r}/∂{r} = 1: a change in {r} changes {r} by as much"}]
    for s, b in zip(out[nf + 2:], e.backward_steps):
        s["text"] = f"{b.name} = {b.expression}    upstream ∂{r}/∂{bracket(b.name)} = {num(b.upstream)}"
        constants = _constants(e, b.node.parents)
        if constants:
            s["text"] += "\n" + "\n".join(f"  {c}: a constant: it needs no gradient" for c in constants)
        s["ask"] = []
        for p in b.partials:
            line = _line(p)
            s["ask"].append({"q": f"local derivative ∂{bracket(b.name)}/∂{bracket(p.name)} = ", "a": p.local,
                             "explain": line})
            s["ask"].append({"q": f"{bracket(p.name)}.grad (after adding local × upstream) = ",
                             "a": p.grad_after, "explain": line, "id": ids[p.parent], "field": "grad"})
    return out


def _scrub(svg: str, e: Explanation, hidden: tuple[str, ...]) -> str:
    """The SVG with every hidden number replaced by '?' (the boxes keep their size)."""
    svg = re.sub(r"(<text[^>]*>)grad [^<]*(</text>)", r"\1grad ?\2", svg)
    if "data" in hidden:
        computed = {f"n{i}" for i, v in enumerate(e.nodes) if v.parents}

        def node(m: re.Match[str]) -> str:
            if m.group(1) not in computed:
                return m.group(0)
            return re.sub(r"(<text[^>]*>)data [^<]*(</text>)", r"\1data ?\2", m.group(0))

        svg = re.sub(r'<g id="(n\d+)" class="node">.*?</g>', node, svg, flags=re.S)
    return svg


_HELP = ("Red outline: the node of this step; blue: its inputs; red text: what this step changed. "
         "Keys: ← → step, space play, + − zoom, 0 fit, f follow (zoom in to readable text "
         "around each step).")
_HELP_EXERCISE = ("Type each answer and press Enter. Red outline: the node of this step; blue: its "
                  "inputs. A wrong answer: try again, reveal it, or ask for the explanation.")

_CSS = """
html, body { height: 100%; margin: 0; }
body { font: clamp(14px, 1.05vw, 22px)/1.4 system-ui, -apple-system, "Segoe UI", Helvetica, Arial,
       sans-serif; color: #222; background: #fdfdfd; display: flex; flex-direction: column;
       overflow: hidden; }
#bar { display: flex; flex-wrap: wrap; gap: 0.4em; align-items: center; padding: 0.35em 0.8em;
       flex: none; border-bottom: 1px solid #e4e4e4; }
h1 { font-size: 1.1em; margin: 0 0.6em 0 0; font-weight: 600; }
button, select, input { font: inherit; }
button { padding: 0.15em 0.7em; border: 1px solid #999; border-radius: 6px; background: #fff;
         cursor: pointer; }
button:hover { background: #f0f0f0; }
button:disabled { color: #aaa; border-color: #ddd; cursor: default; }
select { padding: 0.1em 0.2em; }
#counter { font-variant-numeric: tabular-nums; margin-left: 0.4em; }
#phase { font-weight: 600; color: #8a3b12; }
.zoom { margin-left: auto; color: #666; }
.zoom button { padding: 0.05em 0.5em; }
#follow[aria-pressed="true"] { background: #1f6fd1; color: #fff; border-color: #1f6fd1; }
details { color: #555; font-size: 0.85em; }
#main { flex: 1; min-height: 0; display: flex; flex-direction: column; }
#graph { flex: 1; min-height: 0; min-width: 0; overflow: auto; position: relative; }
#graph svg { display: block; margin: 0 auto; }
#panel { flex: none; overflow: auto; box-sizing: border-box; padding: 0.4em 0.8em;
         background: #fff8e1; border-top: 1px solid #f0d98c; }
#main.side #panel { border-top: none; border-left: 1px solid #f0d98c; }
#text, #measure { white-space: pre-wrap; margin: 0;
        font: 1em/1.4 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
#measure { position: fixed; visibility: hidden; left: 0; top: 0; pointer-events: none;
           box-sizing: border-box; }
#quiz { margin-top: 0.4em; }
#quiz input { width: 8em; padding: 0.1em 0.3em; }
#feedback.right { color: #1a7f37; font-weight: 600; }
#feedback.wrong { color: #c62828; font-weight: 600; }
#explained { white-space: pre-wrap; color: #444; margin: 0.3em 0 0;
        font: 0.95em/1.4 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
body.exercise #play, body.exercise .speed { display: none; }
g.node.current polygon, g.node.current ellipse { stroke: #d62728; stroke-width: 4px; }
g.node.input polygon, g.node.input ellipse { stroke: #1f6fd1; stroke-width: 3px; }
g.node text.changed { fill: #d62728; font-weight: bold; }
"""

_SCRIPT = """
(function () {
  'use strict';
  const $ = function (id) { return document.getElementById(id); };
  const mode = JSON.parse($('mode').textContent);
  const initial = JSON.parse($('initial').textContent);
  let steps = JSON.parse($('steps').textContent);
  if (mode.exercise) {  // the answers are encoded: XOR with the key, then base64
    const key = $('encoded').dataset.key, bin = atob($('encoded').textContent.trim());
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i) ^ key.charCodeAt(i % key.length);
    steps = JSON.parse(new TextDecoder().decode(bytes));
  }
  const textBox = $('text'), counter = $('counter'), phase = $('phase');
  const prev = $('prev'), next = $('next'), play = $('play'), speed = $('speed');
  const pane = $('graph'), panel = $('panel'), main = $('main');
  const svg = pane.querySelector('svg');
  let k = 0, timer = null;

  // -- the exercise: one state per question ------------------------------------------
  const quiz = $('quiz'), prompt = $('prompt'), answer = $('answer'), feedback = $('feedback');
  const explained = $('explained');
  const questions = [];
  steps.forEach(function (s, i) {
    (s.ask || []).forEach(function (q, j) {
      q.step = i; q.index = j; q.tries = 0; q.done = false; q.right = false; q.helped = false;
      questions.push(q);
    });
  });
  function pending(i) { return (steps[i].ask || []).find(function (q) { return !q.done; }); }
  function parse(text) {
    const t = text.trim().replace(/\\u2212/g, '-').replace(/,/g, '.');
    if (/^[-+]?\\d*\\.?\\d+(e[-+]?\\d+)?\\s*\\/\\s*[-+]?\\d*\\.?\\d+(e[-+]?\\d+)?$/i.test(t)) {
      const parts = t.split('/');
      return parseFloat(parts[0]) / parseFloat(parts[1]);
    }
    return /^[-+]?(\\d+\\.?\\d*|\\.\\d+)(e[-+]?\\d+)?$/i.test(t) ? parseFloat(t) : NaN;
  }
  function close(x, right) {
    return Math.abs(x - right) <= mode.tolerance * Math.abs(right) + mode.abs_tolerance;
  }
  function fmt(x) {
    if (x === 0) return '0';
    const a = Math.abs(x);
    return (a >= 1e6 || a < 1e-4) ? x.toExponential(5).replace(/\\.?0+e/, 'e') : String(+x.toPrecision(6));
  }
  function score() {
    const right = questions.filter(function (q) { return q.right; }).length;
    const first = questions.filter(function (q) { return q.right && q.tries === 1; }).length;
    const helped = questions.filter(function (q) { return q.helped; }).length;
    return {right: right, first: first, helped: helped, total: questions.length};
  }
  function showQuestion() {
    const q = pending(k);
    if (!mode.exercise) { quiz.hidden = true; return; }
    quiz.hidden = false;
    const s = score();
    if (k === steps.length - 1) {
      prompt.textContent = 'Score: ' + s.right + ' / ' + s.total + ' right (' + s.first +
        ' at the first try, ' + s.helped + ' revealed or explained).';
      document.body.dataset.score = s.right + '/' + s.total;
      answer.hidden = true; $('check').hidden = true; $('reveal').hidden = true; $('explain').hidden = true;
      feedback.textContent = ''; explained.textContent = '';
      return;
    }
    const shown = q || (steps[k].ask || []).slice(-1)[0];
    answer.hidden = !q; $('check').hidden = !q; $('reveal').hidden = !q; $('explain').hidden = !q;
    if (!shown) { prompt.textContent = ''; feedback.textContent = ''; explained.textContent = ''; return; }
    prompt.textContent = q ? shown.q : 'All answered: press Next.';
    if (q && q.tries === 0) { answer.value = ''; feedback.textContent = ''; feedback.className = '';
                              explained.textContent = ''; }
  }
  function check() {
    const q = pending(k);
    if (!q) return;
    const x = parse(answer.value);
    if (isNaN(x)) { feedback.textContent = 'Type a number, such as -2.5, 0.25, 1/4 or 2e-3.';
                    feedback.className = 'wrong'; return; }
    q.tries += 1;
    if (close(x, q.a)) {
      q.done = true; q.right = !q.helped;
      feedback.textContent = '✓ right: ' + q.q + fmt(q.a); feedback.className = 'right';
      explained.textContent = '';
      finish();
    } else {
      feedback.textContent = '✗ not ' + answer.value.trim() + ': try again, reveal it, or explain.';
      feedback.className = 'wrong';
      answer.select();
    }
  }
  function help(withLine) {
    const q = pending(k);
    if (!q) return;
    q.helped = true; q.done = true; q.right = false;
    feedback.textContent = 'The answer: ' + q.q + fmt(q.a); feedback.className = 'wrong';
    explained.textContent = withLine ? q.explain : '';
    finish();
  }
  function finish() {
    const stay = [feedback.textContent, feedback.className, explained.textContent];
    show(k);
    feedback.textContent = stay[0]; feedback.className = stay[1]; explained.textContent = stay[2];
    if (pending(k)) { answer.value = ''; answer.focus(); } else { next.focus(); }
  }

  // -- stepping ------------------------------------------------------------------------
  function fields(id) {
    // A record box draws its fields as <text> elements: [label], data, grad.
    const g = $(id);
    if (!g) return null;
    const t = g.querySelectorAll('text');
    return { g: g, data: t[t.length - 2], grad: t[t.length - 1] };
  }
  function reached(i) { return mode.exercise && (steps[i].ask || []).length ? !pending(i) : true; }

  function show(n) {
    k = Math.max(0, Math.min(steps.length - 1, n));
    document.querySelectorAll('g.node').forEach(function (g) { g.classList.remove('current', 'input'); });
    document.querySelectorAll('text.changed').forEach(function (t) { t.classList.remove('changed'); });
    for (const id in initial) {
      const f = fields(id);
      if (f) { f.data.textContent = initial[id].data; f.grad.textContent = initial[id].grad; }
    }
    for (let i = 0; i <= k; i++) {
      const asked = {};
      (steps[i].ask || []).forEach(function (q) { if (q.id && !q.done) asked[q.id + q.field] = true; });
      for (const id in steps[i].set) {
        const f = fields(id);
        if (!f) continue;
        const s = steps[i].set[id];
        ['data', 'grad'].forEach(function (which) {
          if (!s[which] || asked[id + which]) return;
          f[which].textContent = s[which];
          if (i === k) f[which].classList.add('changed');
        });
      }
    }
    const step = steps[k];
    step.inputs.forEach(function (id) { const f = fields(id); if (f) f.g.classList.add('input'); });
    if (step.node) {
      const f = fields(step.node);
      if (f) { f.g.classList.add('current'); if (!following) reveal(f.g); }
      const op = $(step.node + '_op');
      if (op) op.classList.add('current');
    }
    if (following) focus();
    textBox.textContent = step.text;
    counter.textContent = 'step ' + (k + 1) + ' / ' + steps.length;
    phase.textContent = step.phase;
    prev.disabled = k === 0;
    next.disabled = k === steps.length - 1 || !reached(k);
    document.body.dataset.step = String(k);
    showQuestion();
  }
  // Follow: zoom in until the graph's text is READABLE px, and keep this step's nodes centred.
  const READABLE = 16;
  const fontSize = Math.min.apply(null, [...svg.querySelectorAll('text')].map(function (t) {
    return parseFloat(t.getAttribute('font-size')) || 14; }).concat([14]));
  let following = false;
  function focus() {  // as large as READABLE px, but smaller (to 14 px) to keep the step in view
    const marked = [...svg.querySelectorAll('g.node.current, g.node.input')];
    let rs = marked.map(function (g) { return g.getBoundingClientRect(); });
    const b = pane.getBoundingClientRect();
    let z = READABLE / fontSize;
    if (rs.length) {
      const w = Math.max.apply(null, rs.map(function (r) { return r.right; })) -
                Math.min.apply(null, rs.map(function (r) { return r.left; }));
      const h = Math.max.apply(null, rs.map(function (r) { return r.bottom; })) -
                Math.min.apply(null, rs.map(function (r) { return r.top; }));
      z = Math.max(14 / fontSize, Math.min(z, zoom * (b.width - 16) / w, zoom * (b.height - 16) / h));
    }
    setZoom(Math.max(fitted, z));
    if (!marked.length) return;
    rs = marked.map(function (g) { return g.getBoundingClientRect(); });
    const width = Math.max.apply(null, rs.map(function (r) { return r.right; })) -
                  Math.min.apply(null, rs.map(function (r) { return r.left; }));
    const height = Math.max.apply(null, rs.map(function (r) { return r.bottom; })) -
                   Math.min.apply(null, rs.map(function (r) { return r.top; }));
    const current = [...svg.querySelectorAll('g.node.current')];
    if (current.length && (width > b.width - 16 || height > b.height - 16)) {  // too spread: the node first
      rs = current.map(function (g) { return g.getBoundingClientRect(); });
    }
    const cx = (Math.min.apply(null, rs.map(function (r) { return r.left; })) +
                Math.max.apply(null, rs.map(function (r) { return r.right; }))) / 2;
    const cy = (Math.min.apply(null, rs.map(function (r) { return r.top; })) +
                Math.max.apply(null, rs.map(function (r) { return r.bottom; }))) / 2;
    pane.scrollLeft += cx - (b.left + b.right) / 2;
    pane.scrollTop += cy - (b.top + b.bottom) / 2;
  }
  $('follow').addEventListener('click', function () {
    following = !following;
    $('follow').setAttribute('aria-pressed', String(following));
    if (following) focus(); else setZoom(fitted, true);
  });

  function reveal(g) {  // scroll the graph pane (only it: never the page around an iframe)
    const a = g.getBoundingClientRect(), b = pane.getBoundingClientRect();
    if (a.left < b.left) pane.scrollLeft -= b.left - a.left + 20;
    else if (a.right > b.right) pane.scrollLeft += a.right - b.right + 20;
    if (a.top < b.top) pane.scrollTop -= b.top - a.top + 20;
    else if (a.bottom > b.bottom) pane.scrollTop += a.bottom - b.bottom + 20;
  }

  function stop() {
    if (timer) { clearInterval(timer); timer = null; }
    play.textContent = '▶ Play';
  }
  function start() {
    play.textContent = '❚❚ Pause';
    timer = setInterval(function () {
      if (k >= steps.length - 1) { stop(); return; }
      show(k + 1);
    }, Number(speed.value));
  }
  function toggle() {
    if (timer) { stop(); return; }
    if (k === steps.length - 1) show(0);
    start();
  }
  speed.addEventListener('change', function () { if (timer) { clearInterval(timer); start(); } });

  // -- layout: the panel below or beside the graph, whichever shows the graph larger ---
  const box = svg.viewBox.baseVal;
  const natural = {w: box && box.width ? box.width : svg.getBBox().width,
                   h: box && box.height ? box.height : svg.getBBox().height};
  let zoom = 1, fitted = 1, fitting = true;
  function panelHeight(width) {  // the tallest text of the steps with the most text
    const m = $('measure');
    m.style.width = width + 'px';
    const longest = steps.map(function (s, i) {
      return [s.text.length + 60 * s.text.split('\\n').length, i]; })
      .sort(function (a, b) { return b[0] - a[0]; }).slice(0, 8);
    let h = 0;
    longest.forEach(function (p) {
      const s = steps[p[1]];
      let text = s.text;
      if (mode.exercise) {  // the question, its buttons and feedback, and the longest explanation
        const asks = s.ask || [];
        const q = asks.reduce(function (a, b) { return b.q.length > a.length ? b.q : a; }, '');
        const ex = asks.reduce(function (a, b) { return b.explain.length > a.length ? b.explain : a; }, '');
        text += '\\n\\n' + q + '__________ [Check] [Reveal] [Explain]\\n' + ex;
      }
      m.textContent = text;
      h = Math.max(h, m.offsetHeight);
    });
    return h + 28;
  }
  function layout() {
    const W = main.clientWidth, H = main.clientHeight;
    const below = Math.min(Math.max(panelHeight(W - 28), 70), 0.45 * H);
    const scaleBelow = Math.min(W / natural.w, (H - below) / natural.h);
    let sideW = 0, scaleBeside = 0;
    [0.22, 0.28, 0.34, 0.4].forEach(function (f) {  // a column beside the graph, if it fits
      const w = Math.max(f * W, 280);
      const scale = Math.min((W - w) / natural.w, H / natural.h);
      if (scale > scaleBeside && panelHeight(w - 28) <= H) { sideW = w; scaleBeside = scale; }
    });
    const side = scaleBeside > 1.05 * scaleBelow;
    document.body.dataset.layout = JSON.stringify({below: below, sideWidth: sideW,
      scaleBelow: scaleBelow, scaleBeside: scaleBeside, side: side});
    main.classList.toggle('side', side);
    main.style.flexDirection = side ? 'row' : 'column';
    panel.style.height = side ? '100%' : below + 'px';
    panel.style.width = side ? sideW + 'px' : '100%';
    const gw = pane.clientWidth - 8, gh = pane.clientHeight - 8;
    fitted = Math.min(4, gw / natural.w, gh / natural.h);
    if (fitting) setZoom(fitted, true);
  }
  function setZoom(z, fit) {
    zoom = Math.max(0.1, Math.min(8, z));
    fitting = !!fit;
    svg.style.width = (natural.w * zoom) + 'px';
    svg.style.height = (natural.h * zoom) + 'px';
    document.body.dataset.zoom = zoom.toFixed(4);
    document.body.dataset.fitted = fitted.toFixed(4);
  }
  $('zoom-in').addEventListener('click', function () { setZoom(zoom * 1.25); });
  $('zoom-out').addEventListener('click', function () { setZoom(zoom / 1.25); });
  $('zoom-fit').addEventListener('click', function () {
    following = false; $('follow').setAttribute('aria-pressed', 'false'); setZoom(fitted, true); });
  window.addEventListener('resize', layout);

  prev.addEventListener('click', function () { stop(); show(k - 1); });
  next.addEventListener('click', function () { stop(); show(k + 1); });
  play.addEventListener('click', toggle);
  $('check').addEventListener('click', check);
  $('reveal').addEventListener('click', function () { help(false); });
  $('explain').addEventListener('click', function () { help(true); });
  answer.addEventListener('keydown', function (ev) {
    if (ev.key === 'Enter') { check(); ev.preventDefault(); }
  });
  document.addEventListener('keydown', function (ev) {
    const t = ev.target && ev.target.tagName;
    if (t === 'INPUT' || t === 'SELECT' || t === 'TEXTAREA' || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === 'ArrowRight') { stop(); if (!next.disabled) show(k + 1); ev.preventDefault(); }
    else if (ev.key === 'ArrowLeft') { stop(); show(k - 1); ev.preventDefault(); }
    else if (ev.key === ' ' && !mode.exercise) { toggle(); ev.preventDefault(); }
    else if (ev.key === '+' || ev.key === '=') { setZoom(zoom * 1.25); }
    else if (ev.key === '-') { setZoom(zoom / 1.25); }
    else if (ev.key === '0') { following = false; $('follow').setAttribute('aria-pressed', 'false');
                               setZoom(fitted, true); }
    else if (ev.key === 'f') { $('follow').click(); }
    else if (ev.key === 'Home') { stop(); show(0); }
    else if (ev.key === 'End' && !mode.exercise) { stop(); show(steps.length - 1); }
  });
  layout();
  show(0);
})();
"""

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{css}</style>
</head>
<body class="{exercise}">
<div id="bar">
<h1>{title}</h1>
<button id="prev" type="button">◀ Previous</button>
<button id="play" type="button">▶ Play</button>
<button id="next" type="button">Next ▶</button>
<label class="speed">speed <select id="speed" title="seconds per step">
<option value="3000">slow (3 s)</option><option value="1500" selected>normal (1.5 s)</option>
<option value="700">fast (0.7 s)</option><option value="250">fastest (0.25 s)</option>
</select></label>
<span id="counter"></span><span id="phase"></span>
<details><summary>help</summary>{nsteps} steps: the forward pass computes each value, then the backward
pass sends gradients from the output back to the inputs. {help}</details>
<span class="zoom">zoom <button id="zoom-out" type="button">−</button><button id="zoom-fit"
type="button">fit</button><button id="zoom-in" type="button">+</button>
<button id="follow" type="button" aria-pressed="false"
title="zoom in to readable text and follow the steps (f)">follow</button></span>
</div>
<div id="main">
<div id="graph">
{svg}
</div>
<div id="panel">
<div id="text"></div>
<div id="quiz" hidden><label><span id="prompt"></span><input id="answer" type="text" inputmode="decimal"
autocomplete="off" spellcheck="false"></label> <button id="check" type="button">Check</button>
<button id="reveal" type="button">Reveal</button> <button id="explain" type="button">Explain</button>
<span id="feedback" role="status"></span>
<div id="explained"></div></div>
</div>
</div>
<div id="measure" aria-hidden="true"></div>
<script type="application/json" id="steps">{steps}</script>
<script type="application/octet-stream" id="encoded" data-key="{key}">{encoded}</script>
<script type="application/json" id="initial">{initial}</script>
<script type="application/json" id="mode">{mode}</script>
<script>{script}</script>
</body>
</html>
"""
