from __future__ import annotations

from rest_framework import serializers

from accounts.api.serializers import UserBriefSerializer, UserSerializer
from accounts.selectors import all_users
from teams.models import Cohort, Membership, Role, Team


class CohortSerializer(serializers.ModelSerializer):
    class Meta:
        model = Cohort
        fields = ["id", "name", "starts_on", "ends_on"]

    def validate(self, attrs: dict) -> dict:
        # The model's own date rule on the values the cohort would have; DRF
        # reports Django's ValidationError per field.
        dates = ("starts_on", "ends_on")
        Cohort(
            **{name: attrs.get(name, getattr(self.instance, name, None)) for name in dates}
        ).clean()
        return attrs


class TeamSerializer(serializers.ModelSerializer):
    cohort = serializers.PrimaryKeyRelatedField(queryset=Cohort.objects.all())

    class Meta:
        model = Team
        fields = ["id", "cohort", "name", "description"]


class TeamUpdateSerializer(TeamSerializer):
    """A team stays in its cohort; only its name and description change.

    ``cohort`` is redeclared read-only: ``Meta.read_only_fields`` does not
    apply to a field declared on the class (as ``TeamSerializer`` declares
    it), so it alone would have let a PATCH move the team.
    """

    cohort = serializers.PrimaryKeyRelatedField(read_only=True)


class MembershipSerializer(serializers.ModelSerializer):
    user = UserBriefSerializer(read_only=True)
    active = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ["id", "user", "role", "joined_on", "left_on", "active"]
        read_only_fields = fields

    def get_active(self, membership: Membership) -> bool:
        # The server's date (membership_today), the same rule the permission checks use.
        return membership.is_active()


class MembershipCreateSerializer(serializers.Serializer):
    user = serializers.PrimaryKeyRelatedField(queryset=all_users())
    role = serializers.ChoiceField(choices=Role.choices)
    joined_on = serializers.DateField(required=False)


class MembershipUpdateSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    left_on = serializers.DateField(required=False)


class MembershipOfMeSerializer(serializers.Serializer):
    team = serializers.IntegerField(source="team_id")
    team_name = serializers.CharField(source="team.name")
    cohort = serializers.IntegerField(source="team.cohort_id")
    role = serializers.ChoiceField(choices=Role.choices)


# Here, not in accounts: the memberships are teams' data, which accounts knows nothing of.
class MeSerializer(UserSerializer):
    memberships = MembershipOfMeSerializer(many=True, read_only=True, source="active_memberships")

    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "memberships"]
        read_only_fields = fields
