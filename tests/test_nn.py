"""nn checked against the seeds' hand derivations."""

import json
import math
import os

import numpy as np
import pytest

from autograd import Value, grad, no_grad, scope, sigmoid, softmax
from nn import (
    MLP,
    SGD,
    Layer,
    Minibatches,
    Module,
    Neuron,
    accuracy,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    l2,
    linear_decay,
    make_moons,
    make_spiral,
    mean,
    nand_data,
    squared_error,
    xor_data,
)


def weights(layer):
    """A layer's weight matrix W (nout × nin) and bias vector b, as numpy arrays."""
    W = np.array([[w.data for w in n.w] for n in layer.neurons])
    b = np.array([n.b.data for n in layer.neurons])
    return W, b


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


# -- seed 002: Nielsen's four equations ------------------------------------------------


def test_nielsens_four_backprop_equations():
    model = MLP(3, [4, 2], "sigmoid", output_activation="sigmoid", seed=7)
    x = np.array([0.5, -1.2, 0.8])
    y = np.array([0.1, 0.9])
    a = model(list(x))
    C = squared_error(a, list(y))  # C = ½‖y − a‖²
    C.backward()

    (W2, b2), (W3, b3) = weights(model.layers[0]), weights(model.layers[1])
    z2 = W2 @ x + b2
    a2 = sig(z2)
    z3 = W3 @ a2 + b3
    a3 = sig(z3)
    assert [v.data for v in a] == pytest.approx(a3, abs=1e-15)
    sp = lambda z: sig(z) * (1 - sig(z))  # noqa: E731
    delta3 = (a3 - y) * sp(z3)  # (BP1) δᴸ = ∇ₐC ⊙ σ′(zᴸ)
    delta2 = (W3.T @ delta3) * sp(z2)  # (BP2) δˡ = ((wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ σ′(zˡ)
    for layer, delta, a_prev in ((model.layers[0], delta2, x), (model.layers[1], delta3, a2)):
        for j, neuron in enumerate(layer.neurons):
            assert neuron.b.grad == pytest.approx(delta[j], abs=1e-12)  # (BP3) ∂C/∂b = δ
            for k, w in enumerate(neuron.w):
                assert w.grad == pytest.approx(a_prev[k] * delta[j], abs=1e-12)  # (BP4)


@pytest.mark.parametrize("sizes, seed", [([3, 4, 3, 2], 7), ([2, 5, 1], 0), ([4, 3, 3, 3, 2], 3)])
def test_nielsens_equations_by_name_with_demos_nielsen(sizes, seed):
    """BP1–BP4 by hand (numpy) against the engine's δ = z.grad of each neuron's Σ node,
    found by autograd.neurons, and its parameter grads: equal to 1e-12."""
    from demos.nielsen import by_hand, engine, forward_and_backward

    model, x, y, C = forward_and_backward(sizes, seed)
    hand, eng = by_hand(model, x, y), engine(model, C)
    for li in range(len(model.layers)):
        assert eng["z"][li] == pytest.approx(hand["z"][li], abs=1e-12)
        assert eng["a"][li] == pytest.approx(hand["a"][li + 1], abs=1e-12)
        assert eng["delta"][li] == pytest.approx(hand["delta"][li], abs=1e-12)  # BP1 (last layer), BP2
        assert eng["db"][li] == pytest.approx(hand["delta"][li], abs=1e-12)  # BP3
        assert eng["dw"][li] == pytest.approx(np.outer(hand["delta"][li], hand["a"][li]), abs=1e-12)  # BP4
    last = len(model.layers) - 1
    assert eng["da"][last] == pytest.approx(hand["a"][-1] - y, abs=1e-12)  # ∇ₐC = a − y


