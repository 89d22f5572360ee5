"""The profile's time-zone select: grouped by region, localized, Russia first."""

from __future__ import annotations

import re
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.forms import ProfileForm
from tests.accounts.factories import UserFactory


def _groups(form: ProfileForm) -> list[tuple[str, list[str]]]:
    return [
        (label, [value for value, _ in options])
        for label, options in form.fields["time_zone"].choices
    ]


def test_zones_are_grouped_by_region_with_russia_first_in_russian():
    with translation.override("ru"):
        groups = _groups(ProfileForm())
    labels = [label for label, _ in groups]
    assert labels[0] == "Россия"
    assert "Европа" in labels
    assert "Азия" in labels
    assert "Тихий океан" in labels
    russia = groups[0][1]
    assert russia[:2] == ["Europe/Kaliningrad", "Europe/Moscow"]
    assert "Asia/Vladivostok" in russia
    europe = dict(groups)["Европа"]
    assert "Europe/Berlin" in europe
    assert "Europe/Moscow" not in europe  # listed once, under Russia


def test_region_names_follow_the_language():
    with translation.override("en"):
        labels = [label for label, _ in _groups(ProfileForm())]
    assert labels[:3] == ["Russia", "Europe", "Asia"]


def test_every_named_zone_is_offered_exactly_once():
    values = [value for _, options in _groups(ProfileForm()) for value in options]
    expected = {z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith("Etc/")}
    assert len(values) == len(set(values))
    assert set(values) == expected


@pytest.mark.parametrize(
    ("zone", "valid"),
    [
        ("Asia/Novosibirsk", True),
        ("US/Eastern", True),
        ("Mars/Olympus", False),
        ("Etc/GMT+3", False),
    ],
)
def test_the_choice_still_validates_against_zoneinfo(zone, valid):
    form = ProfileForm({"full_name": "", "preferred_language": "en", "time_zone": zone})
    assert form.is_valid() is valid


def test_the_profile_page_renders_optgroups_in_russian(client, db):
    user = UserFactory(preferred_language="ru", time_zone="Europe/Moscow")
    client.force_login(user)
    content = client.get(reverse("profile")).content.decode()
    groups = re.findall(r'<optgroup label="([^"]+)">', content)
    assert groups[0] == "Россия"
    assert "Европа" in groups
    assert '<option value="Europe/Moscow" selected>Moscow</option>' in content
