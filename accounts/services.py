"""Use-cases about user accounts."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import logging
import secrets
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from accounts.models import (
    API_TOKEN_MAX_EXPIRY_DAYS,
    API_TOKEN_NAME_MAX_LENGTH,
    ApiToken,
    Language,
    OutgoingEmail,
    User,
)
from config.errors import DomainError
from config.queueing import enqueue

logger = logging.getLogger(__name__)


def set_password_url(user: User) -> str:
    """An absolute one-time link where ``user`` chooses a password (Django's reset flow)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return f"{settings.SITE_URL}{path}"


def user_send_set_password_email(*, user: User) -> bool:
    """Email a new participant a link to choose their password, in their language.

    Returns False (and sends nothing) for a user without an email address or
    an inactive one: there is nobody to reach.
    """
    if not user.email or not user.is_active:
        return False
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        context = {"user": user, "url": set_password_url(user), "site_url": settings.SITE_URL}
        subject = render_to_string("accounts/email/set_password_subject.txt", context)
        body = render_to_string("accounts/email/set_password_body.txt", context)
    send_mail(
        subject=" ".join(subject.split()),
        message=body,
        from_email=None,
        recipient_list=[user.email],
    )
    return True


def user_update_profile(
    *, user: User, full_name: str, preferred_language: str, time_zone: str
) -> User:
    """Save the profile fields a user may change about themself."""
    user.full_name = full_name.strip()
    user.preferred_language = preferred_language
    user.time_zone = time_zone
    user.save(update_fields=["full_name", "preferred_language", "time_zone"])
    return user


# --- Personal API tokens ------------------------------------------------------
# A token reads ``ib_<prefix>_<secret>``. The prefix is lowercase letters and
# digits (never "_", so the string splits unambiguously) and identifies the
# row; the secret carries the security: 43 characters from 62 is ~256 bits.
API_TOKEN_SCHEME = "ib"  # noqa: S105 - a fixed marker, not a secret
API_TOKEN_PREFIX_LENGTH = 8
API_TOKEN_SECRET_LENGTH = 43
_PREFIX_ALPHABET = string.ascii_lowercase + string.digits
_SECRET_ALPHABET = string.ascii_letters + string.digits
# last_used_at is informational; writing it at most this often keeps a busy
# integration from turning every API read into a row update.
API_TOKEN_LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


def _random_string(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _position in range(length))


def _hash_secret(secret: str) -> str:
    """SHA-256, not Argon2: the secret is random, not a password (see ``ApiToken``)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _api_token_name_taken(*, user: User, name: str) -> bool:
    return ApiToken.objects.owned_by(user).not_revoked().filter(name__iexact=name).exists()


def _api_token_name_taken_error() -> DomainError:
    return DomainError(
        _("You already have a token with this name."), code="name_taken", field="name"
    )


@transaction.atomic
def api_token_create(*, user: User, name: str, expires_in_days: int | None) -> tuple[ApiToken, str]:
    """Create a token for ``user`` and return it with its plain string.

    The plain string exists only in this return value: the caller shows it
    once and forgets it. Precondition: the caller acts for ``user`` (the user
    themself, or an operator running the management command).
    """
    name = name.strip()
    if not name:
        raise DomainError(_("Give the token a name."), code="name_required", field="name")
    if len(name) > API_TOKEN_NAME_MAX_LENGTH:
        raise DomainError(
            _("A token name can be at most %(max)d characters long.")
            % {"max": API_TOKEN_NAME_MAX_LENGTH},
            code="name_too_long",
            field="name",
        )
    if expires_in_days is not None and not 1 <= expires_in_days <= API_TOKEN_MAX_EXPIRY_DAYS:
        raise DomainError(
            _("A token expires after 1 to %(max)d days, or never.")
            % {"max": API_TOKEN_MAX_EXPIRY_DAYS},
            code="expiry_out_of_range",
            field="expires_in_days",
        )
    if not user.is_active:
        raise DomainError(_("This account is deactivated."), code="user_inactive")
    if _api_token_name_taken(user=user, name=name):
        raise _api_token_name_taken_error()

    now = timezone.now()
    expires_at = (
        now + datetime.timedelta(days=expires_in_days) if expires_in_days is not None else None
    )
    # Retry on a unique violation: either the same name was taken between the
    # check and the insert (report it), or, once in billions, the random
    # prefix collided with another token's (draw again).
    for _attempt in range(3):
        prefix = _random_string(_PREFIX_ALPHABET, API_TOKEN_PREFIX_LENGTH)
        secret = _random_string(_SECRET_ALPHABET, API_TOKEN_SECRET_LENGTH)
        try:
            with transaction.atomic():  # a savepoint keeps the outer transaction usable
                token = ApiToken.objects.create(
                    user=user,
                    name=name,
                    prefix=prefix,
                    key_hash=_hash_secret(secret),
                    created_at=now,
                    expires_at=expires_at,
                )
        except IntegrityError as error:
            if _api_token_name_taken(user=user, name=name):
                raise _api_token_name_taken_error() from error
            continue
        logger.info("API token %s (%r) created for user %s", prefix, name, user.pk)
        return token, f"{API_TOKEN_SCHEME}_{prefix}_{secret}"
    raise RuntimeError("Could not draw a free API token prefix; the random source is broken.")


def api_token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    """Revoke ``token`` for good; revoking a revoked token changes nothing.

    Precondition: ``by`` owns the token or is staff (the tokens page fetches
    the token among the user's own; the admin is staff-only).
    """
    now = timezone.now()
    # Conditional, so two concurrent revokes keep the first time.
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
    if revoked:
        token.revoked_at = now
        logger.info("API token %s revoked by user %s", token.prefix, by.pk)
    else:
        token.refresh_from_db(fields=["revoked_at"])
    return token


def _parse_api_token(raw: str) -> tuple[str, str] | None:
    scheme, _sep, rest = raw.partition("_")
    prefix, _sep, secret = rest.partition("_")
    if (
        scheme != API_TOKEN_SCHEME
        or len(prefix) != API_TOKEN_PREFIX_LENGTH
        or len(secret) != API_TOKEN_SECRET_LENGTH
        or not set(prefix) <= set(_PREFIX_ALPHABET)
        or not set(secret) <= set(_SECRET_ALPHABET)
    ):
        return None
    return prefix, secret


def api_token_authenticate(*, raw: str) -> ApiToken | None:
    """The live token that ``raw`` spells, with its user loaded, or None.

    None for a malformed string, an unknown prefix, a wrong secret, a revoked
    or expired token, and a deactivated user, so a deactivated account loses
    API access on its very next request. Callers tell the client nothing more
    precise: which of these it was is no business of a caller without the
    token.
    """
    parsed = _parse_api_token(raw)
    if parsed is None:
        return None
    prefix, secret = parsed
    try:
        token = ApiToken.objects.select_related("user").get(prefix=prefix)
    except ApiToken.DoesNotExist:
        return None
    # Constant-time, so response timing reveals nothing about the stored hash.
    if not hmac.compare_digest(token.key_hash, _hash_secret(secret)):
        return None
    if token.status != ApiToken.Status.ACTIVE or not token.user.is_active:
        return None
    now = timezone.now()
    stale_before = now - API_TOKEN_LAST_USED_RESOLUTION
    if token.last_used_at is None or token.last_used_at <= stale_before:
        # Conditional, so parallel requests after a quiet minute write once,
        # and a request that read an old value never moves the time backwards.
        touched = (
            ApiToken.objects.filter(pk=token.pk)
            .filter(Q(last_used_at__isnull=True) | Q(last_used_at__lte=stale_before))
            .update(last_used_at=now)
        )
        if touched:
            token.last_used_at = now
    return token


@dataclass(frozen=True)
class Invitee:
    """Someone to create an account for; they choose their password from an e-mail."""

    username: str
    email: str
    full_name: str
    preferred_language: str = Language.RUSSIAN


def users_invite(*, invitees: Iterable[Invitee]) -> list[User]:
    """Create accounts without a password and owe each a set-password e-mail after commit.

    Precondition: called inside the caller's transaction, with usernames and
    emails checked free; a unique violation meanwhile raises IntegrityError
    for the caller to turn into its own refusal.
    """
    users = []
    for invitee in invitees:
        user = User(
            username=invitee.username,
            email=invitee.email,
            full_name=invitee.full_name.strip(),
            preferred_language=invitee.preferred_language,
        )
        user.set_unusable_password()
        user.save()
        users.append(user)
    # In the same transaction as the users: no user without their invitation,
    # and a broker outage at commit only delays it.
    set_password_emails_queue(users=users)
    return users


def user_invite(*, username: str, email: str, full_name: str, preferred_language: str) -> User:
    """Create a participant without a password and email them a set-password link after commit.

    Precondition: the caller (staff) checked that username and email are free;
    a race with another creation surfaces as a DomainError, not a 500.
    """
    invitee = Invitee(
        username=username, email=email, full_name=full_name, preferred_language=preferred_language
    )
    try:
        with transaction.atomic():
            [user] = users_invite(invitees=[invitee])
    except IntegrityError as error:
        raise DomainError(_("A user with this username or email already exists.")) from error
    return user


def user_deactivate(*, user: User) -> User:
    """Stop a user signing in or using tokens; their history stays. Takes effect at once."""
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    return user


# --- Outgoing e-mail: an outbox, like webhook deliveries -------------------------------
# The row is the promise; the Celery message only makes it quick. A failed
# queueing or send leaves the row pending for ``outgoing_email_sweep``.
OUTGOING_EMAIL_MAX_ATTEMPTS = 8
# Long enough for one SMTP conversation (bounded by EMAIL_TIMEOUT when set),
# short enough that a dead worker's claim soon runs out.
OUTGOING_EMAIL_LEASE = datetime.timedelta(minutes=5)
# The happy path (queue after commit, a worker sends at once) gets this long
# before the sweep steps in.
OUTGOING_EMAIL_SWEEP_GRACE = datetime.timedelta(minutes=1)
OUTGOING_EMAIL_SWEEP_BATCH = 200
_BACKOFF_BASE = datetime.timedelta(minutes=1)
_BACKOFF_CAP = datetime.timedelta(hours=1)


def set_password_emails_queue(*, users: Iterable[User]) -> list[OutgoingEmail]:
    """Owe each of ``users`` a set-password e-mail, sent after the caller's transaction commits.

    Precondition: called inside the transaction that creates the users, so
    the rows commit or roll back with them. Queueing after commit never
    raises (``config.queueing.enqueue``): with the broker down the request
    still succeeds and the sweep sends the e-mails later.
    """
    now = timezone.now()
    emails = OutgoingEmail.objects.bulk_create(
        OutgoingEmail(
            user=user, kind=OutgoingEmail.Kind.SET_PASSWORD, created_at=now, next_attempt_at=now
        )
        for user in users
    )
    for email in emails:
        # robust: one failed queueing must not stop the others (the sweep
        # covers it). A lambda, not functools.partial: Django names the
        # callback by __qualname__ when it logs a robust failure.
        transaction.on_commit(
            lambda email_id=email.pk: _queue_outgoing_email(email_id=email_id), robust=True
        )
    return emails


def _queue_outgoing_email(*, email_id: int) -> None:
    from accounts.tasks import outgoing_email_send_task

    enqueue(outgoing_email_send_task, email_id=str(email_id))


def _unclaimed(now: datetime.datetime) -> Q:
    return Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)


def outgoing_email_send(*, email_id: int | str) -> OutgoingEmail | None:
    """Send one due e-mail and record the outcome; None if it was not ours to send.

    The claim is one conditional UPDATE (pending, due, under the attempt
    limit, no live claim): of two workers holding the same message, or a
    worker and the sweep's re-queue, one matches the row and sends, the other
    matches nothing. The attempt is counted when claimed, so an e-mail that
    crashes the worker cannot loop forever. SMTP and network errors
    (``OSError``, which ``smtplib.SMTPException`` is) schedule a retry with
    backoff; anything else is a bug and propagates.
    """
    now = timezone.now()
    claimed = OutgoingEmail.objects.filter(
        _unclaimed(now),
        pk=email_id,
        status=OutgoingEmail.Status.PENDING,
        next_attempt_at__lte=now,
        attempts__lt=OUTGOING_EMAIL_MAX_ATTEMPTS,
    ).update(claimed_until=now + OUTGOING_EMAIL_LEASE, attempts=F("attempts") + 1)
    if not claimed:
        return None
    email = OutgoingEmail.objects.select_related("user").get(pk=email_id)
    try:
        delivered = _send_outgoing_email(email)
    except OSError as error:
        logger.warning(
            "Could not send e-mail %s (attempt %d); will retry.",
            email.pk,
            email.attempts,
            exc_info=True,
        )
        return _record_outgoing_email(email, error=f"{error.__class__.__name__}: {error}")
    status = OutgoingEmail.Status.SENT if delivered else OutgoingEmail.Status.SKIPPED
    return _record_outgoing_email(email, status=status)


# E-mails that higher contexts owe through this outbox (notifications): accounts
# must not import them, so each registers its sender from ``AppConfig.ready``.
# A sender returns whether it sent anything (False: skipped) and raises OSError
# for a send to retry.
_senders: dict[str, Callable[[OutgoingEmail], bool]] = {}


def outgoing_email_register_sender(*, kind: str, send: Callable[[OutgoingEmail], bool]) -> None:
    """Let ``send`` deliver the outbox rows of ``kind`` (idempotent)."""
    _senders[kind] = send


def _send_outgoing_email(email: OutgoingEmail) -> bool:
    if email.kind == OutgoingEmail.Kind.SET_PASSWORD:
        return user_send_set_password_email(user=email.user)
    if email.kind in _senders:
        return _senders[email.kind](email)
    raise ValueError(f"unknown e-mail kind {email.kind!r}")  # a programming error


def _record_outgoing_email(
    email: OutgoingEmail, *, status: str | None = None, error: str = ""
) -> OutgoingEmail:
    now = timezone.now()
    values: dict[str, object] = {"claimed_until": None, "last_error": error[:2000]}
    if status is not None:
        values.update(status=status, next_attempt_at=None)
        if status == OutgoingEmail.Status.SENT:
            values["sent_at"] = now
    elif email.attempts >= OUTGOING_EMAIL_MAX_ATTEMPTS:
        values.update(status=OutgoingEmail.Status.FAILED, next_attempt_at=None)
    else:
        delay = min(_BACKOFF_BASE * 2 ** (email.attempts - 1), _BACKOFF_CAP)
        values["next_attempt_at"] = now + delay
    # Only our own claim, identified by its attempt number: were the lease to
    # run out and another worker claim the row, that worker records its own.
    OutgoingEmail.objects.filter(
        pk=email.pk, attempts=email.attempts, status=OutgoingEmail.Status.PENDING
    ).update(**values)
    for name, value in values.items():
        setattr(email, name, value)
    return email


def outgoing_email_sweep() -> list[int]:
    """The ids of pending e-mails that should have been sent by now, for the caller to queue.

    Due more than ``OUTGOING_EMAIL_SWEEP_GRACE`` ago and not claimed: their
    queueing failed (broker down), their worker died, or a retry is due. An
    e-mail whose last allowed attempt was claimed by a worker that never
    reported back is closed as failed. Queueing one twice is harmless (the
    claim in ``outgoing_email_send`` sorts it out).
    """
    now = timezone.now()
    pending = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.PENDING)
    abandoned = pending.filter(_unclaimed(now), attempts__gte=OUTGOING_EMAIL_MAX_ATTEMPTS).update(
        status=OutgoingEmail.Status.FAILED,
        next_attempt_at=None,
        claimed_until=None,
        last_error="The last attempt never reported back (worker lost).",
    )
    due = list(
        pending.filter(
            _unclaimed(now),
            next_attempt_at__lte=now - OUTGOING_EMAIL_SWEEP_GRACE,
            attempts__lt=OUTGOING_EMAIL_MAX_ATTEMPTS,
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:OUTGOING_EMAIL_SWEEP_BATCH]
    )
    if due or abandoned:
        logger.info("E-mail sweep: %d to send, %d abandoned.", len(due), abandoned)
    return due
