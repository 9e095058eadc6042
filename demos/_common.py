"""What every demo shares: the --out folder, optional plots, graph pictures that degrade
gracefully without Graphviz, a little printing, and the benchmarks' report files."""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from pathlib import Path
from typing import Any

from autograd import Value, render


def arguments(description: str, **extra: Any) -> argparse.Namespace:
    """Parse --out (the folder for pictures, default ./out) and any extra options.

    extra maps an option name to (type, default, help), e.g. steps=(int, 100, "SGD steps").
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", default="out", help="folder for the pictures (default: ./out)")
    for name, (kind, default, text) in extra.items():
        if kind is bool:  # a switch, off unless given
            parser.add_argument(f"--{name.replace('_', '-')}", action="store_true", help=text)
            continue
        parser.add_argument(f"--{name.replace('_', '-')}", type=kind, default=default,
                            help=f"{text} (default: {default})")
    args = parser.parse_args()
    args.out = Path(args.out)
    args.out.mkdir(parents=True, exist_ok=True)
    return args


def pyplot() -> Any | None:
    """matplotlib.pyplot drawing to files, or None (with a note) when it is not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("  (matplotlib is not installed, so no plots: pip install 'gradstep[demos]')")
        return None
    return plt


def scatter_classes(ax: Any, X: Any, labels: Any, classes: list[tuple[Any, str, str]],
                    size: float = 22, **kwargs: Any) -> None:
    """Scatter the 2-D points X, one colour per class: classes holds (label, colour, name)."""
    for label, colour, name in classes:
        pts = X[labels == label]
        ax.scatter(pts[:, 0], pts[:, 1], c=colour, s=size, edgecolors="white",
                   linewidths=0.6 if size < 50 else 1, label=name, **kwargs)


def save_plot(fig: Any, path: Path) -> None:
    fig.savefig(path, dpi=110, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    print(f"  wrote {path}")


_told_about_graphviz = False


def save_graph(root: Value, path: Path, **draw_dot_kwargs: Any) -> bool:
    """Render root's graph; without Graphviz, keep the .dot file and say how to draw it
    (in full the first time, in a line after that)."""
    global _told_about_graphviz
    try:
        render(root, path, **draw_dot_kwargs)
    except RuntimeError as e:
        if _told_about_graphviz:
            print(f"  no Graphviz: wrote {path.with_suffix('.dot')} instead")
        else:
            print(f"  {e}")
            _told_about_graphviz = True
        return False
    print(f"  wrote {path}")
    return True


def title(text: str) -> None:
    print(f"\n{text}\n{'-' * len(text)}")


def progress(line: str, done: bool = False) -> None:
    """One updating line on a terminal; plain lines when the output goes to a file."""
    if sys.stdout.isatty():
        end = "\n" if done else ""
        print(f"\r{line:<78}", end=end, flush=True)
    else:
        print(line)


def interactive() -> bool:
    return sys.stdout.isatty() and not os.environ.get("CI")


class _Tee(io.TextIOBase):
    """Writes go to every stream: the terminal and the report file."""

    def __init__(self, *streams: Any) -> None:
        self.streams = streams

    def write(self, text: str) -> int:
        for stream in self.streams:
            stream.write(text)
        return len(text)

    def flush(self) -> None:
        for stream in self.streams:
            stream.flush()


@contextmanager
def report(path: Path) -> Iterator[None]:
    """What is printed inside goes to the terminal and into path, a benchmark's report;
    then a line says where it went."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f, redirect_stdout(_Tee(sys.stdout, f)):
        yield
    print(f"\nwrote {path}")
