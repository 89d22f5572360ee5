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
