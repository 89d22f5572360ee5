"""Security of the teams and accounts API (issue 7, items 1, 2, 4 and 5).

- membership activity is decided by the server's date, never the user's time zone;
- a future ``joined_on`` grants nothing until that day, and ending any membership works;
- staff-only writes refuse non-staff before validating anything they sent;
- a team's cohort cannot be changed by PATCH.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.services import api_token_create
from teams.models import Membership
from teams.services import membership_add, membership_end
from tests.accounts.factories import UserFactory
from tests.teams.factories import CohortFactory, TeamFactory

# 08:00 UTC: 11:00 on 1 December in Moscow (the server's TIME_ZONE here) but
# still 21:00 on 30 November in Pago Pago (UTC−11).
MORNING = datetime.datetime(2026, 12, 1, 8, 0, tzinfo=datetime.UTC)
SERVER_TODAY = datetime.date(2026, 12, 1)


@pytest.fixture
def server_in_moscow(settings):
    settings.TIME_ZONE = "Europe/Moscow"


def _token_client(user) -> APIClient:
    _, token = api_token_create(user=user, name="script", expires_in_days=365)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def _team_urls(team, project) -> list[str]:
    return [
        reverse("api-project-detail", args=[project.pk]),
        reverse("api-team-detail", args=[team.pk]),
        reverse("api-team-members", args=[team.pk]),
    ]


# --- Item 1: a removed member cannot keep access by choosing a western time zone ----------


@pytest.mark.usefixtures("server_in_moscow")
@pytest.mark.parametrize("zone", ["Pacific/Pago_Pago", "Etc/GMT+12", "Pacific/Kiritimati"])
def test_a_member_removed_today_loses_access_whatever_time_zone_they_choose(
    client, team, project, intern, staff, zone
):
    with time_machine.travel(MORNING, tick=False):
        token_client = _token_client(intern)
        client.force_login(intern)
        board = reverse("board", args=[project.pk])
        assert client.get(board).status_code == 200

        staff_client = APIClient()
        staff_client.force_login(staff)
        membership = Membership.objects.get(team=team, user=intern)
        ended = staff_client.delete(
            reverse("api-team-member-detail", args=[team.pk, membership.pk])
        )
        assert ended.status_code == 200
        assert ended.json()["left_on"] == SERVER_TODAY.isoformat()
        assert ended.json()["active"] is False

        intern.time_zone = zone  # as the profile page saves it
        intern.save(update_fields=["time_zone"])

        assert client.get(board).status_code == 404
        for url in _team_urls(team, project):
            assert client.get(url).status_code == 404, url
            assert token_client.get(url).status_code == 404, url
        assert token_client.get(reverse("api-me")).json()["memberships"] == []
        assert token_client.get(reverse("api-task-list")).json()["count"] == 0


@pytest.mark.usefixtures("server_in_moscow")
def test_the_active_field_is_the_servers_answer_whoever_asks(team, intern, staff):
    membership = Membership.objects.get(team=team, user=intern)
    staff.time_zone = "Pacific/Pago_Pago"
    staff.save(update_fields=["time_zone"])
    staff_client = APIClient()
    staff_client.force_login(staff)
    url = reverse("api-team-member-detail", args=[team.pk, membership.pk])
    with time_machine.travel(MORNING, tick=False):
        # Leaving "today" by the server's calendar: no longer active, even for a
        # viewer whose own calendar still shows yesterday.
        membership.left_on = SERVER_TODAY
        membership.save(update_fields=["left_on"])
        assert staff_client.get(url).json()["active"] is False
        assert membership.is_active() is False
        assert not Membership.objects.active().filter(pk=membership.pk).exists()


@pytest.mark.usefixtures("server_in_moscow")
def test_an_eastern_time_zone_does_not_end_access_early(client, team, project, intern):
    """Late evening in Moscow is already tomorrow in Kiritimati (UTC+14): access stays."""
    evening = datetime.datetime(2026, 12, 1, 19, 0, tzinfo=datetime.UTC)  # 22:00 Moscow
    membership = Membership.objects.get(team=team, user=intern)
    membership.left_on = SERVER_TODAY + datetime.timedelta(days=1)
    membership.save(update_fields=["left_on"])
    intern.time_zone = "Pacific/Kiritimati"
    intern.save(update_fields=["time_zone"])
    client.force_login(intern)
    with time_machine.travel(evening, tick=False):
        assert client.get(reverse("board", args=[project.pk])).status_code == 200


# --- Item 2: a future joined_on, and ending any membership -------------------------------


@pytest.mark.usefixtures("server_in_moscow")
def test_a_future_membership_grants_nothing_until_its_first_day(client, team, project):
    newcomer = UserFactory(username="newcomer")
    starts = SERVER_TODAY + datetime.timedelta(days=7)
    with time_machine.travel(MORNING, tick=False):
        membership = membership_add(team=team, user=newcomer, role="intern", joined_on=starts)
        assert membership.is_active() is False
        token_client = _token_client(newcomer)
        client.force_login(newcomer)
        assert client.get(reverse("board", args=[project.pk])).status_code == 404
        for url in _team_urls(team, project):
            assert token_client.get(url).status_code == 404, url
    with time_machine.travel(datetime.datetime(2026, 12, 8, 8, 0, tzinfo=datetime.UTC)):
        assert client.get(reverse("board", args=[project.pk])).status_code == 200
        assert token_client.get(_team_urls(team, project)[0]).status_code == 200


@pytest.mark.usefixtures("server_in_moscow")
def test_staff_can_end_a_membership_that_has_not_started(team, project, staff):
    newcomer = UserFactory(username="newcomer")
    starts = SERVER_TODAY + datetime.timedelta(days=7)
    staff_client = APIClient()
    staff_client.force_login(staff)
    with time_machine.travel(MORNING, tick=False):
        added = staff_client.post(
            reverse("api-team-members", args=[team.pk]),
            {"user": newcomer.pk, "role": "intern", "joined_on": starts.isoformat()},
            format="json",
        )
        assert added.status_code == 201
        assert added.json()["active"] is False
        url = reverse("api-team-member-detail", args=[team.pk, added.json()["id"]])

        ended = staff_client.delete(url)
        assert ended.status_code == 200
        # Ended on its first day: a membership that never grants access.
        assert ended.json()["left_on"] == starts.isoformat()
        assert ended.json()["active"] is False
        assert staff_client.delete(url).status_code == 200  # ending again changes nothing

    token_client = _token_client(newcomer)
    for day in (7, 8, 30):
        moment = MORNING + datetime.timedelta(days=day)
        with time_machine.travel(moment, tick=False):
            assert token_client.get(_team_urls(team, project)[0]).status_code == 404
            assert Membership.objects.get(pk=added.json()["id"]).is_active() is False


def test_ending_keeps_an_earlier_end_and_ends_a_later_one_today(team, intern):
    membership = Membership.objects.get(team=team, user=intern)
    with time_machine.travel(MORNING, tick=False):
        membership.left_on = SERVER_TODAY + datetime.timedelta(days=30)
        membership.save(update_fields=["left_on"])
        assert membership_end(membership=membership).left_on == SERVER_TODAY

        membership.left_on = SERVER_TODAY - datetime.timedelta(days=3)
        membership.save(update_fields=["left_on"])
        assert membership_end(membership=membership).left_on == SERVER_TODAY - datetime.timedelta(
            days=3
        )


def test_a_returning_member_with_a_future_date_waits_for_it(team, intern):
    """Reopening an old row must not keep its old join date (that would grant access now)."""
    membership = Membership.objects.get(team=team, user=intern)
    with time_machine.travel(MORNING, tick=False):
        membership_end(membership=membership)
        back_on = SERVER_TODAY + datetime.timedelta(days=10)
        reopened = membership_add(team=team, user=intern, role="mentor", joined_on=back_on)
        assert reopened.pk == membership.pk
        assert reopened.joined_on == back_on
        assert reopened.left_on is None
        assert reopened.is_active() is False
        assert not Membership.objects.active().filter(pk=membership.pk).exists()


def test_the_admin_removes_members_including_future_ones(client, team, intern, staff):
    newcomer = UserFactory(username="newcomer")
    with time_machine.travel(MORNING, tick=False):
        future = membership_add(
            team=team,
            user=newcomer,
            role="intern",
            joined_on=SERVER_TODAY + datetime.timedelta(days=5),
        )
        current = Membership.objects.get(team=team, user=intern)
        client.force_login(staff)
        response = client.post(
            reverse("admin:teams_membership_changelist"),
            {
                "action": "end_memberships",
                "_selected_action": [future.pk, current.pk],
            },
        )
        assert response.status_code == 302
        future.refresh_from_db()
        current.refresh_from_db()
        assert future.left_on == future.joined_on
        assert current.left_on == SERVER_TODAY
        assert not Membership.objects.active().filter(pk__in=[future.pk, current.pk]).exists()


# --- Item 4: staff-only writes authorise before they validate -----------------------------


def _write_requests(team, intern_membership, cohort):
    """Each staff-only write with a valid body, an invalid one and one naming missing ids."""
    members = reverse("api-team-members", args=[team.pk])
    member = reverse("api-team-member-detail", args=[team.pk, intern_membership.pk])
    return {
        "user_invite": (
            "post",
            reverse("api-user-list"),
            [
                {"username": "fresh", "email": "fresh@example.com", "full_name": "Fresh"},
                {"username": "bad name!", "email": "nope"},
                {"username": "intern", "email": "intern@example.com", "full_name": "Taken"},
            ],
        ),
        "user_deactivate": (
            "post",
            reverse("api-user-deactivate", args=[intern_membership.user_id]),
            [{}, {"junk": [1, 2]}],
        ),
        "user_deactivate_missing": (
            "post",
            reverse("api-user-deactivate", args=[999_999]),
            [{}],
        ),
        "cohort_create": (
            "post",
            reverse("api-cohort-list"),
            [
                {"name": "Spring", "starts_on": "2027-03-01", "ends_on": "2027-06-01"},
                {"name": "", "starts_on": "tomorrow"},
                {"name": cohort.name, "starts_on": "2027-06-01", "ends_on": "2027-03-01"},
            ],
        ),
        "cohort_patch": (
            "patch",
            reverse("api-cohort-detail", args=[cohort.pk]),
            [{"name": "Renamed"}, {"ends_on": "1900-01-01"}, {"starts_on": "not a date"}],
        ),
        "team_create": (
            "post",
            reverse("api-team-list"),
            [
                {"cohort": cohort.pk, "name": "Mobile"},
                {"cohort": 999_999, "name": "Mobile"},
                {"cohort": "abc"},
                {"cohort": cohort.pk, "name": team.name},
                {},
            ],
        ),
        "team_patch": (
            "patch",
            reverse("api-team-detail", args=[team.pk]),
            [{"name": "Renamed"}, {"name": ""}, {"name": "x" * 500}],
        ),
        "member_add": (
            "post",
            members,
            [
                {"user": UserFactory(username="joiner").pk, "role": "intern"},
                {"user": 999_999, "role": "intern"},
                {"user": intern_membership.user_id, "role": "boss"},
                {},
            ],
        ),
        "member_patch": (
            "patch",
            member,
            [{"role": "mentor"}, {"left_on": "1900-01-01"}, {"role": "boss"}],
        ),
        "member_end": ("delete", member, [None]),
    }


# What each persona gets for each write, whatever body it sends: non-staff are
# refused (403) before validation; another team's objects stay 404 for the
# outsider, as reads of them do.
WRITE_REFUSALS = {
    #                          mentor intern outsider
    "user_invite": (403, 403, 403),
    "user_deactivate": (403, 403, 403),
    "user_deactivate_missing": (403, 403, 403),
    "cohort_create": (403, 403, 403),
    "cohort_patch": (403, 403, 403),
    "team_create": (403, 403, 403),
    "team_patch": (403, 403, 404),
    "member_add": (403, 403, 404),
    "member_patch": (403, 403, 404),
    "member_end": (403, 403, 404),
}


@pytest.mark.parametrize(
    ("action", "persona_name", "expected"),
    [
        (action, name, status)
        for action, statuses in WRITE_REFUSALS.items()
        for name, status in zip(("mentor", "intern", "outsider"), statuses, strict=True)
    ],
)
def test_non_staff_writes_are_refused_the_same_whatever_the_body(
    api_as, team, intern, mentor, outsider, action, persona_name, expected
):
    cohort = team.cohort
    method, url, bodies = _write_requests(
        team, Membership.objects.get(team=team, user=intern), cohort
    )[action]
    client = api_as(persona_name)
    before = (
        sorted(Membership.objects.values_list("pk", "role", "left_on")),
        sorted(_team_rows()),
        sorted(_cohort_rows()),
        sorted(_user_rows()),
    )
    for body in bodies:
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code == expected, (body, response.content)
        assert "errors" not in response.json()
    after = (
        sorted(Membership.objects.values_list("pk", "role", "left_on")),
        sorted(_team_rows()),
        sorted(_cohort_rows()),
        sorted(_user_rows()),
    )
    assert after == before


def _team_rows():
    from teams.models import Team

    return Team.objects.values_list("pk", "name", "cohort_id")


def _cohort_rows():
    from teams.models import Cohort

    return Cohort.objects.values_list("pk", "name", "starts_on", "ends_on")


def _user_rows():
    from accounts.models import User

    return User.objects.values_list("pk", "username", "is_active")


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("cohort_create", {"name": "", "starts_on": "tomorrow"}),
        ("team_create", {"cohort": 999_999, "name": "Mobile"}),
        ("team_patch", {"name": ""}),
        ("member_add", {"user": 999_999, "role": "intern"}),
        ("user_invite", {"username": "bad name!"}),
    ],
)
def test_staff_still_get_validation_errors(api_as, team, intern, action, body):
    method, url, _bodies = _write_requests(
        team, Membership.objects.get(team=team, user=intern), team.cohort
    )[action]
    response = getattr(api_as("staff"), method)(url, body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]


def test_an_intern_cannot_probe_cohort_ids_through_team_creation(api_as, intern):
    existing = CohortFactory()
    client = api_as("intern")
    statuses = {
        client.post(
            reverse("api-team-list"), {"cohort": cohort_id, "name": "Probe"}, format="json"
        ).status_code
        for cohort_id in (existing.pk, 999_999, -1, "x")
    }
    assert statuses == {403}


# --- Item 5: PATCH cannot move a team to another cohort ----------------------------------


def test_patch_cannot_move_a_team_to_another_cohort(api_as, team):
    other_cohort = CohortFactory()
    original_cohort = team.cohort_id
    response = api_as("staff").patch(
        reverse("api-team-detail", args=[team.pk]),
        {"cohort": other_cohort.pk, "name": "Renamed"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["cohort"] == original_cohort
    team.refresh_from_db()
    assert team.cohort_id == original_cohort
    assert team.name == "Renamed"


def test_the_schema_marks_a_teams_cohort_read_only_on_patch(client):
    schema = client.get("/api/schema/?format=json").json()
    patch = schema["paths"]["/api/v1/teams/{id}/"]["patch"]
    ref = patch["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    component = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert "cohort" not in component.get("properties", {}) or component["properties"]["cohort"].get(
        "readOnly"
    )


def test_creating_a_team_still_takes_its_cohort(api_as, team):
    other_cohort = CohortFactory()
    response = api_as("staff").post(
        reverse("api-team-list"), {"cohort": other_cohort.pk, "name": "Mobile"}, format="json"
    )
    assert response.status_code == 201
    assert TeamFactory._meta.model.objects.get(pk=response.json()["id"]).cohort == other_cohort
