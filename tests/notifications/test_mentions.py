"""@username: what counts as a mention, who may be mentioned, and how it renders."""

from __future__ import annotations

import pytest

from notifications.services import mentioned_members
from tasks.markdown import mentioned_usernames, render_markdown


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@ann please look", ["ann"]),
        ("thanks @ann.", ["ann"]),  # the full stop ends the sentence, not the name
        ("@ann, @bob; (@carol) @dave! @eve? «@fay»", ["ann", "bob", "carol", "dave", "eve", "fay"]),
        ("@first.last, @with-dash- and @under_s", ["first.last", "with-dash", "under_s"]),
        ("write to ann@example.com or a.b@c.org", []),  # e-mail addresses mention nobody
        ("@@ann and @ alone and @-", []),
        ("@Ann and @ann and @ANN", ["Ann", "ann", "ANN"]),  # once each as written
        ("`@ann` in code", []),
        ("```\n@ann in a fenced block\n```", []),
        ("    @ann in an indented block", []),
        ("[@ann](https://example.com) is a link", []),
        ("**@ann** and _@bob_", ["ann", "bob"]),
        ("- [ ] ask @ann\n- [x] ask @bob", ["ann", "bob"]),
        ("", []),
    ],
)
def test_what_counts_as_a_mention(text, expected):
    assert mentioned_usernames(text) == expected


def test_only_active_members_of_the_tasks_team_can_be_mentioned(
    team, mentor, intern, outsider, staff
):
    ids = mentioned_members(text="@Mentor @intern @outsider @staff @nobody", team_id=team.pk)
    assert sorted(ids) == sorted([mentor.pk, intern.pk])


LINKS = {"ann": "/tasks/?assignee=1"}


def test_members_render_as_links_others_stay_text():
    html = render_markdown("Hi @Ann and @bob", mention_links=LINKS)
    assert '<a class="mention" href="/tasks/?assignee=1"' in html
    assert ">@Ann</a>" in html
    assert "@bob" in html
    assert "@bob</a>" not in html


def test_rendering_mentions_stays_sanitized():
    hostile = {"ann": "javascript:alert(1)"}
    html = render_markdown('@ann <img src=x onerror="alert(1)"> `@ann`', mention_links=hostile)
    assert "javascript:" not in html
    assert "onerror" not in html
    assert "<code>@ann</code>" in html
    # A class other than "mention" typed as raw HTML is stripped.
    assert 'class="evil"' not in render_markdown('<a class="evil" href="https://x.org">x</a>')


def test_without_links_nothing_changes():
    assert render_markdown("hi @ann") == "<p>hi @ann</p>"
