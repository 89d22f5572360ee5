"""CSV import of participants: the service (decode, parse, import) and its admin page."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from config.errors import DomainError
from teams.imports import (
    MAX_IMPORT_BYTES,
    MAX_IMPORT_ROWS,
    ParticipantsImportError,
    participants_import,
    participants_parse_csv,
)
from teams.models import Membership, Role
from tests.accounts.factories import UserFactory
from tests.teams.factories import MembershipFactory, TeamFactory

HEADER = "full_name,email,username,team,role"
IMPORT_URL = "admin:teams_membership_import"


def roster(*lines: str, header: str = HEADER) -> bytes:
    return "\n".join([header, *lines, ""]).encode()


def problems_of(error: ParticipantsImportError) -> list[tuple[int, str]]:
    return [(problem.line, problem.code) for problem in error.problems]


@pytest.fixture
def run_import(team, staff, django_capture_on_commit_callbacks):
    """Import into ``team``'s cohort as ``staff``, running on-commit callbacks (emails)."""

    def run(data: bytes | str, cohort=None):
        with django_capture_on_commit_callbacks(execute=True):
            return participants_import(cohort=cohort or team.cohort, data=data, by=staff)

    return run


# --- A good file ---------------------------------------------------------------------


def test_good_file_creates_users_memberships_and_one_email_each(
    run_import, team, other_team, mailoutbox, client
):
    result = run_import(
        roster(
            "Ivan Petrov,ivan@example.com,ivan,Web team,intern",
            "Olga Sidorova,olga@example.com,olga,web TEAM,Intern",
            "Maria Smirnova,maria@example.com,maria,Data team,MENTOR",
        )
    )

    assert (result.created_users, result.added_memberships, result.skipped) == (3, 3, 0)
    ivan = User.objects.get(username="ivan")
    assert ivan.full_name == "Ivan Petrov"
    assert ivan.email == "ivan@example.com"
    assert ivan.preferred_language == "ru"
    assert not ivan.has_usable_password()
    assert ivan.is_active
    assert not ivan.is_staff
    memberships = {
        (m.user.username, m.team.name, m.role, m.joined_on)
        for m in Membership.objects.select_related("user", "team")
    }
    today = timezone.localdate()
    assert memberships == {
        ("ivan", "Web team", Role.INTERN, today),
        ("olga", "Web team", Role.INTERN, today),
        ("maria", "Data team", Role.MENTOR, today),
    }
    assert sorted(message.to[0] for message in mailoutbox) == [
        "ivan@example.com",
        "maria@example.com",
        "olga@example.com",
    ]
    ivan_mail = next(message for message in mailoutbox if message.to == ["ivan@example.com"])
    link = re.search(
        r"http://testserver(/accounts/password/reset/[^/\s]+/[^/\s]+/)", ivan_mail.body
    )
    assert link is not None
    # The link is a valid one-time token: Django swaps it for the set-password form.
    response = client.get(link.group(1))
    assert response.status_code == 302
    assert response["Location"].endswith("/set-password/")


def test_russian_windows_1251_file_with_semicolons(run_import, team):
    cyrillic_team = TeamFactory(cohort=team.cohort, name="Команда Бэкенд")
    data = (
        "\r\n".join(
            [
                "full_name;email;username;team;role",
                "Иван Петров;ivan@example.com;ivan;команда бэкенд;стажёр",
                "Ольга Сидорова;olga@example.com;olga;Web team;Стажер",
                "Мария Смирнова;maria@example.com;maria;КОМАНДА БЭКЕНД;Ментор",
                ";;;;",  # the empty row Excel leaves at the end
            ]
        )
        + "\r\n"
    ).encode("cp1251")

    result = run_import(data)

    assert (result.created_users, result.added_memberships) == (3, 3)
    assert User.objects.get(username="ivan").full_name == "Иван Петров"
    roles = dict(Membership.objects.values_list("user__username", "role"))
    assert roles == {"ivan": Role.INTERN, "olga": Role.INTERN, "maria": Role.MENTOR}
    assert Membership.objects.get(user__username="maria").team == cyrillic_team


def test_utf8_file_with_bom_and_quoted_values(run_import, team):
    data = "\ufeff" + "\n".join(
        [
            HEADER,
            '"Петров, Иван",ivan@example.com,ivan,Web team,intern',
        ]
    )

    result = run_import(data.encode("utf-8"))

    assert result.created_users == 1
    assert User.objects.get(username="ivan").full_name == "Петров, Иван"


