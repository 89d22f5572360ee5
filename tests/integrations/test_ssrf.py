"""Webhooks cannot be aimed at internal addresses, at creation or at delivery time."""

from __future__ import annotations

import socket
from unittest import mock

import pytest

from config.errors import DomainError
from integrations import services, transport
from integrations.models import EventType, Webhook

REAL_GETADDRINFO = socket.getaddrinfo


def fake_dns(answers: dict[str, list[list[str]]]):
    """Patch getaddrinfo: each listed name answers from its list of answers, in turn."""
    calls: dict[str, int] = {}

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:
            return REAL_GETADDRINFO(host, port, *args, **kwargs)
        index = min(calls.get(host, 0), len(answers[host]) - 1)
        calls[host] = calls.get(host, 0) + 1
        return [
            (
                socket.AF_INET6 if ":" in address else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (address, port),
            )
            for address in answers[host][index]
        ]

    return mock.patch("socket.getaddrinfo", side_effect=getaddrinfo)


def create(project, mentor, url: str) -> Webhook:
    return services.webhook_create(project=project, by=mentor, url=url, events=EventType.values)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://127.1.2.3:8080/",
        "http://10.0.0.1/hook",
        "http://172.16.5.4/",
        "http://192.168.1.10/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[fd00:ec2::254]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "http://100.64.0.1/",
        "http://224.0.0.1/",
        "http://240.0.0.1/",
        "http://localhost:8000/hook",
    ],
)
def test_creation_refuses_internal_addresses(project, mentor, forbid_private, url):
    with pytest.raises(DomainError) as refused:
        create(project, mentor, url)
    assert refused.value.field == "url"
    assert "public" in str(refused.value)
    assert not Webhook.objects.exists()


def test_creation_refuses_a_name_resolving_to_an_internal_address(project, mentor, forbid_private):
    with fake_dns({"hooks.example.com": [["10.1.2.3"]]}), pytest.raises(DomainError) as refused:
        create(project, mentor, "https://hooks.example.com/in")
    assert "10.1.2.3" in str(refused.value)


def test_one_internal_answer_among_public_ones_is_enough_to_refuse(project, mentor, forbid_private):
    with (
        fake_dns({"hooks.example.com": [["93.184.215.14", "127.0.0.1"]]}),
        pytest.raises(DomainError),
    ):
        create(project, mentor, "https://hooks.example.com/in")


def test_creation_accepts_a_public_address(project, mentor, forbid_private):
    with fake_dns(
        {"hooks.example.com": [["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]]}
    ):
        webhook = create(project, mentor, "https://hooks.example.com/in")
    assert webhook.url == "https://hooks.example.com/in"
    literal = create(project, mentor, "http://93.184.215.14/hook")
    assert literal.pk


def test_a_name_that_does_not_resolve_is_refused_with_a_clear_message(
    project, mentor, forbid_private
):
    with (
        mock.patch("socket.getaddrinfo", side_effect=socket.gaierror(-2, "Name not known")),
        pytest.raises(DomainError) as refused,
    ):
        create(project, mentor, "https://no-such-host.invalid/hook")
    assert "does not resolve" in str(refused.value)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/hook",
        "file:///etc/passwd",
        "gopher://example.com/",
        "javascript:alert(1)",
    ],
)
@pytest.mark.parametrize("allowed", [False, True])
def test_only_http_and_https_are_accepted(project, mentor, settings, url, allowed):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = allowed
    with pytest.raises(DomainError) as refused:
        create(project, mentor, url)
    assert refused.value.field == "url"


def test_credentials_in_the_url_are_refused(project, mentor, allow_private):
    with pytest.raises(DomainError, match="credentials"):
        create(project, mentor, "https://user:pass@example.com/hook")


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:9000/hook", "http://10.0.0.1/", "http://localhost/", "http://[::1]/"]
)
def test_internal_addresses_are_allowed_with_the_setting(project, mentor, allow_private, url):
    assert create(project, mentor, url).url == url


def test_delivery_connects_to_the_checked_address_not_a_new_lookup(
    project, mentor, receiver, record_event
):
    """DNS rebinding: the name answers a second time with another address; it is not asked."""
    webhook = create(project, mentor, f"http://hooks.example.com:{receiver.port}/hook")
    with fake_dns({"hooks.example.com": [["127.0.0.1"], ["192.0.2.1"]]}):
        record_event(project)

    assert len(receiver.requests) == 1
    assert receiver.requests[0].headers["Host"] == f"hooks.example.com:{receiver.port}"
    assert webhook.deliveries.get().status == "succeeded"


def test_delivery_time_check_refuses_a_name_that_now_resolves_inside(
    project, mentor, forbid_private, record_event
):
    with fake_dns({"hooks.example.com": [["93.184.215.14"], ["169.254.169.254"]]}):
        webhook = create(project, mentor, "https://hooks.example.com/in")
        record_event(project)

    delivery = webhook.deliveries.get()
    assert delivery.status == "failed"
    assert "169.254.169.254" in delivery.last_error


