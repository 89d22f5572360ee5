"""Personal API tokens: the services, Bearer authentication, the tokens page, the command."""

from __future__ import annotations

import datetime
import hashlib
from io import StringIO

import pytest
import time_machine
from django.contrib import admin
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from accounts import services
from accounts.api.authentication import BearerTokenAuthentication
from accounts.models import ApiToken
from config.errors import DomainError
from tests.accounts.factories import UserFactory

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


class WhoAmIView(APIView):
    authentication_classes = [BearerTokenAuthentication]
    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response({"username": request.user.username, "token": request.auth.pk})


def call_api(header: str | None):
    kwargs = {} if header is None else {"HTTP_AUTHORIZATION": header}
    request = APIRequestFactory().get("/whoami/", **kwargs)
    response = WhoAmIView.as_view()(request)
    response.render()
    return response


@pytest.fixture
def user(db):
    return UserFactory(username="ivan")


@pytest.fixture
def token_pair(user) -> tuple[ApiToken, str]:
    return services.api_token_create(user=user, name="CI export", expires_in_days=None)


# --- Services ---------------------------------------------------------------


def test_create_stores_only_a_hash_of_the_secret(token_pair):
    token, plain = token_pair
    scheme, prefix, secret = plain.split("_", 2)

    assert (scheme, prefix) == ("ib", token.prefix)
    assert len(secret) >= 43
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    row = ApiToken.objects.values().get(pk=token.pk)
    assert not any(
        isinstance(value, str) and (secret in value or plain in value) for value in row.values()
    )


def test_create_with_expiry_sets_expires_at(user):
    with time_machine.travel(START, tick=False):
        token, _plain = services.api_token_create(user=user, name="Short", expires_in_days=30)

    assert token.expires_at == START + datetime.timedelta(days=30)


@pytest.mark.parametrize(
    ("name", "days", "field"),
    [
        ("   ", None, "name"),
        ("x" * 61, None, "name"),
        ("Fine", 0, "expires_in_days"),
        ("Fine", 3651, "expires_in_days"),
        ("Fine", -5, "expires_in_days"),
    ],
)
def test_create_refuses_bad_name_or_expiry(user, name, days, field):
    with pytest.raises(DomainError) as caught:
        services.api_token_create(user=user, name=name, expires_in_days=days)

    assert caught.value.field == field
    assert not ApiToken.objects.exists()


def test_create_refuses_a_live_duplicate_name_but_allows_reuse_after_revoke(token_pair, user):
    token, _plain = token_pair
    with pytest.raises(DomainError) as caught:
        services.api_token_create(user=user, name="ci EXPORT", expires_in_days=None)
    assert caught.value.code == "name_taken"

    services.api_token_revoke(token=token, by=user)
    _new, _plain = services.api_token_create(user=user, name="CI export", expires_in_days=None)

    assert ApiToken.objects.filter(user=user).count() == 2


def test_create_refuses_a_deactivated_user(db):
    user = UserFactory(is_active=False)

    with pytest.raises(DomainError):
        services.api_token_create(user=user, name="Bot", expires_in_days=None)


def test_revoke_is_idempotent_and_keeps_the_first_time(token_pair, user):
    token, _plain = token_pair
    with time_machine.travel(START, tick=False):
        services.api_token_revoke(token=token, by=user)
    with time_machine.travel(START + datetime.timedelta(hours=1), tick=False):
        services.api_token_revoke(token=ApiToken.objects.get(pk=token.pk), by=user)

    token.refresh_from_db()
    assert token.revoked_at == START
    assert token.status == ApiToken.Status.REVOKED


# --- Bearer authentication -------------------------------------------------------


def test_valid_token_authenticates_as_its_user(token_pair):
    token, plain = token_pair

    response = call_api(f"Bearer {plain}")

    assert response.status_code == 200
    assert response.data == {"username": "ivan", "token": token.pk}


def test_scheme_is_case_insensitive(token_pair):
    _token, plain = token_pair
    assert call_api(f"bearer {plain}").status_code == 200


