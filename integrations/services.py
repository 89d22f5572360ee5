"""Use-cases of the integrations context: outbox events, webhooks, deliveries.

How an event reaches a webhook, and why nothing is lost or sent twice:

1. ``event_record`` inserts an ``Event`` inside the caller's transaction and
   registers ``transaction.on_commit`` to queue ``event_dispatch_task`` (one
   message per event: in the worker it queues each registered consumer's
   task, then creates the webhook deliveries). A
   rolled-back change leaves no event; a committed one always has its row,
   even when the broker is down at commit time (the error is logged, never
   raised into the caller).
2. ``event_dispatch`` creates one ``WebhookDelivery`` per active webhook of
   the project subscribed to the type (the unique (event, webhook) constraint
   makes a second dispatch a no-op) and marks the event dispatched.
3. ``delivery_attempt`` claims a due delivery with one conditional UPDATE
   (a lease in ``claimed_until``, the claimant's Celery task id in
   ``claimed_by``), so duplicate messages, the sweep and a retry racing each
   other produce one POST; it then sends, and records the outcome:
   succeeded, failed for good, or pending with ``next_attempt_at`` set by
   exponential backoff. Every attempt is also a ``DeliveryAttempt`` row.
   A webhook gets one attempt at a time (``WebhookBusy`` otherwise: the task
   re-queues itself a few seconds later), so a slow receiver holds one worker
   at most, each attempt ending at its deadline.
   A message redelivered because its worker died (acks_late +
   reject_on_worker_lost) carries the same task id and takes its own stale
   claim over at once: the delivery is redone promptly, with the same
   delivery id for the receiver to dedupe on.
4. ``outbox_sweep`` (Celery beat, every minute) finds what the happy path
   missed: events still undispatched after a minute (broker down at commit),
   and pending deliveries overdue by a minute with no live claim (a lost
   message, a worker that vanished with its message, eager mode where
   retries are never scheduled).

The same log feeds other consumers (``integrations.consumers``: analytics,
later notifications). ``event_record`` queues each registered consumer's task
after commit; the consumer calls ``event_receive`` inside the transaction that
applies the event, which writes its ``EventReceipt`` (unique per consumer and
event) or tells it the event was handled already. The sweep re-queues, per
consumer, events without a receipt (``consumer_missed_events``).
"""

from __future__ import annotations

import json
import logging
import random
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.errors import DomainError
from integrations import consumers, transport
from integrations.models import (
    SECRET_MAX_LENGTH,
    URL_MAX_LENGTH,
    ConsumerCursor,
    DeliveryAttempt,
    DeliveryStatus,
    Event,
    EventReceipt,
    EventType,
    Webhook,
    WebhookDelivery,
)
from projects.models import Project

if TYPE_CHECKING:
    import datetime

    from accounts.models import User

logger = logging.getLogger(__name__)

MAX_WEBHOOKS_PER_PROJECT = 20
SECRET_MIN_LENGTH = 16
# Retry n (after the n-th failed attempt) waits BASE·2^(n-1), at most CAP, plus
# up to 10 % jitter so a receiver coming back is not hit by every retry at once.
# With 8 attempts: 1, 2, 4, 8, 16, 32, 64 minutes, about two hours in all.
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=2)
# How late the happy path may be before the sweep steps in.
SWEEP_GRACE = timedelta(minutes=1)
SWEEP_BATCH = 500
# Longer waits are left to the sweep rather than to a Celery countdown: Redis
# hands an ETA message to another worker after the visibility timeout (1 h),
# and a short countdown keeps that from ever mattering.
MAX_COUNTDOWN = timedelta(minutes=10)


# --- Webhooks -----------------------------------------------------------------------------


def _clean_url(url: str) -> str:
    url = url.strip()
    if len(url) > URL_MAX_LENGTH:
        raise DomainError(
            _("Use a URL of at most %(count)d characters.") % {"count": URL_MAX_LENGTH},
            code="url_too_long",
            field="url",
        )
    try:
        transport.check_url(url)
    except transport.UnsafeURLError as error:
        raise DomainError(str(error), code="unsafe_url", field="url") from error
    return url


def webhook_check_url(*, url: str) -> str:
    """The cleaned URL, or DomainError (field ``url``) when it may not receive webhooks."""
    return _clean_url(url)


