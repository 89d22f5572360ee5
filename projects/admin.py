from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from config.admin_i18n import GrammaticalAdminMixin
from projects.models import Column, Project
from projects.services import project_create, project_set_archived


class ColumnInline(admin.TabularInline):
    """The board's columns, read-only here.

    Column changes go through ``projects.services`` on the project's settings
    page, which keeps positions gap-free and a column of every category; an
    editable inline would bypass both rules.
    """

    model = Column
    fields = ("position", "name", "category", "wip_limit")
    readonly_fields = fields
    ordering = ("position",)
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Project | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Project | None = None) -> bool:
        return False


@admin.register(Project)
class ProjectAdmin(GrammaticalAdminMixin, admin.ModelAdmin):
    list_display = ("key", "name", "team", "cohort", "archived", "review_required")
    list_display_links = ("key", "name")
    list_filter = ("team__cohort", "archived", "review_required")
    list_select_related = ("team", "team__cohort")
    search_fields = ("key", "name", "team__name")
    autocomplete_fields = ("team",)
    fields = (
        "team",
        "name",
        "key",
        "description",
        "starts_on",
        "ends_on",
        "review_required",
        "archived",
        "board_settings",
        "created_at",
        "updated_at",
    )
    inlines = [ColumnInline]

    @admin.display(description=_("cohort"), ordering="team__cohort__name")
    def cohort(self, project: Project) -> str:
        return project.team.cohort.name

    @admin.display(description=_("board columns"))
    def board_settings(self, project: Project) -> str:
        if project.pk is None:
            return _("Created with the default columns.")
        return format_html(
            '<a href="{}">{}</a>',
            reverse("project_settings", args=[project.pk]),
            _("Edit columns on the project settings page"),
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Project | None = None):
        readonly = ["board_settings", "created_at", "updated_at"]
        if obj is not None:
            # A project's tasks, labels and webhooks belong to its team's
            # people; moving it to another team would hand them over silently.
            readonly.append("team")
        return readonly

    def get_inlines(self, request: HttpRequest, obj: Project | None):
        return self.inlines if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Project, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        # New projects go through the service so they get their default
        # columns; the form has already validated key uniqueness and dates.
        project = project_create(
            team=obj.team,
            by=request.user,
            name=obj.name,
            key=obj.key,
            description=obj.description,
            starts_on=obj.starts_on,
            ends_on=obj.ends_on,
            review_required=obj.review_required,
        )
        if obj.archived:
            project = project_set_archived(project=project, by=request.user, archived=True)
        # The admin goes on with ``obj`` (log entry, redirect): make it the saved row.
        obj.pk = project.pk
        obj.name, obj.key = project.name, project.key
        obj.created_at, obj.updated_at = project.created_at, project.updated_at
        obj._state.adding = False
        obj._state.db = project._state.db
