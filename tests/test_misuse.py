"""Misuse gets a clear error that names the function and the value, never a silent wrong
result or a raw Python error from deep inside."""

import copy
import math
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from autograd import OPS, Value, exp, grad, gradcheck, linear, logsumexp, no_grad, softmax, total
from autograd.cli import main
from nn import MLP, SGD, Layer, Minibatches, Neuron, accuracy, cross_entropy, hinge_loss, l2, mean

ROOT = Path(__file__).resolve().parent.parent


# -- silent wrong results ------------------------------------------------------------------


@pytest.mark.parametrize("label", [True, False, np.True_, np.bool_(False)])
def test_bool_labels_are_refused(label):
    with pytest.raises(ValueError, match=r"cross_entropy: target_index must be an integer, got (bool|numpy)"):
        cross_entropy([1.0, 2.0], label)
    with pytest.raises(ValueError, match=r"hinge_loss: label must be -1 or \+1, got (bool|numpy)"):
        hinge_loss(Value(1.0), label)


def test_integer_labels_of_any_kind_still_work():
    assert cross_entropy([1.0, 2.0], np.int64(1)).data == pytest.approx(math.log1p(math.exp(-1.0)))
    assert cross_entropy([1.0, 2.0], 1.0).data == pytest.approx(math.log1p(math.exp(-1.0)))
    assert hinge_loss(Value(0.5), np.int64(-1)).data == 1.5


UNORDERED = {"set": {1.0, 2.0, 3.0}, "frozenset": frozenset({1.0, 2.0, 3.0}),
             "dict": {1.0: 0, 2.0: 0, 3.0: 0}, "bytes": b"123", "bytearray": bytearray(b"123"), "str": "123"}


@pytest.mark.parametrize("xs", list(UNORDERED.values()), ids=list(UNORDERED))
@pytest.mark.parametrize("owner, call", [
    ("MLP", lambda xs: MLP(3, [1])(xs)),
    ("Layer", lambda xs: Layer(3, 1)(xs)),
    ("Neuron", lambda xs: Neuron(3)(xs)),
    ("softmax", softmax),
    ("total", total),
    ("logsumexp", logsumexp),
    ("linear", lambda xs: linear(xs, [1.0, 2.0, 3.0])),
    ("mean", mean),
])
def test_unordered_collections_bytes_and_strings_are_not_lists_of_numbers(owner, call, xs):
    kind = type(xs).__name__
    with pytest.raises(TypeError, match=rf"^{owner}: expected a list of Values or numbers, got {kind}"):
        call(xs)


def test_the_same_parameter_twice_is_refused_by_sgd():
    p = Value(1.0, "w")
    p.grad = 1.0
    with pytest.raises(ValueError, match=r"SGD: params\[0\] and params\[2\] are the same Value \(w=1.0\)"):
        SGD([p, Value(2.0), p], lr=0.1)
    assert p.data == 1.0


def test_linear_with_an_even_number_of_inputs_is_refused():
    with pytest.raises(ValueError, match=r"linear: takes w1..wn, b, x1..xn, an odd number of inputs; got 2"):
        OPS["linear"](1.0, 2.0)


def test_a_neuron_with_a_weight_deleted_refuses_to_save(tmp_path):
    n = Neuron(2, seed=0)
    del n.w[0]
    with pytest.raises(ValueError, match="Neuron: expected 2 weights in .w, got 1"):
        n.save(tmp_path / "n.json")
    assert not (tmp_path / "n.json").exists()


def test_backward_after_a_forward_pass_under_no_grad_says_so():
    model = MLP(2, [1], seed=0)
    with no_grad():
        out = model([1.0, 2.0])
    with pytest.raises(ValueError, match="needs no gradient: it was computed under no_grad()"):
        out.backward()
    assert all(p.grad == 0.0 for p in model.parameters())


# -- clear errors instead of raw Python ones -------------------------------------------------


def test_gradcheck_names_an_expected_function_that_returns_nothing():
    with pytest.raises(TypeError, match=r"gradcheck: expected\(1\) returned None \(a forgotten return\?\)"):
        gradcheck(lambda x: x * x, [1.0], expected=lambda x: None)
    with pytest.raises(TypeError, match=r"gradcheck: expected: expected a list of Values or numbers, got"):
        gradcheck(lambda x: x * x, [1.0], expected=lambda x: {2 * x})


def test_grad_names_inputs_that_are_not_values():
    with pytest.raises(TypeError, match="grad: inputs must be a list of Values, got NoneType None"):
        grad(Value(1.0) * 2, None)


@pytest.mark.parametrize("call, match", [
    (lambda: Value(10**400), r"Value: data: int 1000.* is too large for a float"),
    (lambda: Value(2.0) ** 10**400, r"pow: the exponent: int 1000.* is too large for a float"),
    (lambda: exp(10**400), r"exp: int 1000.* is too large for a float"),
    (lambda: Value(2.0) * 10**400, r"Value: data: int 1000.* is too large for a float"),
])
def test_integers_too_large_for_a_float_are_named(call, match):
    with pytest.raises(OverflowError, match=match):
        call()


def test_mean_and_l2_name_what_they_were_given():
    with pytest.raises(TypeError, match="mean: expected a list of Values or numbers, got int 5"):
        mean(5)
    with pytest.raises(TypeError, match=r"l2: expected a list of Values or numbers, got MLP .*; pass "
                                        r"model.parameters\(\)"):
        l2(MLP(2, [1]))
    assert mean(x for x in [Value(1.0), Value(3.0)]).data == 2.0  # any iterable of them is fine


