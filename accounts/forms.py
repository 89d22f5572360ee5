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

# Russia's zones, west to east (the tz database's zone.tab for RU): most
# participants live in one of them, so they come first.
RUSSIAN_TIME_ZONES = (
    "Europe/Kaliningrad",
    "Europe/Moscow",
    "Europe/Kirov",
    "Europe/Volgograd",
    "Europe/Astrakhan",
    "Europe/Saratov",
    "Europe/Ulyanovsk",
    "Europe/Samara",
    "Asia/Yekaterinburg",
    "Asia/Omsk",
    "Asia/Novosibirsk",
    "Asia/Barnaul",
    "Asia/Tomsk",
    "Asia/Novokuznetsk",
    "Asia/Krasnoyarsk",
    "Asia/Irkutsk",
    "Asia/Chita",
    "Asia/Yakutsk",
    "Asia/Khandyga",
    "Asia/Vladivostok",
    "Asia/Ust-Nera",
    "Asia/Magadan",
    "Asia/Sakhalin",
    "Asia/Srednekolymsk",
    "Asia/Kamchatka",
    "Asia/Anadyr",
)
TIME_ZONE_REGIONS = {
    "Europe": _("Europe"),
    "Asia": _("Asia"),
    "Africa": _("Africa"),
    "America": _("America"),
    "Atlantic": _("Atlantic Ocean"),
    "Indian": _("Indian Ocean"),
    "Pacific": _("Pacific Ocean"),
    "Australia": _("Australia"),
    "Antarctica": _("Antarctica"),
    "Arctic": _("Arctic"),
}


@cache
def selectable_time_zones() -> frozenset[str]:
    """Every zone a profile may choose: named "Region/City" zones of zoneinfo."""
    return frozenset(
        z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith("Etc/")
    )


def _zone_label(zone: str) -> str:
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def time_zone_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The zones grouped by region (names in the active language), Russia first.

    A callable, so each form renders the groups in the language of its request.
    Legacy aliases (``US/Eastern``) stay choosable under "Other" so a profile
    saved with one still validates.
    """
    zones = selectable_time_zones()
    russian = [z for z in RUSSIAN_TIME_ZONES if z in zones]
    groups: dict[str, list[str]] = {}
    for zone in sorted(zones - set(russian)):
        groups.setdefault(zone.split("/", 1)[0], []).append(zone)
    choices = [(str(_("Russia")), [(z, _zone_label(z)) for z in russian])]
    for region, name in TIME_ZONE_REGIONS.items():
        members = groups.pop(region, [])
        # Within a region the full id tells apart "America/Indiana/Knox" and "…/Knox_IN".
        choices.append((str(name), [(z, z.split("/", 1)[1].replace("_", " ")) for z in members]))
    other = sorted(zone for members in groups.values() for zone in members)
    if other:
        choices.append((str(_("Other")), [(z, z.replace("_", " ")) for z in other]))
    return choices


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
