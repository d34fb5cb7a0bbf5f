"""Who sent a request, worked out once at the door.

``ClientMiddleware`` sets ``request.client``, a ``Client``: the client's
address and the key rate limits count it under. Views and the rules behind
them take that object and never read the request's headers for an address
again (docs/security.md, "Rate limits").

The address is taken so that a forged header cannot choose it. Behind no
proxy (TRUSTED_PROXY_COUNT=0, the default) it is the socket's peer,
REMOTE_ADDR: anything in X-Forwarded-For was written by the client and is
ignored. Behind N trusted proxies, each appends the address it saw to
X-Forwarded-For, so the client is the N-th entry from the right; the entries
to its left were written by the client and are ignored too.

The key (``client_key``) is the address, except that IPv6 clients are one
/64: a host or home network with IPv6 is given at least a /64, 2^64
addresses it can pick from freely, so per address it had an endless supply
of fresh counters. An IPv4 address written as IPv6 (``::ffff:a.b.c.d``) is
that IPv4 address.

``client_ip`` is also django-axes' AXES_CLIENT_IP_CALLABLE (the login lockout).
"""

import ipaddress
from dataclasses import dataclass

from django.conf import settings

IPV6_PREFIX = 64


def _valid(address):
    try:
        return str(ipaddress.ip_address(address.strip()))
    except (AttributeError, ValueError):
        return None


def client_ip(request):
    remote = request.META.get("REMOTE_ADDR", "")
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= count:
            address = _valid(forwarded[-count])
            if address:
                return address
        # Fewer entries than trusted proxies: the request did not come through
        # them all (or a proxy is misconfigured). Trust only the socket.
    return _valid(remote) or remote


def client_address(request):
    """The client's address as a normalised string, or None when there is none
    usable (a test client, a misconfigured proxy)."""
    address = client_ip(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def client_key(client):
    """What one client is counted as: an IPv4 address, or an IPv6 /64.
    Anything that is not an address (a key already, ``user:7``) is itself."""
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return str(client)
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/{IPV6_PREFIX}", strict=False))
    return str(address)


@dataclass(frozen=True)
class Client:
    """Who sent a request: ``address`` (normalised, or None when there is no
    usable one) and ``key``, what rate limits count it under (None with no
    address: nothing to count)."""

    address: str | None
    key: str | None

    @classmethod
    def at(cls, address):
        """The client at ``address`` (a string, or None)."""
        if not address:
            return cls(None, None)
        address = str(ipaddress.ip_address(address))
        return cls(address, client_key(address))

    @classmethod
    def of(cls, request):
        """The client that sent ``request`` (TRUSTED_PROXY_COUNT decides whose
        address that is)."""
        return cls.at(client_address(request))


class ClientMiddleware:
    """Set ``request.client`` (a ``Client``) once, before any view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client = Client.of(request)
        return self.get_response(request)
