"""Grammatical admin titles and counts for languages that decline nouns (Russian).

Django's admin builds "Select %s to change", "Add %s" and "485 tasks" from the
model's ``verbose_name`` (nominative) and picks between only the two English
plural forms. Russian needs the accusative after "Выберите"/"Добавить" and three
plural forms after a number, so every admin here states both per model, as
translatable strings, through :class:`GrammaticalAdminMixin` and the
``templates/admin`` overrides that print ``cl.count_text`` and friends.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.contrib.admin.views.main import ChangeList
from django.http import HttpRequest
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
        extra_context = {"object_name": self._wording().accusative, **(extra_context or {})}
        return super().delete_view(request, object_id, extra_context)

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
