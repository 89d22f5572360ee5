"""Russian is a first-class language: the catalogue is complete and used."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.urls import reverse

from tests.conftest import require_services

ROOT = Path(__file__).resolve().parents[2]
PO_FILE = ROOT / "locale" / "ru" / "LC_MESSAGES" / "django.po"


def load_catalog(path: Path):
    with path.open("rb") as handle:
        return read_po(handle, locale="ru")


def test_russian_catalogue_has_no_untranslated_or_fuzzy_entries():
    catalog = load_catalog(PO_FILE)
    missing = [
        message.id
        for message in catalog
        if message.id
        and (
            message.fuzzy
            or not (all(message.string) if isinstance(message.string, tuple) else message.string)
        )
    ]
    assert missing == []


def test_every_translatable_string_in_the_code_is_in_the_catalogue(tmp_path):
    """Regenerate the catalogue from the code into a copy and compare message ids."""
    if shutil.which("xgettext") is None:
        if require_services():
            pytest.fail("REQUIRE_SERVICES is set but GNU gettext (xgettext) is not installed")
        pytest.skip("needs GNU gettext (xgettext) to extract messages; .ci/run installs it")
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "staticfiles", "node_modules", "*.mo", "__pycache__", "db.sqlite3*"
        ),
    )
    subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "--locale",
            "ru",
            "--no-obsolete",
            "--ignore",
            "tests/*",
            "--ignore",
            "staticfiles/*",
        ],
        cwd=copy,
        env={"DEBUG": "1", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(copy)},
        check=True,
        capture_output=True,
    )
    extracted = {m.id for m in load_catalog(copy / "locale/ru/LC_MESSAGES/django.po") if m.id}
    committed = {m.id for m in load_catalog(PO_FILE) if m.id}
    assert sorted(extracted - committed, key=str) == [], "run `make messages` and translate"


@pytest.mark.django_db
def test_anonymous_visitor_asking_for_russian_sees_the_login_page_in_russian(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="ru-RU,ru;q=0.9,en;q=0.5")
    assert response.status_code == 200
    assert response["Content-Language"] == "ru"
    content = response.content.decode()
    assert "Войти" in content
    assert 'lang="ru"' in content


@pytest.mark.django_db
def test_anonymous_visitor_asking_for_english_sees_english(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "en"
    assert "Log in" in response.content.decode()
