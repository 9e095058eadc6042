"""nn.History: snapshots of training every k steps, the same for per-sample and batched
graphs; its replays, a GIF and a page driven in a real headless Chromium."""

import io
import re

import numpy as np
import pytest

from autograd import neurons
from demos.moons import train
from nn import MLP, History, hinge_loss, l2, make_moons, make_spiral, save_replay_gif, save_replay_html
from nn.replay import replay_data
from tests.conftest import browser, need_module


def train_moons(steps, every, batched):
    """demos.moons' training (its data, model, loss and schedule), with a History."""
    model, X, labels, _, _, history = train(steps, 0, batched, every)
    return model, X, labels, history


def test_per_sample_and_batched_training_record_the_same_snapshots():
    *_, one = train_moons(7, 3, batched=False)
    *_, batch = train_moons(7, 3, batched=True)
    assert one.steps == batch.steps == [0, 3, 6]
    assert len(one.curve) == 7 and one.layers == ["layer1", "layer2", "layer3"]
    for a, b in zip(one.snapshots, batch.snapshots):
        assert a.loss == pytest.approx(b.loss, abs=1e-12) and a.accuracy == b.accuracy
        assert a.parameters == pytest.approx(b.parameters, abs=1e-12)
        for field in ("delta", "weight_grad"):
            assert getattr(a, field) == pytest.approx(getattr(b, field), abs=1e-12)
        for field in ("deltas", "activations"):
            for layer in a.deltas:
                assert getattr(a, field)[layer] == pytest.approx(getattr(b, field)[layer], abs=1e-12)


def test_the_moons_net_is_watched_learning():
    model, X, labels, history = train_moons(100, 1, batched=True)
    accuracy_at = {s.step: s.accuracy for s in history.snapshots}
    # the hand-written script: 50% → 84% → 90% → 95% → 100% at steps 0, 3, 10, 25 and 50
    assert [accuracy_at[k] for k in (0, 3, 10, 25, 50)] == [0.5, 0.84, 0.9, 0.95, 1.0]
    assert len(history) == 100
    assert history.series("delta", "layer1")[0] == history.snapshots[0].delta["layer1"]


def test_the_snapshot_numbers_are_the_engines():
    model = MLP(2, [4, 3, 1], seed=1)
    X, y = make_moons(30, noise=0.2, seed=1)
    loss = hinge_loss(model(X), 2 * y - 1) + 1e-3 * l2(model.parameters())
    loss.backward()
    snap = History(model).record(0, loss, 0.5)
    found = neurons(loss)
    for i, layer in enumerate(model.layers):
        name = f"layer{i + 1}"
        mine = [n for n in found if n.layer_scope == name]
        expect = np.mean(np.concatenate([np.abs(n.z.grad) for n in mine]))
        assert snap.delta[name] == pytest.approx(expect, rel=1e-12)  # mean |δ| = mean |∂C/∂z|
        weights = [w for neuron in layer.neurons for w in neuron.w]
        assert snap.weight_grad[name] == pytest.approx(np.mean([abs(w.grad) for w in weights]), rel=1e-12)
        assert snap.activations[name] == pytest.approx([np.mean(n.a.data) for n in mine], rel=1e-12)
        assert snap.deltas[name] == pytest.approx([np.mean(np.abs(n.delta)) for n in mine], rel=1e-12)
    assert snap.parameters == {name: p.data for name, p in model.named_parameters()}


def test_a_parameter_subset_due_steps_and_restoring_a_snapshot():
    model = MLP(2, [3, 1], seed=0)
    history = History(model, every=4, parameters=["layer1.neuron1.w1", "layer2.neuron1.b"])
    assert [history.due(k) for k in range(5)] == [True, False, False, False, True]
    out = model([0.5, -0.2])
    out.backward()
    snap = history.record(0, out, 0.5)
    assert snap is not None and list(snap.parameters) == ["layer1.neuron1.w1", "layer2.neuron1.b"]
    assert history.record(1, 0.25) is None and history.curve[-1] == (1, 0.25, None)
    with pytest.raises(ValueError, match="only some parameters"):
        with history.restored(0):
            pass
    with pytest.raises(ValueError, match="no parameter named 'w9'"):
        History(model, parameters=["w9"])
    full = History(model, every=1)
    full.record(0, out)
    w = model.layers[0].neurons[0].w[0]
    before = w.data
    w.data = 123.0
    with full.restored(0):
        assert w.data == before
    assert w.data == 123.0