def test_same_person_on_two_lines_is_one_account_in_two_teams(
    run_import, team, other_team, mailoutbox
):
    result = run_import(
        roster(
            "Maria Smirnova,maria@example.com,maria,Web team,mentor",
            "Maria Smirnova,MARIA@example.com,maria,Data team,mentor",
        )
    )

    assert (result.created_users, result.added_memberships) == (1, 2)
    assert Membership.objects.filter(user__username="maria").count() == 2
    assert len(mailoutbox) == 1


# --- Existing users --------------------------------------------------------------------


def test_existing_user_with_same_email_gets_membership_and_no_email(run_import, team, mailoutbox):
    existing = UserFactory(username="ivan", email="Ivan@Example.com", full_name="Иван Петров")

    result = run_import(roster("Ivan P.,ivan@example.com,ivan,Web team,mentor"))

    assert (result.created_users, result.added_memberships, result.skipped) == (0, 1, 0)
    membership = Membership.objects.get(user=existing)
    assert (membership.team, membership.role) == (team, Role.MENTOR)
    existing.refresh_from_db()
    assert existing.full_name == "Иван Петров"  # the file does not overwrite accounts
    assert existing.has_usable_password()
    assert mailoutbox == []


def test_existing_member_of_that_team_is_skipped_with_a_note(run_import, team):
    membership = MembershipFactory(
        team=team, role=Role.INTERN, user__username="ivan", user__email="ivan@example.com"
    )

    result = run_import(
        roster(
            "Ivan Petrov,ivan@example.com,ivan,Web team,mentor",
            "Olga Sidorova,olga@example.com,olga,Web team,intern",
        )
    )

    assert (result.created_users, result.added_memberships, result.skipped) == (1, 1, 1)
    assert [(note.line, note.code) for note in result.notes] == [(2, "already_member")]
    assert "already a member" in str(result.notes[0])
    membership.refresh_from_db()
    assert membership.role == Role.INTERN  # left as it was


def test_username_in_another_letter_case_with_the_same_email_is_the_same_person(
    run_import, team, mailoutbox
):
    existing = UserFactory(username="Иван", email="ivan@example.com")

    result = run_import(roster("Иван Петров,IVAN@example.com,иван,Web team,intern"))

    assert (result.created_users, result.added_memberships) == (0, 1)
    assert Membership.objects.get(team=team).user == existing
    assert mailoutbox == []


def test_inactive_existing_user_is_added_with_a_note(run_import, team):
    UserFactory(username="ivan", email="ivan@example.com", is_active=False)

    result = run_import(roster("Ivan Petrov,ivan@example.com,ivan,Web team,intern"))

    assert result.added_memberships == 1
    assert [(note.line, note.code) for note in result.notes] == [(2, "inactive")]


# --- Problems: each reported with its line, nothing written ---------------------------


def test_every_bad_line_is_reported_with_its_line_number(run_import, team, mailoutbox):
    UserFactory(username="taken", email="taken@example.com")
    UserFactory(username="owner", email="owned@example.com")
    users_before = User.objects.count()
    data = roster(
        "Good One,good@example.com,good,Web team,intern",  # 2
        "No Team,noteam@example.com,noteam,Foo,intern",  # 3
        "Bad Email,not-an-email,bademail,Web team,intern",  # 4
        "Bad Role,badrole@example.com,badrole,Web team,boss",  # 5
        ",nofullname@example.com,nofullname,Web team,intern",  # 6
        "Short Row,short@example.com,short,Web team",  # 7
        "Twin,twin@example.com,good,Web team,intern",  # 8
        "Taken,other@example.com,taken,Web team,intern",  # 9
        "Owned,owned@example.com,newbie,Web team,intern",  # 10
        "Same Mail,good@example.com,another,Web team,intern",  # 11
        "Bad Name,bad name@example.com,bad name!,Web team,intern",  # 12
    )

    with pytest.raises(ParticipantsImportError) as caught:
        run_import(data)

    assert problems_of(caught.value) == [
        (3, "unknown_team"),
        (4, "email"),
        (5, "role"),
        (6, "missing"),
        (7, "columns"),
        (8, "duplicate_username"),
        (9, "username_taken"),
        (10, "email_taken"),
        (11, "duplicate_email"),
        (12, "email"),
        (12, "username"),
    ]
    messages = [str(problem) for problem in caught.value.problems]
    assert messages[0] == f"Line 3: unknown team “Foo” in cohort {team.cohort.name}."
    assert messages[6].startswith("Line 9: username “taken” is already used by another email")
    assert all(
        message.startswith(f"Line {line}: ")
        for message, (line, _) in zip(messages, problems_of(caught.value), strict=True)
    )
    assert User.objects.count() == users_before
    assert not Membership.objects.exists()
    assert mailoutbox == []


