from __future__ import annotations

import zoneinfo
from functools import cache

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.utils.translation import gettext_lazy as _

from accounts.models import (
    API_TOKEN_MAX_EXPIRY_DAYS,
    API_TOKEN_NAME_MAX_LENGTH,
    Language,
    User,
)


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    zones = sorted(
        z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith("Etc/")
    )
    return [(zone, zone.replace("_", " ")) for zone in zones]


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    preferred_language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)

    @classmethod
    def for_user(cls, user: User, data=None) -> ProfileForm:
        return cls(
            data,
            initial={
                "full_name": user.full_name,
                "preferred_language": user.preferred_language,
                "time_zone": user.time_zone,
            },
        )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False)


class InvitationAwarePasswordResetForm(PasswordResetForm):
    """Django's reset form, also for participants who never chose a password.

    Imported participants start with an unusable password and a set-password
    email; if that email is lost, "forgot password" must still reach them.
    Inactive accounts stay excluded.
    """

    def get_users(self, email: str):
        email_field = User.get_email_field_name()
        return User._default_manager.filter(
            **{f"{email_field}__iexact": email, "is_active": True}
        ).exclude(**{email_field: ""})


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=API_TOKEN_NAME_MAX_LENGTH,
        help_text=_("What the token is for, e.g. “Reports export”."),
    )
    expires_in_days = forms.IntegerField(
        label=_("Expires in (days)"),
        required=False,
        min_value=1,
        max_value=API_TOKEN_MAX_EXPIRY_DAYS,
        help_text=_("Leave empty for a token that never expires."),
    )
