"""The API's JSON parser: DRF's, with a bound on how deeply a body may nest.

Python's ``json`` decoder recurses once per nesting level, so a body of a
thousand ``[`` raised ``RecursionError`` (a 500) on every write endpoint. No
request of ours nests more than a few levels, so anything deeper than
``MAX_DEPTH`` is a 400 before a serializer ever sees it.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# Levels of arrays and objects, the outermost counting as one. Our deepest
# real body is two ({"labels": [1, 2]}); 32 leaves integrations plenty of room.
MAX_DEPTH = 32


def _too_deep() -> ParseError:
    return ParseError(_("JSON nested deeper than %(depth)d levels.") % {"depth": MAX_DEPTH})


def _deeper_than(data: dict | list, limit: int) -> bool:
    """Whether ``data`` nests more than ``limit`` levels (iterative: no recursion to exhaust)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing bodies nested deeper than ``MAX_DEPTH`` with a 400."""

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            # The C decoder checks the interpreter's recursion limit on every
            # level, so a body thousands of levels deep ends here, unwound,
            # instead of exhausting the stack.
            raise _too_deep() from None
        if isinstance(data, dict | list) and _deeper_than(data, MAX_DEPTH):
            raise _too_deep()
        return data
