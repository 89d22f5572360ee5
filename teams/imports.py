"""The participant CSV import: a coordinator's roster becomes accounts and memberships.

It runs in three steps so that every problem in a file is found in one go:

1. ``participants_decode_csv``: bytes → text (size cap, encoding guess);
2. ``participants_parse_csv``: text → rows and per-line problems, with no
   database access (header, column count, required values, email, username,
   role, duplicates inside the file);
3. ``participants_import``: checks the rows against the database (teams of
   the cohort, existing accounts) and, only if no line has a problem, writes
   everything in one transaction and queues set-password emails after commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.contrib.auth.base_user import BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext, ngettext

from accounts import selectors as account_selectors
from accounts.services import Invitee, users_invite
from config.csv_files import ImportMessage, ImportProblemsError, csv_records, decode_csv
from config.errors import DomainError
from teams.models import Membership, Role, Team
from teams.querysets import membership_today

if TYPE_CHECKING:
    from collections.abc import Iterable

    from accounts.models import User
    from teams.models import Cohort

# Caps on what one upload may carry: a cohort is a few hundred people, so
# these leave ample room while keeping one request's work bounded.
MAX_IMPORT_BYTES = 1024 * 1024
MAX_IMPORT_ROWS = 2000

IMPORT_COLUMNS: tuple[str, ...] = ("full_name", "email", "username", "team", "role")

# Role spellings accepted in the file, compared after strip() and casefold().
# Russian spellings because coordinators fill rosters in Russian-language
# spreadsheets; "стажер" because ё is often typed as е.
ROLE_SPELLINGS: dict[str, str] = {
    Role.INTERN.value: Role.INTERN,
    Role.MENTOR.value: Role.MENTOR,
    "стажёр": Role.INTERN,
    "стажер": Role.INTERN,
    "ментор": Role.MENTOR,
}

_FULL_NAME_MAX = account_selectors.user_field_max_length("full_name")
_USERNAME_MAX = account_selectors.user_field_max_length("username")
_EMAIL_MAX = account_selectors.user_field_max_length("email")


@dataclass(frozen=True)
class ParticipantRow:
    """One data line, values stripped; ``role`` is a ``Role`` value or "" when unreadable.

    ``bad_fields`` names the values that already failed parsing, so later
    checks do not pile a second, confusing message onto the same value.
    """

    line: int
    full_name: str
    email: str
    username: str
    team_name: str
    role: str
    bad_fields: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ParsedParticipants:
    rows: list[ParticipantRow]
    problems: list[ImportMessage]


@dataclass(frozen=True)
class ParticipantsImportResult:
    created_users: int
    added_memberships: int
    skipped: int
    notes: list[ImportMessage] = field(default_factory=list)

    def summary(self) -> str:
        """What the coordinator is told: it claims an import or a letter only if one happened."""
        if not (self.created_users or self.added_memberships):
            return ngettext(
                "Nothing was imported: the %(count)d row is already in place.",
                "Nothing was imported: all %(count)d rows are already in place.",
                self.skipped,
            ) % {"count": self.skipped}
        text = gettext(
            "Participants imported. New users: %(created)d; memberships added: "
            "%(added)d; rows skipped: %(skipped)d."
        ) % {
            "created": self.created_users,
            "added": self.added_memberships,
            "skipped": self.skipped,
        }
        if self.created_users:
            text += " " + gettext("New users are emailed a link to set their password.")
        return text


# The file had problems on some lines; nothing was imported (``problems``, in line order).
ParticipantsImportError = ImportProblemsError


# --- Step 1: bytes → text ---------------------------------------------------------------


def participants_decode_csv(*, data: bytes) -> str:
    """Decode an uploaded roster: UTF-8 (with or without BOM), else Windows-1251.

    Raises DomainError for an oversized or binary (e.g. .xlsx) file (see
    ``config.csv_files.decode_csv``).
    """
    return decode_csv(data=data, max_bytes=MAX_IMPORT_BYTES)


# --- Step 2: text → rows and problems -------------------------------------------------


def _header_problems(header: list[str]) -> list[ImportMessage]:
    names = [name.strip().casefold() for name in header]
    if names == list(IMPORT_COLUMNS):
        return []
    expected = ", ".join(IMPORT_COLUMNS)
    missing = [name for name in IMPORT_COLUMNS if name not in names]
    unknown = [name for name in names if name not in IMPORT_COLUMNS]
    if missing or unknown:
        details = []
        if missing:
            details.append(gettext("missing columns: %(names)s") % {"names": ", ".join(missing)})
        if unknown:
            details.append(
                gettext("unknown columns: %(names)s")
                % {"names": ", ".join(f"“{name}”" for name in unknown)}
            )
        message = gettext("the header must be “%(expected)s” (%(details)s).") % {
            "expected": expected,
            "details": "; ".join(details),
        }
    else:  # the right names, repeated or in another order
        message = gettext("the header must be “%(expected)s”, in this order.") % {
            "expected": expected
        }
    return [ImportMessage(line=1, code="header", message=message)]


def _row_problems(line: int, values: dict[str, str]) -> tuple[list[ImportMessage], set[str]]:
    """Problems of one line's values on their own, and the names of the bad values."""
    found = [
        *_missing_values(values),
        *(check(values) for check in (_full_name_problem, _email_problem, _username_problem)),
        _role_problem(values),
    ]
    problems = [problem for problem in found if problem is not None]
    messages = [ImportMessage(line=line, code=code, message=text) for _, code, text in problems]
    return messages, {name for name, _, _ in problems}


