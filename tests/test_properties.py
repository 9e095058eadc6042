"""Property tests (hypothesis): random expression graphs over a few shared inputs.

For every graph: backward twice doubles every grad exactly; grad() agrees with backward()
to the last bit; the gradient matches central differences; the topological order puts
every node after its parents.
"""

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, grad, sigmoid, softplus, tanh
from autograd.backprop import toposort

UNARY = [
    lambda a: tanh(a),
    lambda a: sigmoid(a),
    lambda a: softplus(a),
    lambda a: a**2,
    lambda a: -a,
    lambda a: a * 0.5,
    lambda a: 1.0 / (1.0 + a * a),
]
BINARY = [
    lambda a, b: a + b,
    lambda a, b: a - b,
    lambda a, b: a * b,
    lambda a, b: a / (1.0 + b * b),
]

# A program: a list of steps over a growing register file; inputs come first.
steps = st.lists(
    st.one_of(
        st.tuples(st.just(1), st.integers(0, len(UNARY) - 1), st.integers(0, 10**6)),
        st.tuples(st.just(2), st.integers(0, len(BINARY) - 1), st.integers(0, 10**6), st.integers(0, 10**6)),
    ),
    min_size=1,
    max_size=25,
)
inputs = st.lists(st.floats(-2.0, 2.0, allow_nan=False), min_size=1, max_size=3)


def run(program, xs):
    """Evaluate the program on Values or floats; returns the last register."""
    regs = list(xs)
    for step in program:
        if step[0] == 1:
            regs.append(UNARY[step[1]](regs[step[2] % len(regs)]))
        else:
            regs.append(BINARY[step[1]](regs[step[2] % len(regs)], regs[step[3] % len(regs)]))
    return regs[-1]


@settings(max_examples=150, deadline=None)
@given(steps, inputs)
def test_backward_twice_doubles_every_grad_exactly(program, xs):
    vs = [Value(x) for x in xs]
    out = run(program, vs)
    nodes = toposort(out)
    out.backward()
    first = [v.grad for v in nodes]
    out.backward()
    assert [v.grad for v in nodes] == [2 * g for g in first]


@settings(max_examples=150, deadline=None)
@given(steps, inputs)
def test_grad_and_backward_agree_and_match_finite_differences(program, xs):
    vs = [Value(x) for x in xs]
    out = run(program, vs)
    gs = [g.data for g in grad(out, vs)]
    out.backward()
    # an input used twice (or never) is fine: both sum over every path
    assert [v.grad for v in vs] == gs
    h = 1e-6
    for i in range(len(xs)):
        up, dn = list(xs), list(xs)
        up[i] += h
        dn[i] -= h
        numeric = (run(program, up) - run(program, dn)) / (2 * h)
        assert math.isclose(gs[i], numeric, rel_tol=1e-4, abs_tol=1e-5)


@settings(max_examples=100, deadline=None)
@given(steps, inputs)
def test_topological_order_lists_each_node_once_after_its_parents(program, xs):
    out = run(program, [Value(x) for x in xs])
    order = toposort(out)
    position = {v: i for i, v in enumerate(order)}
    assert len(position) == len(order) and order[-1] is out
    for v in order:
        for p in v.parents:
            assert position[p] < position[v]
        assert v._n == 0  # the scratch marks are cleared
