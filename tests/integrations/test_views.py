"""Webhook pages: permission matrix and behaviour."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from integrations.models import Webhook
from integrations.selectors import RECENT_DELIVERIES_PER_WEBHOOK
from tests.conftest import persona_matrix
from tests.integrations.factories import WebhookDeliveryFactory, WebhookFactory
from tests.projects.factories import ProjectFactory

GET_MATRIX = {
    #               anonymous staff mentor intern outsider
    "webhook_list": (302, 200, 200, 403, 404),
    "webhook_detail": (302, 200, 200, 403, 404),
}


def _page(name: str, project, webhook) -> str:
    if name == "webhook_list":
        return reverse("webhook_list", args=[project.pk])
    return reverse(name, args=[project.pk, webhook.pk])


@pytest.mark.parametrize(("page", "persona_name", "expected"), persona_matrix(GET_MATRIX))
def test_page_permission_matrix(client, persona, project, webhook, page, persona_name, expected):
    persona(persona_name)
    response = client.get(_page(page, project, webhook))
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith(reverse("login"))


def _state(project) -> list:
    return list(Webhook.objects.filter(project=project).values_list("url", "active", "events"))


def _actions(project, webhook, receiver) -> dict:
    return {
        "webhook_create": (
            reverse("webhook_list", args=[project.pk]),
            {"url": receiver.url("/new"), "events": ["task.created"], "active": "on"},
        ),
        "webhook_update": (
            reverse("webhook_detail", args=[project.pk, webhook.pk]),
            {"url": receiver.url("/changed"), "events": ["task.moved"]},
        ),
        "webhook_delete": (reverse("webhook_delete", args=[project.pk, webhook.pk]), {}),
    }


POST_MATRIX = {
    #                 anonymous staff mentor intern outsider
    # Creation redirects to the new webhook's page, which shows the secret once.
    "webhook_create": (302, 302, 302, 403, 404),
    "webhook_update": (302, 302, 302, 403, 404),
    "webhook_delete": (302, 302, 302, 403, 404),
    "webhook_test": (302, 302, 302, 403, 404),
}


@pytest.mark.parametrize(("action", "persona_name", "expected"), persona_matrix(POST_MATRIX))
def test_write_permission_matrix(
    client, persona, project, webhook, receiver, action, persona_name, expected
):
    before = _state(project)
    user = persona(persona_name)
    if action == "webhook_test":
        response = client.post(reverse("webhook_test", args=[project.pk, webhook.pk]))
        assert response.status_code == expected
        allowed = user is not None and expected == 302
        assert len(receiver.requests) == (1 if allowed else 0)
        return
    url, data = _actions(project, webhook, receiver)[action]
    response = client.post(url, data)
    assert response.status_code == expected
    allowed = user is not None and expected in (200, 302)
    assert (_state(project) != before) == allowed


def test_webhook_of_another_project_answers_404(client, mentor, project, webhook):
    foreign = WebhookFactory(project=ProjectFactory(key="ELSE"))
    client.force_login(mentor)
    for name in ("webhook_detail", "webhook_delete", "webhook_test"):
        method = client.get if name == "webhook_detail" else client.post
        response = method(reverse(name, args=[project.pk, foreign.pk]))
        assert response.status_code == 404, name
    assert Webhook.objects.filter(pk=foreign.pk).exists()


def test_list_shows_only_this_projects_webhooks(client, mentor, project, webhook):
    foreign = WebhookFactory(project=ProjectFactory(key="ELSE"), url="https://foreign.example/x")
    sibling = WebhookFactory(
        project=ProjectFactory(team=project.team, key="SIB"), url="https://sibling.example/x"
    )
    client.force_login(mentor)
    content = client.get(reverse("webhook_list", args=[project.pk])).content.decode()
    assert webhook.url in content
    assert foreign.url not in content
    assert sibling.url not in content


def test_creating_shows_a_generated_secret_once_then_only_its_end(
    client, mentor, project, receiver
):
    client.force_login(mentor)
    response = client.post(
        reverse("webhook_list", args=[project.pk]),
        {"url": receiver.url(), "events": ["task.created", "review.submitted"], "active": "on"},
    )
    webhook = Webhook.objects.get(project=project)
    detail = reverse("webhook_detail", args=[project.pk, webhook.pk])
    # Post/Redirect/Get: a reload of the page that shows the secret posts nothing.
    assert response.status_code == 302
    assert response["Location"] == detail
    assert len(webhook.secret) >= 32
    assert webhook.events == ["task.created", "review.submitted"]
    assert webhook.created_by == mentor

    shown = client.get(detail)
    assert webhook.secret in shown.content.decode()
    assert 'data-copy-target="new-secret"' in shown.content.decode()
    assert "no-store" in shown["Cache-Control"]

    for url in (detail, reverse("webhook_list", args=[project.pk])):
        content = client.get(url).content.decode()
        assert webhook.secret not in content
        assert f"••••{webhook.secret_last4}" in content
    assert Webhook.objects.filter(project=project).count() == 1


def test_the_new_secret_travels_in_no_cookie_url_message_or_cache(
    client, mentor, project, receiver
):
    client.force_login(mentor)
    response = client.post(
        reverse("webhook_list", args=[project.pk]),
        {"url": receiver.url(), "events": ["task.created"], "active": "on"},
    )
    secret = Webhook.objects.get(project=project).secret
    assert secret not in response["Location"]
    shown = client.get(response["Location"])
    assert secret in shown.content.decode()

    for morsel in [*response.cookies.values(), *shown.cookies.values()]:
        assert secret not in morsel.value
        assert secret not in morsel.OutputString()
    # The session kept it for that one GET only (server-side, SESSION_ENGINE db).
    assert secret not in str(dict(client.session.items()))
    assert not [str(message) for message in get_messages(shown.wsgi_request)]
    later = client.get(reverse("dashboard"))
    assert secret not in later.content.decode()
    assert not any(secret in morsel.value for morsel in client.cookies.values())


def test_the_secret_is_shown_on_its_own_webhook_page_only(client, mentor, project, receiver):
    client.force_login(mentor)
    client.post(
        reverse("webhook_list", args=[project.pk]),
        {"url": receiver.url("/one"), "events": ["task.created"], "active": "on"},
    )
    first = Webhook.objects.get(project=project)
    other = Webhook.objects.create(
        project=project,
        url=receiver.url("/two"),
        events=["task.created"],
        secret="s" * 40,
        created_by=mentor,
    )
    content = client.get(reverse("webhook_detail", args=[project.pk, other.pk])).content.decode()
    assert first.secret not in content
    # Seen elsewhere first, it is gone: the waiting secret is used up by one GET.
    content = client.get(reverse("webhook_detail", args=[project.pk, first.pk])).content.decode()
    assert first.secret not in content


def test_a_typed_secret_is_kept_and_never_rendered_back(client, mentor, project, receiver):
    client.force_login(mentor)
    secret = "my-own-secret-value-1234"
    client.post(
        reverse("webhook_list", args=[project.pk]),
        {"url": receiver.url(), "events": ["task.created"], "secret": secret},
    )
    webhook = Webhook.objects.get(project=project)
    assert webhook.secret == secret
    assert webhook.active is False  # the checkbox was not sent


def test_editing_with_an_empty_secret_keeps_it(client, mentor, project, webhook, receiver):
    client.force_login(mentor)
    old_secret = webhook.secret
    url = reverse("webhook_detail", args=[project.pk, webhook.pk])
    response = client.post(
        url, {"url": receiver.url("/v2"), "events": ["task.moved"], "active": "on", "secret": ""}
    )
    assert response.status_code == 302
    webhook.refresh_from_db()
    assert (webhook.url, webhook.events, webhook.secret) == (
        receiver.url("/v2"),
        ["task.moved"],
        old_secret,
    )

    client.post(
        url, {"url": webhook.url, "events": ["task.moved"], "secret": "a-brand-new-secret-99"}
    )
    webhook.refresh_from_db()
    assert webhook.secret == "a-brand-new-secret-99"
    assert webhook.active is False


def test_an_internal_url_is_refused_with_a_form_error(client, mentor, project, forbid_private):
    client.force_login(mentor)
    response = client.post(
        reverse("webhook_list", args=[project.pk]),
        {"url": "http://169.254.169.254/latest/meta-data/", "events": ["task.created"]},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["url"]
    assert "public addresses" in response.content.decode()
    assert not Webhook.objects.exists()


def test_an_invalid_form_is_a_400_with_field_errors(client, mentor, project):
    client.force_login(mentor)
    response = client.post(
        reverse("webhook_list", args=[project.pk]),
        {"url": "not a url", "events": ["task.exploded"], "secret": "short"},
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"url", "events"}
    assert 'value="short"' not in response.content.decode()


def test_a_refused_edit_keeps_the_stored_values_on_the_page(
    client, mentor, project, webhook, forbid_private
):
    client.force_login(mentor)
    response = client.post(
        reverse("webhook_detail", args=[project.pk, webhook.pk]),
        {"url": "http://10.0.0.1/", "events": ["task.created"], "active": "on"},
    )
    assert response.status_code == 400
    webhook.refresh_from_db()
    assert webhook.url != "http://10.0.0.1/"
    assert response.context["webhook"].url == webhook.url


def test_delete_removes_the_webhook_and_its_log(client, mentor, project, webhook):
    WebhookDeliveryFactory(webhook=webhook)
    client.force_login(mentor)
    response = client.post(reverse("webhook_delete", args=[project.pk, webhook.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("webhook_list", args=[project.pk])
    assert not Webhook.objects.filter(pk=webhook.pk).exists()


def test_test_ping_reports_success_and_failure(client, mentor, project, webhook, receiver):
    client.force_login(mentor)
    url = reverse("webhook_test", args=[project.pk, webhook.pk])
    ok = client.post(url, follow=True).content.decode()
    assert "Test ping delivered: HTTP 200" in ok
    receiver.respond_with(500)
    failed = client.post(url, follow=True).content.decode()
    assert "Test ping failed: The receiver answered HTTP 500" in failed


def test_delivery_errors_and_events_are_shown_in_words_in_russian(client, mentor, project, webhook):
    mentor.preferred_language = "ru"
    mentor.save()
    refused = "Connection failed: [Errno 111] Connection refused"
    WebhookDeliveryFactory(
        webhook=webhook,
        status="pending",
        last_status_code=None,
        last_error=refused,
        event__type="task.created",
    )
    client.force_login(mentor)
    detail = client.get(reverse("webhook_detail", args=[project.pk, webhook.pk])).content.decode()
    # A translated reason first, the technical detail after it.
    assert "Не удалось подключиться к получателю ([Errno 111] Connection refused)" in detail
    assert "Connection failed:" not in detail
    assert "Задача создана" in detail  # the event in words, its id beside it
    assert '<code class="muted small">task.created</code>' in detail
    assert "Отправить проверочный запрос" in detail
    assert "тестовый ping" not in detail.lower()
    assert "Отправлять события" in detail


def test_pages_show_recent_deliveries(client, mentor, project, webhook):
    failed = WebhookDeliveryFactory(
        webhook=webhook, status="failed", last_status_code=500, last_error="HTTP 500", attempts=8
    )
    client.force_login(mentor)
    detail = client.get(reverse("webhook_detail", args=[project.pk, webhook.pk])).content.decode()
    assert str(failed.pk) in detail
    assert "HTTP 500" in detail
    listing = client.get(reverse("webhook_list", args=[project.pk])).content.decode()
    assert "delivery-failed" in listing


def test_list_page_query_count_does_not_grow_with_webhooks_or_deliveries(
    client, mentor, project, count_queries, django_assert_num_queries
):
    client.force_login(mentor)
    url = reverse("webhook_list", args=[project.pk])
    WebhookDeliveryFactory(webhook=WebhookFactory(project=project))
    client.get(url)  # warm up the session and caches
    small = count_queries(lambda: client.get(url))

    for _ in range(4):
        webhook = WebhookFactory(project=project)
        WebhookDeliveryFactory.create_batch(RECENT_DELIVERIES_PER_WEBHOOK + 2, webhook=webhook)
    with django_assert_num_queries(small):
        response = client.get(url)
    assert len(response.context["webhooks"]) == 5
    assert all(
        len(webhook.recent_deliveries) <= RECENT_DELIVERIES_PER_WEBHOOK
        for webhook in response.context["webhooks"]
    )
