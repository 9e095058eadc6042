"""The core as issue 10 asks for it: lecture- and microgpt-compatible Values, constants that
need no gradient, all-or-nothing passes, per-thread modes, stale data, one-way layers."""

import ast
import gc
import math
import random
import signal
import threading
import tracemalloc
from pathlib import Path

import pytest

from autograd import Value, define_op, explain, grad, no_grad
from autograd.ops import pow_const
from tests.conftest import lecture_neuron

ROOT = Path(__file__).resolve().parent.parent
CORE = ["table.py", "ops.py", "value.py", "backprop.py"]


# -- the lecture's cells run unchanged ---------------------------------------------------


def test_the_lectures_trace_and_draw_dot_read_prev_op_label_data_grad():
    graphviz = pytest.importorskip("graphviz")
    o, *_ = lecture_neuron()

    def trace(root):  # the lecture's own code
        nodes, edges = set(), set()

        def build(v):
            if v not in nodes:
                nodes.add(v)
                for child in v._prev:
                    edges.add((child, v))
                    build(child)

        build(root)
        return nodes, edges

    def draw_dot(root):  # the lecture's own code
        dot = graphviz.Digraph(format="svg", graph_attr={"rankdir": "LR"})
        nodes, edges = trace(root)
        for n in nodes:
            uid = str(id(n))
            dot.node(name=uid, label="{ %s | data %.4f | grad %.4f }" % (n.label, n.data, n.grad),  # noqa: UP031
                     shape="record")
            if n._op:
                dot.node(name=uid + n._op, label=n._op)
                dot.edge(uid + n._op, uid)
        for n1, n2 in edges:
            dot.edge(str(id(n1)), str(id(n2)) + n2._op)
        return dot

    nodes, edges = trace(o)
    assert len(nodes) == 10 and len(edges) == 9
    assert sorted(n._op for n in nodes) == ["", "", "", "", "", "*", "*", "+", "+", "tanh"]
    source = draw_dot(o).source
    assert "data 0.7071" in source and "tanh" in source


def test_backprop_by_hand_node_by_node_as_in_the_lecture():
    o, n, x1w1x2w2, x1w1, x2w2, (x1, x2, w1, w2, b) = lecture_neuron()
    o.grad = 1.0
    o._backward()
    assert n.grad == pytest.approx(0.5, abs=1e-6)  # 1 − tanh²(n) = 1 − 0.7071²
    n._backward()
    assert (x1w1x2w2.grad, b.grad) == pytest.approx((0.5, 0.5), abs=1e-6)
    x1w1x2w2.backward_step()  # the same, under its public name
    x1w1._backward()
    x2w2._backward()
    assert [v.grad for v in (x1, x2, w1, w2)] == pytest.approx([-1.5, 0.5, 1.0, 0.0], abs=1e-6)


def test_the_lectures_own_backward_over_prev_and__backward():
    o, *_, (x1, x2, w1, w2, b) = lecture_neuron()
    topo, visited = [], set()

    def build_topo(v):
        if v not in visited:
            visited.add(v)
            for child in v._prev:
                build_topo(child)
            topo.append(v)

    build_topo(o)
    o.grad = 1.0
    for node in reversed(topo):
        node._backward()
    assert [v.grad for v in (x1, x2, w1, w2)] == pytest.approx([-1.5, 0.5, 1.0, 0.0], abs=1e-6)


def test_op_symbols_are_micrograds():
    x = Value(3.0)
    assert [(x + 1)._op, (x * 2)._op, x.tanh()._op, (x**2)._op, x.exp()._op, x.relu()._op, x._op] == [
        "+", "*", "tanh", "**2", "exp", "ReLU", ""]
    assert (x**2)._prev == {x} and (x * x)._prev == {x}


