import datetime

import factory

from teams.models import Cohort, Membership, Role, Team
from tests.accounts.factories import UserFactory


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    name = factory.Sequence(lambda n: f"Cohort {n}")
    starts_on = datetime.date(2026, 9, 1)
    ends_on = datetime.date(2026, 12, 31)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    cohort = factory.SubFactory(CohortFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    role = Role.INTERN
    joined_on = datetime.date(2026, 9, 1)