def test_nielsens_equations_hold_sample_by_sample_in_a_batched_graph():
    from autograd import neurons

    model = MLP(3, [4, 2], "sigmoid", output_activation="sigmoid", seed=5)
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(6, 3)), rng.uniform(size=(6, 2))
    C = squared_error(model(X), Y, reduction="sum")  # C = Σₓ Cₓ
    C.backward()
    (W2, b2), (W3, b3) = weights(model.layers[0]), weights(model.layers[1])
    found = neurons(C)
    delta_grads = {n.scope: n.delta for n in found}
    dW2 = np.zeros_like(W2)
    for k, (x, y) in enumerate(zip(X, Y)):
        z2 = W2 @ x + b2
        a2 = sig(z2)
        z3 = W3 @ a2 + b3
        d3 = (sig(z3) - y) * sig(z3) * (1 - sig(z3))  # BP1
        d2 = (W3.T @ d3) * sig(z2) * (1 - sig(z2))  # BP2
        for j in range(2):
            assert delta_grads[f"layer2/neuron{j + 1}"][k] == pytest.approx(d3[j], abs=1e-12)
        for j in range(4):
            assert delta_grads[f"layer1/neuron{j + 1}"][k] == pytest.approx(d2[j], abs=1e-12)
        dW2 += np.outer(d2, x)  # BP4, summed over the samples
    assert weights_grad(model.layers[0]) == pytest.approx(dW2, abs=1e-12)
    assert [n.b.grad for n in model.layers[0].neurons] == pytest.approx(
        [float(np.sum(delta_grads[f"layer1/neuron{j + 1}"])) for j in range(4)], abs=1e-12)  # BP3


def weights_grad(layer):
    return np.array([[w.grad for w in n.w] for n in layer.neurons])


# -- seed 000: one logistic neuron, SGD on squared loss ---------------------------------


def test_single_neuron_sgd_update_matches_the_hand_derived_rule():
    neuron = Neuron(3, "sigmoid", seed=3)
    w0 = np.array([w.data for w in neuron.w])
    b0 = neuron.b.data
    x, t, eta = np.array([0.2, -0.4, 0.9]), 1.0, 0.5
    y = neuron(list(x))
    loss = squared_error(y, t)
    opt = SGD(neuron.parameters(), lr=eta)
    opt.zero_grad()
    loss.backward()
    opt.step()
    yv = sig(w0 @ x + b0)
    expected_w = w0 - eta * (yv - t) * yv * (1 - yv) * x  # w ← w − η(y−t)y(1−y)x
    assert [w.data for w in neuron.w] == pytest.approx(expected_w, abs=1e-12)
    assert neuron.b.data == pytest.approx(b0 - eta * (yv - t) * yv * (1 - yv), abs=1e-12)


def test_two_layer_sigmoid_network_hidden_gradient_formula():
    # seed 000: ∂E/∂w_ki = Σ_j (y_j − t_j) y_j (1 − y_j) w'_ij · h_i (1 − h_i) · x_k
    model = MLP(2, [3, 2], "sigmoid", output_activation="sigmoid", seed=11)
    x, t = np.array([0.3, -0.7]), np.array([0.0, 1.0])
    ys = model(list(x))
    squared_error(ys, list(t)).backward()
    (W, bw), (V, bv) = weights(model.layers[0]), weights(model.layers[1])
    h = sig(W @ x + bw)
    yv = sig(V @ h + bv)
    e = (yv - t) * yv * (1 - yv)
    for i, neuron in enumerate(model.layers[0].neurons):
        for k, w in enumerate(neuron.w):
            expected = sum(e[j] * V[j, i] for j in range(2)) * h[i] * (1 - h[i]) * x[k]
            assert w.grad == pytest.approx(expected, abs=1e-12)


# -- seed 001 and 003: softmax/cross-entropy and binary cross-entropy -------------------


def test_cross_entropy_gradient_is_softmax_minus_onehot():
    zs = [Value(v) for v in (1.5, -0.3, 0.8, 2.2)]
    loss = cross_entropy(zs, 2)
    loss.backward()
    p = [q.data for q in softmax([z.data for z in zs])]
    assert loss.data == pytest.approx(-math.log(p[2]), rel=1e-14)
    onehot = [0, 0, 1, 0]
    assert [z.grad for z in zs] == pytest.approx([pi - oi for pi, oi in zip(p, onehot)], abs=1e-15)


