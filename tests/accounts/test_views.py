from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.accounts.factories import UserFactory

PASSWORD = "correct horse battery"


@pytest.fixture
def user(db):
    return UserFactory(username="ivan", email="ivan@example.com", preferred_language="en")


def test_login_then_dashboard(client, user):
    response = client.post(reverse("login"), {"username": "ivan", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")


def test_wrong_password_and_unknown_user_get_the_same_answer(client, user):
    wrong = client.post(reverse("login"), {"username": "ivan", "password": "nope"})
    unknown = client.post(reverse("login"), {"username": "nobody", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 200
    assert wrong.context["form"].errors == unknown.context["form"].errors


def test_login_locks_out_after_repeated_failures(client, user):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "ivan", "password": "nope"})
    # Even the right password is refused while the lockout lasts.
    response = client.post(reverse("login"), {"username": "ivan", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_login_next_redirect_stays_on_this_site(client, user):
    response = client.post(
        reverse("login") + "?next=https://evil.example/steal",
        {"username": "ivan", "password": PASSWORD, "next": "https://evil.example/steal"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")


def test_logout_needs_post(client, user):
    client.force_login(user)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_profile_saves_language_and_time_zone(client, user):
    client.force_login(user)
    response = client.post(
        reverse("profile"),
        {"full_name": "Иван Петров", "preferred_language": "ru", "time_zone": "Asia/Novosibirsk"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.full_name, user.preferred_language, user.time_zone) == (
        "Иван Петров",
        "ru",
        "Asia/Novosibirsk",
    )


def test_profile_rejects_unknown_time_zone_and_changes_nothing(client, user):
    client.force_login(user)
    response = client.post(
        reverse("profile"),
        {"full_name": "X", "preferred_language": "en", "time_zone": "Mars/Olympus"},
    )
    assert response.status_code == 400
    assert "time_zone" in response.context["form"].errors
    user.refresh_from_db()
    assert user.time_zone == "Europe/Moscow"


def test_signed_in_users_language_applies_on_every_request(client, user):
    user.preferred_language = "ru"
    user.save()
    client.force_login(user)
    response = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "ru"


def test_signed_in_users_time_zone_is_active(client, user):
    user.time_zone = "Asia/Vladivostok"
    user.save()
    client.force_login(user)
    response = client.get(reverse("profile"))
    assert response.context["TIME_ZONE"] == "Asia/Vladivostok"


def test_language_switch_saves_the_choice_for_signed_in_users(client, user):
    client.force_login(user)
    response = client.post(
        reverse("language_switch"), {"language": "ru", "next": "/accounts/profile/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    user.refresh_from_db()
    assert user.preferred_language == "ru"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"


def test_language_switch_for_anonymous_sets_cookie_and_ignores_foreign_next(client, db):
    response = client.post(
        reverse("language_switch"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_language_switch_ignores_unknown_language(client, user):
    client.force_login(user)
    response = client.post(reverse("language_switch"), {"language": "xx"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.preferred_language == "en"


def test_password_reset_reaches_invited_user_without_a_password(client, db):
    invited = UserFactory(username="new", email="New@Example.com")
    invited.set_unusable_password()
    invited.save()
    response = client.post(reverse("password_reset"), {"email": "new@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["New@Example.com"]


def test_password_reset_skips_inactive_users(client, db):
    UserFactory(email="gone@example.com", is_active=False)
    client.post(reverse("password_reset"), {"email": "gone@example.com"})
    assert mail.outbox == []


def test_email_is_unique_whatever_its_case(db):
    from django.core.exceptions import ValidationError

    UserFactory(email="Anna@Example.com")
    duplicate = User(username="anna2", email="anna@example.com")
    with pytest.raises(ValidationError):
        duplicate.validate_constraints()
