"""gradcheck: compare autograd's gradient with finite differences and with your own derivation.

    report = gradcheck(lambda x, y: x * y.tanh(), [0.5, -1.0],
                       expected=lambda x, y: [math.tanh(y), x * (1 - math.tanh(y) ** 2)])

For each input xᵢ it computes
    analytic  ∂f/∂xᵢ from grad()
    numeric   the central difference (f(x + εeᵢ) − f(x − εeᵢ)) / 2ε
    expected  your hand derivation, if given
and a row passes when analytic agrees with numeric (and with expected):

    |analytic − numeric| ≤ atol + rtol·|numeric|          (PyTorch's rule), and
    |analytic − numeric| ≤ max(atol, the numeric value's own accuracy)

The accuracy comes from repeating the difference with step 2ε (Richardson) plus the
rounding error of f: a rule off by a factor 2.001/2 is caught even though rtol is 1e-3,
while an exp(20) whose difference is only good to ±0.05 is not failed for it. Your
expected values are exact formulas, so they must agree to within atol or 1e-9 relative.
At a kink (relu at 0) the two one-sided slopes differ; the row says so.

For graded work: expected may leave entries as None (only the given ones are checked),
expected_rtol=5e-3 accepts answers rounded to 3 significant figures (|analytic − expected|
≤ atol + expected_rtol·|analytic|), and hide_answers=True makes the report say only
whether each answer is right, never what the right answer is.

order=2 also checks every second derivative ∂²f/∂xᵢ∂xⱼ from grad(create_graph=True)
against central differences of the first derivatives.
"""

from __future__ import annotations

import html
import inspect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from . import functional
from .backprop import grad
from .modes import no_grad
from .ops import BATCH_SUM
from .text import describe, is_real, num, table
from .value import Value, apply

EPS_MACHINE = 2.220446049250313e-16


@dataclass(frozen=True)
class GradcheckRow:
    """One checked derivative: ∂f/∂x_i (first order) or ∂²f/∂x_i∂x_j (second order)."""

    index: tuple[int, ...]  # (i,) for ∂f/∂xᵢ, (i, j) for ∂²f/∂xᵢ∂xⱼ
    input: float
    analytic: float
    numeric: float
    expected: float | None
    abs_error: float  # |analytic − numeric|, or |analytic − expected| when that is larger
    rel_error: float  # abs_error relative to the value compared with
    accuracy: float  # how exact the numeric value itself is (estimated)
    ok: bool
    note: str = ""
    variables: tuple[str, ...] = ()  # the inputs' names, from f's parameters when it has them
    output: str = "f"  # what is differentiated: f, or one sample's f[k] of a batched f
    answer_ok: bool | None = None  # did the expected value agree (None: none was given)

    @property
    def name(self) -> str:
        """∂f/∂x, or ∂²f/∂x∂y for a second derivative, named like f's parameters."""
        names = [self.variables[i] if i < len(self.variables) else f"x{i + 1}" for i in self.index]
        if len(names) == 1:
            return f"∂{self.output}/∂{names[0]}"
        return f"∂²{self.output}/∂{names[0]}∂{names[1]}"


