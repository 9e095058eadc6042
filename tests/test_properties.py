"""Property tests (hypothesis): random expression graphs over a few shared inputs.

For every graph: backward twice doubles every grad exactly; grad() agrees with backward()
to the last bit; the gradient matches central differences; the topological order puts
every node after its parents, and is the order of a plain recursive depth-first search.
The graphs mix unary and binary ops with calls of one nn.Neuron, whose Σ nodes share a
tuple of its parameters, and whose weights a step may tie to a computed value.
"""

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, grad, sigmoid, softplus, tanh
from autograd.backprop import toposort
from nn import Neuron

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
        st.tuples(st.just(3), st.integers(0, 10**6), st.integers(0, 10**6)),
        st.tuples(st.just(4), st.integers(0, 1), st.integers(0, 10**6)),
    ),
    min_size=1,
    max_size=25,
)
inputs = st.lists(st.floats(-2.0, 2.0, allow_nan=False), min_size=1, max_size=3)


def run(program, xs):
    """Evaluate the program on Values or floats; returns the last register."""
    regs = list(xs)
    neuron = Neuron(2, "tanh", seed=0)
    for step in program:
        if step[0] == 1:
            regs.append(UNARY[step[1]](regs[step[2] % len(regs)]))
        elif step[0] == 2:
            regs.append(BINARY[step[1]](regs[step[2] % len(regs)], regs[step[3] % len(regs)]))
        elif step[0] == 3:  # the neuron on two registers
            regs.append(neuron([regs[step[1] % len(regs)], regs[step[2] % len(regs)]]))
        else:  # tie a weight to a register: its parameter tuple may now hold a computed node
            r = regs[step[2] % len(regs)]
            neuron.w[step[1]] = r if isinstance(r, Value) else Value(r)
    return regs[-1]


def number(r):
    return r.data if isinstance(r, Value) else r


def depth_first(out):
    """The reference order: micrograd's recursive search, first parent first."""
    order, seen = [], set()

    def visit(v):
        if v not in seen:
            seen.add(v)
            for p in v.parents:
                visit(p)
            order.append(v)

    visit(out)
    return order


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
        numeric = (number(run(program, up)) - number(run(program, dn))) / (2 * h)
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
    assert order == depth_first(out)
