"""Task lists in descriptions and comments, still sanitized."""

from __future__ import annotations

import re

from tasks.markdown import render_markdown

# nh3 writes attributes in no fixed order: compare them as sets.
INPUT = re.compile(r"<input([^>]*)>")


def inputs(html: str) -> list[set[str]]:
    return [set(attrs.split()) for attrs in INPUT.findall(html)]


UNCHECKED = {'type="checkbox"', 'disabled="disabled"'}
CHECKED = UNCHECKED | {'checked="checked"'}


def test_task_list_items_become_disabled_checkboxes():
    html = render_markdown("- [ ] write tests\n- [x] **fix** bug\n- plain item")
    assert inputs(html) == [UNCHECKED, CHECKED]
    assert re.search(r"<li><input[^>]*> write tests</li>", html)
    assert re.search(r"<li><input[^>]*> <strong>fix</strong> bug</li>", html)
    assert "<li>plain item</li>" in html
    assert "[ ]" not in html
    assert "[x]" not in html


def test_loose_task_lists_and_ordered_lists_too():
    assert inputs(render_markdown("- [ ] a\n\n- [X] b\n")) == [UNCHECKED, CHECKED]
    assert inputs(render_markdown("1. [ ] first")) == [UNCHECKED]


def test_brackets_elsewhere_stay_text():
    assert "<input" not in render_markdown("`[ ] code` and [ ] here")
    assert "<input" not in render_markdown("- [] no space\n- [y] other")


def test_raw_inputs_are_forced_to_harmless_disabled_checkboxes():
    html = render_markdown(
        '<input type="text" name="password" value="x" onclick="alert(1)" form="f">'
        '<input type="submit" formaction="javascript:alert(1)">'
    )
    assert inputs(html) == [UNCHECKED, UNCHECKED]
    for bad in ("text", "submit", "onclick", "password", "formaction", "javascript", "form="):
        assert bad not in html


def test_task_list_text_is_still_sanitized():
    html = render_markdown('- [ ] <img src=x onerror="alert(1)"> <script>alert(1)</script>ok')
    assert "onerror" not in html
    assert "<script" not in html
    assert "<img" not in html
    assert inputs(html) == [UNCHECKED]
    assert "ok" in html