# (value name, code, message) of one problem with one value of a line.
_ValueProblem = tuple[str, str, str]


def _missing_values(values: dict[str, str]) -> list[_ValueProblem]:
    labels = {
        "full_name": gettext("full name"),
        "email": gettext("email"),
        "username": gettext("username"),
        "team": gettext("team"),
        "role": gettext("role"),
    }
    message = gettext("%(field)s is missing.")
    return [
        (name, "missing", message % {"field": labels[name]})
        for name in IMPORT_COLUMNS
        if not values[name]
    ]


def _full_name_problem(values: dict[str, str]) -> _ValueProblem | None:
    if len(values["full_name"]) <= _FULL_NAME_MAX:
        return None
    message = gettext("full name is longer than %(max)d characters.")
    return "full_name", "full_name", message % {"max": _FULL_NAME_MAX}


def _email_problem(values: dict[str, str]) -> _ValueProblem | None:
    email = values["email"]
    try:
        if len(email) > _EMAIL_MAX:
            raise ValidationError("too long")
        if email:
            validate_email(email)
    except ValidationError:
        return "email", "email", gettext("invalid email “%(email)s”.") % {"email": email}
    return None


def _username_problem(values: dict[str, str]) -> _ValueProblem | None:
    username = values["username"]
    try:
        if len(username) > _USERNAME_MAX:
            raise ValidationError("too long")
        if username:
            account_selectors.validate_username(username)
    except ValidationError:
        message = gettext(
            "invalid username “%(username)s”: use at most %(max)d letters, digits "
            "and @ . + - _ characters."
        )
        return "username", "username", message % {"username": username, "max": _USERNAME_MAX}
    return None


def _role_problem(values: dict[str, str]) -> _ValueProblem | None:
    role = values["role"]
    if not role or role.casefold() in ROLE_SPELLINGS:
        return None
    return (
        "role",
        "role",
        gettext("unknown role “%(role)s”: use intern or mentor.") % {"role": role},
    )