def test_the_gif_has_a_frame_per_snapshot(tmp_path):
    from PIL import Image  # matplotlib's own dependency, in the dev and demos extras

    model, X, labels, history = train_moons(6, 2, batched=True)
    path = save_replay_gif(history, model, X, labels, tmp_path / "r.gif", resolution=30)
    image = Image.open(path)
    assert image.n_frames == len(history) == 4  # steps 0, 2, 4 and the last one, 5


def test_the_page_is_self_contained_and_carries_every_snapshot(tmp_path):
    model, X, labels, history = train_moons(6, 2, batched=True)
    path = save_replay_html(history, model, X, labels, tmp_path / "r.html", title="a <test>")
    page = path.read_text("utf-8")
    assert "<script src" not in page and "<link" not in page and "http" not in page.replace(SVG_NS, "")
    assert "<title>a &lt;test&gt;</title>" in page
    data = replay_data(history, model, X, labels)
    assert data["steps"] == [0, 2, 4, 5] and data["sizes"] == [2, 16, 16, 1]
    assert len(data["edges"]) == 2 * 16 + 16 * 16 + 16 and len(data["params"][0]) == 16 * 3 + 16 * 17 + 17
    assert len(data["grid"]["frames"]) == 4 and data["binary"] is True


def test_the_page_template_ships_with_the_package():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    assert (root / "nn" / "replay.html").is_file()
    assert 'nn = ["py.typed", "replay.html"]' in (root / "pyproject.toml").read_text(encoding="utf-8")


def test_a_softmax_model_gives_class_regions():
    X, y = make_spiral(10, 3, seed=0)
    model = MLP(2, [8, 3], seed=0)
    history = History(model)
    history.record(0, 1.0)
    data = replay_data(history, model, X, y, resolution=8)
    assert data["binary"] is False and data["classes"] == ["0", "1", "2"]


SVG_NS = "http://www.w3.org/2000/svg"


def test_moving_the_slider_in_a_browser_changes_the_picture(tmp_path):
    model, X, labels, history = train_moons(21, 4, batched=True)
    path = save_replay_html(history, model, X, labels, tmp_path / "replay.html")
    with browser() as b:
        page = b.new_page(viewport={"width": 1280, "height": 720})
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(path.as_uri())
        assert page.get_attribute("body", "data-frame") == "0"
        assert page.inner_text("#status").startswith("step 0 · loss ")
        first = page.locator("#boundary").screenshot()

        def attributes(selector, name):
            return page.eval_on_selector_all(selector, f"es => es.map(e => e.getAttribute('{name}'))")

        widths = attributes("#network line", "stroke-width")
        assert len(widths) == 2 * 16 + 16 * 16 + 16

        page.focus("#slider")
        for _ in range(3):
            page.keyboard.press("ArrowRight")  # the slider moves by keyboard, as a user moves it
        assert page.get_attribute("body", "data-frame") == "3"
        assert page.input_value("#slider") == "3"
        assert page.inner_text("#status").startswith("step 12 · loss ")
        assert f"accuracy {history.snapshots[3].accuracy:.0%}" in page.inner_text("#status")
        later = page.locator("#boundary").screenshot()
        assert later != first  # the boundary moved
        assert attributes("#network line", "stroke-width") != widths  # and the weights changed
        fills = attributes("#network circle", "fill")
        page.check('input[value="delta"]')  # neurons filled by |δ| instead of the activation
        assert attributes("#network circle", "fill") != fills
        hover = page.locator("#network circle title").first.text_content()
        assert re.search(r"mean \|δ\| = [\d.e-]+", hover)

        page.click("#play")
        page.wait_for_function(f"document.body.dataset.frame === '{len(history) - 1}'", timeout=15000)
        png = page.screenshot()
        assert errors == []
    image = need_module("matplotlib.image", "BROWSER").imread(io.BytesIO(png))
    assert image.shape[:2] == (720, 1280) and image.std() > 0.05