def test_no_header_is_401_with_a_bearer_challenge(db):
    response = call_api(None)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_another_scheme_is_left_to_other_authenticators(token_pair):
    _token, plain = token_pair
    authenticator = BearerTokenAuthentication()
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Token {plain}")

    assert authenticator.authenticate(request) is None
    assert call_api(f"Token {plain}").status_code == 401


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer two parts",
        "Bearer not-a-token",
        "Bearer ib_short_secret",
        "Bearer ib_abcdefgh_" + "x" * 10,
    ],
)
def test_malformed_token_is_401_with_a_message(db, header):
    response = call_api(header)

    assert response.status_code == 401
    assert response.data["detail"]


def test_unknown_prefix_is_401(token_pair):
    token, plain = token_pair
    other_prefix = "zzzzzzzz" if token.prefix != "zzzzzzzz" else "yyyyyyyy"
    forged = plain.replace(token.prefix, other_prefix, 1)

    assert call_api(f"Bearer {forged}").status_code == 401


def test_wrong_secret_with_the_right_prefix_is_401(token_pair):
    _token, plain = token_pair
    last = "A" if plain[-1] != "A" else "B"

    response = call_api(f"Bearer {plain[:-1]}{last}")

    assert response.status_code == 401


def test_revoked_token_is_401(token_pair, user):
    token, plain = token_pair
    services.api_token_revoke(token=token, by=user)

    response = call_api(f"Bearer {plain}")

    assert response.status_code == 401
    assert "revoked" in str(response.data["detail"])


def test_expired_token_is_401(user):
    with time_machine.travel(START, tick=False):
        _token, plain = services.api_token_create(user=user, name="Short", expires_in_days=1)
        assert call_api(f"Bearer {plain}").status_code == 200

    with time_machine.travel(START + datetime.timedelta(days=1, seconds=1), tick=False):
        assert call_api(f"Bearer {plain}").status_code == 401


def test_deactivated_user_token_is_401_at_once(token_pair, user):
    _token, plain = token_pair
    assert call_api(f"Bearer {plain}").status_code == 200

    user.is_active = False
    user.save(update_fields=["is_active"])

    assert call_api(f"Bearer {plain}").status_code == 401


def test_last_used_is_written_at_most_once_a_minute(token_pair, django_assert_num_queries):
    token, plain = token_pair
    assert token.last_used_at is None

    with time_machine.travel(START, tick=False):
        assert services.api_token_authenticate(raw=plain).last_used_at == START
    with (
        time_machine.travel(START + datetime.timedelta(seconds=59), tick=False),
        django_assert_num_queries(1),  # the lookup only, no write
    ):
        services.api_token_authenticate(raw=plain)
    token.refresh_from_db()
    assert token.last_used_at == START

    later = START + datetime.timedelta(seconds=61)
    with time_machine.travel(later, tick=False):
        services.api_token_authenticate(raw=plain)
    token.refresh_from_db()
    assert token.last_used_at == later


def test_schema_documents_the_bearer_scheme():
    extension = OpenApiAuthenticationExtension.get_match(BearerTokenAuthentication())

    assert extension is not None
    assert extension.name == "bearerAuth"
    assert extension.get_security_definition(None)["scheme"] == "bearer"


