"""Coordinators' pages: cohorts, teams, memberships, and the participant CSV import."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from config.admin_i18n import GrammaticalAdminMixin
from config.errors import DomainError
from teams.forms import ParticipantsImportForm
from teams.imports import (
    ImportMessage,
    ParticipantsImportError,
    ParticipantsImportResult,
    participants_import,
)
from teams.models import Cohort, Membership, Team
from teams.querysets import active_membership_q
from teams.services import membership_end

# Notes after an import (e.g. "already a member") become one message each;
# past this many, a single "and N more" keeps the page and the session small.
MAX_IMPORT_NOTES_SHOWN = 50


class TeamInline(admin.TabularInline):
    model = Team
    fields = ("name",)
    extra = 0
    show_change_link = True


@admin.register(Cohort)
class CohortAdmin(GrammaticalAdminMixin, admin.ModelAdmin):
    list_display = ("name", "starts_on", "ends_on", "team_count")
    search_fields = ("name",)
    ordering = ("-starts_on", "name")
    inlines = [TeamInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Cohort]:
        return super().get_queryset(request).annotate(team_count=Count("teams"))

    @admin.display(description=_("teams"), ordering="team_count")
    def team_count(self, cohort: Cohort) -> int:
        return cohort.team_count


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ("user", "role", "joined_on", "left_on")
    autocomplete_fields = ("user",)
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        return super().get_queryset(request).select_related("user")


@admin.register(Team)
class TeamAdmin(GrammaticalAdminMixin, admin.ModelAdmin):
    list_display = ("name", "cohort", "member_count")
    list_filter = ("cohort",)
    list_select_related = ("cohort",)
    # Also what the membership and project admins' team autocomplete searches.
    search_fields = ("name", "memberships__user__username", "memberships__user__full_name")
    inlines = [MembershipInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Team]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                member_count=Count(
                    "memberships", filter=active_membership_q("memberships__"), distinct=True
                )
            )
        )

    @admin.display(description=_("active members"), ordering="member_count")
    def member_count(self, team: Team) -> int:
        return team.member_count


class ActiveMembershipFilter(admin.SimpleListFilter):
    title = _("active")
    parameter_name = "active"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin):
        return (("yes", _("Active")), ("no", _("Left")))

    def queryset(self, request: HttpRequest, queryset: QuerySet[Membership]):
        if self.value() == "yes":
            return queryset.filter(active_membership_q())
        if self.value() == "no":
            return queryset.exclude(active_membership_q())
        return queryset


@admin.register(Membership)
class MembershipAdmin(GrammaticalAdminMixin, admin.ModelAdmin):
    change_list_template = "admin/teams/membership/change_list.html"
    import_template = "admin/teams/membership/import.html"

    list_display = (
        "user",
        "username",
        "team",
        "cohort",
        "role",
        "joined_on",
        "left_on",
        "active",
    )
    list_filter = (ActiveMembershipFilter, "team__cohort", "role", "team")
    list_select_related = ("user", "team", "team__cohort")
    search_fields = ("user__username", "user__full_name", "user__email", "team__name")
    autocomplete_fields = ("user", "team")
    actions = ["end_memberships"]

    @admin.action(description=_("Remove selected members today"), permissions=["change"])
    def end_memberships(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        """The admin's way to remove people now, also those whose membership has not started."""
        count = 0
        for membership in queryset:
            membership_end(membership=membership)
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d membership ended (one that had already ended keeps its date).",
                "%(count)d memberships ended (those that had already ended keep their date).",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.display(description=_("username"), ordering="user__username")
    def username(self, membership: Membership) -> str:
        return membership.user.username

    @admin.display(description=_("cohort"), ordering="team__cohort__name")
    def cohort(self, membership: Membership) -> str:
        return membership.team.cohort.name

    @admin.display(description=_("active"), boolean=True)
    def active(self, membership: Membership) -> bool:
        return membership.is_active()  # the server's date, whatever the viewer's time zone

    def get_urls(self) -> list[URLPattern]:
        # Before the defaults: "<path:object_id>/" would otherwise swallow "import/".
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="teams_membership_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload a CSV roster into a cohort: all rows or, on any problem, none."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        problems: list[ImportMessage] = []
        if request.method == "POST":
            form = ParticipantsImportForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    result = participants_import(
                        cohort=form.cleaned_data["cohort"], data=form.read_file(), by=request.user
                    )
                except ParticipantsImportError as error:
                    form.add_error(None, error.message)
                    problems = error.problems
                except DomainError as error:
                    form.add_error(
                        error.field if error.field in form.fields else None, error.message
                    )
                else:
                    self._report_import(request, result)
                    return redirect("admin:teams_membership_changelist")
        else:
            form = ParticipantsImportForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import participants"),
            "form": form,
            "problems": problems,
            "has_view_permission": self.has_view_permission(request),
            "media": form.media,
        }
        return TemplateResponse(request, self.import_template, context)

    def _report_import(self, request: HttpRequest, result: ParticipantsImportResult) -> None:
        self.message_user(request, result.summary(), messages.SUCCESS)
        for note in result.notes[:MAX_IMPORT_NOTES_SHOWN]:
            self.message_user(request, str(note), messages.WARNING)
        hidden = len(result.notes) - MAX_IMPORT_NOTES_SHOWN
        if hidden > 0:
            self.message_user(
                request, gettext("… and %(count)d more notes.") % {"count": hidden}, messages.INFO
            )
