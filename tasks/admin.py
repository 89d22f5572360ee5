"""Coordinators' view of tasks: browse, search and audit; the board is where work changes.

Tasks, reviews and activity are read-only here on purpose: a change made in
the admin would bypass the services (ranks, versions, the review rules) and
leave no Activity behind. Labels, which carry no such rules, are editable.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from config.admin_i18n import GrammaticalAdminMixin
from tasks.models import Activity, Attachment, ChecklistItem, Comment, Label, Review, Task


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ChecklistInline(ReadOnlyInline):
    model = ChecklistItem
    fields = ("text", "done", "position")


class CommentInline(ReadOnlyInline):
    model = Comment
    fields = ("author", "body", "created_at")


class ReviewInline(ReadOnlyInline):
    model = Review
    fields = ("reviewer", "decision", "score", "comment", "created_at")


class ActivityInline(ReadOnlyInline):
    model = Activity
    fields = ("created_at", "actor", "kind", "from_column", "to_column", "data")
    ordering = ("-created_at",)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Task)
class TaskAdmin(GrammaticalAdminMixin, ReadOnlyAdmin):
    list_display = (
        "task_key",
        "title",
        "project",
        "column",
        "assignee",
        "priority",
        "due_on",
        "archived",
    )
    list_filter = ("project__team__cohort", "project", "column__category", "priority", "archived")
    list_select_related = ("project", "column", "assignee")
    search_fields = (
        "title",
        "description",
        "project__key",
        "assignee__username",
        "assignee__full_name",
    )
    date_hierarchy = "created_at"
    fields = (
        "task_key", "board_link", "project", "title", "description", "column", "assignee",
        "reporter", "priority", "labels", "estimate", "due_on", "created_at", "started_at",
        "completed_at", "updated_at", "version", "archived",
    )  # fmt: skip
    readonly_fields = fields
    inlines = [ChecklistInline, CommentInline, ReviewInline, ActivityInline]

    @admin.display(description=_("key"), ordering="number")
    def task_key(self, task: Task) -> str:
        return task.key

    @admin.display(description=_("on the board"))
    def board_link(self, task: Task) -> str:
        return format_html('<a href="{}">{}</a>', reverse("task_detail", args=[task.pk]), _("Open"))


@admin.register(Label)
class LabelAdmin(GrammaticalAdminMixin, admin.ModelAdmin):
    list_display = ("name", "color", "project")
    list_filter = ("project", "color")
    list_select_related = ("project",)
    search_fields = ("name", "project__name", "project__key")
    autocomplete_fields = ("project",)


@admin.register(Review)
class ReviewAdmin(GrammaticalAdminMixin, ReadOnlyAdmin):
    list_display = ("task", "reviewer", "decision", "score", "created_at")
    list_filter = ("decision", "score", "task__project")
    list_select_related = ("task", "task__project", "reviewer")
    search_fields = ("task__title", "reviewer__username", "reviewer__full_name", "comment")


@admin.register(Activity)
class ActivityAdmin(GrammaticalAdminMixin, ReadOnlyAdmin):
    list_display = ("created_at", "task", "actor", "kind", "from_column", "to_column")
    list_filter = ("kind", "task__project")
    list_select_related = ("task", "task__project", "actor", "from_column", "to_column")
    search_fields = ("task__title", "actor__username", "actor__full_name")
    date_hierarchy = "created_at"


@admin.register(Attachment)
class AttachmentAdmin(GrammaticalAdminMixin, ReadOnlyAdmin):
    """Files are listed, never changed here: deleting goes through the task (history, storage)."""

    list_display = ("original_name", "task", "size", "content_type", "uploaded_by", "created_at")
    list_filter = ("task__project",)
    list_select_related = ("task", "task__project", "uploaded_by")
    search_fields = ("original_name", "task__title", "uploaded_by__username")
    date_hierarchy = "created_at"
    # No ``file`` field: its widget would link to MEDIA_URL, which is never served.
    fields = (
        "original_name", "download_link", "task", "size", "content_type", "uploaded_by",
        "created_at",
    )  # fmt: skip
    readonly_fields = fields

    @admin.display(description=_("file"))
    def download_link(self, attachment: Attachment) -> str:
        url = reverse("attachment_download", args=[attachment.task_id, attachment.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download"))
