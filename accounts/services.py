"""Use-cases about user accounts."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User


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
