import pytest
from django.urls import reverse


def test_healthz_answers_without_touching_the_database(db, client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_is_ok_with_database_migrated_and_no_broker_configured(client, settings):
    settings.REDIS_URL = ""
    response = client.get(reverse("readyz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_names_the_broker_when_it_is_unreachable(client, settings):
    # Port 1 on loopback: nothing listens, the connection is refused at once.
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get(reverse("readyz"))
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "failed": {"broker": "broker unreachable"}}


@pytest.mark.django_db
def test_readyz_reports_unapplied_migrations(client, settings, monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    settings.REDIS_URL = ""
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("x", False)])
    response = client.get(reverse("readyz"))
    assert response.status_code == 503
    assert response.json()["failed"] == {"database": "1 migration(s) not applied"}


@pytest.mark.django_db
def test_readyz_is_ok_with_a_live_broker(client, settings, redis_url):
    settings.REDIS_URL = redis_url
    response = client.get(reverse("readyz"))
    assert response.status_code == 200


def test_health_endpoints_refuse_writes(client):
    assert client.post(reverse("healthz")).status_code == 405
