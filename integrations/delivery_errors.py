"""What a failed webhook delivery says to people, in their language.

The transport stores its error in English with the technical detail (it is
also read by operators and sent to logs); the pages show a translated reason
first and that detail after it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.utils.translation import gettext as _

Describer = Callable[[re.Match[str]], str]

_PATTERNS: list[tuple[re.Pattern[str], Describer]] = [
    (
        re.compile(r"Connection failed: (?P<detail>.+)", re.DOTALL),
        lambda m: _("Could not connect to the receiver (%(detail)s)") % m.groupdict(),
    ),
    (
        re.compile(r"DNS lookup failed: (?P<detail>.+)", re.DOTALL),
        lambda m: _("The receiver's host name could not be resolved (%(detail)s)") % m.groupdict(),
    ),
    (
        re.compile(r"Timed out after (?P<seconds>[\d.]+) s"),
        lambda m: _("No answer within %(seconds)s s") % m.groupdict(),
    ),
    (
        re.compile(r"Timed out: no complete answer within (?P<seconds>[\d.]+) s"),
        lambda m: _("No complete answer within %(seconds)s s") % m.groupdict(),
    ),
    (
        re.compile(r"HTTP (?P<code>\d+): redirect to (?P<location>.+) not followed", re.DOTALL),
        lambda m: (
            _("The receiver redirected (HTTP %(code)s) to %(location)s; redirects are not followed")
            % m.groupdict()
        ),
    ),
    (
        re.compile(r"HTTP (?P<code>\d+): redirect not followed"),
        lambda m: (
            _("The receiver redirected (HTTP %(code)s); redirects are not followed") % m.groupdict()
        ),
    ),
    (
        re.compile(r"HTTP (?P<code>\d+)"),
        lambda m: _("The receiver answered HTTP %(code)s") % m.groupdict(),
    ),
    (
        re.compile(re.escape("Cancelled: the webhook was deactivated.")),
        lambda m: _("Cancelled: the webhook was turned off."),
    ),
    (
        re.compile(re.escape("The last attempt never reported back (worker lost).")),
        lambda m: _("The last attempt never reported back (the background worker was lost)."),
    ),
    (
        re.compile(re.escape("The worker was lost during this attempt.")),
        lambda m: _("The background worker was lost during this attempt."),
    ),
]


def describe_delivery_error(error: str) -> str:
    """The stored ``error`` as a translated sentence; unknown texts are shown as they are."""
    for pattern, describe in _PATTERNS:
        match = pattern.fullmatch(error)
        if match:
            return describe(match)
    return error
