"""Habits from PyTorch and scikit-learn that should just work: modules that find their own
parameters, state_dict()/load_state_dict(), random_state=, and seed=None following Python's
global random (so that random.seed(1337) repeats a run, as micrograd's demo does)."""

import doctest
import importlib
import math
import pkgutil
import random

import numpy as np
import pytest

import autograd
import nn
from autograd import Value
from nn import MLP, SGD, Layer, Minibatches, Module, Neuron, make_moons, make_spiral, squared_error


class Affine(Module):
    """Written the PyTorch way: attributes only, no parameters() of its own."""

    def __init__(self):
        self.w = Value(0.5, "w")
        self.b = Value(-1.0, "b")

    def __call__(self, x):
        return self.w * x + self.b


class Net(Module):
    def __init__(self):
        self.first = Affine()
        self.hidden = MLP(1, [2, 1], seed=0)
        self.extra = [Value(1.0), Value(2.0)]
        self.table = {"gain": Value(3.0), "nested": (Value(4.0), [Value(5.0)])}
        self.tied = self.first.w  # the same Value again: one parameter
        self.note = "not a parameter"
        self.scale = 2.0
        self.last_output = None

    def __call__(self, x):
        out = self.hidden([self.first(x)]) * self.table["gain"] + self.extra[0] * self.extra[1]
        self.last_output = out  # a node of a graph, not a parameter
        return out


def test_a_module_subclass_finds_its_values_sub_modules_and_containers():
    net = Net()
    names = [name for name, _ in net.named_parameters()]
    assert names[:2] == ["first.w", "first.b"]
    assert names[2:9] == [f"hidden.{n}" for n, _ in net.hidden.named_parameters()]
    assert names[9:] == ["extra.0", "extra.1", "table.gain", "table.nested.0", "table.nested.1.0"]
    assert net.parameters()[0] is net.first.w and len(net.parameters()) == len(set(map(id, net.parameters())))
    net(0.3).backward()
    assert len(net.named_parameters()) == 14  # the stored output is not picked up
    assert repr(net) == "Net(14 parameters)"


def test_such_a_module_trains_saves_and_loads(tmp_path):
    model = Affine()
    opt = SGD(model.parameters(), lr=0.1)
    for _ in range(200):
        loss = squared_error(model(2.0), 3.0)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert model(2.0).data == pytest.approx(3.0, abs=1e-6)
    model.save(tmp_path / "affine.json")
    other = Affine()
    other.load(tmp_path / "affine.json")
    assert (other.w.data, other.b.data) == (model.w.data, model.b.data)


def test_modules_that_refer_to_each_other_are_walked_once():
    a, b = Affine(), Affine()
    a.partner, b.partner = b, a
    assert [n for n, _ in a.named_parameters()] == ["w", "b", "partner.w", "partner.b"]


def test_micrograd_style_and_built_in_modules_are_unchanged():
    assert Module().parameters() == []
    assert [n for n, _ in Neuron(2, name="n").named_parameters()] == ["n.w1", "n.w2", "n.b"]


# -- state_dict ------------------------------------------------------------------------------


def test_state_dict_round_trips_and_is_a_snapshot():
    model = MLP(2, [3, 1], seed=1)
    state = model.state_dict()
    assert list(state) == [n for n, _ in model.named_parameters()]
    assert all(type(v) is float for v in state.values())
    before = [p.data for p in model.parameters()]
    for p in model.parameters():
        p.data += 1.0
    assert list(state.values()) == before  # numbers, not the live Values
    model.load_state_dict(state)
    assert [p.data for p in model.parameters()] == before
    twin = MLP(2, [3, 1], seed=2)
    twin.load_state_dict(model.state_dict())
    assert [p.data for p in twin.parameters()] == before


@pytest.mark.parametrize("mangle, match", [
    (lambda s: {k: v for k, v in list(s.items())[1:]}, r"missing \['layer1.neuron1.w1'\]"),
    (lambda s: {**s, "layer9.b": 0.0}, r"unexpected \['layer9.b'\]"),
    (lambda s: {**s, "layer1.neuron1.w1": "0.5"}, "parameter layer1.neuron1.w1 in the state dict is '0.5', "
                                                  "not a finite number"),
    (lambda s: {**s, "layer1.neuron1.w1": math.nan}, "not a finite number"),
    (lambda s: {**s, "layer1.neuron1.w1": True}, "not a finite number"),
])
def test_load_state_dict_is_all_or_nothing(mangle, match):
    model = MLP(2, [3, 1], seed=1)
    state = mangle(MLP(2, [3, 1], seed=2).state_dict())
    before = [p.data for p in model.parameters()]
    with pytest.raises(ValueError, match=rf"load_state_dict: .*{match}"):
        model.load_state_dict(state)
    assert [p.data for p in model.parameters()] == before


def test_load_state_dict_wants_a_dict():
    with pytest.raises(TypeError, match=r"load_state_dict: expected a dict of parameter values \(as "
                                        r"state_dict\(\) gives\), got list"):
        MLP(2, [1]).load_state_dict([1.0, 2.0, 3.0])


# -- seeds -----------------------------------------------------------------------------------


def test_make_moons_takes_sklearns_random_state():
    X1, y1 = make_moons(50, noise=0.1, random_state=3)
    X2, y2 = make_moons(50, noise=0.1, seed=3)
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)
    with pytest.raises(ValueError, match="make_moons: seed=1 and random_state=2 disagree"):
        make_moons(50, seed=1, random_state=2)


@pytest.mark.parametrize("make", [
    lambda: make_moons(30, noise=0.2)[0].tolist(),
    lambda: make_spiral(10, 3)[0].tolist(),
    lambda: [p.data for p in MLP(2, [4, 1]).parameters()],
    lambda: [p.data for p in Layer(2, 3).parameters()],
    lambda: [p.data for p in Neuron(3).parameters()],
    lambda: list(Minibatches(list(range(20)), list(range(20)), batch_size=5)),
], ids=["make_moons", "make_spiral", "MLP", "Layer", "Neuron", "Minibatches"])
def test_seed_none_follows_pythons_global_random(make):
    random.seed(1337)
    first = make()
    random.seed(1337)
    assert make() == first
    assert make() != first  # the global generator has moved on


def test_micrograds_demo_repeats_with_random_seed_1337():
    def run():
        random.seed(1337)
        X, y = make_moons(n_samples=100, noise=0.1)
        model = MLP(2, [16, 16, 1])
        return X.tolist(), [p.data for p in model.parameters()]

    assert run() == run()


# -- doctests --------------------------------------------------------------------------------


def modules():
    for package in (autograd, nn):
        for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
            if not info.name.endswith("__main__"):
                yield importlib.import_module(info.name)
        yield package


@pytest.mark.parametrize("module", list(modules()), ids=lambda m: m.__name__)
def test_the_doctests_run(module):
    table = dict(autograd.OPS)
    try:
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    finally:  # define_op's example adds a row: take it out again
        autograd.OPS.clear()
        autograd.OPS.update(table)
    assert result.failed == 0


def test_minibatches_has_a_doctest_that_runs():
    (test,) = [t for t in doctest.DocTestFinder().find(nn.optim) if t.name.endswith(".Minibatches")]
    assert len(test.examples) >= 3 and doctest.DocTestRunner().run(test).failed == 0
