"""Every check of the central permission matrix (``matrix.py``), as every persona.

A failure names the request, the persona and both statuses. A refused
request must also have changed nothing: the test compares every row of the
apps' tables (fields that merely record access, like ``last_login``, aside).
"""

from __future__ import annotations

import difflib
import re
from typing import Any

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils.html import escape

from tests.conftest import ALL_PERSONAS
from tests.security.matrix import MATRIX, Check, Row, World

APPS = ("accounts", "teams", "projects", "tasks", "integrations", "analytics", "notifications")
# Written by signing in or by authenticating a token, whatever the request then does.
ACCESS_FIELDS = {"last_login", "last_used_at"}
DENIED = {401, 403, 404}

CASES = [
    pytest.param(name, index, persona, expected, id=f"{name}-{check.label}-{persona}")
    for name, row in MATRIX.items()
    for index, check in enumerate(row.checks)
    for persona, expected in zip(ALL_PERSONAS, check.expect, strict=True)
]


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    state = {}
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            fields = [
                f.attname for f in model._meta.concrete_fields if f.attname not in ACCESS_FIELDS
            ]
            state[model._meta.label] = list(model.objects.order_by("pk").values_list(*fields))
    return state


def build_url(name: str, row: Row, world: World) -> str:
    return reverse(name, kwargs=row.kwargs(world)) + row.query


def send(client, row: Row, check: Check, url: str, world: World):
    data = check.data(world) if check.data else {}
    if row.api:
        if check.method == "get":
            return client.get(url)
        return getattr(client, check.method)(url, data, format="json")
    headers = {"HX-Request": "true"} if check.htmx else {}
    if check.method == "get":
        return client.get(url, headers=headers)
    return getattr(client, check.method)(url, data, headers=headers)


def refused(row: Row, persona: str, expected: int) -> bool:
    sent_to_login = persona == "anonymous" and expected == 302 and not row.public
    return expected in DENIED or sent_to_login


@pytest.mark.parametrize(("name", "index", "persona_name", "expected"), CASES)
def test_permission_matrix(request, world, login_as, name, index, persona_name, expected):
    row = MATRIX[name]
    check = row.checks[index]
    fixtures = {fixture: request.getfixturevalue(fixture) for fixture in row.needs}
    if row.prepare:
        row.prepare(world, fixtures)
    client = login_as(persona_name, api=row.api)
    url = build_url(name, row, world)
    denied = refused(row, persona_name, expected)
    before = snapshot() if denied else None

    response = send(client, row, check, url, world)

    assert response.status_code == expected, (
        f"{check.label} {url} as {persona_name}: got {response.status_code}, "
        f"expected {expected} (row {name!r} in tests/security/matrix.py); "
        f"body starts: {response.content[:300]!r}"
    )
    if persona_name == "anonymous" and expected == 302 and not row.public:
        assert response["Location"].startswith(reverse("login")), response["Location"]
    if denied:
        after = snapshot()
        changed = sorted(label for label in after if after[label] != before[label])
        assert not changed, (
            f"{check.label} {url} as {persona_name} was refused ({expected}) "
            f"but changed {', '.join(changed)}"
        )


# --- Another team's object answers exactly like one that does not exist ------------

MISSING_ID = 987_654_321
CSRF_TOKEN = re.compile(rb'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]*')

HIDDEN_CASES = [
    pytest.param(name, index, persona, id=f"{name}-{check.label}-{persona}")
    for name, row in MATRIX.items()
    for index, check in enumerate(row.checks)
    for persona, expected in zip(ALL_PERSONAS, check.expect, strict=True)
    if persona in {"outsider", "other_mentor"} and expected == 404
]


def _comparable(response, url: str) -> tuple[int, bytes]:
    body = CSRF_TOKEN.sub(rb"\1", response.content)
    for shown in (url, escape(url)):  # the language switcher returns to this page
        body = body.replace(shown.encode(), b"<url>")
    return response.status_code, body


@pytest.mark.parametrize(("name", "index", "persona_name"), HIDDEN_CASES)
def test_another_teams_object_answers_like_a_missing_one(
    request, world, login_as, name, index, persona_name
):
    """DESIGN: another team's objects answer 404, so their existence does not leak.

    The same request with every id in the URL replaced by one that exists
    nowhere must get the same status and the same body.
    """
    row = MATRIX[name]
    check = row.checks[index]
    for fixture in row.needs:
        request.getfixturevalue(fixture)
    client = login_as(persona_name, api=row.api)
    url = build_url(name, row, world)
    kwargs = {
        key: MISSING_ID if isinstance(value, int) else value
        for key, value in row.kwargs(world).items()
    }
    missing_url = reverse(name, kwargs=kwargs) + row.query

    real = _comparable(send(client, row, check, url, world), url)
    missing = _comparable(send(client, row, check, missing_url, world), missing_url)

    difference = "\n".join(
        difflib.unified_diff(
            real[1].decode(errors="replace").splitlines(),
            missing[1].decode(errors="replace").splitlines(),
            "existing object",
            "missing object",
            lineterm="",
        )
    )
    assert real == missing, (
        f"{check.label} {url} as {persona_name} answers {real[0]}, while with ids that exist "
        f"nowhere it answers {missing[0]}; body difference:\n{difference}"
    )
