"""Sending one signed webhook request, safely, with the standard library only.

Two promises live here:

- **No SSRF.** A URL is refused when its host is, or resolves to, a loopback,
  private, link-local, multicast, reserved, unspecified or cloud-metadata
  address (unless ``settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES``). The check
  runs when a webhook is saved and again before every attempt, and the
  connection then goes to the very addresses that were checked: a DNS answer
  that changes between check and connect (DNS rebinding) cannot redirect it.
- **No surprises from the receiver.** Redirects are never followed, proxies
  from the environment are ignored (they would bypass the address check),
  every socket operation times out after ``settings.WEBHOOK_TIMEOUT_SECONDS``,
  and at most a few bytes of the response body are read.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

ALLOWED_SCHEMES = ("http", "https")
# Cloud metadata endpoints (AWS, GCP, Azure, OpenStack; AWS's IPv6 one). They
# are link-local or unique-local anyway; listed so the intent survives any
# change in how the ipaddress module classifies ranges.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(address) for address in ("169.254.169.254", "fd00:ec2::254")
)
USER_AGENT = "Internboard-Webhooks/1.0"
RESPONSE_BYTES_READ = 1024
ERROR_MAX_LENGTH = 500

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeURLError(ValueError):
    """The URL may not receive webhooks; the message is user-facing and translated."""


def _is_forbidden(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        # ::ffff:127.0.0.1 reaches 127.0.0.1: judge the IPv4 address it carries.
        address = address.ipv4_mapped
    return (
        address in METADATA_ADDRESSES
        or address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        # Whatever else is not publicly routable (shared 100.64/10, benchmarking…).
        or not address.is_global
    )


def _split(url: str) -> tuple[str, str, int]:
    """Scheme, host and port of an http(s) URL, or UnsafeURLError."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise UnsafeURLError(_("Enter a valid URL.")) from error
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise UnsafeURLError(_("Only http:// and https:// URLs can receive webhooks."))
    if not parts.hostname:
        raise UnsafeURLError(_("Enter a valid URL."))
    if parts.username is not None or parts.password is not None:
        raise UnsafeURLError(
            _("Do not put credentials in the URL: receivers verify the signature instead.")
        )
    return scheme, parts.hostname, port or (443 if scheme == "https" else 80)


def _refused(address: IPAddress) -> UnsafeURLError:
    return UnsafeURLError(
        _(
            "This URL points to a private, loopback, link-local or otherwise non-public "
            "address (%(address)s); webhooks can only be sent to public addresses."
        )
        % {"address": address}
    )


def resolve_url(url: str) -> list[IPAddress]:
    """The addresses a webhook to ``url`` may connect to, or UnsafeURLError.

    Every address the host resolves to must be public (one private answer is
    enough to refuse: a resolver could hand it out next time). With
    ``settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES`` any address is accepted.
    Raises ``OSError`` (``socket.gaierror``) when the name does not resolve.
    """
    _scheme, host, port = _split(url)
    allow_private = settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    else:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        addresses = list(
            dict.fromkeys(ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos)
        )
    if not allow_private:
        for address in addresses:
            if _is_forbidden(address):
                raise _refused(address)
    return addresses


def check_url(url: str) -> None:
    """Refuse, with a user-facing UnsafeURLError, a URL that may not receive webhooks.

    Used when a webhook is saved. With private addresses allowed (tests,
    local development) only the scheme and shape are checked, so no DNS
    lookup happens.
    """
    if settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES:
        _split(url)
        return
    try:
        resolve_url(url)
    except OSError as error:
        raise UnsafeURLError(
            _("The host name of this URL does not resolve; check the address.")
        ) from error