def _clean_events(events: Iterable[str]) -> list[str]:
    chosen = set(events)
    if chosen - set(EventType.values):
        raise DomainError(_("Unknown event type."), code="unknown_event", field="events")
    if not chosen:
        raise DomainError(_("Choose at least one event."), code="no_events", field="events")
    return [value for value in EventType.values if value in chosen]  # stable order


def _clean_secret(secret: str) -> str:
    secret = secret.strip()
    if not SECRET_MIN_LENGTH <= len(secret) <= SECRET_MAX_LENGTH:
        raise DomainError(
            _("A secret needs %(min)d to %(max)d characters; leave it empty to generate one.")
            % {"min": SECRET_MIN_LENGTH, "max": SECRET_MAX_LENGTH},
            code="secret_length",
            field="secret",
        )
    return secret


def webhook_create(
    *,
    project: Project,
    by: User,
    url: str,
    events: Iterable[str],
    secret: str = "",
    active: bool = True,
) -> Webhook:
    """Add a webhook to ``project``; an empty ``secret`` gets a random one.

    Precondition: ``by`` may manage the project. The URL is checked against
    private addresses here (a DNS lookup, so outside the transaction).
    """
    url = _clean_url(url)
    events = _clean_events(events)
    secret = _clean_secret(secret) if secret.strip() else secrets.token_urlsafe(32)
    with transaction.atomic():
        # Serialise creators of the same project so two of them cannot both
        # pass the limit check below.
        Project.objects.select_for_update(no_key=True).filter(pk=project.pk).values_list("pk").get()
        if Webhook.objects.of_project(project.pk).count() >= MAX_WEBHOOKS_PER_PROJECT:
            raise DomainError(
                _("A project can have at most %(count)d webhooks.")
                % {"count": MAX_WEBHOOKS_PER_PROJECT},
                code="too_many_webhooks",
            )
        return Webhook.objects.create(
            project=project, url=url, secret=secret, events=events, active=active, created_by=by
        )


def webhook_update(
    *,
    webhook: Webhook,
    by: User,
    url: str | None = None,
    events: Iterable[str] | None = None,
    secret: str | None = None,
    active: bool | None = None,
) -> Webhook:
    """Change what is given (``None`` keeps the current value; an empty secret too).

    Deactivating cancels the deliveries still waiting for a retry: a paused
    receiver should not get a burst of stale events when it is switched on.
    A save that leaves the webhook active checks its URL again (DomainError
    on field ``url``), even an unchanged one; deactivating always works.
    """
    changes: dict[str, object] = {}
    # The URL is checked on every save that leaves the webhook active, changed
    # or not: its name may resolve to an internal address by now. Switching a
    # webhook off must always work, so an unchanged URL is not checked then.
    stays_active = webhook.active if active is None else active
    changed_url = url is not None and url.strip() != webhook.url
    if stays_active or changed_url:
        checked = _clean_url(webhook.url if url is None else url)
        if url is not None:
            changes["url"] = checked
    if events is not None:
        changes["events"] = _clean_events(events)
    if secret is not None and secret.strip():
        changes["secret"] = _clean_secret(secret)
    if active is not None:
        changes["active"] = active
    with transaction.atomic():
        for name, value in changes.items():
            setattr(webhook, name, value)
        webhook.save(update_fields=[*changes, "updated_at"])
        if active is False:
            WebhookDelivery.objects.filter(webhook=webhook).pending().update(
                status=DeliveryStatus.FAILED,
                next_attempt_at=None,
                claimed_until=None,
                claimed_by="",
                last_error="Cancelled: the webhook was deactivated.",
            )
    return webhook


def webhook_delete(*, webhook: Webhook, by: User) -> None:
    """Delete a webhook and its delivery log. Precondition: ``by`` may manage the project."""
    webhook.delete()


def webhook_send_test(*, webhook: Webhook, by: User) -> transport.AttemptResult:
    """POST a signed ``ping`` to the webhook now and report the result; nothing is stored.

    Runs in the request (bounded by the delivery timeout), so the mentor
    sees at once whether the receiver answers and verifies the signature.
    """
    ping_id = uuid.uuid4()
    body = _encode(
        {
            "event": "ping",
            "id": str(ping_id),
            "created": timezone.now().isoformat(),
            "data": {"webhook": webhook.pk, "project": webhook.project_id},
        }
    )
    return transport.post(
        url=webhook.url, body=body, headers=_headers(webhook, body, "ping", ping_id)
    )


