"""Login lockouts behind a reverse proxy (``AXES_PROXY_COUNT``): per client, not per proxy.

Requests come from the proxy's socket address (REMOTE_ADDR) with the client
appended to X-Forwarded-For, as nginx's ``$proxy_add_x_forwarded_for`` does.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.client_address import login_client_address
from tests.accounts.factories import UserFactory

PASSWORD = "correct horse battery"
PROXY = "127.0.0.1"
ALICE = "81.2.69.142"  # two clients on the internet behind the same proxy
BOB = "89.160.20.112"


@pytest.fixture
def user(db):
    return UserFactory(username="ivan", password=PASSWORD)


@pytest.fixture
def one_proxy(settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1


def _login(forwarded_for: str | None, password: str, remote_addr: str = PROXY) -> int:
    headers = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    response = Client(**headers).post(reverse("login"), {"username": "ivan", "password": password})
    return response.status_code


def _lock_out(forwarded_for: str | None, remote_addr: str = PROXY) -> None:
    statuses = [
        _login(forwarded_for, "nope", remote_addr) for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses[-1] == 429  # the last allowed failure locks the pair


@pytest.mark.usefixtures("one_proxy")
def test_two_clients_behind_one_proxy_are_locked_out_separately(user):
    _lock_out(ALICE)
    assert _login(ALICE, PASSWORD) == 429
    # Bob shares the proxy, not the lockout.
    assert _login(BOB, PASSWORD) == 302


@pytest.mark.usefixtures("one_proxy")
def test_a_forged_forwarded_for_entry_does_not_escape_the_lockout(user):
    _lock_out(ALICE)
    # The proxy appends the real client after whatever the client sent.
    assert _login(f"{BOB}, {ALICE}", PASSWORD) == 429
    assert _login(f"1.2.3.4, 5.6.7.8, {ALICE}", PASSWORD) == 429


@pytest.mark.usefixtures("one_proxy")
def test_an_attacker_cannot_lock_out_someone_else_by_forging_their_address(user):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(f"{BOB}, {ALICE}", "nope")  # Alice, pretending to be Bob
    assert _login(BOB, PASSWORD) == 302


def test_without_proxies_the_header_is_ignored(user, settings):
    settings.AXES_IPWARE_PROXY_COUNT = 0
    _lock_out(ALICE, remote_addr=BOB)
    # A direct client cannot pick a fresh address per attempt with the header.
    assert _login("9.9.9.9", PASSWORD, remote_addr=BOB) == 429


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, "1.1.1.1", PROXY),
        (1, None, PROXY),
        (1, "", PROXY),
        (1, "garbage", PROXY),
        (1, ALICE, ALICE),
        (1, f"{BOB},{ALICE}", ALICE),
        (2, f"{ALICE}, 10.0.0.2", ALICE),
        (2, f"6.6.6.6, {ALICE}, 10.0.0.2", ALICE),
        (2, ALICE, PROXY),  # shorter than the proxy chain: did not come through every proxy
        (1, "2a02:6b8::1", "2a02:6b8::1"),
    ],
)
def test_login_client_address(rf, settings, proxies, forwarded_for, expected):
    settings.AXES_IPWARE_PROXY_COUNT = proxies
    headers = {"REMOTE_ADDR": PROXY}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    assert login_client_address(rf.post("/accounts/login/", **headers)) == expected
