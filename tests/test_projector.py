"""The step-through page on a projector: at 1920×1080 and 1280×720, for the neuron, the
CS231n circuit, Mazur's 2-2-2 worked example and one sample through an MLP(2, [4, 1]),
measured in a real headless Chromium.

- the default view shows the whole graph;
- no graph text is smaller than 14 CSS px wherever the graph can be that large: the fit
  scales the graph up until it fills its part of the window, so text is below 14 px only
  when the whole graph cannot be shown larger (then "follow" zooms to ≥ 14 px);
- the explanation panel never covers the current node or its inputs, at any step;
- Play has a speed control.

Screenshots go to tmp_path, or to $GRADSTEP_SCREENSHOTS when that is set.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from autograd import save_html
from tests.conftest import browser, need_program, teaching_graphs
from tests.projector import FOLLOWED, HIGHLIGHTED, MEASURE, overlap

SIZES = [(1920, 1080), (1280, 720)]
READABLE = 14.0


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    need_program("dot", "DOT")
    folder = Path(os.environ.get("GRADSTEP_SCREENSHOTS") or tmp_path_factory.mktemp("projector"))
    folder.mkdir(parents=True, exist_ok=True)
    graphs = teaching_graphs()
    return folder, {name: save_html(root, folder / f"{name}.html") for name, root in graphs.items()}


@pytest.mark.parametrize("width, height", SIZES)
@pytest.mark.parametrize("name", ["neuron", "cs231n", "worked_example", "mlp"])
def test_the_page_on_a_projector(pages, name, width, height):
    folder, paths = pages
    with browser() as b:
        page = b.new_page(viewport={"width": width, "height": height})
        page.goto(paths[name].as_uri())
        m = page.evaluate(MEASURE)
        page.screenshot(path=str(folder / f"{name}_{width}x{height}.png"))

        # the whole graph is in view: inside its pane, nothing to scroll, nothing off the page
        svg, pane = m["svg"], m["pane"]
        assert svg[0] >= pane[0] - 1 and svg[2] <= pane[2] + 1
        assert svg[1] >= pane[1] - 1 and svg[3] <= pane[3] + 1
        sw, cw, sh, ch = m["paneScroll"]
        assert sw <= cw + 1 and sh <= ch + 1 and m["scrollW"] <= width
        # the fit fills the pane in one direction: the graph is as large as it can be
        fill = max((svg[2] - svg[0]) / (pane[2] - pane[0]), (svg[3] - svg[1]) / (pane[3] - pane[1]))
        assert fill > 0.97 or m["minText"] >= 39.0, (name, fill)  # (or at the 4× cap of the fit)
        # the graph gets most of the window
        assert (pane[2] - pane[0]) * (pane[3] - pane[1]) >= 0.55 * width * height
        if name in ("neuron", "cs231n"):  # these can be shown whole at a readable size
            assert m["minText"] >= READABLE, m
        assert m["minTextHeight"] >= 0.9 * m["minText"]  # the glyphs are really that large

        # at every step the panel is clear of the current node and its inputs
        steps = int(page.inner_text("#counter").split("/ ")[1])
        for k in range(steps):
            assert page.evaluate(HIGHLIGHTED) == 0, (name, k)
            assert overlap(page.evaluate(MEASURE)["panel"], m["pane"]) == 0
            if k == steps // 2:
                page.screenshot(path=str(folder / f"{name}_{width}x{height}_step{k + 1}.png"))
            page.keyboard.press("ArrowRight")
        assert page.inner_text("#phase") == "done"

        # follow: readable text, the current node in view, still clear of the panel
        page.keyboard.press("Home")
        page.click("#follow")
        for k in range(steps):
            f = page.evaluate(FOLLOWED)
            if f["marked"]:
                assert f["minText"] >= READABLE - 0.05, (name, k, f)
                assert f["currentInView"], (name, k, f)
            assert page.evaluate(HIGHLIGHTED) == 0
            if k == steps // 2:
                page.screenshot(path=str(folder / f"{name}_{width}x{height}_follow{k + 1}.png"))
            page.keyboard.press("ArrowRight")
        page.click("#zoom-fit")
        assert page.evaluate(MEASURE)["svg"] == m["svg"]


def test_play_has_a_speed_control(pages):
    _, paths = pages
    with browser() as b:
        page = b.new_page(viewport={"width": 1280, "height": 720})
        page.goto(paths["cs231n"].as_uri())
        options = page.eval_on_selector_all("#speed option", "os => os.map(o => Number(o.value))")
        assert len(options) >= 3 and min(options) <= 300 and max(options) >= 2500
        page.select_option("#speed", str(min(options)))
        page.click("#play")
        page.wait_for_function("document.getElementById('play').textContent === '▶ Play'",
                               timeout=4000)  # 6 steps × 0.25 s, not × 1.5 s
        assert page.evaluate("document.body.dataset.step") == "6"
        page.select_option("#speed", str(max(options)))
        page.click("#play")  # from the end: starts again at step 1, slowly
        page.wait_for_timeout(1200)
        assert page.evaluate("document.body.dataset.step") == "0"
        page.click("#play")