# --- The tokens page ----------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("api_tokens"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_page_lists_own_tokens_only(client, user, token_pair):
    other = UserFactory(username="olga")
    services.api_token_create(user=other, name="Olga's bot", expires_in_days=None)
    client.force_login(user)

    response = client.get(reverse("api_tokens"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "CI export" in content
    assert token_pair[0].prefix in content
    assert "Olga" not in content


def test_create_shows_the_token_once_and_a_reload_posts_nothing(client, user):
    client.force_login(user)

    response = client.post(reverse("api_tokens"), {"name": "Reports", "expires_in_days": "90"})

    # Post/Redirect/Get: F5 on the page that shows the token reloads a GET.
    assert response.status_code == 302
    assert response["Location"] == reverse("api_tokens")
    token = ApiToken.objects.get(user=user)
    assert (token.name, token.expires_at is not None) == ("Reports", True)

    shown = client.get(response["Location"])

    plain = shown.context["new_token"]
    assert plain.startswith("ib_")
    assert token.prefix in plain
    assert plain in shown.content.decode()
    assert "no-store" in shown["Cache-Control"]
    assert 'data-copy-target="new-token"' in shown.content.decode()
    # Kept server-side for that one GET only: never in a cookie or the URL.
    for morsel in [*response.cookies.values(), *shown.cookies.values()]:
        assert plain not in morsel.OutputString()
    assert plain not in response["Location"]
    assert plain not in str(dict(client.session))

    reloaded = client.get(reverse("api_tokens"))

    assert plain not in reloaded.content.decode()
    assert "Reports" in reloaded.content.decode()
    assert ApiToken.objects.filter(user=user).count() == 1


def test_the_waiting_token_lives_in_the_database_session_not_a_cookie(settings):
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"


def test_create_with_an_invalid_form_is_400_and_creates_nothing(client, user, token_pair):
    client.force_login(user)

    bad_days = client.post(reverse("api_tokens"), {"name": "X", "expires_in_days": "0"})
    duplicate = client.post(reverse("api_tokens"), {"name": "CI export"})

    assert bad_days.status_code == duplicate.status_code == 400
    assert "expires_in_days" in bad_days.context["form"].errors
    assert "name" in duplicate.context["form"].errors
    assert ApiToken.objects.count() == 1


def test_revoke_from_the_page(client, user, token_pair):
    token, plain = token_pair
    client.force_login(user)

    response = client.post(reverse("api_token_revoke", args=[token.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("api_tokens")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert call_api(f"Bearer {plain}").status_code == 401


def test_revoking_another_users_token_is_404(client, token_pair):
    token, _plain = token_pair
    client.force_login(UserFactory(username="olga"))

    response = client.post(reverse("api_token_revoke", args=[token.pk]))

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoke_needs_post(client, user, token_pair):
    client.force_login(user)

    assert client.get(reverse("api_token_revoke", args=[token_pair[0].pk])).status_code == 405


def test_profile_links_to_the_tokens_page(client, user):
    client.force_login(user)

    assert reverse("api_tokens") in client.get(reverse("profile")).content.decode()


# --- Management command ---------------------------------------------------------------


def test_command_prints_only_a_working_token(user):
    out = StringIO()

    call_command("create_api_token", "ivan", "Nightly export", "--expires-days", "7", stdout=out)

    plain = out.getvalue().strip()
    assert out.getvalue().count("\n") <= 1
    assert call_api(f"Bearer {plain}").status_code == 200
    assert ApiToken.objects.get().name == "Nightly export"


def test_command_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="nobody"):
        call_command("create_api_token", "nobody", "Bot", stdout=StringIO())

    assert not ApiToken.objects.exists()


def test_command_refuses_zero_days(user):
    with pytest.raises(CommandError, match="days"):
        call_command("create_api_token", "ivan", "Bot", "--expires-days", "0", stdout=StringIO())

    assert not ApiToken.objects.exists()


# --- Admin ------------------------------------------------------------------------------


def test_admin_never_shows_the_hash_and_revokes(client, token_pair):
    token, _plain = token_pair
    staff = UserFactory(username="staff", is_staff=True, is_superuser=True)
    client.force_login(staff)

    changelist = client.get(reverse("admin:accounts_apitoken_changelist"), {"q": token.prefix})
    detail = client.get(reverse("admin:accounts_apitoken_change", args=[token.pk]))
    revoke = client.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke", admin.helpers.ACTION_CHECKBOX_NAME: [token.pk]},
    )

    assert changelist.status_code == detail.status_code == 200
    assert changelist.context["cl"].result_count == 1
    for response in (changelist, detail):
        assert token.key_hash not in response.content.decode()
    assert revoke.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get(reverse("admin:accounts_apitoken_add")).status_code == 403


def test_token_status_follows_expiry(user):
    with time_machine.travel(START, tick=False):
        token, _plain = services.api_token_create(user=user, name="Short", expires_in_days=1)
        assert token.status == ApiToken.Status.ACTIVE
    with time_machine.travel(START + datetime.timedelta(days=2), tick=False):
        assert token.status == ApiToken.Status.EXPIRED
        assert timezone.now() > token.expires_at