@dataclass
class GradcheckReport:
    """The result: .ok, one row per derivative checked, and a table as str(). With
    hide_answers=True the table and the notes never show autograd's (the right) answers."""

    ok: bool
    rows: list[GradcheckRow]
    second_order: list[GradcheckRow] = field(default_factory=list)
    eps: float = 1e-6
    atol: float = 1e-5
    rtol: float = 1e-3
    expected_rtol: float | None = None
    hide_answers: bool = False

    def _cells(self) -> tuple[tuple[str, ...], list[tuple[str, ...]], list[str]]:
        """The table's header, its rows and its notes, as text."""
        rows = [*self.rows, *self.second_order]
        if self.hide_answers:
            header: tuple[str, ...] = ("", "at", "your answer", "")
            body: list[tuple[str, ...]] = [
                (r.name, num(r.input), "—" if r.expected is None else num(r.expected, 10), _verdict(r))
                for r in rows]
            notes = [f"  {r.name}: {_hidden_note(r)}" for r in rows if not r.ok]
            return header, body, notes
        header = ("", "at", "autograd", "numeric", "expected", "abs err", "rel err", "")
        body = [(r.name, num(r.input), num(r.analytic, 10), num(r.numeric, 10),
                 "—" if r.expected is None else num(r.expected, 10),
                 f"{r.abs_error:.2e}", f"{r.rel_error:.2e}", "ok" if r.ok else "FAIL") for r in rows]
        return header, body, [f"  {r.name}: {r.note}" for r in rows if r.note]

    def _title(self) -> str:
        verdict = "gradcheck passed" if self.ok else "gradcheck FAILED"
        answers = "" if self.expected_rtol is None else f", answers within {self.expected_rtol:g} relative"
        return f"{verdict} (eps={self.eps:g}, atol={self.atol:g}, rtol={self.rtol:g}{answers})"

    def __str__(self) -> str:
        header, body, notes = self._cells()
        widths = [max(len(r[k]) for r in [header, *body]) for k in range(len(header))]

        def line(r: tuple[str, ...]) -> str:
            cells = (c.ljust(w) if k == 0 else c.rjust(w) for k, (c, w) in enumerate(zip(r, widths)))
            return "  ".join(cells).rstrip()

        out = [self._title(), line(header), *(line(r) for r in body)]
        return "\n".join(out + (["notes:", *notes] if notes else []))

    def __repr__(self) -> str:  # short; str(report) is the table
        failed = sum(not r.ok for r in [*self.rows, *self.second_order])
        return (f"<GradcheckReport {'passed' if self.ok else 'FAILED'}: {len(self.rows)} row(s)"
                f"{f' + {len(self.second_order)} second-order' if self.second_order else ''}"
                f"{f', {failed} failed' if failed else ''}>")

    def _repr_html_(self) -> str:
        header, body, notes = self._cells()
        colour = "#1a7f37" if self.ok else "#c62828"
        extra = "".join(f"<li>{html.escape(n.strip())}</li>" for n in notes)
        return (f'<div><b style="color:{colour}">{html.escape(self._title())}</b>'
                f"{table(header, body)}{f'<ul>{extra}</ul>' if extra else ''}</div>")

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:  # IPython's text view: the table
        p.text(str(self))


def _verdict(row: GradcheckRow) -> str:
    if row.answer_ok is None:
        return "ok" if row.ok else "FAIL"
    return "right" if row.answer_ok else "WRONG"


def _hidden_note(row: GradcheckRow) -> str:
    """What a failed row may say without giving the right answer away."""
    if row.answer_ok is False:
        return "your answer is not within the tolerance of the right one"
    return "autograd and the finite difference disagree here (a kink, or a wrong rule in the op)"


class GradcheckError(AssertionError):
    """gradcheck failed; .report holds the rows and str() the table."""

    def __init__(self, report: GradcheckReport) -> None:
        super().__init__(str(report))
        self.report = report


