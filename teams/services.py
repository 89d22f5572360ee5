"""Use-cases that change cohorts, teams and memberships.

The participant import turns a coordinator's CSV roster into accounts and
memberships. It runs in three steps so that every problem in a file is found
in one go:

1. ``participants_decode_csv``: bytes → text (size cap, encoding guess);
2. ``participants_parse_csv``: text → rows and per-line problems, with no
   database access (header, column count, required values, email, username,
   role, duplicates inside the file);
3. ``participants_import``: checks the rows against the database (teams of
   the cohort, existing accounts) and, only if no line has a problem, writes
   everything in one transaction and queues set-password emails after commit.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.contrib.auth.base_user import BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Greatest, Lower
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Language, User
from accounts.services import set_password_emails_queue
from config.errors import DomainError
from teams.models import Cohort, Membership, Role, Team
from teams.querysets import membership_today

if TYPE_CHECKING:
    from collections.abc import Iterable

# Caps on what one upload may carry: a cohort is a few hundred people, so
# these leave ample room while keeping one request's work bounded.
MAX_IMPORT_BYTES = 1024 * 1024
MAX_IMPORT_ROWS = 2000

IMPORT_COLUMNS: tuple[str, ...] = ("full_name", "email", "username", "team", "role")

# Role spellings accepted in the file, compared after strip() and casefold().
# Russian spellings because coordinators fill rosters in Russian-language
# spreadsheets; "стажер" because ё is often typed as е.
ROLE_SPELLINGS: dict[str, str] = {
    "intern": Role.INTERN,
    "mentor": Role.MENTOR,
    "стажёр": Role.INTERN,
    "стажер": Role.INTERN,
    "ментор": Role.MENTOR,
}

_DELIMITERS = (",", ";", "\t")
_FULL_NAME_MAX = User._meta.get_field("full_name").max_length
_USERNAME_MAX = User._meta.get_field("username").max_length
_EMAIL_MAX = User._meta.get_field("email").max_length


@dataclass(frozen=True)
class ImportMessage:
    """A problem or a note about one line of the file (line 1 is the header)."""

    line: int
    code: str
    message: str

    def __str__(self) -> str:
        return gettext("Line %(line)d: %(message)s") % {"line": self.line, "message": self.message}


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


class ParticipantsImportError(DomainError):
    """The file had problems on some lines; nothing was imported.

    ``problems`` lists every problem found, in line order.
    """

    def __init__(self, problems: list[ImportMessage]):
        count = len(problems)
        super().__init__(
            ngettext(
                "The file has %(count)d problem; nothing was imported.",
                "The file has %(count)d problems; nothing was imported.",
                count,
            )
            % {"count": count},
            code="import_invalid",
            field="file",
        )
        self.problems = problems


# --- Step 1: bytes → text ---------------------------------------------------------------


def participants_decode_csv(*, data: bytes) -> str:
    """Decode an uploaded roster: UTF-8 (with or without BOM), else Windows-1251.

    Russian Excel saves "CSV" in Windows-1251 and "CSV UTF-8" with a BOM;
    both must work without the coordinator knowing the difference. Raises
    DomainError for an oversized or binary (e.g. .xlsx) file.
    """
    if len(data) > MAX_IMPORT_BYTES:
        raise DomainError(
            gettext("The file is larger than %(size)d KB; split it into smaller files.")
            % {"size": MAX_IMPORT_BYTES // 1024},
            code="too_large",
            field="file",
        )
    if b"\x00" in data:  # zip-based .xlsx, UTF-16 "Unicode text": not a CSV we can read
        raise DomainError(
            gettext(
                "This does not look like a CSV file. In Excel, use “Save as” → "
                "“CSV UTF-8 (comma delimited)”."
            ),
            code="not_csv",
            field="file",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1251")
    except UnicodeDecodeError as error:  # cp1251 leaves only byte 0x98 undefined
        raise DomainError(
            gettext("The file's encoding is not recognised; save it as CSV UTF-8."),
            code="encoding",
            field="file",
        ) from error


# --- Step 2: text → rows and problems -------------------------------------------------


def _guess_delimiter(header_line: str) -> str:
    """The delimiter the header uses most: Excel picks ``;`` in locales with decimal commas.

    Decided from the header alone, whose names contain no delimiters, so a
    comma inside a quoted full name further down cannot mislead the guess
    (as it can mislead ``csv.Sniffer``).
    """
    counts = {delimiter: header_line.count(delimiter) for delimiter in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


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
    problems: list[ImportMessage] = []
    bad: set[str] = set()

    def problem(name: str, code: str, message: str) -> None:
        problems.append(ImportMessage(line=line, code=code, message=message))
        bad.add(name)

    labels = {
        "full_name": gettext("full name"),
        "email": gettext("email"),
        "username": gettext("username"),
        "team": gettext("team"),
        "role": gettext("role"),
    }
    for name in IMPORT_COLUMNS:
        if not values[name]:
            problem(name, "missing", gettext("%(field)s is missing.") % {"field": labels[name]})

    full_name, email, username = values["full_name"], values["email"], values["username"]
    if len(full_name) > _FULL_NAME_MAX:
        problem(
            "full_name",
            "full_name",
            gettext("full name is longer than %(max)d characters.") % {"max": _FULL_NAME_MAX},
        )
    if email:
        try:
            if len(email) > _EMAIL_MAX:
                raise ValidationError("too long")
            validate_email(email)
        except ValidationError:
            problem("email", "email", gettext("invalid email “%(email)s”.") % {"email": email})
    if username:
        try:
            if len(username) > _USERNAME_MAX:
                raise ValidationError("too long")
            User.username_validator(username)
        except ValidationError:
            problem(
                "username",
                "username",
                gettext(
                    "invalid username “%(username)s”: use at most %(max)d letters, digits "
                    "and @ . + - _ characters."
                )
                % {"username": username, "max": _USERNAME_MAX},
            )
    if values["role"] and values["role"].casefold() not in ROLE_SPELLINGS:
        problem(
            "role",
            "role",
            gettext("unknown role “%(role)s”: use intern or mentor.") % {"role": values["role"]},
        )
    return problems, bad


def _duplicate_problems(rows: list[ParticipantRow]) -> list[ImportMessage]:
    """Lines that contradict an earlier line of the same file.

    The same person (same username and email) may appear again for another
    team, e.g. a mentor of two teams; anything else repeated is an error.
    """
    problems: list[ImportMessage] = []
    email_by_username: dict[str, tuple[str, int]] = {}
    username_by_email: dict[str, tuple[str, int]] = {}
    seen_pairs: dict[tuple[str, str], int] = {}
    for row in rows:
        if {"username", "email"} & row.bad_fields:
            continue
        username, email = row.username.casefold(), row.email.casefold()
        first = email_by_username.setdefault(username, (email, row.line))
        if first[0] != email:
            problems.append(
                ImportMessage(
                    line=row.line,
                    code="duplicate_username",
                    message=gettext(
                        "username “%(username)s” already appears on line %(first)d "
                        "with another email."
                    )
                    % {"username": row.username, "first": first[1]},
                )
            )
            continue
        first = username_by_email.setdefault(email, (username, row.line))
        if first[0] != username:
            problems.append(
                ImportMessage(
                    line=row.line,
                    code="duplicate_email",
                    message=gettext(
                        "email “%(email)s” already appears on line %(first)d with another username."
                    )
                    % {"email": row.email, "first": first[1]},
                )
            )
            continue
        if "team" in row.bad_fields:
            continue
        pair = (username, row.team_name.casefold())
        first_line = seen_pairs.setdefault(pair, row.line)
        if first_line != row.line:
            problems.append(
                ImportMessage(
                    line=row.line,
                    code="duplicate_member",
                    message=gettext(
                        "“%(username)s” is already listed for team “%(team)s” on line %(first)d."
                    )
                    % {"username": row.username, "team": row.team_name, "first": first_line},
                )
            )
    return problems


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
    text = text.removeprefix("\ufeff")
    header_line = text.lstrip("\r\n").split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_guess_delimiter(header_line))
    header: list[str] | None = None
    rows: list[ParticipantRow] = []
    problems: list[ImportMessage] = []
    data_rows = 0
    last_line = 0
    try:
        for record in reader:
            # A record may span lines (a quoted value with a line break); report
            # the line it starts on, which is what an editor shows.
            line, last_line = last_line + 1, reader.line_num
            if not any(value.strip() for value in record):
                continue  # blank line, or the ";;;;" rows spreadsheets leave at the end
            if header is None:
                header = record
                problems += _header_problems(header)
                if problems:
                    break  # the columns mean nothing yet: row checks would only add noise
                continue
            data_rows += 1
            if data_rows > MAX_IMPORT_ROWS:
                raise DomainError(
                    gettext("The file has more than %(max)d participants; split it.")
                    % {"max": MAX_IMPORT_ROWS},
                    code="too_many_rows",
                    field="file",
                )
            if len(record) != len(IMPORT_COLUMNS):
                problems.append(
                    ImportMessage(
                        line=line,
                        code="columns",
                        message=gettext("expected %(expected)d values, found %(found)d.")
                        % {"expected": len(IMPORT_COLUMNS), "found": len(record)},
                    )
                )
                continue
            values = dict(zip(IMPORT_COLUMNS, (value.strip() for value in record), strict=True))
            row_problems, bad = _row_problems(line, values)
            problems += row_problems
            rows.append(
                ParticipantRow(
                    line=line,
                    full_name=values["full_name"],
                    email=BaseUserManager.normalize_email(values["email"]),
                    username=values["username"],
                    team_name=values["team"],
                    role=ROLE_SPELLINGS.get(values["role"].casefold(), ""),
                    bad_fields=frozenset(bad),
                )
            )
    except csv.Error as error:
        raise DomainError(
            gettext("Line %(line)d: the file cannot be read as CSV (%(error)s).")
            % {"line": reader.line_num, "error": error},
            code="not_csv",
            field="file",
        ) from error
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


def _in_line_order(messages: Iterable[ImportMessage]) -> list[ImportMessage]:
    return sorted(messages, key=lambda message: message.line)  # stable: same-line order kept


# --- Step 3: database checks and writes -------------------------------------------------


def _existing_users(rows: list[ParticipantRow]) -> list[User]:
    """Users whose username or email matches a row's, ignoring letter case.

    Both the raw and the lower-cased values are sent: SQLite's LOWER() folds
    only ASCII, so a Cyrillic username would otherwise be missed there.
    """
    usernames = {row.username for row in rows if row.username}
    emails = {row.email for row in rows if row.email}
    lowered = {value.lower() for value in usernames | emails}
    return list(
        User.objects.annotate(username_lower=Lower("username"), email_lower=Lower("email")).filter(
            models.Q(username__in=usernames)
            | models.Q(username_lower__in=lowered)
            | models.Q(email__in=emails)
            | models.Q(email_lower__in=lowered)
        )
    )


@dataclass
class _Plan:
    """What the import will write, decided before any write happens."""

    new_users: dict[str, User] = field(default_factory=dict)  # by casefolded username
    memberships: list[tuple[str, Team, str]] = field(default_factory=list)  # username, team, role
    existing: dict[str, User] = field(default_factory=dict)
    notes: list[ImportMessage] = field(default_factory=list)


def _plan(*, cohort: Cohort, rows: list[ParticipantRow]) -> tuple[_Plan, list[ImportMessage]]:
    teams = {team.name.casefold(): team for team in Team.objects.filter(cohort=cohort)}
    existing_users = _existing_users(rows)
    by_exact_username = {user.username: user for user in existing_users}
    by_username = {user.username.casefold(): user for user in existing_users}
    by_email = {user.email.casefold(): user for user in existing_users if user.email}
    # Membership rows of these users in this cohort: (user, team) → left_on.
    left_on_by_pair = {
        (user_id, team_id): left_on
        for user_id, team_id, left_on in Membership.objects.filter(
            team__cohort=cohort, user__in=existing_users
        ).values_list("user_id", "team_id", "left_on")
    }
    usable = [row for row in rows if not {"username", "email"} & row.bad_fields]

    plan = _Plan()
    problems: list[ImportMessage] = []
    user_problem_lines: set[int] = set()
    for row in usable:
        key = row.username.casefold()
        # Usernames are case-sensitive in Django, so an exact match wins; a
        # match in another letter case with the same email is the same person.
        user = by_exact_username.get(row.username) or by_username.get(key)
        owner = by_email.get(row.email.casefold())
        if user is not None and user.email.casefold() != row.email.casefold():
            problems.append(
                ImportMessage(
                    line=row.line,
                    code="username_taken",
                    message=gettext(
                        "username “%(username)s” is already used by another email address."
                    )
                    % {"username": row.username},
                )
            )
            user_problem_lines.add(row.line)
        elif user is None and owner is not None:
            problems.append(
                ImportMessage(
                    line=row.line,
                    code="email_taken",
                    message=gettext(
                        "email “%(email)s” already belongs to another user (“%(username)s”)."
                    )
                    % {"email": row.email, "username": owner.username},
                )
            )
            user_problem_lines.add(row.line)
        elif user is not None:
            plan.existing[key] = user
        elif key not in plan.new_users:
            plan.new_users[key] = User(
                username=row.username,
                email=row.email,
                full_name=row.full_name,
                preferred_language=Language.RUSSIAN,
            )

    for row in rows:
        if "team" in row.bad_fields:
            continue
        team = teams.get(row.team_name.casefold())
        if team is None:
            problems.append(
                ImportMessage(
                    line=row.line,
                    code="unknown_team",
                    message=gettext("unknown team “%(team)s” in cohort %(cohort)s.")
                    % {"team": row.team_name, "cohort": cohort.name},
                )
            )
            continue
        key = row.username.casefold()
        if row.bad_fields or row.line in user_problem_lines:
            continue
        user = plan.existing.get(key)
        if user is not None and (user.pk, team.pk) in left_on_by_pair:
            left_on = left_on_by_pair[(user.pk, team.pk)]
            if left_on is None:
                message = gettext("“%(username)s” is already a member of “%(team)s”; skipped.")
            else:  # one row per user and team: a former member is changed by hand, not here
                message = gettext(
                    "“%(username)s” already has a membership in “%(team)s” (ending on "
                    "%(left_on)s); skipped, change that membership in the admin if needed."
                )
            plan.notes.append(
                ImportMessage(
                    line=row.line,
                    code="already_member",
                    message=message
                    % {"username": user.username, "team": team.name, "left_on": left_on},
                )
            )
            continue
        if user is not None and not user.is_active:
            plan.notes.append(
                ImportMessage(
                    line=row.line,
                    code="inactive",
                    message=gettext(
                        "“%(username)s” was added, but their account is inactive: "
                        "they cannot sign in until it is reactivated."
                    )
                    % {"username": user.username},
                )
            )
        plan.memberships.append((key, team, row.role))
    return plan, problems


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

    today = membership_today()
    try:
        # A savepoint, so that an account or membership created by someone else
        # between our checks and these inserts becomes a clean refusal.
        with transaction.atomic():
            for user in plan.new_users.values():
                user.set_unusable_password()
                user.save()
            # Outbox rows committed with the users, queued after commit: a
            # rolled-back import e-mails nobody, and a broker outage at commit
            # only delays the e-mails (the accounts sweep sends them).
            set_password_emails_queue(users=plan.new_users.values())
            users = {**plan.new_users, **plan.existing}
            Membership.objects.bulk_create(
                Membership(user=users[key], team=team, role=role, joined_on=today)
                for key, team, role in plan.memberships
            )
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


# --- Memberships (API sync from an HR system) ------------------------------------


@transaction.atomic
def membership_add(
    *, team: Team, user: User, role: str, joined_on: datetime.date | None = None
) -> Membership:
    """Make ``user`` a member of ``team`` with ``role`` from ``joined_on`` (default today).

    A future ``joined_on`` grants access from that day on, not before. One
    row per user and team: someone who left and comes back gets their old row
    reopened (left_on cleared) from the new ``joined_on``; keeping an older
    join date there would hand a returning member access before their return.
    """
    if not user.is_active:
        raise DomainError(_("An inactive user cannot join a team."), code="inactive", field="user")
    joined_on = joined_on or membership_today()
    membership = Membership.objects.select_for_update().filter(team=team, user=user).first()
    if membership is None:
        return Membership.objects.create(team=team, user=user, role=role, joined_on=joined_on)
    if membership.is_active():
        raise DomainError(
            _("This user is already a member of this team."), code="already_member", field="user"
        )
    membership.role = role
    membership.left_on = None
    membership.joined_on = joined_on
    membership.save(update_fields=["role", "left_on", "joined_on"])
    return membership


def membership_update(
    *, membership: Membership, role: str | None = None, left_on: datetime.date | None = None
) -> Membership:
    """Change a member's role, or set the day they leave (access ends on that day).

    ``left_on`` may be any day from ``joined_on`` on; ``left_on == joined_on``
    is a membership that never grants access. To remove someone now,
    whatever their dates, use ``membership_end``.
    """
    if left_on is not None and left_on < membership.joined_on:
        raise DomainError(_("A member cannot leave before joining."), code="dates", field="left_on")
    if role is not None:
        membership.role = role
    if left_on is not None:
        membership.left_on = left_on
    membership.save(update_fields=["role", "left_on"])
    return membership


def membership_end(*, membership: Membership) -> Membership:
    """Remove a member today: their access to the team ends with the next request.

    Always possible. A membership that has not started yet (``joined_on`` in
    the future) ends on its first day (``left_on = joined_on``), which the
    database allows and which never counts as active. A membership already
    ending earlier keeps its date. One conditional UPDATE, so two concurrent
    removals agree and neither moves an earlier end later.
    """
    # The end is computed in SQL from the row's own joined_on, so a join date
    # changed meanwhile cannot make the UPDATE miss or break the date check.
    end = Greatest(models.Value(membership_today(), models.DateField()), models.F("joined_on"))
    Membership.objects.filter(pk=membership.pk).alias(end=end).filter(
        models.Q(left_on__isnull=True) | models.Q(left_on__gt=models.F("end"))
    ).update(left_on=end)
    membership.refresh_from_db(fields=["joined_on", "left_on"])
    return membership
