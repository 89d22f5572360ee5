"""The client address that login throttling (django-axes) counts failures against.

Behind ``AXES_PROXY_COUNT`` reverse proxies, each proxy appends the address it
received the request from to ``X-Forwarded-For``, so the client is the
``AXES_PROXY_COUNT``-th entry from the right; anything further left was sent
by the client itself and can be forged. Without proxies the header is ignored
altogether and the socket address (``REMOTE_ADDR``) counts, so a client that
talks to the app directly cannot pick an address per attempt.

django-ipware does the header parsing. Its options are passed explicitly here
(rather than through axes' ``AXES_IPWARE_*`` defaults, which read a dozen
client-settable headers and pick the left-most, forgeable entry): only
``X-Forwarded-For``, counted from the right (``left-most`` order with a
non-strict proxy count takes ``chain[-(count + 1)]`` of a chain at least that
long).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ipware.ip import get_client_ip


def login_client_address(request: HttpRequest) -> str | None:
    """The address axes locks together with the username (``AXES_CLIENT_IP_CALLABLE``).

    Falls back to ``REMOTE_ADDR`` when the header is missing, unreadable or
    shorter than the proxy count (a request that did not come through every
    proxy): then the nearest peer is the only address we know.
    """
    proxies = settings.AXES_IPWARE_PROXY_COUNT or 0
    if proxies > 0:
        address, _routable = get_client_ip(
            request,
            proxy_order="left-most",
            # ipware counts the proxies *listed* in the header; the last one
            # is REMOTE_ADDR, not in it.
            proxy_count=proxies - 1,
            request_header_order=["HTTP_X_FORWARDED_FOR"],
            strict=False,
            algorithm="modern",
        )
        if address is not None:
            return address
    return request.META.get("REMOTE_ADDR")
