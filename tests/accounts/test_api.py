"""The accounts API (``/api/v1/me/``, ``/api/v1/users/``) and personal API tokens."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.services import api_token_create
from tests.accounts.factories import UserFactory
from tests.conftest import persona_matrix

READ_MATRIX = {
    #            anonymous staff mentor intern outsider
    "me": (401, 200, 200, 200, 200),
    "users": (401, 200, 403, 403, 403),
}
READ_URLS = {"me": "api-me", "users": "api-user-list"}


@pytest.mark.parametrize(("endpoint", "persona_name", "expected"), persona_matrix(READ_MATRIX))
def test_read_permission_matrix(
    api_as, team, project, intern, mentor, endpoint, persona_name, expected
):
    client = api_as(persona_name)
    response = client.get(reverse(READ_URLS[endpoint]))
    assert response.status_code == expected
    assert response["Content-Type"].startswith("application/json")
    if expected >= 400:
        assert "detail" in response.json()


@pytest.mark.parametrize("size", [2, 40])
def test_user_list_runs_a_constant_number_of_queries(
    api_as, staff, size, django_assert_num_queries
):
    UserFactory.create_batch(size)
    client = api_as("staff")
    # session, user, count, page
    with django_assert_num_queries(4):
        response = client.get(reverse("api-user-list"), {"page_size": 200})
    assert response.status_code == 200
    assert response.json()["count"] >= size


def test_token_requests_speak_the_owners_language(api, project, intern):
    intern.preferred_language = "ru"
    intern.save()
    _, token = api_token_create(user=intern, name="ru", expires_in_days=None)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = api.post(
        reverse("api-task-list"), {"project": project.pk}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "Некорректные данные."
