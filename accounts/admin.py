from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import ApiToken, OutgoingEmail, User
from accounts.services import api_token_revoke
from config.admin_i18n import GrammaticalAdminMixin, decline_axes_admins


@admin.register(User)
class UserAdmin(GrammaticalAdminMixin, DjangoUserAdmin):
    """Django's user admin, reshaped for ``full_name`` instead of first/last name.

    Memberships are managed from the team and membership pages: accounts
    knows nothing of teams (contexts depend one way).
    """

    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("Personal info"),
            {"fields": ("full_name", "email", "preferred_language", "time_zone")},
        ),
        (
            _("Permissions"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ),
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "full_name",
                    "email",
                    "preferred_language",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    list_display = ("username", "full_name", "email", "preferred_language", "is_staff", "is_active")
    list_filter = ("is_staff", "is_superuser", "is_active", "preferred_language", "groups")
    # Also what the membership admin's user autocomplete searches.
    search_fields = ("username", "full_name", "email")
    ordering = ("username",)
    readonly_fields = ("last_login", "date_joined")


@admin.register(ApiToken)
class ApiTokenAdmin(GrammaticalAdminMixin, admin.ModelAdmin):
    """Tokens to inspect and revoke, never to create or edit.

    A token is created by its owner (/settings/tokens/) or the
    ``create_api_token`` command, the only places its secret is shown. The
    stored hash is never displayed: it is useless to a reader, and it is
    better not to hand it around.
    """

    list_display = (
        "name",
        "user",
        "prefix",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    list_select_related = ("user",)
    list_filter = (("revoked_at", admin.EmptyFieldListFilter), "created_at")
    search_fields = ("user__username", "user__full_name", "name", "prefix")
    fields = list_display
    readonly_fields = list_display
    date_hierarchy = "created_at"
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        # The page of one token is read-only (nothing on it may change); the
        # change permission on the model still gates the revoke action.
        if obj is not None:
            return False
        return super().has_change_permission(request)

    @admin.action(description=_("Revoke selected tokens"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True):
            api_token_revoke(token=token, by=request.user)
            revoked += 1
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", revoked)
            % {"count": revoked},
            messages.SUCCESS,
        )


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(GrammaticalAdminMixin, admin.ModelAdmin):
    """The e-mail outbox, to see what was sent, what waits and what failed; read-only.

    Rows are written by the services that owe an e-mail and settled by the
    worker and the sweep; editing one by hand could send an e-mail twice or
    never.
    """

    list_display = (
        "kind",
        "user",
        "status",
        "attempts",
        "created_at",
        "next_attempt_at",
        "sent_at",
        "last_error",
    )
    list_select_related = ("user",)
    list_filter = ("status", "kind", "created_at")
    search_fields = ("user__username", "user__full_name", "user__email")
    fields = (*list_display, "claimed_until")
    readonly_fields = fields
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: OutgoingEmail | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: OutgoingEmail | None = None) -> bool:
        return False


# Django registers Group itself; re-registered so its pages are declined too.
admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(GrammaticalAdminMixin, DjangoGroupAdmin):
    pass


# django-axes registers its log admins itself (it comes first in INSTALLED_APPS).
decline_axes_admins(admin.site)
