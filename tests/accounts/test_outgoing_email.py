"""The invitation e-mail goes through an outbox: a row, queued after commit, a sweep, one send.

The broker-down tests point Celery at a closed port (nothing listens on
127.0.0.1:6389) with eager mode off, so publishing really fails as it does in
production when Redis is down.
"""

from __future__ import annotations

import datetime
import threading

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import OutgoingEmail, User
from accounts.tasks import outgoing_email_send_task, outgoing_email_sweep_task
from config.celery import app
from tests.accounts.factories import UserFactory
from tests.teams.factories import TeamFactory

CLOSED_PORT_BROKER = "redis://127.0.0.1:6389/0"


class Broker:
    """Switch the Celery app between a dead broker and the test default (eager, in memory)."""

    def __init__(self, settings) -> None:
        self.settings = settings
        self.saved = {"broker_url": app.conf.broker_url, "task_always_eager": True}

    def _apply(self, *, broker_url: str, eager: bool) -> None:
        self.settings.CELERY_BROKER_URL = broker_url
        self.settings.CELERY_TASK_ALWAYS_EAGER = eager
        app.conf.update(broker_url=broker_url, task_always_eager=eager)
        # The app caches its connection pools: make the next publish build new
        # ones for the new URL.
        app._pool = None
        app.amqp._producer_pool = None

    def down(self) -> None:
        self._apply(broker_url=CLOSED_PORT_BROKER, eager=False)

    def up(self) -> None:
        self._apply(broker_url=self.saved["broker_url"], eager=True)


@pytest.fixture
def broker(settings):
    controller = Broker(settings)
    yield controller
    controller.up()


def _later(minutes: int):
    return time_machine.travel(timezone.now() + datetime.timedelta(minutes=minutes))


@pytest.mark.django_db(transaction=True)
def test_inviting_with_the_broker_down_answers_201_and_the_sweep_sends_once(broker, mailoutbox):
    staff = UserFactory(is_staff=True)
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(staff)
    broker.down()

    response = client.post(
        reverse("api-user-list"),
        {"username": "newbie", "email": "newbie@example.com", "full_name": "New Person"},
        format="json",
    )

    assert response.status_code == 201, response.content
    user = User.objects.get(username="newbie")
    email = OutgoingEmail.objects.get(user=user)
    assert email.status == OutgoingEmail.Status.PENDING
    assert email.attempts == 0
    assert mailoutbox == []

    outgoing_email_sweep_task()  # still down: the sweep itself queues nothing, raises nothing
    assert mailoutbox == []

    broker.up()
    outgoing_email_sweep_task()  # too early: the happy path gets a minute
    assert mailoutbox == []
    with _later(2):
        outgoing_email_sweep_task()
    assert [message.to for message in mailoutbox] == [["newbie@example.com"]]
    assert "/accounts/reset/" in mailoutbox[0].body or "http://testserver/" in mailoutbox[0].body

    # Sweeps, redeliveries and a duplicate message send nothing more.
    with _later(30):
        outgoing_email_sweep_task()
        outgoing_email_send_task(email_id=str(email.pk))
        outgoing_email_send_task(email_id=str(email.pk))
    assert len(mailoutbox) == 1
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    assert email.sent_at is not None
    assert email.attempts == 1


@pytest.mark.django_db(transaction=True)
def test_csv_import_with_the_broker_down_redirects_and_the_sweep_sends_one_each(
    broker, mailoutbox, client
):
    staff = UserFactory(is_staff=True, is_superuser=True)
    team = TeamFactory(name="Web team")
    client.force_login(staff)
    broker.down()
    roster = (
        b"full_name,email,username,team,role\n"
        b"Ivan Petrov,ivan@example.com,ivan,Web team,intern\n"
        b"Olga Sidorova,olga@example.com,olga,Web team,intern\n"
    )

    response = client.post(
        reverse("admin:teams_membership_import"),
        {
            "cohort": team.cohort.pk,
            "file": SimpleUploadedFile("roster.csv", roster, content_type="text/csv"),
        },
    )

    assert response.status_code == 302
    assert User.objects.filter(username__in=["ivan", "olga"]).count() == 2
    assert OutgoingEmail.objects.filter(status=OutgoingEmail.Status.PENDING).count() == 2
    assert mailoutbox == []

    broker.up()
    with _later(2):
        outgoing_email_sweep_task()
        outgoing_email_sweep_task()
    assert sorted(message.to[0] for message in mailoutbox) == [
        "ivan@example.com",
        "olga@example.com",
    ]


def _invite(username: str) -> User:
    return services.user_invite(
        username=username,
        email=f"{username}@example.com",
        full_name=username.title(),
        preferred_language="en",
    )


