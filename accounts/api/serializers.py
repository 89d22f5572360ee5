from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import Language, User


# UserSerializer and UserBriefSerializer are how every app's API shows a person:
# other apps nest or extend them (teams' MeSerializer), never accounts' models.
class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "full_name",
            "email",
            "preferred_language",
            "time_zone",
            "is_active",
            "is_staff",
        ]
        read_only_fields = fields


class UserBriefSerializer(serializers.ModelSerializer):
    """How other objects name a person."""

    class Meta:
        model = User
        fields = ["id", "username", "full_name"]
        read_only_fields = fields


class UserInviteSerializer(serializers.Serializer):
    """What an HR system sends to create a participant; they choose a password by email."""

    username = serializers.RegexField(r"^[\w.@+-]{1,150}$", max_length=150)
    email = serializers.EmailField(max_length=254)
    full_name = serializers.CharField(max_length=150)
    preferred_language = serializers.ChoiceField(choices=Language.choices, default=Language.RUSSIAN)

    def validate_username(self, value: str) -> str:
        if User.objects.filter(username__iexact=value).exists():
            raise serializers.ValidationError(_("A user with this username already exists."))
        return value

    def validate_email(self, value: str) -> str:
        if User.objects.filter(email__iexact=value).exists():
            raise serializers.ValidationError(_("A user with this email address already exists."))
        return value
