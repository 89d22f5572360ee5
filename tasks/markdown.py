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


# ``@username``: Django's username characters but "@"; not preceded by a word
# character, a dot or "@" (so ``ann@example.com`` mentions nobody), and not
# ending in "." or "-" (a mention at the end of a sentence: "thanks @ann.").
MENTION = re.compile(r"(?<![\w.@+-])@([\w.+-]*\w)")
# Text inside these elements is never a mention: code is literal, links are links.
_NO_MENTION_TAGS = {"code", "pre", "a"}


class _MentionProcessor(Treeprocessor):
    """Collect ``@username`` mentions outside code and links; link the known ones.

    ``links`` maps a lower-cased username to the URL its mention links to;
    a mention of anyone else stays plain text.
    """

    def __init__(self, md: markdown_lib.Markdown, links: dict[str, str], found: list[str]):
        super().__init__(md)
        self.links = links
        self.found = found

    def run(self, root: etree.Element) -> None:
        self._walk(root)

    def _walk(self, element: etree.Element) -> None:
        if element.tag in _NO_MENTION_TAGS:
            return
        element.text, _added = self._split(element.text, element, 0)
        index = 0
        while index < len(element):
            child = element[index]
            self._walk(child)
            child.tail, added = self._split(child.tail, element, index + 1)
            index += 1 + added

    def _split(self, text: str | None, parent: etree.Element, at: int) -> tuple[str | None, int]:
        """Record the mentions in ``text`` and insert links into ``parent`` from index ``at``.

        Returns the text that stays before the first link and how many links were added.
        """
        if not text:
            return text, 0
        head: str | None = text
        links: list[etree.Element] = []
        position = 0
        for match in MENTION.finditer(text):
            self.found.append(match.group(1))
            url = self.links.get(match.group(1).lower())
            if url is None:
                continue
            before = text[position : match.start()]
            if links:
                links[-1].tail = before
            else:
                head = before
            link = etree.Element("a", {"href": url, "class": "mention"})
            link.text = match.group(0)
            parent.insert(at + len(links), link)
            links.append(link)
            position = match.end()
        if links:
            links[-1].tail = text[position:]
        return head, len(links)


class _MentionExtension(Extension):
    def __init__(self, links: dict[str, str], found: list[str]):
        super().__init__()
        self.links = links
        self.found = found

    def extendMarkdown(self, md: markdown_lib.Markdown) -> None:  # noqa: N802 - Markdown's API
        md.treeprocessors.register(_MentionProcessor(md, self.links, self.found), "mentions", 4)


def _convert(text: str, *, links: dict[str, str], found: list[str]) -> str:
    return markdown_lib.markdown(
        text,
        extensions=[
            "fenced_code",
            "tables",
            "sane_lists",
            _TaskListExtension(),
            _MentionExtension(links, found),
        ],
    )


def mentioned_usernames(text: str) -> list[str]:
    """The usernames ``text`` mentions (``@name`` outside code and links), in order, once each.

    Case is kept as written; callers match them case-insensitively.
    """
    found: list[str] = []
    if text:
        _convert(text, links={}, found=found)
    return list(dict.fromkeys(found))


def render_markdown(text: str, *, mention_links: dict[str, str] | None = None) -> str:
    """Safe HTML for ``text``; the result may be marked safe in templates.

    ``mention_links``: lower-cased username → URL for the people who may be
    mentioned here (the task's team); their ``@username`` becomes a link,
    anyone else's stays text.
    """
    if not text:
        return ""
    html = _convert(text, links={k.lower(): v for k, v in (mention_links or {}).items()}, found=[])
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes={"a": {"mention"}},
        set_tag_attribute_values=FORCED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
