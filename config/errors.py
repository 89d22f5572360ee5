"""The one error type that services raise for a refused use-case.

Views, the API and management commands translate it at the edge (a form
error, a 4xx with the message, a non-zero exit); it never reaches the user as
a 500.
"""

from __future__ import annotations

from django.utils.functional import Promise


class DomainError(Exception):
    """A business rule refused the operation; ``message`` is user-facing and translated.

    ``field`` names the input the rule is about, so forms and serializers can
    attach the message to it; ``code`` is a stable machine-readable name.
    """

    def __init__(self, message: str | Promise, *, code: str = "invalid", field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.field = field

    def __str__(self) -> str:
        return str(self.message)
