"""/api/v1/projects/{id}/webhooks/: permission matrix, write-only secret, validation, paging."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from integrations.models import Webhook, WebhookDelivery
from tests.conftest import persona_matrix
from tests.integrations.conftest import SECRET
from tests.integrations.factories import WebhookDeliveryFactory, WebhookFactory
from tests.projects.factories import ProjectFactory

NEW_SECRET = "api-client-secret-0123456789"


def _list_url(project) -> str:
    return reverse("api-webhook-list", args=[project.pk])


def _detail_url(webhook) -> str:
    return reverse("api-webhook-detail", args=[webhook.project_id, webhook.pk])


def _deliveries_url(webhook) -> str:
    return reverse("api-webhook-deliveries", args=[webhook.project_id, webhook.pk])


def _call(api, endpoint: str, project, webhook, receiver):
    if endpoint == "list":
        return api.get(_list_url(project))
    if endpoint == "create":
        body = {"url": receiver.url("/api"), "events": ["task.created"], "secret": NEW_SECRET}
        return api.post(_list_url(project), body, format="json")
    if endpoint == "retrieve":
        return api.get(_detail_url(webhook))
    if endpoint == "update":
        return api.patch(_detail_url(webhook), {"active": False}, format="json")
    if endpoint == "delete":
        return api.delete(_detail_url(webhook))
    return api.get(_deliveries_url(webhook))


# Anonymous: 401 once bearer tokens name their scheme, 403 with session auth alone;
# either way nothing is read or changed ("A" below).
A = "anonymous"
MATRIX = {
    #            anonymous staff mentor intern outsider
    "list": (A, 200, 200, 403, 404),
    "create": (A, 201, 201, 403, 404),
    "retrieve": (A, 200, 200, 403, 404),
    "update": (A, 200, 200, 403, 404),
    "delete": (A, 204, 204, 403, 404),
    "deliveries": (A, 200, 200, 403, 404),
}


def _snapshot(project) -> list:
    return list(Webhook.objects.filter(project=project).values_list("pk", "url", "active"))


@pytest.mark.parametrize(("endpoint", "persona_name", "expected"), persona_matrix(MATRIX))
def test_api_permission_matrix(
    api, api_as, project, webhook, receiver, endpoint, persona_name, expected
):
    before = _snapshot(project)
    api_as(persona_name)
    response = _call(api, endpoint, project, webhook, receiver)
    if expected == A:
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == expected
    changed = _snapshot(project) != before
    assert changed == (endpoint in {"create", "update", "delete"} and expected in (200, 201, 204))


def test_the_secret_never_appears_in_a_response(api, mentor, project, webhook, receiver):
    api.force_login(mentor)
    WebhookDeliveryFactory(webhook=webhook)
    created = api.post(
        _list_url(project),
        {"url": receiver.url("/x"), "events": ["task.created"], "secret": NEW_SECRET},
        format="json",
    )
    other = Webhook.objects.get(pk=created.json()["id"])
    responses = [
        created,
        api.get(_list_url(project)),
        api.get(_detail_url(webhook)),
        api.patch(_detail_url(webhook), {"secret": "rotated-secret-0123456789"}, format="json"),
        api.get(_deliveries_url(webhook)),
        api.get(_detail_url(other)),
    ]
    webhook.refresh_from_db()
    assert webhook.secret == "rotated-secret-0123456789"
    for response in responses:
        assert response.status_code in (200, 201)
        text = response.content.decode()
        for secret in (SECRET, NEW_SECRET, "rotated-secret-0123456789"):
            assert secret not in text
        assert '"secret"' not in text
    assert created.json()["secret_last4"] == NEW_SECRET[-4:]


def test_create_returns_the_webhook(api, mentor, project, receiver):
    api.force_login(mentor)
    response = api.post(
        _list_url(project),
        {
            "url": receiver.url("/x"),
            "events": ["review.submitted", "task.created", "task.created"],
            "secret": NEW_SECRET,
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {
        "id",
        "url",
        "events",
        "active",
        "secret_last4",
        "created_at",
        "updated_at",
    }
    assert body["events"] == ["task.created", "review.submitted"]
    assert body["active"] is True
    webhook = Webhook.objects.get(pk=body["id"])
    assert webhook.project == project
    assert webhook.created_by == mentor


def test_create_ignores_a_project_in_the_body(api, mentor, project, receiver):
    other = ProjectFactory(team=project.team, key="OTHER")
    api.force_login(mentor)
    response = api.post(
        _list_url(project),
        {
            "url": receiver.url(),
            "events": ["task.created"],
            "secret": NEW_SECRET,
            "project": other.pk,
        },
        format="json",
    )
    assert response.status_code == 201
    assert Webhook.objects.get().project == project


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"events": ["task.created"], "secret": NEW_SECRET}, "url"),
        ({"url": "not a url", "events": ["task.created"], "secret": NEW_SECRET}, "url"),
        ({"url": "https://example.com/x", "events": [], "secret": NEW_SECRET}, "events"),
        (
            {"url": "https://example.com/x", "events": ["task.exploded"], "secret": NEW_SECRET},
            "events",
        ),
        ({"url": "https://example.com/x", "events": ["task.created"]}, "secret"),
        ({"url": "https://example.com/x", "events": ["task.created"], "secret": "short"}, "secret"),
    ],
)
def test_invalid_input_is_a_400_per_field(api, mentor, project, allow_private, body, field):
    api.force_login(mentor)
    response = api.post(_list_url(project), body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Webhook.objects.exists()


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1/x", "http://10.0.0.1/x", "http://169.254.169.254/", "http://[::1]/"]
)
def test_an_internal_url_is_a_400_on_url(api, mentor, project, forbid_private, url):
    api.force_login(mentor)
    response = api.post(
        _list_url(project),
        {"url": url, "events": ["task.created"], "secret": NEW_SECRET},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert list(body["errors"]) == ["url"]
    assert "public addresses" in body["errors"]["url"][0]


def test_patch_changes_only_what_is_sent(api, mentor, webhook):
    api.force_login(mentor)
    response = api.patch(_detail_url(webhook), {"events": ["task.moved"]}, format="json")
    assert response.status_code == 200
    webhook.refresh_from_db()
    assert webhook.events == ["task.moved"]
    assert webhook.active is True
    assert webhook.secret == SECRET


def test_patch_refuses_an_internal_url(api, mentor, webhook, forbid_private):
    api.force_login(mentor)
    response = api.patch(_detail_url(webhook), {"url": "http://192.168.0.1/"}, format="json")
    assert response.status_code == 400
    assert "url" in response.json()["errors"]


def test_put_is_not_allowed(api, mentor, webhook):
    api.force_login(mentor)
    response = api.put(_detail_url(webhook), {"active": False}, format="json")
    assert response.status_code == 405


def test_lists_never_include_other_projects_webhooks(api, mentor, project, webhook):
    WebhookFactory(project=ProjectFactory(key="ELSE"))
    WebhookFactory(project=ProjectFactory(team=project.team, key="SIB"))
    api.force_login(mentor)
    body = api.get(_list_url(project)).json()
    assert body["count"] == 1
    assert [item["id"] for item in body["results"]] == [webhook.pk]


def test_a_webhook_of_another_project_answers_404(api, mentor, project):
    foreign = WebhookFactory(project=ProjectFactory(key="ELSE"))
    api.force_login(mentor)
    url = reverse("api-webhook-detail", args=[project.pk, foreign.pk])
    assert api.get(url).status_code == 404
    assert api.patch(url, {"active": False}, format="json").status_code == 404
    assert api.delete(url).status_code == 404
    deliveries = reverse("api-webhook-deliveries", args=[project.pk, foreign.pk])
    assert api.get(deliveries).status_code == 404
    assert Webhook.objects.filter(pk=foreign.pk, active=True).exists()


def test_deliveries_are_paginated_newest_first_and_only_this_webhooks(api, mentor, webhook):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    for minutes in range(3):
        WebhookDeliveryFactory(webhook=webhook, created_at=now - timedelta(minutes=minutes))
    WebhookDeliveryFactory(webhook=WebhookFactory(project=webhook.project))
    api.force_login(mentor)

    body = api.get(_deliveries_url(webhook), {"page_size": 2}).json()

    assert body["count"] == 3
    assert body["next"]
    created = [item["created_at"] for item in body["results"]]
    assert created == sorted(created, reverse=True)
    first = WebhookDelivery.objects.get(pk=body["results"][0]["id"])
    assert first.webhook == webhook
    assert set(body["results"][0]) == {
        "id",
        "event",
        "event_type",
        "status",
        "attempts",
        "last_status_code",
        "last_duration_ms",
        "last_error",
        "next_attempt_at",
        "delivered_at",
        "created_at",
        "attempt_log",
    }


@pytest.mark.parametrize("endpoint", ["list", "deliveries"])
def test_list_query_counts_do_not_grow(
    api, mentor, project, webhook, count_queries, django_assert_num_queries, endpoint
):
    api.force_login(mentor)
    url = _list_url(project) if endpoint == "list" else _deliveries_url(webhook)
    WebhookDeliveryFactory(webhook=webhook)
    api.get(url)
    small = count_queries(lambda: api.get(url))

    for _ in range(5):
        WebhookDeliveryFactory(webhook=WebhookFactory(project=project))
        WebhookDeliveryFactory(webhook=webhook)
    with django_assert_num_queries(small):
        response = api.get(url)
    assert json.loads(response.content)["count"] == 6


# Issue 7, item 4: permission before validation. An intern (403) or an
# outsider (404) learns nothing from a body's validity: the answer is the same
# for a valid, an invalid and an unparsable body.
INVALID_BODIES = {
    "valid": {
        "url": "https://hooks.example.com/x",
        "events": ["task.created"],
        "secret": NEW_SECRET,
    },
    "invalid": {"url": "not a url", "events": ["task.exploded"], "secret": "short"},
    "empty": {},
}


@pytest.mark.parametrize(("persona_name", "expected"), [("intern", 403), ("outsider", 404)])
@pytest.mark.parametrize("body", list(INVALID_BODIES))
@pytest.mark.parametrize("method", ["post", "patch"])
def test_permission_is_checked_before_the_body(
    api, api_as, project, webhook, persona_name, expected, body, method
):
    api_as(persona_name)
    before = _snapshot(project)
    if method == "post":
        response = api.post(_list_url(project), INVALID_BODIES[body], format="json")
    else:
        response = api.patch(_detail_url(webhook), INVALID_BODIES[body], format="json")
    assert response.status_code == expected
    assert "errors" not in response.json()
    assert _snapshot(project) == before


@pytest.mark.parametrize(("persona_name", "expected"), [("intern", 403), ("outsider", 404)])
def test_permission_is_checked_before_parsing(
    api, api_as, project, webhook, persona_name, expected
):
    api_as(persona_name)
    for url, method in ((_list_url(project), api.post), (_detail_url(webhook), api.patch)):
        response = method(url, b'{"url": [[[', content_type="application/json")
        assert response.status_code == expected, url