def test_cross_entropy_is_finite_for_huge_logits():
    zs = [Value(1000.0), Value(1001.0), Value(1002.0)]
    loss = cross_entropy(zs, 0)
    loss.backward()
    assert loss.data == pytest.approx(2.40760596444438, rel=1e-13)
    assert all(math.isfinite(z.grad) for z in zs)


def test_seed_001_worked_cross_entropy():
    # ℓ([0.6, 0.2, 0.1, 0.1], class 1) = −log 0.2, written with logits log p
    zs = [Value(math.log(p)) for p in (0.6, 0.2, 0.1, 0.1)]
    assert cross_entropy(zs, 1).data == pytest.approx(-math.log(0.2), rel=1e-14)


@pytest.mark.parametrize("t", [0.0, 1.0, 0.3])
@pytest.mark.parametrize("z0", [-3.0, 0.4, 5.0])
def test_binary_cross_entropy_through_a_sigmoid_has_gradient_p_minus_t(z0, t):
    z = Value(z0)
    p = sigmoid(z)
    binary_cross_entropy(p, t).backward()
    assert z.grad == pytest.approx(p.data - t, abs=1e-12)
    z2 = Value(z0)
    loss = binary_cross_entropy_with_logits(z2, t)
    loss.backward()
    assert z2.grad == pytest.approx(p.data - t, abs=1e-15)
    assert loss.data == pytest.approx(binary_cross_entropy(p.data, t).data, rel=1e-12)


def test_binary_cross_entropy_is_finite_at_and_near_0_and_1():
    tangent = 1.0 - math.log(1e-12)  # log continued below 1e-12 along its tangent
    assert binary_cross_entropy(1.0, 0).data == pytest.approx(tangent, rel=1e-12)
    assert binary_cross_entropy(0.0, 1).data == pytest.approx(tangent, rel=1e-12)
    assert binary_cross_entropy(1.0, 1).data == 0.0
    p = Value(0.0)
    binary_cross_entropy(p, 1).backward()  # a confidently wrong prediction is still pushed
    assert p.grad == pytest.approx(-1e12, rel=1e-12)
    p = Value(1 - 1e-12)
    loss = binary_cross_entropy(p, 0.0)
    loss.backward()
    assert loss.data == pytest.approx(-math.log(1e-12), rel=1e-4) and math.isfinite(p.grad)
    z = Value(40.0)  # σ(40) rounds to 1.0; the logit form is still exact
    assert binary_cross_entropy_with_logits(z, 0.0).data == pytest.approx(40.0, rel=1e-15)


def test_squared_error_and_hinge_values():
    assert squared_error(Value(0.8), 1.0).data == pytest.approx(0.02)
    assert squared_error([Value(1.0), Value(2.0)], [0.0, 4.0]).data == 2.5
    s = Value(0.3)
    h = hinge_loss(s, -1)
    h.backward()
    assert (h.data, s.grad) == (1.3, 1.0)
    assert hinge_loss(Value(2.0), 1).data == 0.0


# -- optimizer ---------------------------------------------------------------------------


def test_sgd_momentum_and_weight_decay_follow_pytorch_closed_form():
    # minimise f(w) = ½ c w²: grad = c w. PyTorch: g = grad + λw; v = g (first), v = μv + g;
    # w ← w − η v
    c, lr, mu, wd = 0.7, 0.1, 0.9, 0.05
    w = Value(2.0)
    opt = SGD([w], lr=lr, momentum=mu, weight_decay=wd)
    ws, v = [2.0], None
    for _ in range(5):
        opt.zero_grad()
        (0.5 * c * w * w).backward()
        opt.step()
        g = c * ws[-1] + wd * ws[-1]
        v = g if v is None else mu * v + g
        ws.append(ws[-1] - lr * v)
        assert w.data == pytest.approx(ws[-1], abs=1e-15)


def test_sgd_step_builds_no_graph_and_lr_is_writable():
    w = Value(1.0)
    w.grad = 2.0
    opt = SGD([w], lr=0.5)
    opt.step()
    assert w.data == 0.0 and w.parents == ()
    opt.lr = 0.25
    opt.step()
    assert w.data == -0.5


