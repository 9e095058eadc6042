"""Hostile text in labels, scope names and op symbols: the step-through page's scripts stay
intact, the DOT stays valid, and a label or title of the wrong type is a clear error."""

import json
import re
import xml.etree.ElementTree as ET

import pytest

from autograd import Value, define_op, draw_dot, explain, render, save_html, scope
from tests.conftest import browser, need_program

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "<!--<script>alert(1)</script>"


def hostile_graph():
    sym = define_op("hostile_sym", lambda x: 2 * x, [lambda x, out: 2.0], ["∂{out}/∂{x} = 2"], symbol=HOSTILE)
    x = Value(1.5, HOSTILE)
    y = sym(x) * x
    y.label = "y</script><script>alert(2)//"
    return y


def scripts(page):
    return re.findall(r"<script[^>]*>(.*?)</script>", page, re.S)


def test_no_label_or_symbol_can_break_the_pages_scripts(tmp_path):
    need_program("dot", "DOT")
    page = save_html(hostile_graph(), tmp_path / "p.html").read_text(encoding="utf-8")
    steps, encoded, initial, mode, code = scripts(page)  # exactly five script elements, none split or opened
    assert encoded == ""  # not an exercise: no encoded answers
    for data in (steps, initial, mode):
        assert "<" not in data and ">" not in data and "&" not in data
    steps = json.loads(steps)  # and the JSON is intact: \\u003c is read back as <
    assert any(HOSTILE in s["text"] for s in steps)
    assert "function" in code and "alert" not in code


def test_the_hostile_page_still_steps_in_a_browser(tmp_path):
    need_program("dot", "DOT")
    path = save_html(hostile_graph(), tmp_path / "p.html")
    with browser() as b:
        tab = b.new_page()
        dialogs = []
        tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        tab.goto(path.as_uri())
        total = int(tab.inner_text("#counter").split("/")[1])
        tab.click("#next")
        assert tab.inner_text("#counter") == f"step 2 / {total}"
        assert HOSTILE in tab.inner_text("#text")
        assert dialogs == []


def render_ok(v, tmp_path):
    """dot accepts the graph's DOT and the SVG it draws is well-formed XML."""
    v.backward()
    draw_dot(v).source.encode("utf-8")  # no lone surrogate left in the source
    need_program("dot", "DOT")
    path = render(v, tmp_path / "g.svg")
    return ET.parse(path).getroot()


BAD_TEXTS = {
    "trailing backslash": "a\\",
    "backslashes": "\\\\\\",
    "NUL": "a\x00b",
    "control characters": "a\nb\tc\x1b[31m\x7f",
    "over 16,384 characters": "a" * 17_000,
    "lone surrogate": "a\ud800b",
    "surrogate pair as two code points": "\ud83d\ude00",
    "DOT escapes": "\\N \\G \\l \\n",
    "quotes and braces": '"}{|<>',
}


@pytest.mark.parametrize("text", list(BAD_TEXTS.values()), ids=list(BAD_TEXTS))
def test_any_label_gives_valid_dot(tmp_path, text):
    root = render_ok(Value(2.0, text) * 3.0, tmp_path)
    assert root.tag == f"{SVG}svg"


@pytest.mark.parametrize("text", list(BAD_TEXTS.values()), ids=list(BAD_TEXTS))
def test_any_scope_name_gives_valid_dot(tmp_path, text):
    if "/" in text:
        pytest.skip("scope names cannot hold /")
    with scope(text):
        v = Value(2.0, "x") * 3.0
    render_ok(v + 1.0, tmp_path)
    with scope(text):
        w = Value(2.0, "x") * 3.0
    v = w + 1.0
    v.backward()
    need_program("dot", "DOT")
    ET.parse(render(v, tmp_path / "folded.svg", collapse=True))


@pytest.mark.parametrize("text", list(BAD_TEXTS.values()), ids=list(BAD_TEXTS))
def test_any_op_symbol_gives_valid_dot(tmp_path, text):
    op = define_op("odd_symbol", lambda x: x, [lambda x, out: 1.0], symbol=text)
    render_ok(op(Value(2.0, "x")), tmp_path)


def test_a_long_label_is_cut_in_the_picture_but_kept_in_the_explanation():
    v = Value(2.0, "a" * 17_000) * 3.0
    source = draw_dot(v).source
    assert "a" * 199 + "…" in source and "a" * 200 not in source
    assert "a" * 17_000 in str(explain(v))


@pytest.mark.parametrize("call", [draw_dot, explain], ids=["draw_dot", "explain"])
def test_a_label_that_is_not_a_string_is_named(call):
    x = Value(2.0, "x")
    y = x * 3.0
    y.label = 123
    with pytest.raises(TypeError, match=rf"{call.__name__}: a label must be a str, got int 123 \(the label "
                                        r"of a node with data 6.0\)"):
        call(y)


def test_a_title_that_is_not_a_string_is_named(tmp_path):
    with pytest.raises(TypeError, match="save_html: title must be a str, got int 5"):
        save_html(Value(2.0, "x") * 3.0, tmp_path / "p.html", title=5)
    assert not (tmp_path / "p.html").exists()


def test_a_hostile_title_is_escaped(tmp_path):
    need_program("dot", "DOT")
    page = save_html(Value(2.0, "x") * 3.0, tmp_path / "p.html", title="</title><script>\ud800").read_text()
    assert "<title>&lt;/title&gt;&lt;script&gt;\ufffd</title>" in page and len(scripts(page)) == 5
