"""Who may write through the API endpoints of accounts and teams (the only staff checks
of the API: teams' views use these classes too).

DRF checks ``has_permission`` before the view reads the request body and
``has_object_permission`` right after the object lookup, before any
serializer validates input. Refusing there means a client without the right
gets the same 403 whatever it sends: it cannot learn from 400 versus 403
which ids or names exist.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from accounts.permissions import is_coordinator


class StaffOnly(BasePermission):
    """Coordinators (staff) only, for reads and writes alike."""

    message = _("Only coordinators (staff) can manage users.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return is_coordinator(request.user)


class StaffCreates(BasePermission):
    """Everyone signed in reads what the view's queryset shows them; only staff create.

    For list endpoints: the refusal comes before the body is parsed.
    """

    message = _("Only coordinators (staff) can change this.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return is_coordinator(request.user)


class StaffChanges(BasePermission):
    """Everyone reads the objects they may see; only staff change them.

    For detail endpoints: the object lookup runs first, so an object outside
    the user's scope still answers 404 (as reads do), then non-staff get 403
    before any input is validated. Hand-written handlers that fetch the object
    themselves call ``view.check_object_permissions(request, obj)`` after the
    fetch, for the same order.
    """

    message = _("Only coordinators (staff) can change this.")

    def has_object_permission(self, request: Request, view: APIView, obj: object) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return is_coordinator(request.user)
