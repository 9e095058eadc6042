"""show(): the step-through page inside a notebook, isolated in a sandboxed iframe.

    show(f)                      # the last line of a cell: the page, stepping in place
    show(f, exercise=True)       # the exercise that grades (see autograd.html)

The page goes into <iframe sandbox="allow-scripts" srcdoc="...">: its styles, its key
handlers and its element ids stay inside the frame, so several pages in one notebook step
independently, and typing and scrolling in the notebook are untouched. A static render
of the notebook (nbviewer, a Colab-style preview) shows the frame too.
"""

from __future__ import annotations

import html
import os
from pathlib import Path

from .files import write_atomically
from .html import html_page
from .text import describe
from .value import Value


class Page:
    """A step-through page: in a notebook it shows itself; .html is the page's text and
    .save(path) writes it as save_html would."""

    def __init__(self, html_text: str, title: str, height: int) -> None:
        self.html, self.title, self.height = html_text, title, height

    def _repr_html_(self) -> str:
        return (f'<iframe sandbox="allow-scripts" srcdoc="{html.escape(self.html, quote=True)}" '
                f'title="{html.escape(self.title, quote=True)}" loading="lazy" '
                f'style="width: 100%; height: {self.height}px; border: 1px solid #ddd; '
                f'border-radius: 4px"></iframe>')

    def __repr__(self) -> str:
        return f"<Page {self.title!r}: {len(self.html):,} characters; .save(path) writes it>"

    def save(self, path: str | os.PathLike[str]) -> Path:
        return write_atomically(Path(path), self.html.encode("utf-8"))


def show(root: Value, *, title: str | None = None, exercise: bool = False, hide: str = "gradients",
         tolerance: float = 1e-2, abs_tolerance: float = 1e-9, height: int = 600,
         sample: int | None = None) -> Page:
    """The step-through page of root's graph, for a notebook (see the module docstring).

    The arguments are save_html's, and height is the frame's height in pixels; the page
    scales its graph to fill it. Needs Graphviz's `dot`.
    """
    if type(root) is not Value:
        raise TypeError(f"show: root must be a Value, got {describe(root)}")
    if isinstance(height, bool) or not isinstance(height, int) or not 200 <= height <= 4000:
        raise ValueError(f"show: height must be a number of pixels from 200 to 4000, got {height!r}")
    page = html_page(root, title=title, exercise=exercise, hide=hide, tolerance=tolerance,
                     abs_tolerance=abs_tolerance, what="show", sample=sample)
    name = title or f"{'Exercise: b' if exercise else 'B'}ackpropagation through {root.label or 'the output'}"
    return Page(page, name, height)
