"""What every REST API v1 endpoint shares: the error format, ids, body limits, throttling,
the schema and its docs. Each app's own endpoints are tested in ``tests/<app>/test_api.py``.
"""

from __future__ import annotations

import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", "application/json"),
        (b'{"title": ["a list"], "project": "x"}', "application/json"),
        (b'{"title": "t", "project": 99999999999999999999999}', "application/json"),
        (b"title=x", "application/x-www-form-urlencoded"),
        (b"[]", "application/json"),
    ],
)
def test_malformed_input_is_a_4xx_json_error(api_as, project, body, content_type):
    response = api_as("intern").generic(
        "POST", reverse("api-task-list"), body, content_type=content_type
    )
    assert 400 <= response.status_code < 500
    assert "detail" in response.json()


def test_unknown_and_huge_ids_are_404(api_as):
    client = api_as("intern")
    for url in (
        "/api/v1/tasks/999999/",
        "/api/v1/tasks/99999999999999999999999999/",
        "/api/v1/projects/0/",
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_oversized_body_is_refused(api_as, project, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = b'{"title": "' + b"x" * 5000 + b'", "project": 1}'
    response = api_as("intern").generic(
        "POST", reverse("api-task-list"), body, content_type="application/json"
    )
    assert response.status_code in {400, 413}


def test_throttling_answers_429_with_retry_after(api_as, monkeypatch):
    from django.core.cache import cache

    from config.api import ClientRateThrottle

    cache.clear()
    # The rate is read when DRF loads; patch the class, not the settings.
    monkeypatch.setattr(ClientRateThrottle, "THROTTLE_RATES", {"client": "3/minute"})
    client = api_as("intern")
    statuses = [client.get(reverse("api-me")).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get(reverse("api-me"))
    assert int(limited["Retry-After"]) > 0
    assert "detail" in limited.json()
    cache.clear()


def test_api_and_html_404s_speak_their_own_format(api_as, client, persona):
    assert api_as("intern").get("/api/v1/nowhere/").json() == {
        "detail": "Not found.",
        "code": "not_found",
    }
    persona("intern")  # logs ``client`` in
    page = client.get("/nowhere/")
    assert page.status_code == 404
    assert "<html" in page.content.decode()


def test_schema_and_docs_are_served_without_a_cdn(client):
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    body = schema.json()
    assert body["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert "/api/v1/tasks/{id}/move/" in body["paths"]
    for url in ("/api/docs/", "/api/redoc/"):
        page = client.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        assert "cdn" not in html.lower()
        # ReDoc's bundle is the sidecar's, served patched so it loads no outside logo.
        assert (
            "/static/drf_spectacular_sidecar/" in html or "/api/redoc/redoc.standalone.js" in html
        )
    bundle = client.get("/api/redoc/redoc.standalone.js")
    assert bundle.status_code == 200
    assert b"cdn.redoc.ly" not in bundle.content
