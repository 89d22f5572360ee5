"""The message after a participant import claims only what happened."""

from __future__ import annotations

from django.utils import translation

from teams.imports import ParticipantsImportResult


def test_nothing_imported_says_so_and_mentions_no_letter():
    result = ParticipantsImportResult(created_users=0, added_memberships=0, skipped=3)
    with translation.override("en"):
        text = result.summary()
    assert text == "Nothing was imported: all 3 rows are already in place."
    with translation.override("ru"):
        text = result.summary()
    assert "импортированы" not in text
    assert "письм" not in text
    assert "3" in text


def test_memberships_for_existing_users_send_no_letter():
    result = ParticipantsImportResult(created_users=0, added_memberships=2, skipped=0)
    with translation.override("en"):
        text = result.summary()
    assert "memberships added: 2" in text
    assert "email" not in text


def test_new_users_are_told_about_the_letter():
    result = ParticipantsImportResult(created_users=1, added_memberships=1, skipped=1)
    with translation.override("en"):
        text = result.summary()
    assert "New users: 1; memberships added: 1; rows skipped: 1." in text
    assert text.endswith("New users are emailed a link to set their password.")
