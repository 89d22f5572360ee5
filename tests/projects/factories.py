import factory

from projects.models import Project
from projects.services import project_create, project_set_archived
from tests.accounts.factories import UserFactory
from tests.teams.factories import TeamFactory


class ProjectFactory(factory.django.DjangoModelFactory):
    """A project made through the service, so it has its default columns."""

    class Meta:
        model = Project

    team = factory.SubFactory(TeamFactory)
    name = factory.Sequence(lambda n: f"Project {n}")
    key = factory.Sequence(lambda n: f"P{n}")

    @classmethod
    def _create(cls, model_class, *args, archived: bool = False, **kwargs):
        project = project_create(by=UserFactory(is_staff=True), **kwargs)
        if archived:
            project = project_set_archived(project=project, by=None, archived=True)
        return project