def _duplicate_problems(rows: list[ParticipantRow]) -> list[ImportMessage]:
    """Lines that contradict an earlier line of the same file.

    The same person (same username and email) may appear again for another
    team, e.g. a mentor of two teams; anything else repeated is an error.
    """
    problems: list[ImportMessage] = []
    email_by_username: dict[str, tuple[str, int]] = {}
    username_by_email: dict[str, tuple[str, int]] = {}
    line_by_member: dict[tuple[str, str], int] = {}
    for row in rows:
        if {"username", "email"} & row.bad_fields:
            continue
        username, email = row.username.casefold(), row.email.casefold()
        other_email, first = email_by_username.setdefault(username, (email, row.line))
        if other_email != email:
            problems.append(_duplicate(row, "duplicate_username", first))
            continue
        other_username, first = username_by_email.setdefault(email, (username, row.line))
        if other_username != username:
            problems.append(_duplicate(row, "duplicate_email", first))
            continue
        if "team" in row.bad_fields:
            continue
        first = line_by_member.setdefault((username, row.team_name.casefold()), row.line)
        if first != row.line:
            problems.append(_duplicate(row, "duplicate_member", first))
    return problems


def _duplicate(row: ParticipantRow, code: str, first: int) -> ImportMessage:
    """``row`` repeats line ``first`` in a way ``code`` names."""
    messages = {
        "duplicate_username": gettext(
            "username “%(username)s” already appears on line %(first)d with another email."
        ),
        "duplicate_email": gettext(
            "email “%(email)s” already appears on line %(first)d with another username."
        ),
        "duplicate_member": gettext(
            "“%(username)s” is already listed for team “%(team)s” on line %(first)d."
        ),
    }
    values = {"username": row.username, "email": row.email, "team": row.team_name, "first": first}
    return ImportMessage(line=row.line, code=code, message=messages[code] % values)


def participants_parse_csv(*, text: str) -> ParsedParticipants:
    """Read a roster's text into rows, finding every problem visible without the database.

    The first line must be the header ``full_name,email,username,team,role``
    (any letter case; delimiter ``,``, ``;`` or tab). Blank lines are
    ignored. Rows with the wrong number of values are reported and left out
    of ``rows``; other rows are kept even with problems, so the database
    checks can still report, say, an unknown team on a line with a bad email.

    Raises DomainError when the file as a whole cannot be used: empty, more
    than ``MAX_IMPORT_ROWS`` data rows, or not parseable as CSV.
    """
    header: list[str] | None = None
    rows: list[ParticipantRow] = []
    problems: list[ImportMessage] = []
    data_rows = 0
    for line, record in csv_records(text):
        if header is None:
            header = record
            problems += _header_problems(header)
            if problems:
                break  # the columns mean nothing yet: row checks would only add noise
            continue
        data_rows += 1
        if data_rows > MAX_IMPORT_ROWS:
            raise _too_many_rows_error()
        row, row_problems = _parse_row(line, record)
        problems += row_problems
        if row is not None:
            rows.append(row)
    if header is None:
        raise DomainError(
            gettext("The file is empty: it needs a header line and one line per participant."),
            code="empty",
            field="file",
        )
    if not problems and not rows:
        raise DomainError(
            gettext("The file has a header but no participants."), code="empty", field="file"
        )
    problems += _duplicate_problems(rows)
    return ParsedParticipants(rows=rows, problems=_in_line_order(problems))


def _too_many_rows_error() -> DomainError:
    return DomainError(
        gettext("The file has more than %(max)d participants; split it.")
        % {"max": MAX_IMPORT_ROWS},
        code="too_many_rows",
        field="file",
    )


def _parse_row(line: int, record: list[str]) -> tuple[ParticipantRow | None, list[ImportMessage]]:
    """One data record as a row and its problems; no row when the value count is wrong."""
    if len(record) != len(IMPORT_COLUMNS):
        message = gettext("expected %(expected)d values, found %(found)d.") % {
            "expected": len(IMPORT_COLUMNS),
            "found": len(record),
        }
        return None, [ImportMessage(line=line, code="columns", message=message)]
    values = dict(zip(IMPORT_COLUMNS, (value.strip() for value in record), strict=True))
    problems, bad = _row_problems(line, values)
    row = ParticipantRow(
        line=line,
        full_name=values["full_name"],
        email=BaseUserManager.normalize_email(values["email"]),
        username=values["username"],
        team_name=values["team"],
        role=ROLE_SPELLINGS.get(values["role"].casefold(), ""),
        bad_fields=frozenset(bad),
    )
    return row, problems


