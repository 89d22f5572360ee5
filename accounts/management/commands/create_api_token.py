"""Create a personal API token: `python manage.py create_api_token USERNAME NAME`.

Prints only the token on stdout, so a script can capture it
(``TOKEN=$(python manage.py create_api_token bot "Nightly export")``); every
refusal is a CommandError (a sentence on stderr, non-zero exit) and creates
nothing.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from accounts.models import API_TOKEN_MAX_EXPIRY_DAYS, User
from accounts.services import api_token_create
from config.errors import DomainError


class Command(BaseCommand):
    help = "Create a personal API token for a user and print it (and only it) on stdout."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="The username of the token's owner.")
        parser.add_argument("name", help="What the token is for, e.g. 'Nightly export'.")
        parser.add_argument(
            "--expires-days",
            type=int,
            default=None,
            metavar="N",
            help=f"Expire the token after N days (1–{API_TOKEN_MAX_EXPIRY_DAYS}); "
            "without it, the token never expires.",
        )

    def handle(self, *args, username: str, name: str, expires_days: int | None, **options) -> None:
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist as error:
            raise CommandError(
                _("There is no user with the username “%(username)s”.") % {"username": username}
            ) from error
        try:
            _token, plain = api_token_create(user=user, name=name, expires_in_days=expires_days)
        except DomainError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(plain)