@pytest.mark.parametrize(
    ("address", "forbidden"),
    [
        ("8.8.8.8", False),
        ("2001:4860:4860::8888", False),
        ("127.0.0.1", True),
        ("::ffff:10.0.0.1", True),
        ("fe80::1", True),
        ("ff02::1", True),
        ("::", True),
        ("169.254.169.254", True),
        ("fd00:ec2::254", True),
        ("192.0.2.1", True),  # documentation range: not globally routable
    ],
)
def test_address_classification(address, forbidden):
    import ipaddress

    assert transport._is_forbidden(ipaddress.ip_address(address)) is forbidden


# Issue 7, item 6: IPv6 forms that reach internal IPv4 addresses, and special
# IPv6 ranges ipaddress' ``is_global`` alone (in this Python) lets through.
EMBEDDED_OR_SPECIAL = [
    ("2002:7f00:1::", "6to4 of 127.0.0.1"),
    ("2002:a00:1::1", "6to4 of 10.0.0.1"),
    ("2002:a9fe:a9fe::", "6to4 of 169.254.169.254 (metadata)"),
    ("2002:c0a8:101::1", "6to4 of 192.168.1.1"),
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo"),
    ("2001::7f00:1", "Teredo wrapping loopback"),
    ("64:ff9b::7f00:1", "NAT64 of 127.0.0.1"),
    ("64:ff9b::a9fe:a9fe", "NAT64 of 169.254.169.254"),
    ("64:ff9b:1::a00:1", "local-use NAT64"),
    ("::ffff:169.254.169.254", "IPv4-mapped metadata"),
    ("::ffff:10.1.2.3", "IPv4-mapped private"),
    ("::7f00:1", "IPv4-compatible loopback"),
    ("fec0::1", "site-local"),
    ("fec0:1234::5", "site-local"),
    ("fc00::1", "unique local"),
    ("100::1", "discard-only"),
    ("2001:db8::1", "documentation"),
    ("ff0e::1", "global-scope multicast"),
]


@pytest.mark.parametrize(("address", "why"), EMBEDDED_OR_SPECIAL)
def test_embedded_and_special_ipv6_addresses_are_forbidden(address, why):
    import ipaddress

    assert transport._is_forbidden(ipaddress.ip_address(address)), why


@pytest.mark.parametrize(
    "address", ["2002:808:808::1", "64:ff9b::808:808", "::ffff:8.8.8.8", "2606:4700::1111"]
)
def test_embedded_public_ipv4_addresses_stay_allowed(address):
    import ipaddress

    assert not transport._is_forbidden(ipaddress.ip_address(address))


@pytest.mark.parametrize(("address", "why"), EMBEDDED_OR_SPECIAL)
def test_creation_refuses_literal_and_resolved_embedded_addresses(
    project, mentor, forbid_private, address, why
):
    with pytest.raises(DomainError):
        create(project, mentor, f"http://[{address}]:8080/hook")
    with fake_dns({"hooks.example.com": [[address]]}), pytest.raises(DomainError) as refused:
        create(project, mentor, "https://hooks.example.com/in")
    assert refused.value.field == "url", why
    assert not Webhook.objects.exists()


def test_delivery_refuses_a_name_now_resolving_to_a_6to4_loopback(
    project, mentor, forbid_private, record_event
):
    with fake_dns({"hooks.example.com": [["93.184.215.14"], ["2002:7f00:1::"]]}):
        webhook = create(project, mentor, "https://hooks.example.com/in")
        record_event(project)

    delivery = webhook.deliveries.get()
    assert delivery.status == "failed"
    assert "2002:7f00:1::" in delivery.last_error


def test_the_html_form_checks_an_unchanged_url_again(client, project, mentor, forbid_private):
    from django.urls import reverse

    with fake_dns({"hooks.example.com": [["93.184.215.14"]]}):
        webhook = create(project, mentor, "https://hooks.example.com/in")
    client.force_login(mentor)
    # The name now answers with an internal address; the mentor saves other settings.
    with fake_dns({"hooks.example.com": [["2002:a00:1::1"]]}):
        response = client.post(
            reverse("webhook_detail", args=[project.pk, webhook.pk]),
            {"url": webhook.url, "events": ["task.moved"], "active": "on"},
        )
    assert response.status_code == 400
    assert "public addresses" in response.content.decode()
    webhook.refresh_from_db()
    assert webhook.events == EventType.values


def test_the_api_checks_the_stored_url_on_a_patch_without_one(project, mentor, forbid_private):
    from django.urls import reverse
    from rest_framework.test import APIClient

    with fake_dns({"hooks.example.com": [["93.184.215.14"]]}):
        webhook = create(project, mentor, "https://hooks.example.com/in")
    api = APIClient()
    api.force_login(mentor)
    url = reverse("api-webhook-detail", args=[project.pk, webhook.pk])
    with fake_dns({"hooks.example.com": [["fec0::1"]]}):
        refused = api.patch(url, {"events": ["task.moved"]}, format="json")
        switched_off = api.patch(url, {"active": False}, format="json")
    assert refused.status_code == 400
    assert "url" in refused.json()["errors"]
    assert switched_off.status_code == 200
    webhook.refresh_from_db()
    assert (webhook.events, webhook.active) == (EventType.values, False)