# --- Events -------------------------------------------------------------------------------


def event_record(*, project: Project, type: str, data: dict) -> Event:
    """Record an event in the caller's transaction and queue its delivery after commit.

    Precondition: called inside the transaction that makes the change, so
    the event commits or rolls back with it. One INSERT; a broker that is
    down when the transaction commits is logged, never raised, and the sweep
    dispatches the event later.
    """
    if type not in EventType.values:
        raise ValueError(f"unknown event type {type!r}")  # a programming error, not a user's
    event = Event.objects.create(project=project, type=type, data=data)
    transaction.on_commit(partial(_queue_dispatch, event_id=str(event.pk)))
    return event


def _queue_dispatch(*, event_id: str) -> None:
    # One publish per event, whatever the number of consumers: the request
    # that made the change pays for one broker round trip, and
    # ``event_dispatch_task`` fans the event out to the consumers in the worker.
    from config.queueing import enqueue
    from integrations.tasks import event_dispatch_task

    enqueue(event_dispatch_task, event_id=event_id)


def event_receive(*, consumer: str, event_id: uuid.UUID | str) -> Event | None:
    """Mark ``event_id`` handled by ``consumer``; the event, or None to do nothing.

    Precondition: called inside the consumer's transaction that applies the
    event, so the receipt commits exactly when the effect does. None when the
    consumer handled the event already (a redelivery, the sweep, a duplicate
    racing this one: the unique receipt makes the second wait, then see it)
    or when the event is gone (pruned, project deleted).
    """
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        return None
    try:
        # A savepoint, so a duplicate leaves the caller's transaction usable.
        with transaction.atomic():
            EventReceipt.objects.create(consumer=consumer, event=event)
    except IntegrityError:
        return None
    return event


def event_dispatch(*, event_id: uuid.UUID | str) -> list[uuid.UUID]:
    """Create the event's deliveries, mark it dispatched; the ids of those due now.

    Idempotent: a second run finds the deliveries already there (the insert
    ignores the unique (event, webhook) conflicts) and returns only the ones
    still due, which the claim in ``delivery_attempt`` makes safe to queue
    again. A webhook receives only events recorded after it was created, even
    when the sweep dispatches an old event late.
    """
    now = timezone.now()
    with transaction.atomic():
        event = Event.objects.filter(pk=event_id).first()
        if event is None:  # its project was deleted meanwhile
            return []
        webhooks = [
            webhook
            for webhook in Webhook.objects.of_project(event.project_id)
            .active()
            .filter(created_at__lte=event.created_at)
            if webhook.subscribes_to(event.type)
        ]
        WebhookDelivery.objects.bulk_create(
            [
                WebhookDelivery(event=event, webhook=webhook, next_attempt_at=now, created_at=now)
                for webhook in webhooks
            ],
            ignore_conflicts=True,
        )
        Event.objects.filter(pk=event.pk, dispatched_at__isnull=True).update(dispatched_at=now)
    return list(
        WebhookDelivery.objects.filter(event_id=event.pk, webhook__active=True)
        .due(now)
        .values_list("pk", flat=True)
    )


# --- Deliveries ---------------------------------------------------------------------------


