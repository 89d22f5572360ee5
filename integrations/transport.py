"""Sending one signed webhook request, safely, with the standard library only.

Two promises live here:

- **No SSRF.** A URL is refused unless every address its host is, or
  resolves to, is globally routable by ``ipaddress``' own classification
  (``is_global``) and is no multicast, site-local or cloud-metadata address;
  an IPv6 address that carries an IPv4 one (IPv4-mapped, 6to4, Teredo,
  NAT64) is judged by the IPv4 address too (unless
  ``settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES``). The check runs on every save
  of a webhook and again before every attempt, and the connection then goes
  to the very addresses that were checked: a DNS answer that changes between
  check and connect (DNS rebinding) cannot redirect it.
- **No surprises from the receiver.** Redirects are never followed, proxies
  from the environment are ignored (they would bypass the address check),
  every socket operation times out after ``settings.WEBHOOK_TIMEOUT_SECONDS``,
  the whole attempt (connect, send, read) is cut off at ``attempt_deadline()``
  so a receiver trickling bytes cannot hold a worker, and at most a few bytes
  of the response body are read.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import socket
import ssl
import threading
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


# IPv6 ranges that carry an IPv4 address in their low 32 bits (RFC 6052 NAT64
# well-known prefix). A connection to them reaches that IPv4 address.
NAT64_WELL_KNOWN = ipaddress.ip_network("64:ff9b::/96")
# Ranges refused whole, whatever ``ipaddress`` of this Python says about them
# (its tables changed across patch releases): local-use NAT64 (RFC 8215),
# deprecated site-local, IPv4-compatible (``::a.b.c.d``) and discard-only.
FORBIDDEN_V6_NETWORKS = tuple(
    ipaddress.ip_network(network)
    for network in ("64:ff9b:1::/48", "fec0::/10", "::/96", "100::/64", "2001:db8::/32")
)


def embedded_ipv4(address: IPAddress) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address leads to (IPv4-mapped, 6to4, Teredo, NAT64)."""
    if not isinstance(address, ipaddress.IPv6Address):
        return []
    found: list[ipaddress.IPv4Address] = []
    if address.ipv4_mapped is not None:
        found.append(address.ipv4_mapped)
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.extend(address.teredo)  # the relay server and the client behind it
    if address in NAT64_WELL_KNOWN:
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def _is_forbidden_one(address: IPAddress) -> bool:
    if address in METADATA_ADDRESSES or address.is_multicast:
        return True
    if isinstance(address, ipaddress.IPv6Address) and (
        address.is_site_local or any(address in network for network in FORBIDDEN_V6_NETWORKS)
    ):
        return True
    # ``is_global`` covers loopback, private, link-local, reserved, unspecified,
    # shared (100.64/10), documentation and benchmarking ranges; the explicit
    # ones stay as a second line against a classification table changing.
    return (
        not address.is_global
        or address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_reserved
        or address.is_unspecified
    )


def _is_forbidden(address: IPAddress) -> bool:
    """Whether ``address``, or any IPv4 address it wraps, may not receive webhooks."""
    if isinstance(address, ipaddress.IPv6Address) and (
        address.ipv4_mapped is not None or address in NAT64_WELL_KNOWN
    ):
        # A plain translation (::ffff:a.b.c.d, 64:ff9b::a.b.c.d): the IPv4
        # address is the destination, so it alone decides.
        return _is_forbidden_one(embedded_ipv4(address)[0])
    return any(_is_forbidden_one(each) for each in (address, *embedded_ipv4(address)))


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


def attempt_deadline() -> float:
    """Seconds one attempt may take in all, from connect to the last byte read.

    The socket timeout bounds each wait for a byte; this bounds their sum, so
    a receiver that answers one byte at a time cannot keep a worker busy.
    """
    return float(settings.WEBHOOK_DEADLINE_SECONDS)


class _Deadline:
    """Cuts the attempt's connections when its time is up, whatever they are waiting for.

    A timer thread shuts the sockets down; the blocked read in the caller's
    thread then returns at once and the attempt ends as timed out.
    """

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.expired = False
        self._ends_at = time.monotonic() + seconds
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._timer.cancel()

    def remaining(self) -> float:
        return max(self._ends_at - time.monotonic(), 0.0)

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                self._cut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                self._cut(sock)

    @staticmethod
    def _cut(sock: socket.socket) -> None:
        try:
            # The plain socket's shutdown also for a TLS socket: its own would
            # first drop the TLS state under the reading thread's feet.
            socket.socket.shutdown(sock, socket.SHUT_RDWR)
        except OSError:
            # Already closed or never connected: nothing left to interrupt.
            return


