"""The derivative table: what a row is, and the table of rows.

A row holds everything about one op, side by side:

    name      "mul"
    forward   the op on numbers                  a, b -> a·b
    rules     one local partial per input        ∂out/∂a = b,  ∂out/∂b = a
    formulas  each partial as text               "∂{out}/∂{a} = {b}"
    written   how the op is written              "{a} * {b}"
    symbol    what a graph draws                 "*"

A rule is pure: rule(*inputs, out) returns ∂out/∂input, and only the engine multiplies by
the upstream gradient and adds. In the texts {a} {b}, {x}, {0} {1} … and {out} stand for
the actual inputs and output: an explanation reads ∂f/∂q = z, not letters that might be
your own labels.

This file imports nothing else from the package. Applying a row to Values makes a graph
node, which is the engine's business: value.py sets Op.engine to say how, as a JAX
primitive binds to whichever interpreter is running.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, ClassVar


class Op:
    """One row of the table. A variadic row (any number of inputs, like Σ wᵢxᵢ + b) has
    arity None: its forward takes the inputs as one list, one rule(xs, out) returns every
    partial, formulas(i, n) gives the text of partial i, written(names) writes the op."""

    engine: ClassVar[Callable[[Op, Sequence[Any]], Any]]  # set by value.py: make a Value node

    def __init__(self, name: str, symbol: str, forward: Callable[..., Any], derivatives: Any,
                 formulas: Any, written: Any, arity: int | None, domain: Sequence[tuple[float, float]],
                 arg_names: Callable[[int], list[str]] | None = None) -> None:
        self.name, self.symbol, self.forward, self.derivatives = name, symbol, forward, derivatives
        self.formulas, self.written, self.arity, self.domain = formulas, written, arity, tuple(domain)
        self.arg_names = arg_names or generic_names

    def __call__(self, *inputs: Any) -> Any:
        """The op applied to Values or numbers: a new node of the graph."""
        return Op.engine(self, inputs)

    def evaluate(self, xs: Sequence[Any]) -> Any:
        """The forward on a list of inputs, whatever the arity."""
        return self.forward(xs) if self.arity is None else self.forward(*xs)

    def partials(self, xs: Sequence[Any], out: Any, wanted: Sequence[bool] | None = None) -> list[Any]:
        """∂out/∂xs[i] for every input (None where wanted[i] is false; a variadic row
        computes them all). On numbers for backward(), on Values for create_graph."""
        rules = self.derivatives
        if self.arity is None:
            return rules(xs, out)  # type: ignore[no-any-return]
        if wanted is None:
            return [rule(*xs, out) for rule in rules]
        return [rule(*xs, out) if w else None for rule, w in zip(rules, wanted)]

    def formula(self, i: int, n: int, names: Sequence[str] | None = None, out: str = "out") -> str:
        """The text of ∂out/∂input i (of n), in these input names (default: generic ones)."""
        text = self.formulas(i, n) if self.arity is None else self.formulas[i]
        return fill(text, names or self.arg_names(n), out)

    def write(self, names: Sequence[str]) -> str:
        """The op applied to these input names (or numbers): "x + y", "tanh(n)"."""
        if callable(self.written):
            return str(self.written([bracket(n) for n in names]))
        return fill(self.written, names, "")

    def __repr__(self) -> str:
        return f"Op({self.name!r}, symbol={self.symbol!r}, arity={self.arity})"


# The table itself: name -> row. ops.py adds the built-in rows; define_op adds yours.
OPS: dict[str, Op] = {}


def generic_names(n: int) -> list[str]:
    """The names a row's texts use when no graph is at hand: x; a, b; x1, x2, …"""
    return ["x"] if n == 1 else ["a", "b"] if n == 2 else [f"x{i + 1}" for i in range(n)]


_SIMPLE = re.compile(r"[\w.′'\[\]]+|\d[\d.]*e[-+]\d+")  # a name, or a number like 1e-05
_PLACEHOLDER = re.compile(r"\{(out|a|b|x|\d+)\}")


def bracket(name: str) -> str:
    """A name as it can stand in an expression: "x1*w1 + x2*w2" and -4 get brackets."""
    return name if _SIMPLE.fullmatch(name) else f"({name})"


def fill(template: str, names: Sequence[str], out: str) -> str:
    """Put the names into a row's text: {out}, {a} {b}, {x}, {0} {1} …, each in brackets
    where it needs them and does not already stand alone between them, as in tanh({x})."""
    alias = {"a": 0, "b": 1, "x": 0}

    def name(m: re.Match[str]) -> str:
        key = m.group(1)
        i = -1 if key == "out" else alias[key] if key in alias else int(key)
        if i >= len(names):
            return m.group(0)
        text = out if i < 0 else names[i]
        before, after = template[m.start() - 1:m.start()], template[m.end():m.end() + 1]
        return text if before in ("(", " ") and after in (")", ",") else bracket(text)

    return _PLACEHOLDER.sub(name, template)