@pytest.mark.parametrize(
    "header",
    [
        "full_name,email,username,team",  # missing column
        "full_name,email,username,team,role,phone",  # extra column
        "email,full_name,username,team,role",  # other order
        "name,mail,login,group,role",  # other names
    ],
)
def test_wrong_header_is_reported_on_line_1(run_import, team, header):
    with pytest.raises(ParticipantsImportError) as caught:
        run_import(roster("Ivan,ivan@example.com,ivan,Web team,intern", header=header))

    assert problems_of(caught.value) == [(1, "header")]
    assert str(caught.value.problems[0]).startswith("Line 1: the header must be")
    assert not User.objects.filter(username="ivan").exists()


def test_header_letter_case_and_spaces_do_not_matter(run_import, team):
    result = run_import(
        roster(
            "Ivan,ivan@example.com,ivan,Web team,intern",
            header="Full_Name, Email ,USERNAME,Team,Role",
        )
    )
    assert result.created_users == 1


def test_one_bad_line_among_good_ones_imports_nothing(run_import, team, mailoutbox):
    data = roster(
        "Ivan Petrov,ivan@example.com,ivan,Web team,intern",
        "Olga Sidorova,olga@example.com,olga,Nowhere,intern",
        "Maria Smirnova,maria@example.com,maria,Web team,mentor",
    )

    with pytest.raises(ParticipantsImportError) as caught:
        run_import(data)

    assert problems_of(caught.value) == [(3, "unknown_team")]
    assert not User.objects.filter(username__in=["ivan", "olga", "maria"]).exists()
    assert not Membership.objects.exists()
    assert mailoutbox == []


def test_same_person_twice_in_the_same_team_is_an_error(run_import, team):
    with pytest.raises(ParticipantsImportError) as caught:
        run_import(
            roster(
                "Ivan Petrov,ivan@example.com,ivan,Web team,intern",
                "Ivan Petrov,ivan@example.com,ivan,web team,mentor",
            )
        )
    assert problems_of(caught.value) == [(3, "duplicate_member")]


def test_team_of_another_cohort_is_unknown(run_import, team):
    TeamFactory(name="Elsewhere")  # a team in another cohort

    with pytest.raises(ParticipantsImportError) as caught:
        run_import(roster("Ivan,ivan@example.com,ivan,Elsewhere,intern"))

    assert problems_of(caught.value) == [(2, "unknown_team")]


def test_line_numbers_count_blank_lines(run_import, team):
    data = f"{HEADER}\n\nIvan,ivan@example.com,ivan,Web team,chief\n".encode()

    with pytest.raises(ParticipantsImportError) as caught:
        run_import(data)

    assert problems_of(caught.value) == [(3, "role")]


# --- Files that cannot be used at all ----------------------------------------------------


def test_oversize_file_is_refused(run_import, team):
    data = roster("Ivan,ivan@example.com,ivan,Web team,intern") + b" " * MAX_IMPORT_BYTES

    with pytest.raises(DomainError) as caught:
        run_import(data)

    assert caught.value.code == "too_large"
    assert not User.objects.filter(username="ivan").exists()


def test_too_many_rows_are_refused():
    lines = [
        f"User {n},user{n}@example.com,user{n},Web team,intern" for n in range(MAX_IMPORT_ROWS + 1)
    ]

    with pytest.raises(DomainError) as caught:
        participants_parse_csv(text="\n".join([HEADER, *lines]))

    assert caught.value.code == "too_many_rows"
    assert str(MAX_IMPORT_ROWS) in str(caught.value)


def test_max_rows_are_accepted_by_the_parser():
    lines = [
        f"User {n},user{n}@example.com,user{n},Web team,intern" for n in range(MAX_IMPORT_ROWS)
    ]

    parsed = participants_parse_csv(text="\n".join([HEADER, *lines]))

    assert len(parsed.rows) == MAX_IMPORT_ROWS
    assert parsed.problems == []


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"\n\n", "empty"),
        (HEADER.encode() + b"\n", "empty"),
        (b"PK\x03\x04\x14\x00\x06\x00", "not_csv"),  # an .xlsx
        ("full_name".encode("utf-16"), "not_csv"),
    ],
)
def test_unusable_files_are_refused(run_import, team, data, code):
    with pytest.raises(DomainError) as caught:
        run_import(data)
    assert caught.value.code == code