@pytest.mark.parametrize("name", ["lr", "momentum", "weight_decay"])
@pytest.mark.parametrize("bad", ["0.1", None, -1.0, math.inf, math.nan])
def test_sgd_checks_its_rates_when_they_are_set_later(name, bad):
    w = Value(1.0)
    w.grad = 1.0
    opt = SGD([w], lr=0.1, momentum=0.5)
    with pytest.raises(ValueError, match=rf"SGD: {name} must be a finite number ≥ 0, got {bad!r}"):
        setattr(opt, name, bad)
    opt.step()
    assert w.data == pytest.approx(0.9)
    opt.lr = np.float32(0.5)
    assert type(opt.lr) is float


@pytest.mark.parametrize("inputs, targets, which", [(None, [1], "inputs"), ([1], None, "targets"),
                                                     ({1}, [1], "inputs"), ([1], "a", "targets"),
                                                     (5, [1], "inputs")])
def test_minibatches_and_accuracy_name_what_is_not_a_sequence(inputs, targets, which):
    bad = inputs if which == "inputs" else targets
    with pytest.raises(TypeError, match=rf"Minibatches: {which} must be a sequence \(a list or an array\), "
                                        rf"got {type(bad).__name__}"):
        Minibatches(inputs, targets, batch_size=1)
    which = "predictions" if which == "inputs" else which
    with pytest.raises(TypeError, match=rf"accuracy: {which} must be a sequence \(a list or an array\), "
                                        rf"got {type(bad).__name__}"):
        accuracy(inputs, targets)


def test_minibatches_and_accuracy_take_numpy_arrays():
    X, y = np.arange(10.0).reshape(5, 2), np.array([0, 1, 0, 1, 1])
    assert sum(len(xb) for xb, _ in Minibatches(X, y, batch_size=2, seed=0)) == 5
    assert accuracy(np.array([0, 1, 1, 1, 1]), y) == 0.8


def test_logsumexp_of_nothing_is_named():
    with pytest.raises(ValueError, match="logsumexp: needs at least one input"):
        OPS["logsumexp"]()
    with pytest.raises(ValueError, match="logsumexp: needs at least one input"):
        logsumexp([])


# -- the command line -------------------------------------------------------------------------


def test_an_expression_that_uses_every_output_name_is_bad_input(capsys):
    assert main(["f+out+result+f_", "f=1", "out=1", "result=1", "f_=1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "f, out, result and f_" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("option", ["--sv=g.svg", "--comp"])
def test_an_abbreviated_option_is_not_taken_for_another(tmp_path, option):
    result = subprocess.run([sys.executable, "-m", "autograd", "x*y", "x=1", "y=2", option],
                            capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert result.returncode == 2 and f"unrecognized arguments: {option}" in result.stderr
    assert not (tmp_path / "g.svg").exists()


# -- pickle and copy ---------------------------------------------------------------------------


def chain(n):
    x = Value(1.0, "x")
    y = x
    for _ in range(n):
        y = y * 1.0000001 + 0.5
    return x, y


@pytest.mark.parametrize("how", [pickle.dumps, copy.deepcopy, copy.copy], ids=["pickle", "deepcopy", "copy"])
def test_a_node_of_a_deep_graph_is_refused_clearly_not_with_a_recursion_error(how):
    _, y = chain(100_000)
    with pytest.raises(TypeError, match=r"cannot pickle or copy add\(.*\): it is a node of a graph"):
        how(y)


def test_a_leaf_pickles_and_copies_with_its_data_grad_label_and_scope():
    from autograd import scope

    with scope("layer"):
        w = Value(0.25, "w", requires_grad=False)
    w.grad = 3.0
    for twin in (pickle.loads(pickle.dumps(w)), copy.deepcopy(w), copy.copy(w)):
        assert twin is not w
        kept = (twin.data, twin.grad, twin.label, twin.requires_grad, twin.scope)
        assert kept == (0.25, 3.0, "w", False, "layer")


def test_a_model_deep_copies_into_an_independent_one():
    model = MLP(2, [3, 1], seed=0)
    twin = copy.deepcopy(model)
    twin.parameters()[0].data = 99.0
    assert model.parameters()[0].data != 99.0
    out = twin([0.5, -1.0])
    out.backward()
    assert any(p.grad for p in twin.parameters()) and not any(p.grad for p in model.parameters())


TRAINED = textwrap.dedent("""
    import pickle, sys
    sys.path.insert(0, {root!r})
    from nn import MLP, SGD, squared_error
    model = MLP(2, [3, 1], seed=0)
    opt = SGD(model.parameters(), lr=0.01)
    for _ in range(300):  # many .data changes: a high epoch in this process
        loss = squared_error(model([0.5, -1.0]), 1.0)
        opt.zero_grad(); loss.backward(); opt.step()
    open(sys.argv[1], "wb").write(pickle.dumps(model))
""")
RESUMED = textwrap.dedent("""
    import pickle, sys
    sys.path.insert(0, {root!r})
    from autograd import Value
    from nn import SGD, squared_error
    model = pickle.loads(open(sys.argv[1], "rb").read())
    opt = SGD(model.parameters(), lr=0.01)
    for _ in range(3):  # a fresh process has seen few .data changes: no false "was changed" error
        loss = squared_error(model([0.5, -1.0]), 1.0)
        Value(0.0).data = 1.0  # some other .data changes meanwhile: backward checks the epochs
        opt.zero_grad(); loss.backward(); opt.step()
    print("trained", loss.data)
""")


def test_a_pickled_model_trains_in_another_process(tmp_path):
    blob = tmp_path / "model.pickle"
    for script in (TRAINED, RESUMED):
        done = subprocess.run([sys.executable, "-c", script.format(root=str(ROOT)), str(blob)],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("trained")
