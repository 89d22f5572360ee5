from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.api.serializers import UserBriefSerializer
from accounts.models import User
from teams.models import Cohort, Membership, Role, Team


class CohortSerializer(serializers.ModelSerializer):
    class Meta:
        model = Cohort
        fields = ["id", "name", "starts_on", "ends_on"]

    def validate(self, attrs: dict) -> dict:
        starts_on = attrs.get("starts_on", getattr(self.instance, "starts_on", None))
        ends_on = attrs.get("ends_on", getattr(self.instance, "ends_on", None))
        if starts_on and ends_on and ends_on < starts_on:
            raise serializers.ValidationError(
                {"ends_on": _("A cohort cannot end before it starts.")}
            )
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
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    role = serializers.ChoiceField(choices=Role.choices)
    joined_on = serializers.DateField(required=False)


class MembershipUpdateSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    left_on = serializers.DateField(required=False)
