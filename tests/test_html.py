"""save_html: a self-contained page, driven in a real headless Chromium."""

import io
import json
import re

import pytest

from autograd import save_html
from tests.conftest import browser, cs231n, need_module, need_program


def test_the_page_is_self_contained_and_carries_every_step(tmp_path):
    need_program("dot", "DOT")
    f, (x, y, z, q) = cs231n()
    x.grad = 7.0  # save_html must leave grads alone
    page = save_html(f, tmp_path / "page.html").read_text(encoding="utf-8")
    assert x.grad == 7.0 and f.grad == 0.0
    assert "<svg" in page and "<script src" not in page and "<link" not in page
    external = [u for u in re.findall(r'(?:src|href)="([^"]+)"', page) if not u.startswith("#")]
    assert external == []
    steps = json.loads(re.search(r'<script type="application/json" id="steps">(.*?)</script>', page, re.S)
                       .group(1).replace("<\\/", "</"))
    phases = [s["phase"] for s in steps]
    assert phases == ["start", "forward 1/2", "forward 2/2", "backward: seed", "backward 1/2",
                      "backward 2/2", "done"]
    assert steps[1]["text"] == "q = x + y = (-2) + 5 = 3"
    assert steps[5]["set"] == {"n0": {"grad": "grad -4.0000"}, "n1": {"grad": "grad -4.0000"}}


def test_stepping_through_the_page_in_a_browser(tmp_path):
    need_program("dot", "DOT")
    f, _ = cs231n()
    path = save_html(f, tmp_path / "page.html")
    with browser() as b:
        page = b.new_page(viewport={"width": 1000, "height": 650})
        page.goto(path.as_uri())
        first_text = page.inner_text("#text")
        assert "The inputs (x, y, z) are known" in first_text
        assert page.locator("g.node.current").count() == 0
        assert page.inner_text("#counter") == "step 1 / 7"

        page.click("#next")
        assert page.inner_text("#text") == "q = x + y = (-2) + 5 = 3"
        assert page.get_attribute("g.node.current >> nth=0", "id") in ("n2", "n2_op")
        assert page.locator("#n2 text").last.text_content() == "grad —"
        assert page.locator("#n2 text").nth(-2).text_content() == "data 3.0000"

        page.click("#next")
        assert page.inner_text("#text") == "f = q * z = 3 * (-4) = -12"
        current = {el.get_attribute("id") for el in page.query_selector_all("g.node.current")}
        assert current == {"n4", "n4_op"}

        page.keyboard.press("ArrowRight")  # the seed
        page.keyboard.press("ArrowRight")  # backward through f = q * z
        assert "upstream ∂f/∂f = 1" in page.inner_text("#text")
        assert page.locator("#n2 text").last.text_content() == "grad -4.0000"
        assert page.locator("#n3 text").last.text_content() == "grad 3.0000"
        assert page.locator("#n0 text").last.text_content() == "grad —"
        inputs = {el.get_attribute("id") for el in page.query_selector_all("g.node.input")}
        assert inputs == {"n2", "n3"}

        page.click("#prev")
        assert page.locator("#n2 text").last.text_content() == "grad —"
        page.keyboard.press("ArrowLeft")
        assert page.inner_text("#counter") == "step 3 / 7"

        page.click("#play")
        page.wait_for_function("document.body.dataset.step === '6'", timeout=15000)
        assert "Done" in page.inner_text("#text")
        assert page.locator("#n0 text").last.text_content() == "grad -4.0000"

        png = page.screenshot()
    image = need_module("matplotlib.image", "BROWSER").imread(io.BytesIO(png))
    assert image.shape[0] > 500 and image.shape[1] > 900
    assert image.std() > 0.05  # not blank
    colours = {tuple(px) for px in image[::7, ::7, :3].reshape(-1, 3).round(2).tolist()}
    assert len(colours) > 20


def test_save_html_rejects_non_values(tmp_path):
    with pytest.raises(TypeError):
        save_html(3.0, tmp_path / "x.html")


def test_the_last_step_lists_this_pass_gradients_even_after_earlier_backwards(tmp_path):
    need_program("dot", "DOT")
    f, (x, y, z, q) = cs231n()
    f.backward()  # .grad now holds -4, -4, 3 already; the page shows one pass, not two
    page = save_html(f, tmp_path / "page.html").read_text(encoding="utf-8")
    steps = json.loads(re.search(r'id="steps">(.*?)</script>', page, re.S).group(1).replace("<\\/", "</"))
    assert steps[-1]["text"].endswith("∂f/∂x = -4, ∂f/∂y = -4, ∂f/∂z = 3.")
    assert (x.grad, z.grad) == (-4.0, 3.0)  # and the page left them alone
