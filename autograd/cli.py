"""Command line: explain the backward pass of an expression, step by step.

    python -m autograd "(x + y) * z" x=-2 y=5 z=-4
    gradstep "tanh(w*x + b)" w=0.5 x=2 b=-1 --check --html page.html

The expression may use numbers, variable names, + - * / **, unary minus, parentheses and
the functions of the op table: exp, log, tanh, sigmoid, relu, softplus, max(a, b), and
sum(...), logsumexp(...) and linear(w1, ..., b, x1, ...) of any number of inputs; numbers
in it are constants, which need no gradient. It is parsed with Python's ast module and
checked against that list; it is never passed to eval or exec. Anything else (attributes,
subscripts, lambdas, other names or calls, assignments, very long input) is refused with a
one-line error and exit status 2.
"""

from __future__ import annotations

import argparse
import ast
import inspect
import math
import operator
import sys
from collections.abc import Callable, Sequence

from . import ops
from .table import OPS, Op
from .value import Value
from .version import VERSION

MAX_LENGTH = 500
OUTPUT_NAMES = ("f", "out", "result", "f_")  # the first one no variable has names the output
# The operators are written as operators; every other built-in row of the table is a function.
OPERATOR_ROWS = ("add", "sub", "mul", "div", "pow", "neg")
FUNCTIONS: dict[str, Callable[..., Value]] = {
    name: row for name, row in OPS.items() if name in ops.BUILTIN and name not in OPERATOR_ROWS
}
Binary = Callable[[Value, Value], Value]
BINARY: dict[type[ast.operator], Binary] = {  # each becomes a Value operator
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
WHAT = {  # how to name a refused construct
    ast.Attribute: "attribute access", ast.Subscript: "subscripts", ast.Lambda: "lambda",
    ast.NamedExpr: "assignment (:=)", ast.Compare: "comparisons", ast.BoolOp: "and/or",
    ast.IfExp: "if-expressions", ast.List: "lists", ast.Tuple: "tuples", ast.Dict: "dicts",
    ast.Set: "sets", ast.ListComp: "comprehensions", ast.GeneratorExp: "comprehensions",
    ast.DictComp: "comprehensions", ast.SetComp: "comprehensions", ast.Starred: "star arguments",
    ast.JoinedStr: "f-strings", ast.Await: "await", ast.Yield: "yield", ast.Slice: "slices",
}


class InputError(Exception):
    """Something wrong with what the user typed: reported in one line, exit status 2."""


def parse(text: str) -> ast.expr:
    """The expression's syntax tree, checked against the whitelist (InputError otherwise)."""
    if len(text) > MAX_LENGTH:
        raise InputError(f"the expression is {len(text)} characters long; the limit is {MAX_LENGTH}")
    if "\n" in text or "\r" in text:
        raise InputError("the expression must be on one line")
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as e:
        if "=" in text.replace("==", "").replace("<=", "").replace(">=", "").replace("!=", ""):
            hint = "assignments are not allowed: write only the expression, and give values as x=2"
        else:
            hint = "is an operator missing, as in 2*x or x*y?"
        raise InputError(f"not a valid expression ({e.msg}); {hint}") from None
    except UnicodeError:  # a lone surrogate, from bytes that are not text in this locale
        raise InputError("the expression holds a character that is not text (a lone surrogate)") from None
    except (RecursionError, MemoryError, ValueError):
        raise InputError("the expression is nested too deeply") from None
    _check(tree)
    return tree


def _check(node: ast.AST) -> None:
    """Walk the tree; refuse anything that is not a number, a name, an operator or a call
    to one of FUNCTIONS."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, ast.BinOp):
            if isinstance(n.op, ast.BitXor):
                raise InputError("^ is not a power here: write x**2 for x squared")
            if type(n.op) not in BINARY:
                shown = ast.unparse(n)[:40]
                raise InputError(f"not allowed: the operator in {shown!r}; use + - * / **")
            stack += [n.left, n.right]
        elif isinstance(n, ast.UnaryOp):
            if not isinstance(n.op, (ast.USub, ast.UAdd)):
                raise InputError(f"not allowed: the operator in {ast.unparse(n)[:40]!r}; use - or +")
            stack.append(n.operand)
        elif isinstance(n, ast.Constant):
            if isinstance(n.value, bool) or not isinstance(n.value, (int, float)):
                raise InputError(f"the constant {n.value!r} is not allowed; only real numbers are")
        elif isinstance(n, ast.Name):
            if n.id.startswith("__"):
                raise InputError(f"the name {n.id} is not allowed")
        elif isinstance(n, ast.Call):
            name = n.func.id if isinstance(n.func, ast.Name) else None
            if name not in FUNCTIONS:
                hint = " (for a square root write x**0.5)" if name == "sqrt" else ""
                raise InputError(
                    f"not allowed: calling {name or '(' + ast.unparse(n.func) + ')'}; "
                    f"only {', '.join(FUNCTIONS)} can be called{hint}"
                )
            row = FUNCTIONS[name]
            arity = row.arity if isinstance(row, Op) else 1
            count = {1: "one argument", 2: "two arguments"}.get(arity or 0, f"{arity} arguments")
            plain = not n.keywords and not any(isinstance(a, ast.Starred) for a in n.args)
            if arity is None and (not plain or not n.args):
                raise InputError(f"{name} takes one or more plain arguments, as in {name}(x, y)")
            if arity is not None and (not plain or len(n.args) != arity):
                raise InputError(f"{name} takes exactly {count}")
            stack += n.args
        else:
            what = WHAT.get(type(n), type(n).__name__)
            raise InputError(f"not allowed: {what}, in {ast.unparse(n)[:60]!r}")


def variables(tree: ast.expr) -> list[str]:
    """The variable names in the expression, in the order they are written."""
    found = sorted(
        (n.col_offset, n.id) for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id not in FUNCTIONS
    )
    return list(dict.fromkeys(name for _, name in found))


def evaluate(tree: ast.expr, env: dict[str, Value]) -> Value:
    """Build the graph of a checked tree, with env giving each variable's Value."""
    if isinstance(tree, ast.Constant):  # a constant: it needs no gradient
        try:
            return Value(float(tree.value), requires_grad=False)  # type: ignore[arg-type]  # only numbers pass
        except OverflowError:
            raise InputError(f"the number {str(tree.value)[:20]}… is too large for a float") from None
    if isinstance(tree, ast.Name):
        if tree.id in FUNCTIONS:
            raise InputError(f"{tree.id} is a function; call it, as in {tree.id}(x)")
        if tree.id not in env:
            raise InputError(f"the variable {tree.id} has no value; give one as {tree.id}=<number>")
        return env[tree.id]
    if isinstance(tree, ast.UnaryOp):
        v = evaluate(tree.operand, env)
        return -v if isinstance(tree.op, ast.USub) else v
    if isinstance(tree, ast.Call):
        return FUNCTIONS[tree.func.id](*(evaluate(a, env) for a in tree.args))  # type: ignore[attr-defined]
    assert isinstance(tree, ast.BinOp)
    a = evaluate(tree.left, env)
    if isinstance(tree.op, ast.Pow) and (k := _constant(tree.right)) is not None:
        return a**k  # x ** 2: a constant exponent is part of the op, not a parent
    return BINARY[type(tree.op)](a, evaluate(tree.right, env))


def _constant(tree: ast.expr) -> float | None:
    """The number a tree spells (2, -0.5, +3), or None."""
    sign = 1.0
    while isinstance(tree, ast.UnaryOp):
        sign = -sign if isinstance(tree.op, ast.USub) else sign
        tree = tree.operand
    if isinstance(tree, ast.Constant) and isinstance(tree.value, (int, float)):
        return sign * tree.value
    return None


def bindings(items: Sequence[str], needed: list[str]) -> dict[str, float]:
    """name=value pairs, checked."""
    out: dict[str, float] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name, text = name.strip(), text.strip()
        if not sep or not name.isidentifier() or not text:
            raise InputError(f"{item!r} is not of the form name=value, like x=-2")
        if name in FUNCTIONS or name.startswith("__"):
            raise InputError(f"{name} cannot be a variable name")
        if name in out:
            raise InputError(f"{name} is given twice")
        try:
            value = float(text)
        except ValueError:
            raise InputError(f"the value of {name} ({text!r}) is not a number") from None
        if not math.isfinite(value):
            raise InputError(f"the value of {name} must be a finite number, got {text}")
        out[name] = value
    missing = [n for n in needed if n not in out]
    if missing:
        raise InputError(
            f"the variable {missing[0]} has no value; give one as {missing[0]}=<number>"
        )
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """The command line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="gradstep",
        allow_abbrev=False,  # --sv is not --svg
        description="Explain the forward and backward pass of an expression, step by step "
        "(also run as python -m autograd).",
        epilog='example: gradstep "(x + y) * z" x=-2 y=5 z=-4. Exit status: 0 done, '
        "1 a gradcheck failed or a file could not be written, 2 bad input.",
    )
    parser.add_argument("--version", action="version", version=f"gradstep {VERSION}")
    parser.add_argument("expression", help='e.g. "(x + y) * z" or "tanh(w*x + b)"')
    parser.add_argument("values", nargs="*", metavar="name=value", help="a value for each variable")
    parser.add_argument("--svg", metavar="PATH", help="also draw the graph into PATH (.svg)")
    parser.add_argument("--html", metavar="PATH", help="also write the step-through page to PATH")
    parser.add_argument("--check", action="store_true", help="also run gradcheck on the gradients")
    parser.add_argument("--compact", action="store_true", help="a compact listing")
    tokens = _expression_last(sys.argv[1:] if argv is None else list(argv))
    if "--" not in tokens and not {"-h", "--help", "--version"} & set(tokens):
        parser.error('an expression is needed, as in: gradstep "x * y" x=2 y=3')
    args = parser.parse_args(tokens)
    try:
        return _run(args)
    except (InputError, ArithmeticError, ValueError) as e:  # bad input, or math undefined there
        print(f"error: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the output was piped into something like `head`
        sys.stderr.close()
        return 0
    except (OSError, RuntimeError) as e:  # a file could not be written, or no Graphviz
        print(f"error: {e}", file=sys.stderr)
        return 1


OPTIONS = {"--svg": 1, "--html": 1, "--check": 0, "--compact": 0, "-h": 0, "--help": 0, "--version": 0}


def _expression_last(argv: list[str]) -> list[str]:
    """Put the options first and "--" before the rest, so that an expression starting with
    a minus sign ("-x * y") is not taken for an option."""
    options: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(argv):
        token = argv[i]
        name = token.split("=", 1)[0]
        if token == "--":
            rest += argv[i + 1 :]
            break
        if name in OPTIONS or (token.startswith("--") and token[2:3].isalpha()):
            takes = OPTIONS.get(name, 0) if "=" not in token else 0  # unknown: argparse says so
            options += argv[i : i + 1 + takes]
            i += 1 + takes
            continue
        rest.append(token)
        i += 1
    return [*options, "--", *rest] if rest else options


def _run(args: argparse.Namespace) -> int:
    from .explain import explain
    from .gradcheck import gradcheck
    from .text import num

    tree = parse(args.expression)
    names = variables(tree)
    values = bindings(args.values, names)
    unused = [n for n in values if n not in names]
    if unused:
        print(f"note: {', '.join(unused)} not used in the expression", file=sys.stderr)
    env = {n: Value(values[n], n) for n in names}
    out = evaluate(tree, env)
    if out.label:  # the expression is a single variable
        out_name = out.label
    else:
        free = [n for n in OUTPUT_NAMES if n not in env]
        if not free:
            taken = f"{', '.join(OUTPUT_NAMES[:-1])} and {OUTPUT_NAMES[-1]}"
            raise InputError(f"the variables take every name the output could have ({taken}); rename one")
        out_name = free[0]
        out.label = out_name
    print(f"{out_name} = {args.expression.strip()}")
    if env:
        print("with " + ", ".join(f"{n} = {num(v.data)}" for n, v in env.items()))
    print()
    e = explain(out)
    print(e.to_text(compact=args.compact, leaves=False))
    print()
    print("Gradient of every variable")
    for n, v in env.items():
        print(f"  ∂{out_name}/∂{n} = {num(v.grad)}")
    if args.svg:
        from .graph import render

        print(f"\nwrote {render(out, args.svg)}")  # without Graphviz: RuntimeError, status 1
    if args.html:
        from .html import save_html

        print(f"wrote {save_html(out, args.html)}")
    status = 0
    if args.check:
        if not env:
            print("\ngradcheck: no variables to check")
        else:
            def f(*vs: Value) -> Value:
                return evaluate(tree, dict(zip(names, vs)))

            # name f's parameters after the variables, so the report's rows say ∂f/∂x, ∂f/∂y
            f.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
                [inspect.Parameter(n, inspect.Parameter.POSITIONAL_ONLY) for n in names]
            )
            report = gradcheck(f, [values[n] for n in names], raise_exception=False)
            print()
            print(report)
            status = 0 if report.ok else 1
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