# --- The admin page --------------------------------------------------------------------


def upload(data: bytes, name: str = "roster.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_import_page_renders_for_staff_and_is_linked_from_memberships(client, staff, team):
    client.force_login(staff)

    response = client.get(reverse(IMPORT_URL))
    assert response.status_code == 200
    assert b'enctype="multipart/form-data"' in response.content
    assert team.cohort.name.encode() in response.content

    changelist = client.get(reverse("admin:teams_membership_changelist"))
    assert reverse(IMPORT_URL).encode() in changelist.content


@pytest.mark.parametrize("persona_name", ["anonymous", "intern"])
def test_import_page_sends_non_staff_to_admin_login(client, persona, persona_name):
    persona(persona_name)

    response = client.get(reverse(IMPORT_URL))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_import_page_needs_the_add_membership_permission(client, db):
    coordinator = UserFactory(is_staff=True)
    client.force_login(coordinator)
    assert client.get(reverse(IMPORT_URL)).status_code == 403

    coordinator.user_permissions.add(
        Permission.objects.get(codename="add_membership", content_type__app_label="teams")
    )
    coordinator = User.objects.get(pk=coordinator.pk)  # drop the permission cache
    client.force_login(coordinator)
    assert client.get(reverse(IMPORT_URL)).status_code == 200


def test_posting_a_good_file_imports_and_reports_counts(
    client, staff, team, mailoutbox, django_capture_on_commit_callbacks
):
    MembershipFactory(team=team, user__username="old", user__email="old@example.com")
    client.force_login(staff)
    data = roster(
        "Ivan Petrov,ivan@example.com,ivan,Web team,intern",
        "Old Timer,old@example.com,old,Web team,intern",
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(IMPORT_URL), {"cohort": team.cohort.pk, "file": upload(data)}
        )

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:teams_membership_changelist")
    assert Membership.objects.filter(user__username="ivan", team=team).exists()
    assert [message.to for message in mailoutbox] == [["ivan@example.com"]]
    page = client.get(response["Location"])
    texts = [str(message) for message in page.context["messages"]]
    assert any("New users: 1; memberships added: 1; rows skipped: 1" in text for text in texts)
    assert any(text.startswith("Line 3: ") and "already a member" in text for text in texts)


def test_posting_a_bad_file_lists_every_problem_and_imports_nothing(
    client, staff, team, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    data = roster(
        "Ivan Petrov,ivan@example.com,ivan,Web team,intern",
        "Olga <b>Sidorova</b>,olga@example.com,olga,<b>Foo</b>,intern",
        "Maria Smirnova,not-an-email,maria,Web team,mentor",
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(IMPORT_URL), {"cohort": team.cohort.pk, "file": upload(data)}
        )

    assert response.status_code == 200
    content = response.content.decode()
    assert "The file has 2 problems; nothing was imported." in content
    assert "Line 3: unknown team “&lt;b&gt;Foo&lt;/b&gt;”" in content  # escaped
    assert "Line 4: invalid email" in content
    assert not User.objects.filter(username__in=["ivan", "olga", "maria"]).exists()
    assert not Membership.objects.exists()
    assert mailoutbox == []


def test_posting_an_oversize_file_is_refused(client, staff, team):
    client.force_login(staff)
    data = roster("Ivan,ivan@example.com,ivan,Web team,intern") + b" " * MAX_IMPORT_BYTES

    response = client.post(reverse(IMPORT_URL), {"cohort": team.cohort.pk, "file": upload(data)})

    assert response.status_code == 200
    assert "larger than 1024 KB" in response.content.decode()
    assert not User.objects.filter(username="ivan").exists()


def test_posting_without_a_file_or_with_another_extension_is_refused(client, staff, team):
    client.force_login(staff)

    missing = client.post(reverse(IMPORT_URL), {"cohort": team.cohort.pk})
    assert missing.status_code == 200
    assert missing.context["form"].errors["file"]

    xlsx = client.post(
        reverse(IMPORT_URL),
        {"cohort": team.cohort.pk, "file": upload(b"PK\x03\x04", name="roster.xlsx")},
    )
    assert xlsx.status_code == 200
    assert xlsx.context["form"].errors["file"]
