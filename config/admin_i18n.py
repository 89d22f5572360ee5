"""Grammatical admin titles and counts for languages that decline nouns (Russian).

Django's admin builds "Select %s to change", "Add %s" and "485 tasks" from the
model's ``verbose_name`` (nominative) and picks between only the two English
plural forms. Russian needs the accusative after "Выберите"/"Добавить" and three
plural forms after a number, so every admin here states both per model, as
translatable strings, through :class:`GrammaticalAdminMixin` and the
``templates/admin`` overrides that print ``cl.count_text`` and friends.

Deleting goes the same way: the bulk "delete selected" action says "Selected:
5 tasks" (a count in the nominative, which needs no case) instead of "the
selected задача", and a delete blocked by protected objects names the object
in the accusative ("Невозможно удалить команду"). django-axes' log admins are
registered again with the mixin (``decline_axes_admins``), as Django's Group is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import ngettext_lazy, pgettext, pgettext_lazy


@dataclass(frozen=True)
class ModelWording:
    # The noun as the object of a verb ("Select <task>", "Add <task>").
    accusative: Promise
    # "%(count)s task" / "%(count)s tasks", translated with all plural forms.
    count: Promise


WORDING: dict[str, ModelWording] = {
    "accounts.user": ModelWording(
        pgettext_lazy("accusative", "user"),
        ngettext_lazy("%(count)s user", "%(count)s users", "count"),
    ),
    "accounts.apitoken": ModelWording(
        pgettext_lazy("accusative", "API token"),
        ngettext_lazy("%(count)s API token", "%(count)s API tokens", "count"),
    ),
    "accounts.outgoingemail": ModelWording(
        pgettext_lazy("accusative", "outgoing e-mail"),
        ngettext_lazy("%(count)s outgoing e-mail", "%(count)s outgoing e-mails", "count"),
    ),
    "notifications.notification": ModelWording(
        pgettext_lazy("accusative", "notification"),
        ngettext_lazy("%(count)s notification", "%(count)s notifications", "count"),
    ),
    "notifications.watch": ModelWording(
        pgettext_lazy("accusative", "watch"),
        ngettext_lazy("%(count)s watch", "%(count)s watches", "count"),
    ),
    "notifications.notificationsetting": ModelWording(
        pgettext_lazy("accusative", "notification setting"),
        ngettext_lazy("%(count)s notification setting", "%(count)s notification settings", "count"),
    ),
    "auth.group": ModelWording(
        pgettext_lazy("accusative", "group"),
        ngettext_lazy("%(count)s group", "%(count)s groups", "count"),
    ),
    "teams.cohort": ModelWording(
        pgettext_lazy("accusative", "cohort"),
        ngettext_lazy("%(count)s cohort", "%(count)s cohorts", "count"),
    ),
    "teams.team": ModelWording(
        pgettext_lazy("accusative", "team"),
        ngettext_lazy("%(count)s team", "%(count)s teams", "count"),
    ),
    "teams.membership": ModelWording(
        pgettext_lazy("accusative", "team membership"),
        ngettext_lazy("%(count)s team membership", "%(count)s team memberships", "count"),
    ),
    "projects.project": ModelWording(
        pgettext_lazy("accusative", "project"),
        ngettext_lazy("%(count)s project", "%(count)s projects", "count"),
    ),
    "integrations.webhook": ModelWording(
        pgettext_lazy("accusative", "webhook"),
        ngettext_lazy("%(count)s webhook", "%(count)s webhooks", "count"),
    ),
    "integrations.webhookdelivery": ModelWording(
        pgettext_lazy("accusative", "webhook delivery"),
        ngettext_lazy("%(count)s webhook delivery", "%(count)s webhook deliveries", "count"),
    ),
    "integrations.event": ModelWording(
        pgettext_lazy("accusative", "event"),
        ngettext_lazy("%(count)s event", "%(count)s events", "count"),
    ),
    "tasks.task": ModelWording(
        pgettext_lazy("accusative", "task"),
        ngettext_lazy("%(count)s task", "%(count)s tasks", "count"),
    ),
    "tasks.label": ModelWording(
        pgettext_lazy("accusative", "label"),
        ngettext_lazy("%(count)s label", "%(count)s labels", "count"),
    ),
    "tasks.review": ModelWording(
        pgettext_lazy("accusative", "review"),
        ngettext_lazy("%(count)s review", "%(count)s reviews", "count"),
    ),
    "tasks.activity": ModelWording(
        pgettext_lazy("accusative", "activity entry"),
        ngettext_lazy("%(count)s activity entry", "%(count)s activity entries", "count"),
    ),
    "tasks.attachment": ModelWording(
        pgettext_lazy("accusative", "attachment"),
        ngettext_lazy("%(count)s attachment", "%(count)s attachments", "count"),
    ),
    # django-axes' logs (decline_axes_admins).
    "axes.accessattempt": ModelWording(
        pgettext_lazy("accusative", "access attempt"),
        ngettext_lazy("%(count)s access attempt", "%(count)s access attempts", "count"),
    ),
    "axes.accesslog": ModelWording(
        pgettext_lazy("accusative", "access log entry"),
        ngettext_lazy("%(count)s access log entry", "%(count)s access log entries", "count"),
    ),
    "axes.accessfailurelog": ModelWording(
        pgettext_lazy("accusative", "failed login entry"),
        ngettext_lazy("%(count)s failed login entry", "%(count)s failed login entries", "count"),
    ),
}


# The inlines' "Add another <team>" button ("Добавить ещё команду"), per inline model.
ADD_ANOTHER: dict[str, Promise] = {
    "projects.column": pgettext_lazy("admin", "Add another column"),
    "teams.team": pgettext_lazy("admin", "Add another team"),
    "teams.membership": pgettext_lazy("admin", "Add another team membership"),
}


def count_text(label: str, count: int) -> str:
    return WORDING[label].count % {"count": count}


class GrammaticalAdminMixin:
    """Declined titles and plural-correct counts on the admin's pages of a model."""

    def _wording(self) -> ModelWording:
        return WORDING[self.opts.label_lower]

    def get_changelist_instance(self, request: HttpRequest) -> ChangeList:
        cl = super().get_changelist_instance(request)
        name = self._wording().accusative
        # Same rule as ChangeList: "view" when the user may not change the rows.
        if self.has_change_permission(request):
            cl.title = pgettext("admin", "Select %(name)s to change") % {"name": name}
        else:
            cl.title = pgettext("admin", "Select %(name)s to view") % {"name": name}
        cl.add_text = pgettext("admin", "Add %(name)s") % {"name": name}
        cl.count_text = count_text(self.opts.label_lower, cl.result_count)
        cl.select_all_text = pgettext("admin", "Select all: %(items)s") % {
            "items": count_text(self.opts.label_lower, cl.result_count)
        }
        return cl

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None):
        name = self._wording().accusative
        extra_context = {
            "title": pgettext("admin", "Add %(name)s") % {"name": name},
            **(extra_context or {}),
        }
        return super().add_view(request, form_url, extra_context)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None
    ):
        name = self._wording().accusative
        obj = self.get_object(request, object_id)
        if obj is not None and self.has_change_permission(request, obj):
            title = pgettext("admin", "Change %(name)s") % {"name": name}
        else:
            title = pgettext("admin", "View %(name)s") % {"name": name}
        extra_context = {"title": title, **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request: HttpRequest, object_id: str, extra_context=None):
        # "Вы уверены, что хотите удалить <команду> «…»?": the object of "delete".
        # ``declined``: templates/admin/delete_confirmation.html words the refusals itself.
        extra_context = {
            "object_name": self._wording().accusative,
            "declined": True,
            **(extra_context or {}),
        }
        return super().delete_view(request, object_id, extra_context)

    def render_delete_form(self, request: HttpRequest, context: dict) -> HttpResponse:
        # Django titles a refused delete "Cannot delete <nominative>".
        if context.get("protected") or context.get("perms_lacking"):
            context["title"] = pgettext("admin", "Cannot delete %(name)s") % {
                "name": self._wording().accusative
            }
        return super().render_delete_form(request, context)

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            # "Удалить выбранные <plural>" puts an animate plural in the nominative.
            actions["delete_selected"] = (
                delete_selected,
                "delete_selected",
                pgettext_lazy("admin", "Delete the selected objects"),
            )
        return actions

    def get_inline_formsets(self, request: HttpRequest, formsets, inline_instances, obj=None):
        inline_formsets = super().get_inline_formsets(request, formsets, inline_instances, obj)
        for inline_formset in inline_formsets:
            add_text = ADD_ANOTHER.get(inline_formset.opts.opts.label_lower)
            if add_text is not None:
                inline_formset.inline_formset_data = _with_add_text(
                    inline_formset.inline_formset_data, add_text
                )
        return inline_formsets


