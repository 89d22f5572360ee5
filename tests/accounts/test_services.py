from django.core import mail

from accounts.services import user_send_set_password_email
from tests.accounts.factories import UserFactory


def test_set_password_email_is_sent_in_the_users_language_with_a_working_link(client, db):
    user = UserFactory(username="olga", email="olga@example.com", preferred_language="en")
    user.set_unusable_password()
    user.save()

    assert user_send_set_password_email(user=user) is True

    message = mail.outbox[0]
    assert message.to == ["olga@example.com"]
    assert "olga" in message.body
    link = next(line for line in message.body.splitlines() if "/accounts/password/reset/" in line)
    path = link.strip().removeprefix("http://testserver")
    # The link leads to the set-password form (Django redirects to its session URL).
    response = client.get(path, follow=True)
    assert response.context["validlink"] is True


def test_no_email_for_users_without_an_address(db):
    assert user_send_set_password_email(user=UserFactory(email="")) is False
    assert mail.outbox == []
