"""Batched Values: the same graph over a whole minibatch gives the per-sample numbers.

Every test builds one model twice, runs it sample by sample (one graph per sample, the
losses averaged or summed) and as one batched graph, and compares the loss and every
parameter's gradient to 1e-12.
"""

import math

import numpy as np
import pytest

from autograd import Value, grad, linear, logsumexp, maximum, softmax
from nn import (
    MLP,
    SGD,
    Adam,
    Minibatches,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    mean,
    squared_error,
)

RNG = np.random.default_rng(7)


def per_sample_and_batched(make_model, loss_of_sample, loss_of_batch, X, targets, reduce="mean"):
    """(loss, grads) of the per-sample graphs and of the one batched graph."""
    m1, m2 = make_model(), make_model()
    losses = [loss_of_sample(m1(list(x)), t) for x, t in zip(X, targets)]
    l1 = mean(losses) if reduce == "mean" else sum(losses[1:], losses[0])
    l1.backward()
    l2 = loss_of_batch(m2(X), targets)
    l2.backward()
    return (l1.data, [p.grad for p in m1.parameters()]), (l2.data, [p.grad for p in m2.parameters()])


def assert_same(a, b, tol=1e-12):
    (la, ga), (lb, gb) = a, b
    assert lb == pytest.approx(la, rel=tol, abs=tol)
    assert np.allclose(ga, gb, rtol=tol, atol=tol), np.max(np.abs(np.array(ga) - np.array(gb)))


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh", "linear"])
@pytest.mark.parametrize("sizes", [[1], [5, 1], [4, 3, 1]])
def test_squared_error_batched_equals_per_sample(activation, sizes):
    X = RNG.normal(size=(9, 3))
    t = RNG.normal(size=9)
    a = per_sample_and_batched(lambda: MLP(3, sizes, activation, seed=1), squared_error, squared_error, X, t)
    assert_same(*a)


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_hinge_loss_batched_equals_per_sample_sum_and_mean(activation):
    X = RNG.normal(size=(12, 2))
    y = RNG.choice([-1.0, 1.0], size=12)
    make = lambda: MLP(2, [6, 6, 1], activation, seed=2)  # noqa: E731
    assert_same(*per_sample_and_batched(make, hinge_loss, hinge_loss, X, y))
    summed = per_sample_and_batched(make, hinge_loss, lambda s, t: hinge_loss(s, t, reduction="sum"), X, y,
                                    reduce="sum")
    assert_same(*summed)


def test_cross_entropy_batched_equals_per_sample():
    X = RNG.normal(size=(10, 4))
    y = RNG.integers(0, 3, size=10)
    a = per_sample_and_batched(lambda: MLP(4, [5, 3], "tanh", seed=3), lambda z, t: cross_entropy(z, int(t)),
                               cross_entropy, X, y)
    assert_same(*a)


@pytest.mark.parametrize("loss", [binary_cross_entropy, binary_cross_entropy_with_logits])
def test_binary_cross_entropies_batched_equal_per_sample(loss):
    X = RNG.normal(size=(8, 2))
    t = RNG.uniform(0, 1, size=8)
    out = "sigmoid" if loss is binary_cross_entropy else "linear"
    make = lambda: MLP(2, [4, 1], "tanh", output_activation=out, seed=4)  # noqa: E731
    assert_same(*per_sample_and_batched(make, loss, loss, X, t))


def test_several_outputs_take_a_samples_by_outputs_array_of_targets():
    X = RNG.normal(size=(7, 2))
    T = RNG.normal(size=(7, 3))
    a = per_sample_and_batched(lambda: MLP(2, [4, 3], "sigmoid", seed=5), squared_error, squared_error, X, T)
    assert_same(*a)


def test_a_parameter_meeting_a_batch_gets_the_sum_of_its_per_sample_gradients():
    x = Value(np.array([1.0, 2.0, 3.0]), "x")
    w = Value(0.5, "w")
    b = Value(0.25, "b")
    y = w * x + b  # b meets the batch with a local derivative of a bare 1.0
    loss = mean((y - 1.0) ** 2)
    loss.backward()
    r = 0.5 * np.array([1.0, 2.0, 3.0]) + 0.25 - 1.0
    assert w.grad == pytest.approx(np.mean(2 * r * [1.0, 2.0, 3.0]), rel=1e-15)
    assert b.grad == pytest.approx(np.mean(2 * r), rel=1e-15)
    assert type(w.grad) is float and isinstance(x.grad, np.ndarray)
    assert np.allclose(x.grad, 2 * r * 0.5 / 3)
    (gw, gb) = grad(loss, [w, b])
    assert (gw.data, gb.data) == (w.grad, b.grad)