def test_item_format_and_refused_float():
    v = Value(0.70710678, label="o")
    assert v.item() == 0.70710678 and type(v.item()) is float
    assert format(v, ".4f") == "0.7071" and f"{v:.2e}" == "7.07e-01"
    assert f"{v}" == repr(v)
    with pytest.raises(TypeError):
        float(v)
    with pytest.raises(TypeError):
        math.exp(v)


def test_microgpt_style_code_runs_on_our_value():
    # the idioms microgpt's model uses: sum() from int 0, p.grad = 0, x ** -0.5, .log(), .exp()
    rng = random.Random(0)
    w = [[Value(rng.gauss(0, 0.08)) for _ in range(4)] for _ in range(3)]
    x = [Value(rng.gauss(0, 1)) for _ in range(4)]
    logits = [sum(wi * xi for wi, xi in zip(row, x)) for row in w]
    ms = sum(xi * xi for xi in logits) / len(logits)
    scale = (ms + 1e-5) ** -0.5
    logits = [li * scale for li in logits]
    max_val = max(val.data for val in logits)
    exps = [(val - max_val).exp() for val in logits]
    total = sum(exps)
    probs = [e / total for e in exps]
    loss = (1 / 1) * sum([-probs[1].log()])
    params = [p for row in w for p in row]
    for p in params:
        p.grad = 0
    loss.backward()
    # against central differences on the same formula, in floats
    def f(ws):
        lg = [sum(a * b.data for a, b in zip(ws[4 * i:4 * i + 4], x)) for i in range(3)]
        s = (sum(v * v for v in lg) / 3 + 1e-5) ** -0.5
        lg = [v * s for v in lg]
        m = max(lg)
        e = [math.exp(v - m) for v in lg]
        return -math.log(e[1] / sum(e))
    flat = [p.data for p in params]
    for k in (0, 5, 11):
        up, dn = list(flat), list(flat)
        up[k] += 1e-6
        dn[k] -= 1e-6
        assert params[k].grad == pytest.approx((f(up) - f(dn)) / 2e-6, rel=1e-5, abs=1e-8)


# -- names in explanations ---------------------------------------------------------------


def test_lecture_labels_with_operators_are_bracketed_and_placeholders_never_collide():
    o, *_ = lecture_neuron()
    text = str(explain(o))
    assert "∂o/∂x1*w1 + x2*w2" not in text and "∂n/∂x1*w1 + x2*w2" not in text
    assert "∂n/∂(x1*w1 + x2*w2) = 1" in text
    assert "(x1*w1 + x2*w2).grad = 0.5" in text
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    c = b * a  # the user's a and b are the mul's second and first input
    c.label = "c"
    step = explain(c).backward_steps[0]
    assert [(p.name, p.formula, p.local) for p in step.partials] == [
        ("b", "∂c/∂b = a", 2.0), ("a", "∂c/∂a = b", -3.0)]


# -- constants need no gradient --------------------------------------------------------


def test_zero_to_a_value_power_has_a_gradient_of_zero_for_the_exponent():
    y = Value(0.5, "y")
    f = 0.0 ** y  # torch and HIPS autograd: ∂f/∂y = 0; ∂f/∂0.0 is never asked for
    f.backward()
    assert (f.data, y.grad) == (0.0, 0.0)


def test_a_parameter_times_the_square_root_of_a_zero_constant():
    w = Value(3.0, "w")
    c = Value(0.0, requires_grad=False)
    f = w * c**0.5
    f.backward()
    assert w.grad == 0.0 and c.grad == 0.0
    w2, c2 = Value(3.0), Value(0.0)  # grad() asks only for w2: c2's partial is not needed
    (g,) = grad(w2 * c2**0.5, [w2])
    assert g.data == 0.0


def test_a_partial_with_respect_to_a_constant_is_never_computed():
    calls = []

    def rule_b(a, b, out):
        calls.append(b)
        raise ZeroDivisionError("must not be asked")

    op = define_op("ab_test", lambda a, b: a * b, [lambda a, b, out: b, rule_b])
    x = Value(2.0)
    y = op(x, 5.0)  # 5.0 becomes a constant
    y.backward()
    assert x.grad == 5.0 and calls == []
    assert not y.parents[1].requires_grad and y.requires_grad