def _encode(payload: dict) -> bytes:
    return json.dumps(
        payload, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")


def delivery_body(event: Event) -> bytes:
    """The exact bytes POSTed (and signed) for ``event``; the same on every attempt."""
    return _encode(
        {
            "event": event.type,
            "id": str(event.pk),
            "created": event.created_at.isoformat(),
            "data": event.data,
        }
    )


def _headers(webhook: Webhook, body: bytes, event_type: str, delivery_id: uuid.UUID) -> dict:
    return {
        "X-Internboard-Event": event_type,
        "X-Internboard-Delivery": str(delivery_id),
        "X-Internboard-Signature": transport.signature(secret=webhook.secret, body=body),
    }


def retry_delay(attempt: int) -> timedelta:
    """How long to wait after the ``attempt``-th failed attempt (1-based)."""
    base = min(BACKOFF_BASE * 2 ** (attempt - 1), BACKOFF_CAP)
    return base * (1 + random.uniform(0, 0.1))  # noqa: S311 - jitter, not security


# The deliver task's hard time limit (seconds): an attempt stuck beyond its
# deadline (a hung DNS lookup) is killed, and the claim outlives it.
ATTEMPT_TIME_LIMIT = 60
# A delivery whose webhook is busy with another delivery waits this long
# (jittered) before its message is queued again.
BUSY_RETRY_SECONDS = (1.0, 3.0)
LOST_ATTEMPT_ERROR = "The worker was lost during this attempt."


class WebhookBusy(Exception):  # noqa: N818 - a state, not a failure
    """Another delivery of the same webhook is being sent; try again in ``retry_in`` seconds.

    One webhook gets one attempt at a time: a slow receiver then holds one
    worker at most, and every other webhook's deliveries proceed.
    """

    def __init__(self, retry_in: float):
        super().__init__(f"webhook busy; retry in {retry_in:.1f} s")
        self.retry_in = retry_in


def _lease() -> timedelta:
    # Longer than an attempt can last (its deadline, or the task's hard time
    # limit when a lookup hangs), short enough that a claim left behind by a
    # worker that vanished with its message soon runs out for the sweep.
    seconds = max(transport.attempt_deadline(), ATTEMPT_TIME_LIMIT) + 30
    return timedelta(seconds=seconds)


def _claim(
    *, delivery_id: uuid.UUID | str, claim: str, max_attempts: int
) -> WebhookDelivery | None:
    """Claim the delivery for one attempt and log the attempt as started; None if not ours.

    Raises WebhookBusy when another delivery of the same webhook holds a live
    claim. The webhook's row lock serialises claims per webhook, so two
    deliveries of one webhook cannot both see the other unclaimed.
    """
    with transaction.atomic():
        webhook_id = (
            WebhookDelivery.objects.filter(pk=delivery_id)
            .values_list("webhook_id", flat=True)
            .first()
        )
        if webhook_id is None:  # the webhook (or the event) was deleted meanwhile
            return None
        if (
            Webhook.objects.select_for_update(no_key=True)
            .filter(pk=webhook_id)
            .values_list("pk")
            .first()
            is None
        ):
            return None
        now = timezone.now()  # after the wait for the lock
        if (
            WebhookDelivery.objects.filter(webhook_id=webhook_id, claimed_until__gt=now)
            .exclude(pk=delivery_id)
            .exists()
        ):
            raise WebhookBusy(random.uniform(*BUSY_RETRY_SECONDS))  # noqa: S311 - jitter
        # Due and unclaimed, or claimed by this very message before: Celery
        # redelivered it because the worker running it died, so that claim
        # is stale and the work must be done now, under the same delivery id.
        claimed = (
            WebhookDelivery.objects.filter(pk=delivery_id, attempts__lt=max_attempts)
            .pending()
            .filter(models.Q(next_attempt_at__isnull=True) | models.Q(next_attempt_at__lte=now))
            .filter(
                models.Q(claimed_until__isnull=True)
                | models.Q(claimed_until__lt=now)
                | models.Q(claimed_by=claim)
            )
            .update(
                claimed_until=now + _lease(),
                claimed_by=claim,
                attempts=models.F("attempts") + 1,
            )
        )
        if not claimed:
            return None
        delivery = WebhookDelivery.objects.select_related("event", "webhook").get(pk=delivery_id)
        # An earlier attempt that never reported back was lost with its worker.
        DeliveryAttempt.objects.filter(
            delivery=delivery, number__lt=delivery.attempts, duration_ms__isnull=True, error=""
        ).update(error=LOST_ATTEMPT_ERROR)
        DeliveryAttempt.objects.create(delivery=delivery, number=delivery.attempts, started_at=now)
    return delivery


def delivery_attempt(*, delivery_id: uuid.UUID | str, claim: str = "") -> WebhookDelivery | None:
    """Make one attempt at a due delivery and record it; None if it was not ours to make.

    ``claim`` names the caller (the Celery task id; a random token when
    empty). The claim is one conditional UPDATE (pending, due, under the
    attempt limit, no live claim but the caller's own): of two workers
    holding copies of the same delivery, one matches the row and posts, the
    other matches nothing and stops. It only names the delivery's own
    columns: a condition on a joined table makes Django emit
    ``WHERE id IN (SELECT …)``, and PostgreSQL's re-check of a row another
    transaction just claimed does not re-run such a subquery, so two workers
    could both win.
    The attempt is counted when claimed, so a worker that crashes while
    posting still uses one up and a crashing receiver cannot loop forever.
    Raises WebhookBusy while another delivery of the same webhook is in flight.
    """
    claim = claim or uuid.uuid4().hex
    max_attempts = settings.WEBHOOK_MAX_ATTEMPTS
    delivery = _claim(delivery_id=delivery_id, claim=claim, max_attempts=max_attempts)
    if delivery is None:
        return None
    if not delivery.webhook.active:  # deactivated between queueing and now
        return _record_outcome(
            delivery,
            transport.AttemptResult(ok=False, error="Cancelled: the webhook was deactivated."),
            max_attempts=max_attempts,
            claim=claim,
        )

    body = delivery_body(delivery.event)
    headers = _headers(delivery.webhook, body, delivery.event.type, delivery.pk)
    result = transport.post(url=delivery.webhook.url, body=body, headers=headers)
    return _record_outcome(delivery, result, max_attempts=max_attempts, claim=claim)


def _record_outcome(
    delivery: WebhookDelivery,
    result: transport.AttemptResult,
    *,
    max_attempts: int,
    claim: str,
) -> WebhookDelivery:
    now = timezone.now()
    values: dict[str, object] = {
        "last_status_code": result.status_code,
        "last_duration_ms": result.duration_ms,
        "last_error": result.error,
        "claimed_until": None,
        "claimed_by": "",
        "next_attempt_at": None,
    }
    if result.ok:
        values.update(status=DeliveryStatus.SUCCEEDED, delivered_at=now)
    elif result.retryable and delivery.attempts < max_attempts:
        values.update(next_attempt_at=now + retry_delay(delivery.attempts))
    else:
        values.update(status=DeliveryStatus.FAILED)
    # The delivery row first, then its attempts: the order the claim takes them.
    with transaction.atomic():
        # Only our own claim: the attempt number and the claimant identify it.
        # Were the lease to run out and another worker claim the row, that
        # worker writes its own outcome.
        WebhookDelivery.objects.filter(
            pk=delivery.pk,
            attempts=delivery.attempts,
            claimed_by=claim,
            status=DeliveryStatus.PENDING,
        ).update(**values)
        # The attempt happened whatever became of the claim: log it.
        DeliveryAttempt.objects.filter(delivery=delivery, number=delivery.attempts).update(
            ok=result.ok,
            status_code=result.status_code,
            duration_ms=result.duration_ms,
            error=result.error,
        )
    for name, value in values.items():
        setattr(delivery, name, value)
    return delivery


def delivery_retry_countdown(
    *, delivery: WebhookDelivery, now: datetime.datetime | None = None
) -> float | None:
    """Seconds until the delivery's next attempt if a Celery countdown should carry it.

    None when there is no next attempt, or when it is so far away that the
    sweep picks it up instead (see MAX_COUNTDOWN).
    """
    if delivery.status != DeliveryStatus.PENDING or delivery.next_attempt_at is None:
        return None
    wait = delivery.next_attempt_at - (now or timezone.now())
    if wait > MAX_COUNTDOWN:
        return None
    # A second late rather than early: an early message finds the row not due.
    return max(wait.total_seconds(), 0) + 1


@dataclass(frozen=True)
class SweepResult:
    event_ids: list[uuid.UUID] = field(default_factory=list)
    delivery_ids: list[uuid.UUID] = field(default_factory=list)
    abandoned: int = 0
    # Other consumers' missed events: consumer name -> event ids.
    consumer_event_ids: dict[str, list[uuid.UUID]] = field(default_factory=dict)


# How far before its cursor the sweep rescans a consumer's events. An event's
# created_at is taken before its transaction commits; a transaction open this
# long would be killed long before (statement and idle timeouts), so no event
# can commit later than this behind the cursor.
CURSOR_SAFETY = timedelta(hours=1)


def consumer_missed_events(*, consumer: str, now: datetime | None = None) -> list[uuid.UUID]:
    """Events ``consumer`` has no receipt for, recorded over SWEEP_GRACE ago (oldest first).

    Scans from the consumer's cursor minus CURSOR_SAFETY, so the scan stays
    short however long the log is, and moves the cursor to the oldest
    event still missed (or to the cutoff when none is).
    """
    now = now or timezone.now()
    cutoff = now - SWEEP_GRACE
    cursor = ConsumerCursor.objects.filter(consumer=consumer).first()
    events = Event.objects.filter(created_at__lt=cutoff).exclude(
        pk__in=EventReceipt.objects.filter(consumer=consumer).values("event_id")
    )
    if cursor is not None:
        events = events.filter(created_at__gte=cursor.scanned_until - CURSOR_SAFETY)
    missed = list(events.order_by("created_at").values_list("pk", "created_at")[:SWEEP_BATCH])
    scanned_until = missed[0][1] if missed else cutoff
    ConsumerCursor.objects.update_or_create(
        consumer=consumer, defaults={"scanned_until": scanned_until}
    )
    return [pk for pk, _created in missed]


def outbox_sweep() -> SweepResult:
    """What should have been queued and was not: the ids for the caller to queue.

    - events still undispatched a minute after they were recorded;
    - pending deliveries a minute past their next attempt with no live claim;
    - and, closed here as failed, deliveries whose last allowed attempt was
      claimed by a worker that never reported back.
    Queuing something already queued is harmless (the claim sorts it out).
    """
    now = timezone.now()
    cutoff = now - SWEEP_GRACE
    max_attempts = settings.WEBHOOK_MAX_ATTEMPTS
    with transaction.atomic():
        lost = list(
            WebhookDelivery.objects.pending()
            .filter(attempts__gte=max_attempts)
            .unclaimed(now)
            .values_list("pk", flat=True)[:SWEEP_BATCH]
        )
        abandoned = (
            WebhookDelivery.objects.filter(pk__in=lost)
            .pending()
            .unclaimed(now)
            .update(
                status=DeliveryStatus.FAILED,
                next_attempt_at=None,
                claimed_until=None,
                claimed_by="",
                last_error="The last attempt never reported back (worker lost).",
            )
        )
        DeliveryAttempt.objects.filter(
            delivery_id__in=lost, duration_ms__isnull=True, error=""
        ).update(error=LOST_ATTEMPT_ERROR)
    event_ids = list(
        Event.objects.undispatched_before(cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    delivery_ids = list(
        WebhookDelivery.objects.due(now)
        .filter(next_attempt_at__lte=cutoff, attempts__lt=max_attempts, webhook__active=True)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    consumer_event_ids = {
        consumer.name: consumer_missed_events(consumer=consumer.name, now=now)
        for consumer in consumers.registered()
    }
    if event_ids or delivery_ids or abandoned:
        logger.info(
            "Outbox sweep: %d events to dispatch, %d deliveries to retry, %d abandoned.",
            len(event_ids),
            len(delivery_ids),
            abandoned,
        )
    for name, ids in consumer_event_ids.items():
        if ids:
            logger.info("Outbox sweep: %d events for consumer %s.", len(ids), name)
    return SweepResult(
        event_ids=event_ids,
        delivery_ids=delivery_ids,
        abandoned=abandoned,
        consumer_event_ids=consumer_event_ids,
    )


OUTBOX_RETENTION = timedelta(days=30)


def outbox_prune(*, now: datetime | None = None) -> int:
    """Forget events (and their delivery logs) once they are old and settled.

    An event goes when it was dispatched more than OUTBOX_RETENTION ago and
    none of its deliveries is still pending; the delivery log a mentor reads
    shows the recent weeks, and the tables stop growing without limit.
    Returns how many events were removed.
    """
    cutoff = (now or timezone.now()) - OUTBOX_RETENTION
    settled = Event.objects.filter(dispatched_at__lt=cutoff).exclude(
        deliveries__status=DeliveryStatus.PENDING
    )
    removed, _by_model = Event.objects.filter(pk__in=settled.values("pk")).delete()
    count = _by_model.get(Event._meta.label, 0)
    if count:
        logger.info("Outbox prune: removed %d settled events (%d rows in all).", count, removed)
    return count