def _in_line_order(messages: Iterable[ImportMessage]) -> list[ImportMessage]:
    return sorted(messages, key=lambda message: message.line)  # stable: same-line order kept


# --- Step 3: database checks and writes -------------------------------------------------


@dataclass
class _Plan:
    """What the import will write, decided before any write happens. Keys are casefolded
    usernames."""

    new_users: dict[str, Invitee] = field(default_factory=dict)
    existing: dict[str, User] = field(default_factory=dict)
    memberships: list[tuple[str, Team, str]] = field(default_factory=list)  # key, team, role
    notes: list[ImportMessage] = field(default_factory=list)


def _plan(*, cohort: Cohort, rows: list[ParticipantRow]) -> tuple[_Plan, list[ImportMessage]]:
    """Decide every account and membership to write, and every problem the database shows."""
    plan = _Plan()
    account_problems = _plan_accounts(plan, rows)
    skip_lines = {problem.line for problem in account_problems}
    membership_problems = _plan_memberships(plan, cohort=cohort, rows=rows, skip_lines=skip_lines)
    return plan, [*account_problems, *membership_problems]


def _plan_accounts(plan: _Plan, rows: list[ParticipantRow]) -> list[ImportMessage]:
    """Match each usable row to an existing account or plan a new one; report clashes."""
    usable = [row for row in rows if not {"username", "email"} & row.bad_fields]
    existing_users = account_selectors.users_matching(
        usernames=(row.username for row in usable), emails=(row.email for row in usable)
    )
    by_exact_username = {user.username: user for user in existing_users}
    by_username = {user.username.casefold(): user for user in existing_users}
    by_email = {user.email.casefold(): user for user in existing_users if user.email}
    problems: list[ImportMessage] = []
    for row in usable:
        key = row.username.casefold()
        # Usernames are case-sensitive in Django, so an exact match wins; a
        # match in another letter case with the same email is the same person.
        user = by_exact_username.get(row.username) or by_username.get(key)
        owner = by_email.get(row.email.casefold())
        if user is not None and user.email.casefold() != row.email.casefold():
            problems.append(_username_taken(row))
        elif user is None and owner is not None:
            problems.append(_email_taken(row, owner))
        elif user is not None:
            plan.existing[key] = user
        elif key not in plan.new_users:
            plan.new_users[key] = Invitee(
                username=row.username, email=row.email, full_name=row.full_name
            )
    return problems


def _username_taken(row: ParticipantRow) -> ImportMessage:
    message = gettext("username “%(username)s” is already used by another email address.")
    return ImportMessage(
        line=row.line, code="username_taken", message=message % {"username": row.username}
    )


def _email_taken(row: ParticipantRow, owner: User) -> ImportMessage:
    message = gettext("email “%(email)s” already belongs to another user (“%(username)s”).")
    return ImportMessage(
        line=row.line,
        code="email_taken",
        message=message % {"email": row.email, "username": owner.username},
    )


def _plan_memberships(
    plan: _Plan, *, cohort: Cohort, rows: list[ParticipantRow], skip_lines: set[int]
) -> list[ImportMessage]:
    """Plan a membership per row whose team is known; note rows that change nothing."""
    teams = {team.name.casefold(): team for team in Team.objects.filter(cohort=cohort)}
    # Membership rows of the matched users in this cohort: (user, team) → left_on.
    left_on_by_pair = {
        (user_id, team_id): left_on
        for user_id, team_id, left_on in Membership.objects.filter(
            team__cohort=cohort, user__in=plan.existing.values()
        ).values_list("user_id", "team_id", "left_on")
    }
    problems: list[ImportMessage] = []
    for row in rows:
        if "team" in row.bad_fields:
            continue
        team = teams.get(row.team_name.casefold())
        if team is None:
            problems.append(_unknown_team(row, cohort))
            continue
        if row.bad_fields or row.line in skip_lines:
            continue
        key = row.username.casefold()
        user = plan.existing.get(key)
        if user is not None and (user.pk, team.pk) in left_on_by_pair:
            plan.notes.append(_already_member(row, user, team, left_on_by_pair[user.pk, team.pk]))
            continue
        if user is not None and not user.is_active:
            plan.notes.append(_inactive(row, user))
        plan.memberships.append((key, team, row.role))
    return problems