def test_a_graph_of_constants_only_needs_no_gradient_and_says_so():
    c = Value(2.0, requires_grad=False) * 3.0
    assert not c.requires_grad
    with pytest.raises(ValueError, match="needs no gradient"):
        c.backward()
    with no_grad():
        y = Value(2.0) * 3
    with pytest.raises(ValueError, match="no_grad"):
        y.backward()


# -- all or nothing --------------------------------------------------------------------


class Boom(float):
    """An old grad whose addition is interrupted: what Ctrl-C in the final loop does."""

    def __radd__(self, other):
        raise KeyboardInterrupt


def test_an_interrupt_while_adding_the_old_grads_back_restores_every_grad():
    x = Value(1.0)
    nodes = [x]
    y = x
    for _ in range(200):
        y = y * 1.0001 + 0.5
        nodes.append(y)
    for v in nodes:
        v.grad = 0.25
    late = nodes[len(nodes) // 2]  # reached half-way through the final loop
    late.grad = Boom(0.25)
    with pytest.raises(KeyboardInterrupt):
        y.backward()
    assert all(v.grad == 0.25 for v in nodes)
    assert type(late.grad) is Boom


def test_ctrl_c_at_any_moment_of_a_big_backward_leaves_grads_as_they_were():
    import time

    from autograd import toposort

    x = Value(1.0)
    y = x
    for _ in range(60_000):
        y = y * 1.00001 + 1e-9
    nodes = toposort(y)
    for v in nodes:
        v.grad = 0.5
    t0 = time.perf_counter()
    y.backward()  # once, uninterrupted: how long a pass takes, and the grads it leaves
    duration = time.perf_counter() - t0
    after = [v.grad for v in nodes]
    before = [0.5] * len(nodes)

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGALRM, interrupt)
    interrupted = 0
    try:
        for k in range(24):
            for v in nodes:
                v.grad = 0.5
            signal.setitimer(signal.ITIMER_REAL, duration * (0.05 + 0.9 * k / 23))
            try:
                y.backward()
                signal.setitimer(signal.ITIMER_REAL, 0)
            except KeyboardInterrupt:
                interrupted += 1
            grads = [v.grad for v in nodes]
            assert grads == before or grads == after, k  # never a mixture of the two
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    assert interrupted >= 6


def test_a_non_numeric_grad_is_named_before_anything_changes():
    x, w = Value(2.0, "x"), Value(3.0, "w")
    y = x * w
    w.grad = 7.0
    x.grad = "0"  # a slip in a hand-written update
    with pytest.raises(TypeError, match=r"x=2.0 has .grad = str '0'"):
        y.backward()
    assert (x.grad, w.grad, y.grad) == ("0", 7.0, 0.0)
    x.grad = 0  # microgpt writes p.grad = 0: an int is a number
    y.backward()
    assert (x.grad, w.grad) == (3.0, 9.0)


# -- modes are per thread ----------------------------------------------------------------


