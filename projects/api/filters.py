import django_filters

from projects.models import Project


class ProjectFilter(django_filters.FilterSet):
    team = django_filters.NumberFilter(field_name="team_id", min_value=1, max_value=2**63 - 1)
    archived = django_filters.BooleanFilter()

    class Meta:
        model = Project
        fields = ["team", "archived"]