class _DeadlineTLSContext(ssl.SSLContext):
    """The default client context, watching each TLS socket before its handshake.

    ``wrap_socket`` hands the connection over to a new socket object; the
    deadline must be able to cut that one, during the handshake included.
    """

    deadline: _Deadline

    @classmethod
    def create(cls, deadline: _Deadline) -> _DeadlineTLSContext:
        context = cls(ssl.PROTOCOL_TLS_CLIENT)  # verifies certificates and host names
        context.load_default_certs()
        context.set_alpn_protocols(["http/1.1"])
        context.deadline = deadline
        return context

    def wrap_socket(self, sock, *args, **kwargs):
        handshake = kwargs.pop("do_handshake_on_connect", True)
        tls = super().wrap_socket(sock, *args, do_handshake_on_connect=False, **kwargs)
        self.deadline.watch(tls)
        if handshake:
            tls.do_handshake()
        return tls


def _connect_first(
    addresses: Sequence[IPAddress],
    deadline: _Deadline,
    address: tuple[str, int],
    timeout: float | None = None,
    source_address: tuple[str, int] | None = None,
    **_kwargs,
) -> socket.socket:
    """``socket.create_connection`` to the checked addresses instead of a new lookup."""
    _host, port = address
    last_error: OSError | None = None
    for ip in addresses:
        remaining = deadline.remaining()
        if not remaining:
            raise TimeoutError("attempt deadline reached while connecting")
        connect_timeout = remaining if timeout is None else min(timeout, remaining)
        try:
            sock = socket.create_connection((str(ip), port), connect_timeout, source_address)
        except OSError as error:  # try the next address, as create_connection does
            last_error = error
            continue
        sock.settimeout(timeout)
        deadline.watch(sock)
        return sock
    raise last_error or OSError("no address to connect to")


def _pinned(
    connection_class: type[http.client.HTTPConnection], addresses, deadline: _Deadline
) -> Callable:
    def factory(host: str, **kwargs) -> http.client.HTTPConnection:
        connection = connection_class(host, **kwargs)
        # HTTPConnection.connect() opens its socket through this attribute;
        # HTTPSConnection then wraps it with TLS for ``host`` (SNI and the
        # certificate check still use the name, not the address).
        connection._create_connection = partial(_connect_first, addresses, deadline)
        return connection

    return factory


class _PinnedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, addresses: Sequence[IPAddress], deadline: _Deadline):
        super().__init__()
        self.addresses = addresses
        self.deadline = deadline

    def http_open(self, req):
        return self.do_open(_pinned(http.client.HTTPConnection, self.addresses, self.deadline), req)


class _PinnedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, addresses: Sequence[IPAddress], deadline: _Deadline):
        super().__init__()
        self.addresses = addresses
        self.deadline = deadline

    def https_open(self, req):
        return self.do_open(
            _pinned(http.client.HTTPSConnection, self.addresses, self.deadline),
            req,
            context=_DeadlineTLSContext.create(self.deadline),
        )


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """A 3xx answer is the attempt's result: following it could reach an internal host."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # urllib then raises HTTPError with the 3xx code


def _opener(addresses: Sequence[IPAddress], deadline: _Deadline) -> urllib.request.OpenerDirector:
    # Built by hand rather than with build_opener(): no proxy, file:, ftp: or
    # data: handlers, only what an http(s) POST needs.
    opener = urllib.request.OpenerDirector()
    for handler in (
        _PinnedHTTPHandler(addresses, deadline),
        _PinnedHTTPSHandler(addresses, deadline),
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

    with _Deadline(attempt_deadline()) as deadline:
        try:
            with _opener(addresses, deadline).open(request, timeout=timeout) as response:
                response.read(RESPONSE_BYTES_READ)
                if deadline.expired:  # the body was cut short: the answer is not complete
                    raise TimeoutError
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
        if deadline.expired:
            message = f"Timed out: no complete answer within {deadline.seconds:g} s"
    return AttemptResult(ok=False, duration_ms=elapsed(), error=_truncate(message), retryable=True)