def gradcheck(
    f: Callable[..., Value],
    inputs: Sequence[float],
    *,
    expected: Callable[..., Sequence[float | None]] | Sequence[float | None] | None = None,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    order: int = 1,
    raise_exception: bool = True,
    expected_rtol: float | None = None,
    hide_answers: bool = False,
    batch: str = "samples",
) -> GradcheckReport:
    """Check autograd's derivatives of f at inputs (see the module docstring).

    f takes one Value per input and returns a Value. expected is your hand derivation:
    a list of the partials (None for one you do not give), or a function of the inputs
    returning that list. By default an expected value must agree to within atol or 1e-9
    relative, as an exact formula does; expected_rtol=5e-3 accepts answers written to 3
    significant figures. hide_answers=True: the report (and the error) never shows the
    right answers, only whether each given one is right, for grading. order=2 adds the
    second derivatives. Returns a GradcheckReport; when a row fails and raise_exception is
    true, raises GradcheckError carrying the table instead.

    An input may be a batch (a 1-D array, one number per sample); f then runs on one
    batched graph, and batch="samples" checks each sample's ∂f[k]/∂w and ∂f[k]/∂x[k], or
    batch="sum" the gradient of Σₖ f[k] with respect to every input number.
    """
    if not is_real(inputs) and any(isinstance(x, np.ndarray) for x in inputs):
        if expected is not None or order != 1:
            raise ValueError("gradcheck: on a batch, expected and order=2 are not supported; "
                             "check one sample's f with plain numbers for those")
        return _batch_check(f, inputs, batch, eps, atol, rtol, raise_exception)
    xs = _check_inputs(inputs)
    names = _input_names(f, len(xs))
    if order not in (1, 2):
        raise ValueError(f"gradcheck: order must be 1 or 2, got {order!r}")
    limits = [("eps", eps, "> 0"), ("atol", atol, "≥ 0"), ("rtol", rtol, "≥ 0")]
    if expected_rtol is not None:
        limits.append(("expected_rtol", expected_rtol, "≥ 0"))
    for name, given, least in limits:
        ok = is_real(given) and math.isfinite(given) and (given > 0 if name == "eps" else given >= 0)
        if not ok:
            raise ValueError(f"gradcheck: {name} must be a number {least}, got {given!r}")
    hand = _expected(expected, xs)

    def value(point: Sequence[float]) -> float:
        with no_grad():
            return _call(f, [Value(p) for p in point]).item()

    def first(point: Sequence[float], create_graph: bool = False) -> tuple[list[Value], list[Value]]:
        vs = [Value(p, name) for p, name in zip(point, names)]
        return vs, grad(_call(f, vs), vs, create_graph=create_graph)

    try:
        analytic, failure = [g.item() for g in first(xs)[1]], ""
    except (ArithmeticError, ValueError) as e:  # a derivative undefined at this point
        analytic, failure = [math.nan] * len(xs), f"autograd cannot differentiate f here: {e}"
    rows = [
        _row((i,), xs[i], analytic[i], _differences(lambda p: [value(p)], 1, xs, i, eps)[0],
             None if hand is None else hand[i], atol, rtol, failure, expected_rtol)
        for i in range(len(xs))
    ]
    second: list[GradcheckRow] = []
    if order == 2:
        try:
            vs, gs2 = first(xs, create_graph=True)
            hessian, failure = [[h.item() for h in grad(gi, vs)] for gi in gs2], ""
        except (ArithmeticError, ValueError) as e:
            hessian = [[math.nan] * len(xs) for _ in xs]
            failure = f"autograd cannot take the second derivative here: {e}"
        # column j: differences of the whole gradient along input j (one grad() per point)
        columns = [_differences(lambda p: [g.item() for g in first(p)[1]], len(xs), xs, j, eps)
                   for j in range(len(xs))]
        for i in range(len(xs)):
            for j in range(len(xs)):
                second.append(_row((i, j), xs[j], hessian[i][j], columns[j][i], None, atol, rtol, failure))
    rows = [replace(r, variables=tuple(names)) for r in rows]
    second = [replace(r, variables=tuple(names)) for r in second]
    report = GradcheckReport(all(r.ok for r in [*rows, *second]), rows, second, eps, atol, rtol,
                             expected_rtol, bool(hide_answers))
    if not report.ok and raise_exception:
        raise GradcheckError(report)
    return report


def _input_names(f: Callable[..., Any], n: int) -> list[str]:
    """The names of f's parameters (lambda w, x: ... gives w, x), or x1, x2, ..."""
    try:
        params = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):
        params = []
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    if len(params) == n and all(p.kind in positional for p in params):
        return [p.name for p in params]
    return [f"x{i + 1}" for i in range(n)]