def _with_add_text(inline_formset_data, add_text: Promise):
    # Django's JSON for inlines.js says "Добавить еще один %(verbose_name)s"
    # whatever the noun's gender; only its button text is replaced.
    def data() -> str:
        options = json.loads(inline_formset_data())
        options["options"]["addText"] = str(add_text)
        return json.dumps(options)

    return data


def delete_selected(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet
) -> HttpResponse | None:
    """Django's "delete selected" action, worded with a declined count ("Удалено: 5 задач").

    Django's own action says "Successfully deleted 5 задачи" and "the selected
    задача" (its two English plural forms); its confirmation page is kept and
    given ``items`` (templates/admin/delete_selected_confirmation.html).
    """
    items = count_text(modeladmin.opts.label_lower, len(queryset))
    if request.POST.get("post"):
        _objects, _counts, perms_needed, protected = modeladmin.get_deleted_objects(
            queryset, request
        )
        if not protected:  # confirmed: delete as Django does, say so declined
            if perms_needed:
                raise PermissionDenied
            if queryset:
                modeladmin.log_deletions(request, queryset)
                modeladmin.delete_queryset(request, queryset)
                modeladmin.message_user(
                    request,
                    pgettext("admin", "Deleted: %(items)s.") % {"items": items},
                    messages.SUCCESS,
                )
            return None  # back to the changelist
    response = django_delete_selected(modeladmin, request, queryset)
    context = response.context_data
    if context["protected"] or context["perms_lacking"]:
        context["title"] = pgettext("admin", "Cannot delete the selected objects")
    context["items"] = items
    return response


def decline_axes_admins(site: admin.AdminSite) -> None:
    """Register django-axes' log admins again with :class:`GrammaticalAdminMixin`.

    Called by accounts/admin.py (which re-registers Django's Group the same
    way), after django-axes registered its own (when ``AXES_ENABLE_ADMIN``).
    """
    from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    for model, axes_admin in (
        (AccessAttempt, AccessAttemptAdmin),
        (AccessLog, AccessLogAdmin),
        (AccessFailureLog, AccessFailureLogAdmin),
    ):
        if site.is_registered(model):
            site.unregister(model)
            declined = type(axes_admin.__name__, (GrammaticalAdminMixin, axes_admin), {})
            site.register(model, declined)
