"""Measuring a step-through page as a projector shows it (used by tests/test_projector.py)."""

from __future__ import annotations

MEASURE = """() => {
  const svg = document.querySelector('#graph svg');
  const pane = document.getElementById('graph').getBoundingClientRect();
  const panel = document.getElementById('panel').getBoundingClientRect();
  const main = document.getElementById('main').getBoundingClientRect();
  const r = svg.getBoundingClientRect();
  const box = svg.viewBox.baseVal;
  const sizes = [...svg.querySelectorAll('g.node text, g.cluster text')].map(t => {
    const css = parseFloat(t.getAttribute('font-size')) * t.getScreenCTM().a;
    return {css: css, height: t.getBoundingClientRect().height, text: t.textContent};
  });
  const min = sizes.reduce((a, b) => (b.css < a.css ? b : a));
  return {
    svg: [r.left, r.top, r.right, r.bottom], pane: [pane.left, pane.top, pane.right, pane.bottom],
    panel: [panel.left, panel.top, panel.right, panel.bottom], main: [main.width, main.height],
    natural: [box.width, box.height], minText: min.css, minTextHeight: min.height, minTextIs: min.text,
    viewport: [innerWidth, innerHeight], scrollW: document.documentElement.scrollWidth,
    paneScroll: (g => [g.scrollWidth, g.clientWidth, g.scrollHeight, g.clientHeight])(
      document.getElementById('graph')),
    side: document.getElementById('main').classList.contains('side'),
  };
}"""

HIGHLIGHTED = """() => {
  // the area of the panel over the visible part (inside the graph's pane) of a marked node
  const panel = document.getElementById('panel').getBoundingClientRect();
  const pane = document.getElementById('graph').getBoundingClientRect();
  let worst = 0;
  document.querySelectorAll('g.node.current, g.node.input').forEach(g => {
    const b = g.getBoundingClientRect();
    const r = {left: Math.max(b.left, pane.left), right: Math.min(b.right, pane.right),
               top: Math.max(b.top, pane.top), bottom: Math.min(b.bottom, pane.bottom)};
    if (r.right <= r.left || r.bottom <= r.top) return;
    const w = Math.min(r.right, panel.right) - Math.max(r.left, panel.left);
    const h = Math.min(r.bottom, panel.bottom) - Math.max(r.top, panel.top);
    if (w > 0 && h > 0) worst = Math.max(worst, w * h);
  });
  return worst;
}"""


def overlap(a, b) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return max(w, 0) * max(h, 0)

FOLLOWED = """() => {
  const pane = document.getElementById('graph').getBoundingClientRect();
  const marked = [...document.querySelectorAll('g.node.current, g.node.input')];
  let minText = 1e9, outside = 0, currentInView = true;
  marked.forEach(g => {
    g.querySelectorAll('text').forEach(t => {
      minText = Math.min(minText, parseFloat(t.getAttribute('font-size')) * t.getScreenCTM().a);
    });
    const r = g.getBoundingClientRect();
    const out = r.left < pane.left - 1 || r.right > pane.right + 1 || r.top < pane.top - 1
      || r.bottom > pane.bottom + 1;
    if (out) outside += 1;
    if (out && g.classList.contains('current')) currentInView = false;
  });
  return {minText: minText, outside: outside, marked: marked.length, currentInView: currentInView};
}"""