def test_linear_decay_matches_micrograd_demo():
    lr = linear_decay(1.0, 0.1, 100)
    assert [lr(k) for k in (0, 50, 100, 150)] == pytest.approx([1.0, 0.55, 0.1, 0.1])
    for k in range(100):
        assert lr(k) == pytest.approx(1.0 - 0.9 * k / 100, abs=1e-15)


def test_minibatches_partition_each_epoch_and_reshuffle_reproducibly():
    X, y = list(range(10)), [i * 10 for i in range(10)]
    batches = Minibatches(X, y, batch_size=4, seed=1)
    epoch1, epoch2 = list(batches), list(batches)
    assert [len(xb) for xb, _ in epoch1] == [4, 4, 2] and len(batches) == 3
    assert sorted(x for xb, _ in epoch1 for x in xb) == X
    assert all(yb == [x * 10 for x in xb] for xb, yb in epoch1)
    assert epoch1 != epoch2
    again = Minibatches(X, y, batch_size=4, seed=1)
    assert list(again) == epoch1 and list(again) == epoch2


# -- the micrograd demo ------------------------------------------------------------------


def test_micrograd_moons_demo_reaches_95_percent():
    X, y = make_moons(100, noise=0.1, seed=0)
    labels = 2 * y - 1
    model = MLP(2, [16, 16, 1], seed=0)
    opt = SGD(model.parameters(), lr=1.0)
    lr = linear_decay(1.0, 0.1, 100)
    for k in range(100):
        scores = [model(x) for x in X]
        loss = mean([hinge_loss(s, t) for s, t in zip(scores, labels)]) + 1e-4 * l2(model.parameters())
        opt.zero_grad()
        loss.backward()
        opt.lr = lr(k)
        opt.step()
    with no_grad():
        predictions = [1 if model(x).data > 0 else -1 for x in X]
    assert accuracy(predictions, list(labels)) >= 0.95


# -- modules -----------------------------------------------------------------------------


