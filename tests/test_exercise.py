"""The exercise page and show() in a real headless Chromium: typing right and wrong
answers, retrying, revealing, explaining, the score; several pages in one notebook."""

from __future__ import annotations

import html
import re

from autograd import save_html, show
from tests.conftest import browser, cs231n, need_program

# CS231n's circuit f = (x + y)·z at -2, 5, -4, in backward order:
# ∂f/∂f = 1; ∂f/∂q = z = -4, q.grad = -4; ∂f/∂z = q = 3, z.grad = 3;
# ∂q/∂x = 1, x.grad = -4; ∂q/∂y = 1, y.grad = -4: 9 questions.


def answer(page, text):
    page.fill("#answer", text)
    page.press("#answer", "Enter")
    return page.inner_text("#feedback")


def test_an_exercise_grades_typed_answers(tmp_path):
    need_program("dot", "DOT")
    f, _ = cs231n()
    path = save_html(f, tmp_path / "exercise.html", exercise=True)
    source = path.read_text(encoding="utf-8")
    assert "grad -4.0000" not in source and "grad 3.0000" not in source
    with browser() as b:
        page = b.new_page(viewport={"width": 1280, "height": 720})
        page.goto(path.as_uri())
        assert page.locator("#play").is_hidden()  # no playing past the questions
        for _ in range(3):  # start, two forward steps: values are shown
            page.click("#next")
        assert page.inner_text("#phase") == "backward: seed"
        assert page.is_disabled("#next")  # the question first
        assert page.inner_text("#prompt").strip() == "∂f/∂f ="
        assert answer(page, "0").startswith("✗ not 0")
        assert answer(page, "1").startswith("✓ right")
        assert page.locator("#n4 text").last.text_content() == "grad 1.0000"
        page.click("#next")
        assert page.inner_text("#prompt").strip() == "local derivative ∂f/∂q ="
        assert page.locator("#n2 text").last.text_content() == "grad ?"
        assert answer(page, "4").startswith("✗")  # the sign slip
        assert answer(page, "−4.01").startswith("✓")  # a typographic minus; within 1e-2 relative
        assert page.inner_text("#prompt").strip() == "q.grad (after adding local × upstream) ="
        assert answer(page, "-4").startswith("✓")
        assert page.locator("#n2 text").last.text_content() == "grad -4.0000"  # filled in now
        assert answer(page, "abc").startswith("Type a number")
        page.click("#reveal")  # ∂f/∂z: revealed, so no point
        assert "The answer: local derivative ∂f/∂z = 3" in page.inner_text("#feedback")
        assert answer(page, "3/1").startswith("✓")  # z.grad, as a fraction
        assert not page.is_disabled("#next")
        page.click("#next")
        assert answer(page, "2").startswith("✗")  # ∂q/∂x
        page.click("#explain")
        assert "x:  local ∂q/∂x = 1 → 1;  1 × (-4) = -4;  x.grad = -4" in page.inner_text("#explained")
        assert answer(page, "-4").startswith("✓")  # x.grad
        assert answer(page, "1").startswith("✓")  # ∂q/∂y
        assert answer(page, "-4.3").startswith("✗")  # outside 1e-2
        assert answer(page, "-4").startswith("✓")  # retried
        page.click("#next")
        assert page.inner_text("#phase") == "done"
        assert page.evaluate("document.body.dataset.score") == "7/9"
        assert page.inner_text("#prompt").strip() == ("Score: 7 / 9 right (4 at the first try, "
                                              "2 revealed or explained).")


def test_the_tolerance_is_configurable(tmp_path):
    need_program("dot", "DOT")
    f, _ = cs231n()
    path = save_html(f, tmp_path / "strict.html", exercise=True, tolerance=1e-4, hide="both")
    with browser() as b:
        page = b.new_page(viewport={"width": 1280, "height": 720})
        page.goto(path.as_uri())
        page.click("#next")
        assert page.inner_text("#prompt").strip() == "q ="  # values are asked too
        assert page.locator("#n2 text").nth(-2).text_content() == "data ?"
        assert answer(page, "3.01").startswith("✗")  # within 1e-2 but not 1e-4
        assert answer(page, "3.0001").startswith("✓")
        assert page.locator("#n2 text").nth(-2).text_content() == "data 3.0000"


def test_pages_shown_in_a_notebook_step_independently_and_leave_it_alone(tmp_path):
    need_program("dot", "DOT")
    first, second = show(cs231n()[0], height=420), show(cs231n()[0], height=420)
    notebook = tmp_path / "notebook.html"  # what Jupyter does with the cells' outputs
    notebook.write_text(
        "<!DOCTYPE html><html><body><h1>notebook</h1><textarea id='cell'></textarea>"
        f"<div class='output'>{first._repr_html_()}</div><div class='output'>{second._repr_html_()}</div>"
        "<div style='height: 2000px'>more cells</div></body></html>", encoding="utf-8")
    frame = first._repr_html_()
    srcdoc = html.unescape(re.search(r'srcdoc="([^"]*)"', frame).group(1))
    assert "<style>" in srcdoc and 'id="next"' in srcdoc  # the whole page, inside the frame only
    with browser() as b:
        page = b.new_page(viewport={"width": 1280, "height": 720})
        page.goto(notebook.as_uri())
        page.wait_for_timeout(300)
        frames = [f for f in page.frames if f != page.main_frame]
        assert len(frames) == 2
        for f in frames:
            f.wait_for_selector("#counter")
        one, two = frames
        one.click("#next")
        one.click("#next")
        assert one.inner_text("#counter") == "step 3 / 7" and two.inner_text("#counter") == "step 1 / 7"
        two.click("#next")
        assert one.inner_text("#counter") == "step 3 / 7" and two.inner_text("#counter") == "step 2 / 7"
        # typing in the notebook: spaces and arrows reach the cell, and no page plays or steps
        page.click("#cell")
        page.keyboard.type("a b c")
        page.keyboard.press("ArrowLeft")
        assert page.input_value("#cell") == "a b c"
        page.wait_for_timeout(1700)
        assert one.inner_text("#counter") == "step 3 / 7" and two.inner_text("#counter") == "step 2 / 7"
        # the notebook still scrolls: no page style reached it
        assert page.evaluate("getComputedStyle(document.body).overflow") == "visible"
        page.mouse.wheel(0, 600)
        page.wait_for_timeout(300)
        assert page.evaluate("window.scrollY") > 0
        assert page.evaluate("document.getElementById('next')") is None  # no ids leaked