def _batch_check(f: Callable[..., Value], inputs: Sequence[Any], mode: str, eps: float, atol: float,
                 rtol: float, raise_exception: bool) -> GradcheckReport:
    """gradcheck of a batched f: every input number is a coordinate of one flat point."""
    if mode not in ("samples", "sum"):
        raise ValueError(f"gradcheck: batch must be 'samples' or 'sum', got {mode!r}")
    shapes = [len(x) if isinstance(x, np.ndarray) else None for x in inputs]
    sizes = {n for n in shapes if n is not None}
    if len(sizes) != 1:
        raise ValueError(f"gradcheck: the batches must all have the same length, got {sorted(sizes)}")
    size = sizes.pop()
    flat = [float(c) for x in inputs for c in (x if isinstance(x, np.ndarray) else [x])]
    names = _input_names(f, len(inputs))
    coords = [f"{n}[{k}]" if m else n for n, m in zip(names, shapes) for k in range(m or 1)]

    def values(point: Sequence[float]) -> list[Value]:
        vs, at = [], 0
        for name, m in zip(names, shapes):
            vs.append(Value(np.array(point[at:at + m]) if m else point[at], name))
            at += m or 1
        return vs

    def outputs(point: Sequence[float]) -> list[float]:
        with no_grad():
            data = _call(f, values(point)).data
        data = np.broadcast_to(data, size)
        return [float(data.sum())] if mode == "sum" else data.tolist()

    def analytic(weights: Any) -> list[float]:  # ∂(Σₖ weightsₖ·f[k])/∂ each coordinate: one backward
        vs = values(flat)
        weighted = apply(BATCH_SUM, (_call(f, vs) * Value(weights, requires_grad=False),))
        return [float(c) for g in grad(weighted, vs) for c in np.atleast_1d(g.data)]

    # (what is checked, its weight per sample, the coordinates it depends on)
    own = [[i for i, c in enumerate(coords) if "[" not in c or c.endswith(f"[{k}]")] for k in range(size)]
    targets = [("f", np.ones(size), list(range(len(flat))))] if mode == "sum" else \
        [(f"f[{k}]", np.eye(size)[k], own[k]) for k in range(size)]
    rows = []
    for k, (output, weights, checked) in enumerate(targets):
        def sample_k(p: list[float], k: int = k) -> list[float]:
            return [outputs(p)[k]]

        try:
            got, failure = analytic(weights), ""
        except (ArithmeticError, ValueError) as e:
            got, failure = [math.nan] * len(flat), f"autograd cannot differentiate f here: {e}"
        for i in checked:
            d = _differences(sample_k, 1, flat, i, eps)[0]
            rows.append(replace(_row((i,), flat[i], got[i], d, None, atol, rtol, failure),
                                variables=tuple(coords), output=output))
    report = GradcheckReport(all(r.ok for r in rows), rows, [], eps, atol, rtol)
    if not report.ok and raise_exception:
        raise GradcheckError(report)
    return report


def _check_inputs(inputs: Any) -> list[float]:
    if is_real(inputs):
        inputs = [inputs]
    try:
        xs = list(inputs)
    except TypeError:
        raise TypeError(f"gradcheck: inputs must be a list of numbers, got {describe(inputs)}") from None
    if not xs:
        raise ValueError("gradcheck: needs at least one input")
    for x in xs:
        if not is_real(x):
            raise TypeError(f"gradcheck: inputs must be numbers, got {describe(x)}")
        if not math.isfinite(float(x)):
            raise ValueError(f"gradcheck: inputs must be finite numbers, got {x!r}")
    return [float(x) for x in xs]


def _call(f: Callable[..., Any], vs: list[Value]) -> Value:
    out = f(*vs)
    if type(out) is not Value:
        raise TypeError(
            f"gradcheck: f must return a Value built from the Values it is given, got {describe(out)}"
        )
    return out


def _expected(expected: Any, xs: list[float]) -> list[float | None] | None:
    """The hand derivation as one number (or None: not given) per input."""
    if expected is None:
        return None
    values = expected(*xs) if callable(expected) else expected
    if values is None:
        raise TypeError(f"gradcheck: expected({', '.join(map(num, xs))}) returned None (a forgotten "
                        f"return?); it must return {len(xs)} number(s), one partial per input")
    if is_real(values) or isinstance(values, Value):
        values = [values]
    if not isinstance(values, (list, tuple)):  # a set, a string, a generator: refused or listed
        values = list(functional.values(values, "gradcheck: expected"))
    # None marks a partial the student has not derived yet; the rest must be real numbers.
    known = iter(functional.values([v for v in values if v is not None], "gradcheck: expected"))
    given = [None if v is None else float(next(known).data) for v in values]
    if len(given) != len(xs):
        raise ValueError(f"gradcheck: expected must give {len(xs)} number(s) or None, one partial per "
                         f"input, got {describe(values)}")
    return given


@dataclass(frozen=True)
class _Difference:
    central: float  # (f(x+ε) − f(x−ε)) / 2ε
    accuracy: float  # estimated error of central
    left: float  # (f(x) − f(x−ε)) / ε
    right: float  # (f(x+ε) − f(x)) / ε
    failure: str = ""