def test_shapes_outputs_and_unwrapping():
    assert isinstance(Neuron(2)([1.0, 2.0]), Value)
    out = Layer(2, 1)([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 1
    assert isinstance(MLP(2, [1, 1, 1])([0.5, 0.5]), Value)
    assert len(MLP(2, [3, 4])([0.5, 0.5])) == 4
    assert isinstance(MLP(1, [2, 1])(0.5), Value)


def test_parameters_order_and_labels():
    model = MLP(2, [3, 1], seed=0)
    params = model.parameters()
    assert len(params) == 3 * 3 + 4
    first = model.layers[0].neurons[0]
    assert params[:3] == [*first.w, first.b]
    assert params[-1] is model.layers[1].neurons[0].b
    assert [p.label for p in params[:3]] == ["layer1.neuron1.w1", "layer1.neuron1.w2", "layer1.neuron1.b"]
    assert model.layers[1].neurons[0].w[2].label == "layer2.neuron1.w3"


def test_scopes_tag_the_forward_graph():
    model = MLP(2, [2, 1], seed=0)
    out = model([0.1, 0.2])
    assert out.scope == "layer2/neuron1"
    assert out.parents[0].scope == "layer2/neuron1"  # the Σ node under the activation
    assert model.layers[0].neurons[1].w[0].scope == "layer1/neuron2"


def test_the_weighted_sum_is_one_node_with_the_seed_formula_partials():
    n = Neuron(3, "linear", seed=0)
    x = [Value(0.5), Value(-1.0), Value(2.0)]
    z = n(x)
    assert z.op == "linear" and z.parents == (*n.w, n.b, *x)
    gs = grad(z, [*n.w, *x, n.b])
    assert [g.data for g in gs] == [0.5, -1.0, 2.0, *(w.data for w in n.w), 1.0]


def test_same_seed_same_parameters_different_seed_different():
    a, b, c = MLP(2, [4, 1], seed=5), MLP(2, [4, 1], seed=5), MLP(2, [4, 1], seed=6)
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    assert [p.data for p in a.parameters()] != [p.data for p in c.parameters()]


def test_initialisation_schemes():
    n = Neuron(100, seed=0)
    assert all(-1 <= w.data <= 1 for w in n.w) and n.b.data == 0.0
    assert max(abs(w.data) for w in n.w) > 0.9  # uniform(−1, 1), like micrograd
    limit = math.sqrt(6 / 100)
    he = Neuron(100, "relu", seed=0, init="he")
    assert max(abs(w.data) for w in he.w) <= limit
    xav = Layer(100, 50, "tanh", seed=0, init="xavier")
    assert max(abs(w.data) for n in xav.neurons for w in n.w) <= math.sqrt(6 / 150)
    auto = MLP(100, [50, 1], "relu", init="auto", seed=0)
    assert max(abs(w.data) for w in auto.layers[0].neurons[0].w) <= limit


def test_repr_is_readable():
    assert repr(MLP(2, [16, 16, 1])) == "MLP(2, [16, 16, 1], activation='relu', output_activation='linear')"
    assert repr(Layer(2, 3, "tanh")) == "Layer(2, 3, activation='tanh')"
    assert repr(Neuron(2)) == "Neuron(2, activation='relu')"


@pytest.mark.parametrize(
    "make, match",
    [
        (
            lambda: Neuron(2, "swish"),
            "unknown activation 'swish'; expected one of 'relu', 'sigmoid', 'tanh', 'linear'",
        ),
        (lambda: Neuron(0), "nin must be a positive integer"),
        (lambda: Layer(2, 0), "empty layer"),
        (lambda: MLP(2, []), "non-empty list"),
        (lambda: MLP(2, [3, 0]), "positive integer"),
        (lambda: MLP(2, [3], output_activation="softmax"), "unknown output_activation"),
        (lambda: Neuron(2, init="glorot"), "unknown init"),
        (lambda: Neuron(2)([1.0]), "expected 2 inputs, got 1"),
        (lambda: MLP(3, [2])([1.0, 2.0]), "expected 3 inputs, got 2"),
        (lambda: Layer(2, 2)([1.0, 2.0, 3.0]), "expected 2 inputs, got 3"),
        (lambda: cross_entropy([1.0, 2.0], 2), "out of range"),
        (lambda: hinge_loss(Value(1.0), 0), "-1 or \\+1"),
        (lambda: binary_cross_entropy(Value(1.5), 1), "probability"),
        (lambda: binary_cross_entropy(0.5, 2), "target"),
        (lambda: squared_error([1.0, 2.0], [1.0]), "must match"),
        (lambda: SGD([], lr=0.1), "empty"),
        (lambda: SGD([Value(1.0)], lr=-1), "lr"),
        (lambda: make_moons(1), "n_samples"),
    ],
)
def test_input_errors_say_what_was_expected(make, match):
    with pytest.raises(ValueError, match=match):
        make()


# -- save and load -----------------------------------------------------------------------


def test_save_load_round_trips_floats_exactly(tmp_path):
    model = MLP(2, [5, 3, 1], "tanh", seed=1)
    path = tmp_path / "model.json"
    model.save(path)
    other = MLP(2, [5, 3, 1], "tanh", seed=2)
    other.load(path)
    assert [p.data for p in other.parameters()] == [p.data for p in model.parameters()]
    assert json.loads(path.read_text())["model"]["nouts"] == [5, 3, 1]
    assert not [f for f in os.listdir(tmp_path) if f != "model.json"]  # no temporary left


def _corrupt(text):
    doc = json.loads(text)
    doc["parameters"]["layer1.neuron1.w1"] = "oops"
    return json.dumps(doc)


@pytest.mark.parametrize(
    "mangle, match",
    [
        (lambda t: t[: len(t) // 2], "not valid JSON"),
        (lambda t: "", "not valid JSON"),
        (lambda t: "[1, 2, 3]", "not a model file"),
        (_corrupt, "not a finite number"),
        (lambda t: t.replace('"layer1.neuron2.b"', '"layer1.neuron9.b"'), "wrong parameters"),
    ],
)
def test_load_rejects_corrupt_files_and_changes_nothing(tmp_path, mangle, match):
    model = MLP(2, [3, 1], seed=1)
    path = tmp_path / "m.json"
    model.save(path)
    path.write_text(mangle(path.read_text()))
    target = MLP(2, [3, 1], seed=9)
    before = [p.data for p in target.parameters()]
    with pytest.raises(ValueError, match=match):
        target.load(path)
    assert [p.data for p in target.parameters()] == before


def test_load_rejects_a_different_architecture_and_changes_nothing(tmp_path):
    path = tmp_path / "m.json"
    MLP(2, [4, 1], seed=1).save(path)
    for other in (MLP(2, [3, 1], seed=2), MLP(2, [4, 1], "tanh", seed=2), Neuron(2)):
        before = [p.data for p in other.parameters()]
        with pytest.raises(ValueError, match="holds type='MLP', nin=2, nouts=\\[4, 1\\]"):
            other.load(path)
        assert [p.data for p in other.parameters()] == before


def test_save_refuses_non_finite_parameters_and_keeps_the_old_file(tmp_path):
    model = MLP(2, [2, 1], seed=1)
    path = tmp_path / "m.json"
    model.save(path)
    saved = path.read_text()
    model.parameters()[0].data = math.nan
    with pytest.raises(ValueError, match="nan"):
        model.save(path)
    assert path.read_text() == saved


def test_module_base_class_has_no_parameters():
    assert Module().parameters() == []


# -- datasets ----------------------------------------------------------------------------


def test_datasets():
    X, y = make_moons(100, noise=0.1, seed=0)
    assert X.shape == (100, 2) and set(y.tolist()) == {0, 1} and (y == 1).sum() == 50
    X2, y2 = make_moons(100, noise=0.1, seed=0)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    X0, y0 = make_moons(10, noise=0.0, seed=0)
    upper = X0[y0 == 0]
    assert np.allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    S, k = make_spiral(50, 3, seed=0)
    assert S.shape == (150, 2) and sorted(set(k.tolist())) == [0, 1, 2]
    assert xor_data()[1].tolist() == [0, 1, 1, 0] and nand_data()[1].tolist() == [1, 1, 1, 0]
    assert accuracy([1, 0, 1, 1], [1, 1, 1, 1]) == 0.75


def test_a_micrograd_style_module_saves_loads_and_prints(tmp_path):
    class Pair(Module):
        def __init__(self):
            self.a, self.b = Value(1.5), Value(-2.0)

        def parameters(self):
            return [self.a, self.b]

    m = Pair()
    assert repr(m) == "Pair(2 parameters)" and [n for n, _ in m.named_parameters()] == ["p0", "p1"]
    m.save(tmp_path / "pair.json")
    m.a.data = 9.0
    m.load(tmp_path / "pair.json")
    assert (m.a.data, m.b.data) == (1.5, -2.0)
    with pytest.raises(ValueError, match="holds type='Pair'"):
        MLP(2, [1]).load(tmp_path / "pair.json")


def test_numpy_integers_are_accepted_as_sizes_and_seeds():
    a = MLP(np.int64(2), np.array([3, 1]), seed=np.int64(4))
    b = MLP(2, [3, 1], seed=4)
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    X, _ = make_moons(np.int32(10), noise=np.float32(0.1), seed=np.int64(1))
    assert X.shape == (10, 2)
    with pytest.raises(ValueError, match="seed must be an integer or None"):
        Neuron(2, seed="a")


@pytest.mark.parametrize("text", ['{"format": "gradstep.nn", "version": 1, "model": ' + "[" * 50000,
                                  "[" * 100000])
def test_load_turns_every_parse_failure_into_a_value_error(tmp_path, text):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(ValueError, match="not valid JSON"):
        MLP(2, [1]).load(path)


def test_load_rejects_a_number_too_large_for_a_float(tmp_path):
    path = tmp_path / "m.json"
    MLP(2, [1], seed=1).save(path)
    doc = json.loads(path.read_text())
    doc["parameters"]["layer1.neuron1.w1"] = 10**400
    path.write_text(json.dumps(doc))
    model = MLP(2, [1], seed=2)
    before = [p.data for p in model.parameters()]
    with pytest.raises(ValueError, match="not a finite number"):
        model.load(path)
    assert [p.data for p in model.parameters()] == before


def test_sgd_wants_the_parameters_not_the_model():
    with pytest.raises(TypeError, match=r"pass model.parameters\(\)"):
        SGD(MLP(2, [1]), lr=0.1)


def test_replacing_a_weight_or_the_bias_after_a_forward_pass_is_seen_by_the_next():
    # A neuron's Σ nodes share a tuple of its parameters; replacing one makes a new tuple.
    n = Neuron(2, "linear", seed=0)
    first = n([1.0, 2.0])
    old_w0 = n.w[0]
    n.w[0] = Value(5.0, "tied")
    n.b = Value(0.5)
    z = n([1.0, 2.0])
    assert z.data == 5.0 * 1.0 + n.w[1].data * 2.0 + 0.5
    assert z.parents[:3] == (n.w[0], n.w[1], n.b)
    z.backward()
    assert n.w[0].grad == 1.0 and n.b.grad == 1.0 and old_w0.grad == 0.0
    assert first.parents[0] is old_w0  # the earlier graph keeps what it was built from


def test_a_neuron_with_a_broken_weight_list_says_so_at_the_next_call():
    n = Neuron(2, seed=0)
    n.w.append(Value(1.0))
    with pytest.raises(ValueError, match="expected 2 weights in .w, got 3"):
        n([1.0, 2.0])
    n.w[:] = [Value(1.0), 2.0]
    with pytest.raises(TypeError, match="weights and bias must be Values, got float 2.0"):
        n([1.0, 2.0])


def test_a_model_called_inside_many_scopes_tags_each_pass_and_keeps_few_paths():
    model = MLP(2, [2, 1], seed=0)
    for i in range(100):
        with scope(f"sample{i}"):
            out = model([0.1, 0.2])
        assert out.scope == f"sample{i}/layer2/neuron1"


# -- Adam and AdamW: the interface of SGD, checked arguments --------------------------------


@pytest.mark.parametrize("make, kind, match", [
    (lambda nn: nn.Adam([], lr=0.1), ValueError, "Adam: got an empty parameter list"),
    (lambda nn: nn.Adam([Value(1.0)], lr=-1), ValueError, "Adam: lr must be a finite number ≥ 0, got -1"),
    (lambda nn: nn.AdamW([Value(1.0)], betas=(0.9, 1.0)), ValueError, r"AdamW: betas must be two numbers"),
    (lambda nn: nn.Adam([Value(1.0)], betas=0.9), ValueError, r"Adam: betas .* got 0.9"),
    (lambda nn: nn.Adam([Value(1.0)], eps=float("nan")), ValueError, "Adam: eps"),
    (lambda nn: nn.AdamW([Value(1.0)], weight_decay=-0.1), ValueError, "AdamW: weight_decay .* got -0.1"),
    (lambda nn: nn.Adam(MLP(2, [1])), TypeError, r"Adam: .*pass model.parameters\(\)"),
    (lambda nn: nn.AdamW([1.0]), TypeError, "AdamW: parameters must be Values"),
])
def test_adam_refuses_bad_arguments_by_class_and_value(make, kind, match):
    import nn

    with pytest.raises(kind, match=match):
        make(nn)


def test_adam_first_step_moves_every_weight_by_lr_against_its_gradient_sign():
    # with bias correction, m̂ = g and v̂ = g² at t = 1, so the step is lr·g/(|g| + eps)
    import nn

    ws = [Value(1.0), Value(-2.0), Value(0.5)]
    opt = nn.Adam(ws, lr=0.1, eps=0.0)
    loss = ws[0] * 3.0 - ws[1] * ws[1] + ws[2] * 1e-6
    opt.zero_grad()
    loss.backward()
    opt.step()
    assert [w.data for w in ws] == pytest.approx([0.9, -2.1, 0.4], rel=1e-12)
    opt.zero_grad()
    assert [w.grad for w in ws] == [0.0, 0.0, 0.0]
    assert "Adam(3 parameters, lr=0.1" in repr(opt)