def test_functional_ops_take_batches():
    z1, z2, z3 = (Value(RNG.normal(size=5)) for _ in range(3))
    s = softmax([z1, z2, z3])
    assert np.allclose(sum(p.data for p in s), 1.0)
    lse = logsumexp([z1, z2, z3])
    assert np.allclose(lse.data, np.log(np.exp(z1.data) + np.exp(z2.data) + np.exp(z3.data)))
    m = maximum(z1, z2)
    assert np.array_equal(m.data, np.maximum(z1.data, z2.data))
    w = [Value(0.3), Value(-0.2), Value(0.1)]
    z = linear(w, [z1, z2, z3], 0.5)
    assert np.allclose(z.data, 0.3 * z1.data - 0.2 * z2.data + 0.1 * z3.data + 0.5, rtol=1e-15)


def test_domain_errors_name_the_first_offending_sample():
    x = Value(np.array([1.0, 2.0, -3.0, 0.0]), "x")
    with pytest.raises(ValueError, match=r"log: input must be > 0, got -3.0 in sample 2 of the batch"):
        x.log()
    with pytest.raises(ZeroDivisionError, match=r"sample 3 of the batch"):
        1.0 / x
    with pytest.raises(ValueError, match=r"pow: a negative base .* sample 2"):
        x**0.5
    with pytest.raises(OverflowError, match=r"exp\(1000.0\) is too large .*sample 1"):
        Value(np.array([0.0, 1000.0])).exp()


@pytest.mark.parametrize("make", [
    lambda a, b: a + b,
    lambda a, b: a * b,
    lambda a, b: maximum(a, b),
    lambda a, b: linear([1.0, 2.0], [a, b]),
    lambda a, b: logsumexp([a, b]),
])
def test_batches_of_different_sizes_are_named_by_the_op_not_by_numpy(make):
    a, b = Value(np.ones(3), "a"), Value(np.ones(4), "b")
    with pytest.raises(ValueError, match=r"^\w+: batches of different sizes meet \(3 and 4 samples\)"):
        make(a, b)


def test_a_batched_derivative_undefined_at_one_sample_names_it():
    x = Value(np.array([4.0, 0.0, 1.0]), "x")
    y = mean(x**0.5)
    with pytest.raises(ZeroDivisionError, match=r"backward through pow_const\(x=.*sample 1"):
        y.backward()


@pytest.mark.parametrize("nin, activation, loss, labels, make_opt, steps", [
    (2, "relu", hinge_loss, lambda n: RNG.choice([-1.0, 1.0], size=n),
     lambda ps: SGD(ps, lr=0.3, momentum=0.9), 5),
    (3, "tanh", squared_error, lambda n: RNG.normal(size=n), lambda ps: Adam(ps, lr=0.05), 4),
], ids=["SGD with momentum", "Adam"])
def test_an_optimizer_steps_a_batched_model_as_it_steps_the_per_sample_one(nin, activation, loss, labels,
                                                                           make_opt, steps):
    X = RNG.normal(size=(14, nin))
    t = labels(14)
    m1, m2 = MLP(nin, [6, 1], activation, seed=6), MLP(nin, [6, 1], activation, seed=6)
    o1, o2 = make_opt(m1.parameters()), make_opt(m2.parameters())
    for _ in range(steps):
        for opt, total in ((o1, mean([loss(m1(list(x)), v) for x, v in zip(X, t)])),
                           (o2, loss(m2(X), t))):
            opt.zero_grad()
            total.backward()
            opt.step()
    w1, w2 = [p.data for p in m1.parameters()], [p.data for p in m2.parameters()]
    assert np.allclose(w1, w2, rtol=1e-12, atol=1e-12)


def test_minibatches_of_arrays_feed_a_model_straight_in():
    X = RNG.normal(size=(10, 2))
    y = RNG.choice([-1.0, 1.0], size=10)
    model = MLP(2, [3, 1], seed=0)
    sizes = []
    for xb, yb in Minibatches(X, y, batch_size=4, seed=0):
        assert isinstance(xb, np.ndarray) and xb.shape[1] == 2
        loss = hinge_loss(model(xb), yb)
        loss.backward()
        sizes.append(len(xb))
    assert sizes == [4, 4, 2]


def test_batch_inputs_are_checked():
    with pytest.raises(ValueError, match=r"expected a batch of 2 inputs per sample, got shape \(3, 4\)"):
        MLP(2, [1])(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="labels must be -1 or \\+1"):
        hinge_loss(Value(np.zeros(3)), np.array([1.0, 0.0, -1.0]))
    with pytest.raises(ValueError, match="class indices in 0..2"):
        cross_entropy([Value(np.zeros(2))] * 3, np.array([0, 3]))
    with pytest.raises(TypeError, match="item: .* batch of 3"):
        Value(np.zeros(3)).item()
    assert math.isnan(float(maximum(Value(np.array([math.nan])), 1.0).data[0]))


