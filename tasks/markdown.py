"""Markdown for task descriptions and comments, rendered then sanitized.

Users write Markdown; raw HTML they type is not trusted: the rendered HTML
goes through nh3 (an allow-list sanitizer), so scripts, event handlers,
styles and javascript: links never reach a page.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

import markdown as markdown_lib
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td", "input",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "th": {"align"},
    "td": {"align"},
    "input": {"checked"},
}
# Every <input> that survives, even one typed as raw HTML, is forced to be a
# disabled checkbox: task-list boxes show state, they are not a form.
FORCED_ATTRIBUTES = {"input": {"type": "checkbox", "disabled": "disabled"}}
TASK_MARKER = re.compile(r"^\[([ xX])\]\s+")


class _TaskListProcessor(Treeprocessor):
    """GFM task lists: an item starting with "[ ] " or "[x] " gets a checkbox."""

    def run(self, root: etree.Element) -> None:
        for item in root.iter("li"):
            # Loose lists wrap the item's text in a paragraph.
            holder = item
            if not (item.text or "").strip() and len(item) and item[0].tag == "p":
                holder = item[0]
            match = TASK_MARKER.match(holder.text or "")
            if not match:
                continue
            box = etree.Element("input")
            if match.group(1) != " ":
                box.set("checked", "checked")
            box.tail = " " + holder.text[match.end() :]
            holder.text = ""
            holder.insert(0, box)


class _TaskListExtension(Extension):
    def extendMarkdown(self, md: markdown_lib.Markdown) -> None:  # noqa: N802 - Markdown's API
        # After inline patterns (priority below 20), so the marker text is final.
        md.treeprocessors.register(_TaskListProcessor(md), "task_list", 5)


def render_markdown(text: str) -> str:
    """Safe HTML for ``text``; the result may be marked safe in templates."""
    if not text:
        return ""
    html = markdown_lib.markdown(
        text, extensions=["fenced_code", "tables", "sane_lists", _TaskListExtension()]
    )
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        set_tag_attribute_values=FORCED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
