"""Filters of the task list; ids are positive and bounded so no value can overflow a query."""

import django_filters

from config.api_filters import IdFilter, OrderingFilter, StrictBooleanFilter
from projects.models import ColumnCategory
from tasks.models import Priority, Task
from tasks.selectors import task_search


def _id(field_name: str) -> IdFilter:
    return IdFilter(field_name=field_name)


class TaskFilter(django_filters.FilterSet):
    project = _id("project_id")
    column = _id("column_id")
    category = django_filters.ChoiceFilter(
        field_name="column__category", choices=ColumnCategory.choices
    )
    assignee = _id("assignee_id")
    label = _id("labels__id")
    priority = django_filters.ChoiceFilter(choices=Priority.choices)
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lte")
    due_after = django_filters.DateFilter(field_name="due_on", lookup_expr="gte")
    archived = StrictBooleanFilter()
    search = django_filters.CharFilter(method="filter_search", max_length=100)
    ordering = OrderingFilter(
        fields=["number", "created_at", "updated_at", "due_on", "priority", "title", "rank"],
        enum_name="TaskOrderingEnum",
    )

    class Meta:
        model = Task
        fields: list[str] = []

    def filter_search(self, queryset, name: str, value: str):
        # The board's search: task keys, and case folded for every script.
        return task_search(queryset, value)