def _invite_then_fail() -> None:
    with transaction.atomic():
        _invite("ghost")
        raise RuntimeError("the surrounding change failed")


def test_the_email_is_queued_only_after_commit_and_not_at_all_on_rollback(
    db, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        _invite_then_fail()
    assert not OutgoingEmail.objects.exists()
    assert mailoutbox == []

    with django_capture_on_commit_callbacks(execute=True):
        user = _invite("real")
    assert [message.to for message in mailoutbox] == [["real@example.com"]]
    assert OutgoingEmail.objects.get(user=user).status == OutgoingEmail.Status.SENT


def test_a_claimed_email_is_not_sent_by_a_second_worker(db, mailoutbox):
    user = UserFactory()
    with transaction.atomic():
        (email,) = services.set_password_emails_queue(users=[user])
    # Another worker holds a live claim on it.
    OutgoingEmail.objects.filter(pk=email.pk).update(
        claimed_until=timezone.now() + datetime.timedelta(minutes=5), attempts=1
    )
    assert services.outgoing_email_send(email_id=email.pk) is None
    assert services.outgoing_email_sweep() == []
    assert mailoutbox == []
    # That worker died: once its claim runs out the sweep hands the e-mail on.
    with _later(10):
        assert services.outgoing_email_sweep() == [email.pk]
        assert services.outgoing_email_send(email_id=email.pk).status == OutgoingEmail.Status.SENT
    assert len(mailoutbox) == 1


def test_an_smtp_outage_is_retried_with_backoff_by_the_sweep(db, settings, mailoutbox):
    user = UserFactory(email="ivan@example.com")
    with transaction.atomic():
        (email,) = services.set_password_emails_queue(users=[user])
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 6389, 2

    failed = services.outgoing_email_send(email_id=email.pk)

    assert failed.status == OutgoingEmail.Status.PENDING
    assert failed.attempts == 1
    assert "Connection" in failed.last_error or "Errno" in failed.last_error
    assert failed.next_attempt_at > timezone.now()
    assert services.outgoing_email_sweep() == []  # not due yet

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    with _later(5):
        assert services.outgoing_email_sweep() == [email.pk]
        outgoing_email_sweep_task()
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    assert email.attempts == 2
    assert email.last_error == ""
    assert [message.to for message in mail.outbox] == [["ivan@example.com"]]


def test_an_email_that_keeps_failing_gives_up_after_the_attempt_limit(db, settings):
    user = UserFactory()
    with transaction.atomic():
        (email,) = services.set_password_emails_queue(users=[user])
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 6389, 2
    for attempt in range(services.OUTGOING_EMAIL_MAX_ATTEMPTS):
        with _later(2 * 60 * (attempt + 1)):
            assert services.outgoing_email_send(email_id=email.pk) is not None
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.FAILED
    with _later(24 * 60):
        assert services.outgoing_email_sweep() == []


def test_nobody_to_reach_is_skipped_not_retried(db, mailoutbox):
    user = UserFactory(email="")
    with transaction.atomic():
        (email,) = services.set_password_emails_queue(users=[user])
    assert services.outgoing_email_send(email_id=email.pk).status == OutgoingEmail.Status.SKIPPED
    with _later(10):
        assert services.outgoing_email_sweep() == []
    assert mailoutbox == []


def test_the_beat_schedule_runs_the_sweep_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["accounts-sweep-outgoing-email"]
    assert entry["task"] == outgoing_email_sweep_task.name
    assert entry["schedule"] == datetime.timedelta(minutes=1)


def test_the_outbox_admin_lists_rows_read_only(client, db):
    staff = UserFactory(is_staff=True, is_superuser=True)
    with transaction.atomic():
        (email,) = services.set_password_emails_queue(
            users=[UserFactory(username="ivan", full_name="Ivan Petrov")]
        )
    client.force_login(staff)
    page = client.get(reverse("admin:accounts_outgoingemail_changelist"))
    assert page.status_code == 200
    assert b"Ivan Petrov" in page.content
    assert client.get(reverse("admin:accounts_outgoingemail_add")).status_code == 403
    detail = client.get(reverse("admin:accounts_outgoingemail_change", args=[email.pk]))
    assert detail.status_code == 200
    assert b'name="_save"' not in detail.content


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_on_one_email_send_it_once(postgres_only, mailoutbox):
    # The row alone (no queueing): the racing workers below are the only senders.
    email = OutgoingEmail.objects.create(
        user=UserFactory(), kind=OutgoingEmail.Kind.SET_PASSWORD, next_attempt_at=timezone.now()
    )
    barrier = threading.Barrier(4)
    results: list[object] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(services.outgoing_email_send(email_id=email.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(mail.outbox) == 1
    assert sum(result is not None for result in results) == 1
