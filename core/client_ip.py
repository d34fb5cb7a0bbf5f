"""The client's address, taken so that a forged header cannot choose it.

Behind no proxy (TRUSTED_PROXY_COUNT=0, the default) the address is the
socket's peer, REMOTE_ADDR: anything in X-Forwarded-For was written by the
client and is ignored. Behind N trusted proxies, each appends the address it
saw to X-Forwarded-For, so the client is the N-th entry from the right; the
entries to its left were written by the client and are ignored too.

Used by django-axes (AXES_CLIENT_IP_CALLABLE) and available to any other rule
that keys on the client (rate limits).
"""

import ipaddress

from django.conf import settings


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
