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


class ConflictError(DomainError):
    """The client changed an old version of an object; ``current`` is the object as it is now.

    Edges show the current state: an HTML view renders ``current``; the API
    answers 409 with ``current_data``, which the domain app's API layer sets
    (it alone knows how to serialize its objects; ``config`` imports no
    domain app). Left None, the 409 body simply has no ``current``.
    """

    def __init__(self, message: str | Promise, *, current: object, code: str = "conflict"):
        super().__init__(message, code=code)
        self.current = current
        self.current_data: dict | None = None