def signature(*, secret: str, body: bytes) -> str:
    """The ``X-Internboard-Signature`` value: ``sha256=`` + hex HMAC-SHA256 of the body."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


# --- HTTP -------------------------------------------------------------------------------


def _connect_first(
    addresses: Sequence[IPAddress],
    address: tuple[str, int],
    timeout: float | None = None,
    source_address: tuple[str, int] | None = None,
    **_kwargs,
) -> socket.socket:
    """``socket.create_connection`` to the checked addresses instead of a new lookup."""
    _host, port = address
    last_error: OSError | None = None
    for ip in addresses:
        try:
            return socket.create_connection((str(ip), port), timeout, source_address)
        except OSError as error:  # try the next address, as create_connection does
            last_error = error
    raise last_error or OSError("no address to connect to")


def _pinned(connection_class: type[http.client.HTTPConnection], addresses) -> Callable:
    def factory(host: str, **kwargs) -> http.client.HTTPConnection:
        connection = connection_class(host, **kwargs)
        # HTTPConnection.connect() opens its socket through this attribute;
        # HTTPSConnection then wraps it with TLS for ``host`` (SNI and the
        # certificate check still use the name, not the address).
        connection._create_connection = partial(_connect_first, addresses)
        return connection

    return factory


class _PinnedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, addresses: Sequence[IPAddress]):
        super().__init__()
        self.addresses = addresses

    def http_open(self, req):
        return self.do_open(_pinned(http.client.HTTPConnection, self.addresses), req)


class _PinnedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, addresses: Sequence[IPAddress]):
        super().__init__()
        self.addresses = addresses

    def https_open(self, req):
        return self.do_open(
            _pinned(http.client.HTTPSConnection, self.addresses), req, context=self._context
        )


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """A 3xx answer is the attempt's result: following it could reach an internal host."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # urllib then raises HTTPError with the 3xx code


def _opener(addresses: Sequence[IPAddress]) -> urllib.request.OpenerDirector:
    # Built by hand rather than with build_opener(): no proxy, file:, ftp: or
    # data: handlers, only what an http(s) POST needs.
    opener = urllib.request.OpenerDirector()
    for handler in (
        _PinnedHTTPHandler(addresses),
        _PinnedHTTPSHandler(addresses),
        _RefuseRedirects(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
        urllib.request.UnknownHandler(),
    ):
        opener.add_handler(handler)
    return opener


@dataclass(frozen=True)
class AttemptResult:
    """What one POST achieved. ``retryable`` is False for permanent failures."""

    ok: bool
    status_code: int | None = None
    duration_ms: int = 0
    error: str = ""
    retryable: bool = False


def _classify(code: int, duration_ms: int, location: str | None = None) -> AttemptResult:
    if 200 <= code < 300:
        return AttemptResult(ok=True, status_code=code, duration_ms=duration_ms)
    if 300 <= code < 400:
        # Permanent: the receiver's URL is wrong (e.g. http→https), and
        # retrying the same URL gets the same answer.
        where = f" to {location}" if location else ""
        error = f"HTTP {code}: redirect{where} not followed"
        return AttemptResult(ok=False, status_code=code, duration_ms=duration_ms, error=error)
    # 408 and 429 ask us to come back later; other 4xx will not change.
    retryable = code >= 500 or code in (408, 429) or code < 200
    return AttemptResult(
        ok=False,
        status_code=code,
        duration_ms=duration_ms,
        error=f"HTTP {code}",
        retryable=retryable,
    )


def _truncate(text: str) -> str:
    return text if len(text) <= ERROR_MAX_LENGTH else text[: ERROR_MAX_LENGTH - 1] + "…"


def post(*, url: str, body: bytes, headers: dict[str, str]) -> AttemptResult:
    """POST ``body`` to ``url`` once; never raises for anything the network does."""
    try:
        addresses = resolve_url(url)
    except UnsafeURLError as error:
        return AttemptResult(ok=False, error=_truncate(str(error)), retryable=False)
    except OSError as error:  # DNS failure: may well be temporary
        return AttemptResult(
            ok=False, error=_truncate(f"DNS lookup failed: {error}"), retryable=True
        )

    timeout = settings.WEBHOOK_TIMEOUT_SECONDS
    request = urllib.request.Request(  # noqa: S310 - scheme checked to be http(s) above
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": USER_AGENT, **headers},
    )
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        with _opener(addresses).open(request, timeout=timeout) as response:
            response.read(RESPONSE_BYTES_READ)
            return _classify(response.status, elapsed())
    except urllib.error.HTTPError as error:
        location = error.headers.get("Location") if error.headers else None
        error.close()
        return _classify(error.code, elapsed(), location)
    except TimeoutError:
        message = f"Timed out after {timeout} s"
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, TimeoutError):
            message = f"Timed out after {timeout} s"
        else:
            message = f"Connection failed: {reason}"
    except (OSError, http.client.HTTPException) as error:
        message = f"Connection failed: {error.__class__.__name__}: {error}"
    return AttemptResult(ok=False, duration_ms=elapsed(), error=_truncate(message), retryable=True)