def _unknown_team(row: ParticipantRow, cohort: Cohort) -> ImportMessage:
    message = gettext("unknown team “%(team)s” in cohort %(cohort)s.")
    return ImportMessage(
        line=row.line,
        code="unknown_team",
        message=message % {"team": row.team_name, "cohort": cohort.name},
    )


def _already_member(row: ParticipantRow, user: User, team: Team, left_on) -> ImportMessage:
    if left_on is None:
        message = gettext("“%(username)s” is already a member of “%(team)s”; skipped.")
    else:  # one row per user and team: a former member is changed by hand, not here
        message = gettext(
            "“%(username)s” already has a membership in “%(team)s” (ending on "
            "%(left_on)s); skipped, change that membership in the admin if needed."
        )
    return ImportMessage(
        line=row.line,
        code="already_member",
        message=message % {"username": user.username, "team": team.name, "left_on": left_on},
    )


def _inactive(row: ParticipantRow, user: User) -> ImportMessage:
    message = gettext(
        "“%(username)s” was added, but their account is inactive: "
        "they cannot sign in until it is reactivated."
    )
    return ImportMessage(
        line=row.line, code="inactive", message=message % {"username": user.username}
    )


@transaction.atomic
def participants_import(*, cohort: Cohort, data: bytes | str, by: User) -> ParticipantsImportResult:
    """Create the participants listed in a CSV roster and add them to teams of ``cohort``.

    Precondition: ``by`` is staff with the ``teams.add_membership`` permission
    (the admin view checks it).

    All or nothing: if any line has a problem, raises ParticipantsImportError
    listing every problem and writes nothing; a file that cannot be read at
    all raises DomainError. A row whose username and email (compared without
    letter case) match an existing account reuses that account; if that
    account is already a member of the team, the row is skipped with a note
    (its role and dates are left as they are). New accounts get an unusable
    password, Russian as language, and a set-password email once the
    transaction commits.
    """
    text = participants_decode_csv(data=data) if isinstance(data, bytes) else data
    parsed = participants_parse_csv(text=text)
    plan, db_problems = _plan(cohort=cohort, rows=parsed.rows)
    problems = _in_line_order([*parsed.problems, *db_problems])
    if problems:
        raise ParticipantsImportError(problems)
    try:
        # A savepoint, so that an account or membership created by someone else
        # between our checks and these inserts becomes a clean refusal.
        with transaction.atomic():
            _write(plan)
    except IntegrityError as error:
        raise DomainError(
            gettext(
                "Some of these participants were added by someone else meanwhile; "
                "nothing was imported. Please upload the file again."
            ),
            code="conflict",
            field="file",
        ) from error
    return ParticipantsImportResult(
        created_users=len(plan.new_users),
        added_memberships=len(plan.memberships),
        skipped=sum(note.code == "already_member" for note in plan.notes),
        notes=plan.notes,
    )


def _write(plan: _Plan) -> None:
    """The accounts (with their set-password e-mails, sent after commit) and memberships."""
    created = users_invite(invitees=plan.new_users.values())
    users = {**dict(zip(plan.new_users, created, strict=True)), **plan.existing}
    today = membership_today()
    Membership.objects.bulk_create(
        Membership(user=users[key], team=team, role=role, joined_on=today)
        for key, team, role in plan.memberships
    )