# -- the teaching tools on a batched graph ---------------------------------------------


def moons_batch_step(n=20):
    from nn import l2, make_moons

    X, y = make_moons(n, noise=0.1, seed=0)
    model = MLP(2, [16, 16, 1], seed=0)
    loss = hinge_loss(model(X), (2 * y - 1).astype(float)) + 1e-4 * l2(model.parameters())
    return model, X, y, loss


def test_a_batched_step_is_as_small_as_one_samples_graph():
    from autograd import toposort

    model, X, y, loss = moons_batch_step(100)
    from nn import l2

    one = hinge_loss(model(list(X[0])), float(2 * y[0] - 1)) + 1e-4 * l2(model.parameters())
    params = len(model.parameters())
    batched, single = len(toposort(loss)) - params, len(toposort(one)) - params
    # ~80 nodes besides the parameters either way (the batch adds its mean: a Σₖ and a scale)
    assert single < 85 and single <= batched <= single + 3
    per_sample = mean([hinge_loss(model(list(x)), float(2 * t - 1)) for x, t in zip(X, y)])
    assert len(toposort(per_sample)) > 6000


def test_explain_shows_a_sample_or_the_batch_means_and_says_which():
    from autograd import explain

    model, X, y, loss = moons_batch_step()
    e = explain(loss, sample=3)
    text = str(e)
    assert text.startswith("(On a batch of 20 samples: the numbers are sample 3's")
    first = e.forward_steps[0]  # layer1/neuron1's z for sample 3
    w = model.layers[0].neurons[0].w
    assert first.value == pytest.approx(w[0].data * X[3, 0] + w[1].data * X[3, 1], rel=1e-14)
    means = str(explain(loss))
    assert "⟨mean" in means and "a mean over it (sample=k picks one)" in means
    with pytest.raises(ValueError, match="sample must be an integer index into the batch of 20"):
        explain(loss, sample=20)
    with pytest.raises(ValueError, match="no node of this graph holds a batch"):
        explain(Value(1.0) * 2, sample=0)


def test_draw_dot_and_the_page_pick_a_sample():
    from autograd import draw_dot, save_html
    from tests.conftest import need_program

    model, X, y, loss = moons_batch_step()
    loss.backward()
    source = draw_dot(loss, sample=5).source
    z = model.layers[0].neurons[0].w[0].data * X[5, 0] + model.layers[0].neurons[0].w[1].data * X[5, 1]
    assert f"data {z:.4f}" in source and "the numbers are sample 5" in source
    assert "⟨mean" in draw_dot(loss).source
    need_program("dot", "DOT")
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as d:
        page = save_html(loss, Path(d) / "batch.html", sample=5).read_text(encoding="utf-8")
        assert "sample 5" in page
        with pytest.raises(ValueError, match="needs one sample's numbers: pass sample=k"):
            save_html(loss, Path(d) / "ex.html", exercise=True)


def test_gradcheck_checks_a_batched_function_sample_by_sample_or_summed():
    from autograd import define_op, gradcheck

    x = np.array([0.5, -1.0, 2.0])
    report = gradcheck(lambda w, x: (w * x).tanh() + w * w, [0.3, x])
    assert report.ok and [r.name for r in report.rows][:2] == ["∂f[0]/∂w", "∂f[0]/∂x[0]"]
    assert report.rows[0].analytic == pytest.approx((1 - math.tanh(0.15) ** 2) * 0.5 + 0.6, rel=1e-12)
    summed = gradcheck(lambda w, x: (w * x).tanh(), [0.3, x], batch="sum")
    assert summed.rows[0].name == "∂f/∂w" and len(summed.rows) == 4
    by_hand = sum((1 - math.tanh(0.3 * v) ** 2) * v for v in x)
    assert summed.rows[0].analytic == pytest.approx(by_hand, rel=1e-12)
    wrong = define_op("wrong_square_test", lambda a: a * a, [lambda a, out: 2.001 * a])
    assert not gradcheck(lambda w, x: wrong(w) * x, [0.3, x], raise_exception=False).ok
    with pytest.raises(ValueError, match="the same length"):
        gradcheck(lambda a, b: a * b, [np.zeros(2), np.zeros(3)])


def test_higher_derivatives_are_per_sample_and_say_so_on_a_batch():
    x = Value(np.array([1.0, 2.0]), "x")
    w = Value(0.5, "w")
    y = mean((w * x).tanh())
    with pytest.raises(ValueError, match=r"create_graph=True .* one sample's graph, not on a batch"):
        grad(y, [w], create_graph=True)
    (g,) = grad(y, [w])  # first derivatives work on the batch
    assert g.data == pytest.approx(np.mean((1 - np.tanh(0.5 * x.data) ** 2) * x.data), rel=1e-14)
