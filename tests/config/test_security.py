"""Security promises that hold for every page (DESIGN.md "Security")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(
    path
    for path in ROOT.glob("**/templates/**/*.html")
    if ".venv" not in path.parts and "staticfiles" not in path.parts
)


@pytest.mark.django_db
def test_every_response_carries_the_security_headers(client):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_templates_are_found():
    assert len(TEMPLATES) >= 10


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_have_no_inline_script_style_or_event_handlers(path):
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), "inline <script>"
    assert not re.search(r"\son[a-z]+\s*=", text, flags=re.IGNORECASE), "on* attribute"
    assert not re.search(r"\sstyle\s*=", text), "style= attribute"
    assert not re.search(r"https?://", text), "absolute URL (CDN?) in a template"


def test_static_files_load_nothing_from_outside():
    for path in (ROOT / "static").rglob("*"):
        if path.suffix in {".css", ".html"} or (
            path.suffix == ".js" and "vendor" not in path.parts
        ):
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"(?:url\(|@import)\s*['\"]?(?:https?:)?//", text), path
