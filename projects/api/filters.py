import django_filters

from config.api_filters import IdFilter, StrictBooleanFilter
from projects.models import Project


class ProjectFilter(django_filters.FilterSet):
    team = IdFilter(field_name="team_id")
    archived = StrictBooleanFilter()

    class Meta:
        model = Project
        fields = ["team", "archived"]
