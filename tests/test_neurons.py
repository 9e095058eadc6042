"""Nielsen's names on the graph: neurons() finds each neuron's z and a; explain's summary
and the collapsed graph write z, a, δ = ∂C/∂z and ∂C/∂a with layer l and neuron j."""

import numpy as np
import pytest

from autograd import Value, draw_dot, explain, linear, neurons, scope
from nn import MLP, squared_error


def test_neurons_are_found_layer_by_layer_with_their_z_and_a():
    model = MLP(2, [3, 2, 1], "sigmoid", seed=0)
    out = model([0.5, -0.3])
    found = neurons(out)
    assert [(n.layer, n.index) for n in found] == [(1, 1), (1, 2), (1, 3), (2, 1), (2, 2), (3, 1)]
    for n, neuron in zip(found, [n for layer in model.layers for n in layer.neurons]):
        assert n.z.op == "linear" and n.z.parents[: neuron.nin + 1] == (*neuron.w, neuron.b)
        assert n.scope == f"layer{n.layer}/neuron{n.index}" and n.layer_scope == f"layer{n.layer}"
    hidden, last = found[0], found[-1]
    assert hidden.a.op == "sigmoid" and hidden.a.parents == (hidden.z,)
    assert last.a is last.z and last.z is out  # a linear output neuron: a = z
    out.backward()
    assert last.delta == 1.0 and hidden.delta == hidden.z.grad
    assert (hidden.symbol("δ"), found[4].symbol("z"), Value(1.0).op) == ("δ¹₁", "z²₂", "")


def test_one_entry_per_forward_pass_and_batches_give_batches():
    model = MLP(2, [2, 1], seed=1)
    X = np.array([[0.5, -0.3], [1.0, 2.0], [-1.0, 0.2]])
    per_sample = neurons(sum((model(list(x)) for x in X), Value(0.0)))
    assert len(per_sample) == 3 * 3  # three neurons, three passes
    batched = neurons(model(X))
    assert len(batched) == 3 and all(len(n.z.data) == 3 for n in batched)
    first = [n.z.data for n in per_sample if n.scope == "layer1/neuron1"]
    assert np.allclose(sorted(first), sorted(batched[0].z.data), atol=1e-15)


def test_other_scopes_are_not_neurons():
    x = Value(1.0, "x")
    with scope("block"):
        y = (x * 2.0).tanh()
    with scope("neuron1"):  # a weighted sum with two nodes made from it is not one neuron
        z = linear([Value(0.5)], [y])
        out = z.tanh() + z.relu()
    assert neurons(out) == []
    with scope("neuron7"):  # unnumbered layer: only j
        z2 = linear([Value(0.5)], [x], 0.1)
    (n,) = neurons(z2.relu())
    assert (n.layer, n.index, n.symbol("a")) == (None, 7, "a₇")


def test_explain_summary_names_z_a_delta_and_dC_da_per_neuron():
    model = MLP(2, [3, 1], "sigmoid", output_activation="sigmoid", seed=2)
    a = model([0.4, -0.9])
    C = squared_error(a, 1.0)
    C.label = "C"
    text = explain(C).summary()
    (hidden,) = [n for n in neurons(C) if n.scope == "layer1/neuron2"]
    z, act = hidden.z, hidden.a
    assert f"[layer1/neuron2] z¹₂ = {_num(z.data)}, a¹₂ = sigmoid(z¹₂) = {_num(act.data)}" in text
    assert f"[layer1/neuron2] ∂C/∂a¹₂ = {_num(act.grad)}, δ¹₂ = ∂C/∂z¹₂ = {_num(z.grad)}" in text
    assert z.grad == pytest.approx(act.grad * act.data * (1 - act.data), abs=1e-15)  # δ = ∂C/∂a · σ′(z)


def test_the_collapsed_graph_writes_delta_on_each_neuron_or_a_dash_before_backward():
    model = MLP(2, [2, 1], "tanh", seed=3)
    out = model([0.1, 0.2])
    assert "δ¹₂\u00a0= ∂C/∂z¹₂  — | ∂C/∂a¹₂  — }" in draw_dot(out, collapse=True).source
    out.label = "score"
    out.backward()
    (n,) = [n for n in neurons(out) if n.scope == "layer1/neuron2"]
    source = draw_dot(out, collapse=True).source
    assert f"δ¹₂\u00a0= ∂score/∂z¹₂  {n.z.grad:.4f} | ∂score/∂a¹₂  {n.a.grad:.4f} }}" in source
    assert "δ" not in draw_dot(out, collapse=True, show_grad=False).source


def _num(x):
    from autograd.text import num

    return num(x)