def _differences(g: Callable[[list[float]], list[float]], n: int, xs: list[float], j: int,
                 eps: float) -> list[_Difference]:
    """Central differences along input j of each of the n components of g (a list-valued
    function), with each one's estimated accuracy and one-sided slopes."""

    def at(step: float) -> list[float]:
        p = list(xs)
        p[j] += step
        return g(p)

    try:
        points = [at(0.0), at(eps), at(-eps), at(2 * eps), at(-2 * eps)]
    except (ArithmeticError, ValueError) as e:
        nan = math.nan
        failure = (f"f could not be evaluated within ±2·eps of x ({e}); "
                   "the point may be at the edge of f's domain: try a smaller eps")
        return [_Difference(nan, nan, nan, nan, failure)] * n
    out = []
    for f0, fp, fm, fp2, fm2 in zip(*points):
        central = (fp - fm) / (2 * eps)
        wide = (fp2 - fm2) / (4 * eps)
        rounding = 4 * EPS_MACHINE * max(abs(f0), abs(fp), abs(fm), abs(fp2), abs(fm2)) / eps
        # Richardson: the truncation error of `central` is about (wide − central) / 3
        accuracy = abs(central - wide) / 3 + rounding
        out.append(_Difference(central, accuracy, (f0 - fm) / eps, (fp - f0) / eps))
    return out


def _row(index: tuple[int, ...], x: float, analytic: float, d: _Difference, expected: float | None,
         atol: float, rtol: float, failure: str = "", expected_rtol: float | None = None) -> GradcheckRow:
    numeric = d.central
    gap = abs(analytic - numeric)
    rel = gap / abs(numeric) if numeric else (0.0 if gap == 0 else math.inf)
    notes = []
    compared = (("autograd's value", analytic), ("the finite difference", numeric),
                ("your expected value", expected))
    infinite = [f"{what} is {x!r}" for what, x in compared if x is not None and not math.isfinite(x)]
    if failure:
        notes.append(failure)
        ok = False
    elif d.failure:
        notes.append(d.failure)
        ok = False
    elif infinite:  # inf agrees with inf, and inf ≤ atol + rtol·inf: no comparison can pass it
        notes.append(f"{', '.join(infinite)}: not finite, so it cannot be checked (a derivative must be a "
                     "finite number here)")
        ok = False
    else:
        close = gap <= atol + rtol * abs(numeric)
        precise = gap <= max(atol, 10 * d.accuracy)
        ok = close and precise
        # Where f is smooth the one-sided slopes differ by about ε·f″, a tiny fraction.
        kink = abs(d.left - d.right) > max(atol, 0.1 * max(abs(d.left), abs(d.right)))
        if kink:
            notes.append(
                f"the slopes from the left ({num(d.left)}) and right ({num(d.right)}) differ: f is "
                "not differentiable here (a kink like relu's at 0, or a jump); autograd gives the "
                "value its rule defines"
            )
        elif not close:
            notes.append("autograd and the finite difference disagree: check the op's derivative rule")
        elif not precise:
            notes.append(
                f"the finite difference is good to ±{d.accuracy:.1e}, but autograd is {gap:.1e} away: "
                "the derivative rule is slightly wrong"
            )
    answer_ok = None
    if expected is not None and not infinite:
        e_gap = abs(analytic - expected)
        if expected_rtol is None:  # an exact formula
            answer_ok = e_gap <= atol + rtol * abs(expected) and e_gap <= max(atol, 1e-9 * abs(expected))
        else:  # a rounded answer, as a student writes it
            answer_ok = e_gap <= atol + expected_rtol * abs(analytic)
        if not answer_ok:
            ok = False
            notes.append(f"autograd gives {num(analytic)} but your derivation gives {num(expected)}")
        if e_gap > gap or gap != gap:  # show the larger disagreement in the table
            gap = e_gap
            rel = e_gap / abs(expected) if expected else (0.0 if e_gap == 0 else math.inf)
    return GradcheckRow(index, x, analytic, numeric, expected, gap, rel, d.accuracy, ok, "; ".join(notes),
                        answer_ok=answer_ok)
