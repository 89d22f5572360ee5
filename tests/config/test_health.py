"""Probes: /healthz (liveness), /readyz (readiness: the database only), /statusz (report)."""

import datetime
import json
import time

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from config.health import HEARTBEAT_KEY, worker_heartbeat_task
from integrations.models import Event, EventType

# Port 1 on loopback: nothing listens, the connection is refused at once.
UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture
def broker_down(settings):
    """A deployment with a broker (tasks are not run in-process) that does not answer."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = UNREACHABLE_BROKER


def test_healthz_answers_without_touching_the_database(db, client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_is_ok_with_database_migrated_and_no_broker_configured(client):
    response = client.get(reverse("readyz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_stays_ready_while_the_broker_is_down(client, broker_down):
    # Pages and the API survive a broker outage: no node may leave the load balancer for it.
    response = client.get(reverse("readyz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_reports_unapplied_migrations(client, monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("x", False)])
    response = client.get(reverse("readyz"))
    assert response.status_code == 503
    assert response.json()["failed"] == {"database": "1 migration(s) not applied"}


def test_health_endpoints_refuse_writes(client):
    for name in ("healthz", "readyz", "statusz"):
        assert client.post(reverse(name)).status_code == 405


@pytest.mark.django_db
def test_statusz_is_ok_without_a_broker(client):
    response = client.get(reverse("statusz"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {
            "database": {"status": "ok"},
            "broker": {"status": "not used"},
            "outbox": {"status": "ok", "oldest_undispatched_seconds": None},
            "worker": {"status": "not used", "last_heartbeat_seconds": None},
        },
    }


@pytest.mark.django_db
def test_statusz_names_the_broker_as_down_and_leaks_nothing_about_it(client, broker_down):
    response = client.get(reverse("statusz"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["broker"] == {"status": "down"}
    assert body["checks"]["database"] == {"status": "ok"}
    # Anonymous callers get states and ages: no address, no error text.
    text = json.dumps(body)
    assert "127.0.0.1" not in text
    assert "redis" not in text.lower()
    assert "refused" not in text.lower()


@pytest.mark.django_db
def test_statusz_is_ok_with_a_live_broker_and_a_fresh_heartbeat(client, settings, redis_url):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = redis_url
    worker_heartbeat_task()  # as a worker runs it when beat queues it

    response = client.get(reverse("statusz"))
    assert response.status_code == 200
    checks = response.json()["checks"]
    assert checks["broker"] == {"status": "ok"}
    assert checks["worker"]["status"] == "ok"
    assert checks["worker"]["last_heartbeat_seconds"] < 60


@pytest.mark.django_db
def test_statusz_calls_a_silent_worker_stale(client, broker_down):
    cache.delete(HEARTBEAT_KEY)
    assert client.get(reverse("statusz")).json()["checks"]["worker"] == {
        "status": "stale",
        "last_heartbeat_seconds": None,
    }

    cache.set(HEARTBEAT_KEY, time.time() - 600)
    assert client.get(reverse("statusz")).json()["checks"]["worker"] == {
        "status": "stale",
        "last_heartbeat_seconds": 600,
    }


def test_statusz_reports_outbox_lag(client, project):
    Event.objects.create(
        project=project,
        type=EventType.TASK_CREATED,
        created_at=timezone.now() - datetime.timedelta(minutes=10),
    )
    Event.objects.create(  # a dispatched one is no lag
        project=project,
        type=EventType.TASK_CREATED,
        created_at=timezone.now() - datetime.timedelta(hours=5),
        dispatched_at=timezone.now(),
    )

    response = client.get(reverse("statusz"))

    assert response.status_code == 503
    outbox = response.json()["checks"]["outbox"]
    assert outbox["status"] == "lagging"
    assert 600 <= outbox["oldest_undispatched_seconds"] < 660


def test_statusz_tolerates_a_young_outbox_backlog(client, project):
    Event.objects.create(project=project, type=EventType.TASK_CREATED)
    response = client.get(reverse("statusz"))
    assert response.status_code == 200
    assert response.json()["checks"]["outbox"]["status"] == "ok"