def test_no_grad_in_one_thread_does_not_strip_the_graph_of_another():
    started, built = threading.Barrier(2), threading.Event()
    results = {}

    def evaluator():
        with no_grad():
            started.wait()
            built.wait(5)  # stays inside no_grad() while the other thread builds its graph

    def trainer():
        started.wait()
        x = Value(3.0)
        y = x * x  # ∂y/∂x = 6
        built.set()
        y.backward()
        results["grad"] = x.grad

    threads = [threading.Thread(target=evaluator), threading.Thread(target=trainer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert results == {"grad": 6.0}


# -- stale data --------------------------------------------------------------------------


def test_changing_data_after_the_forward_pass_is_caught_by_name():
    x = Value(2.0, "x")
    y = x * x
    x.data = 5.0
    with pytest.raises(RuntimeError, match=r"backward through mul\(x=5.0, x=5.0\): x.data was changed"):
        y.backward()
    assert x.grad == 0.0
    y = x * x  # computed again: fine
    y.backward()
    assert x.grad == 10.0


def test_an_sgd_step_before_backward_gets_a_clear_message():
    from nn import SGD, Neuron, squared_error

    neuron = Neuron(2, "tanh", seed=0)
    opt = SGD(neuron.parameters(), lr=0.1)
    loss = squared_error(neuron([0.5, -1.0]), 1.0)
    loss.backward()
    opt.step()  # the slip: the next pass reuses the old graph
    with pytest.raises(RuntimeError, match=r"opt.step\(\) before loss.backward\(\)"):
        loss.backward()
    loss = squared_error(neuron([0.5, -1.0]), 1.0)
    opt.zero_grad()
    loss.backward()  # a new forward pass: fine


def test_changing_an_intermediate_node_is_caught_too():
    x = Value(2.0, "x")
    h = x * 3
    h.label = "h"
    y = h.tanh()
    h.data = 0.0
    with pytest.raises(RuntimeError, match="h.data was changed"):
        y.backward()


# -- x ** c keeps no row per exponent forever -------------------------------------------


def test_distinct_exponents_do_not_pile_up():
    x = Value(1.5)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for k in range(20_000):
        (x ** (1.0 + k / 1e5)).backward()
    gc.collect()
    retained = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert pow_const.cache_info().currsize <= 128
    assert retained < 2_000_000  # 20k rows would hold about 20 MB


# -- a new op, in one place, everywhere ----------------------------------------------------


def test_an_op_defined_once_is_in_backward_grad_explain_and_graphs():
    cube = define_op("cube_test", lambda x: x**3, [lambda x, out: 3 * x * x], ["∂{out}/∂{x} = 3{x}²"],
                     symbol="³", written="{x}³")
    x = Value(2.0, "x")
    y = cube(x)
    y.label = "y"
    (g,) = grad(y, [x], create_graph=True)
    (h,) = grad(g, [x])
    assert (g.data, h.data) == (12.0, 12.0)
    text = str(explain(y))
    assert "y = x³ = 2³ = 8" in text and "∂y/∂x = 3x² → 12" in text
    assert x.grad == 12.0
    from autograd import draw_dot

    assert '"³"' in draw_dot(y).source or "label=³" in draw_dot(y).source


# -- the layers --------------------------------------------------------------------------

ORDER = ["version", "text", "numeric", "table", "ops", "modes", "value", "backprop", "define", "functional",
         "files", "neurons", "explain", "graph", "gradcheck", "html", "notebook", "cli"]


def imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            yield node.lineno, (node.module or "").split(".")[0], [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("autograd"):
            yield node.lineno, node.module, [a.name for a in node.names]


@pytest.mark.parametrize("name", ORDER)
def test_each_module_imports_only_the_layers_before_it_and_no_private_names(name):
    path = ROOT / "autograd" / f"{name}.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    first_def = min((n.lineno for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))),
                    default=math.inf)  # version.py defines nothing
    for node in tree.body:  # no import after the first definition: the file reads top to bottom
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            assert node.lineno < first_def, (name, node.lineno)
    for lineno, module, names in imports(path):
        if not module:  # from . import text
            module = names[0]
        assert module in ORDER[:ORDER.index(name)], f"{name}.py:{lineno} imports {module}"
        assert not [n for n in names if n.startswith("_")], f"{name}.py:{lineno} imports {names}"


def test_nn_uses_only_public_names_of_autograd():
    for path in (ROOT / "nn").glob("*.py"):
        for lineno, _, names in imports(path):
            assert not [n for n in names if n.startswith("_")], f"{path.name}:{lineno} imports {names}"


def test_the_four_core_modules_are_at_most_650_lines():
    lines = sum(len((ROOT / "autograd" / f).read_text(encoding="utf-8").splitlines()) for f in CORE)
    assert lines <= 650, lines
