"""Every row of the derivative table, checked the same way, so a new op is tested by
being added: first derivatives against central differences at several points, second
derivatives (grad with create_graph=True) against differences of the first, formulas."""

import random

import pytest

from autograd import OPS, Value, grad
from autograd.ops import pow_const
from autograd.table import Op

POW_VARIANTS = [pow_const(k) for k in (2, 3, 0.5, -1, -2.5)]
ROWS = sorted(OPS.values(), key=lambda op: op.name) + POW_VARIANTS


def op_id(op: Op) -> str:
    return op.symbol if op.name == "pow" and op.arity == 1 else op.name


def sample_points(op: Op, count: int = 4):
    rng = random.Random(f"{op.name}/{op.symbol}")
    points = []
    for _ in range(count):
        points.append([rng.uniform(lo, hi) for lo, hi in op.domain])
    return points


def evaluate(op: Op, xs):
    return op(*[Value(x) for x in xs]).data


@pytest.mark.parametrize("op", ROWS, ids=op_id)
def test_forward_on_values_matches_forward_on_floats(op):
    for xs in sample_points(op):
        assert evaluate(op, xs) == op.evaluate(xs)


@pytest.mark.parametrize("op", ROWS, ids=op_id)
def test_first_derivatives_match_central_differences(op):
    h = 1e-6
    for xs in sample_points(op):
        vs = [Value(x) for x in xs]
        analytic = [g.data for g in grad(op(*vs), vs)]
        for i in range(len(xs)):
            up, dn = list(xs), list(xs)
            up[i] += h
            dn[i] -= h
            numeric = (op.evaluate(up) - op.evaluate(dn)) / (2 * h)
            assert analytic[i] == pytest.approx(numeric, rel=1e-6, abs=1e-7), (op.name, xs, i)


@pytest.mark.parametrize("op", ROWS, ids=op_id)
def test_second_derivatives_match_differences_of_the_first(op):
    h = 1e-5

    def first(xs):
        vs = [Value(x) for x in xs]
        return [g.data for g in grad(op(*vs), vs)]

    for xs in sample_points(op, 3):
        vs = [Value(x) for x in xs]
        firsts = grad(op(*vs), vs, create_graph=True)
        for i, gi in enumerate(firsts):
            row = [g.data for g in grad(gi, vs)]
            for j in range(len(xs)):
                up, dn = list(xs), list(xs)
                up[j] += h
                dn[j] -= h
                numeric = (first(up)[i] - first(dn)[i]) / (2 * h)
                assert row[j] == pytest.approx(numeric, rel=1e-5, abs=1e-6), (op.name, xs, i, j)


@pytest.mark.parametrize("op", ROWS, ids=op_id)
def test_backward_agrees_with_grad(op):
    for xs in sample_points(op, 2):
        vs = [Value(x) for x in xs]
        out = op(*vs)
        expected = [g.data for g in grad(out, vs)]
        out.backward()
        # a variadic op may list one Value twice; grad and backward both sum the paths
        assert [v.grad for v in vs] == expected


@pytest.mark.parametrize("op", ROWS, ids=op_id)
def test_every_row_has_a_formula_and_a_symbol_per_input(op):
    n = len(op.domain)
    assert op.symbol
    for i in range(n):
        text = op.formula(i, n)
        assert isinstance(text, str) and "∂" in text and "=" in text


def test_the_table_holds_the_built_in_rows():
    assert {"add", "sub", "mul", "div", "pow", "neg", "exp", "log", "tanh", "sigmoid", "relu",
            "linear", "sum", "logsumexp", "softplus", "max", "dot", "mean_square"} <= set(OPS)


def test_pow_with_a_constant_exponent_reuses_the_general_rule():
    x = Value(1.7)
    (g,) = grad(x**2.5, [x])
    a, b = Value(1.7), Value(2.5)
    ga, _ = grad(a**b, [a, b])
    assert g.data == ga.data
    assert pow_const(2.5).derivatives[0](1.7, 1.7**2.5) == OPS["pow"].derivatives[0](1.7, 2.5, 1.7**2.5)


def test_dot_matvec_and_rmsnorm_are_one_node_per_quantity_with_clear_formulas():
    from autograd import dot, matvec, mean_square, rmsnorm, toposort, total

    q = [Value(x, f"q{i + 1}") for i, x in enumerate([0.5, -1.0, 2.0])]
    k = [Value(x, f"k{i + 1}") for i, x in enumerate([1.5, 0.25, -0.5])]
    s = dot(q, k)
    assert s.op == "dot" and s.parents == (*q, *k) and s.data == 0.5 * 1.5 - 0.25 - 1.0
    assert s.row.formula(1, 6, [v.label for v in s.parents], "s") == "∂s/∂q2 = k2"
    assert s.row.formula(3, 6, [v.label for v in s.parents], "s") == "∂s/∂k1 = q1"
    assert s.row.write([v.label for v in s.parents]) == "q1·k1 + q2·k2 + q3·k3"
    rows = matvec([q, k], k)
    assert [r.op for r in rows] == ["dot", "dot"] and rows[1].data == sum(x.data ** 2 for x in k)
    ms = mean_square(q)
    assert ms.data == (0.25 + 1.0 + 4.0) / 3 and ms.row.formula(0, 3, ["a", "b", "c"], "m") == "∂m/∂a = 2·a/3"
    ys = rmsnorm(q)
    scale = ((0.25 + 1.0 + 4.0) / 3 + 1e-5) ** -0.5
    assert [y.data for y in ys] == pytest.approx([x.data * scale for x in q], rel=1e-15)
    # one mean_square node, + ε, ** −½, and a product per input: 6 nodes, not 3 * and 3 + more
    assert sum(1 for v in toposort(total(ys)) if v.parents) == 1 + 2 + 3 + 1
    with pytest.raises(ValueError, match="dot: 2 weights but 3 inputs"):
        dot(q[:2], k)

