"""Every translated string in Python must reach the catalogue.

``make messages`` runs xgettext, which does not look into f-strings: a
``gettext("…")`` inside ``f"…{gettext('…')}…"`` is translated at run time
only if the same text happens to be in the catalogue from elsewhere, so a
new one silently stays English for Russian users (it happened to "No
description." when the dialog's editors moved to Python).
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

TRANSLATING = {
    "_",
    "gettext",
    "gettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
}
SKIPPED = {".venv", "tests", "staticfiles", "node_modules", ".git", "migrations"}


def _sources() -> list[Path]:
    root = Path(settings.BASE_DIR)
    return [
        path
        for path in root.rglob("*.py")
        if not SKIPPED.intersection(path.relative_to(root).parts)
    ]


def _translations_in_fstrings(tree: ast.AST) -> list[int]:
    return [
        inner.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.JoinedStr)
        for inner in ast.walk(node)
        if isinstance(inner, ast.Call)
        and isinstance(inner.func, ast.Name)
        and inner.func.id in TRANSLATING
    ]


def test_no_translation_is_asked_inside_an_fstring():
    found = [
        f"{path.relative_to(settings.BASE_DIR)}:{line}"
        for path in _sources()
        for line in _translations_in_fstrings(ast.parse(path.read_text(), str(path)))
    ]
    assert found == [], "translate outside the f-string (xgettext skips it): " + ", ".join(found)


def test_the_check_finds_one():
    tree = ast.parse("x = f\"<p>{escape(gettext('No description.'))}</p>\"")
    assert _translations_in_fstrings(tree) == [1]
    assert _translations_in_fstrings(ast.parse('x = gettext("a") + f"{y}"')) == []
