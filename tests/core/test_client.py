"""core.client_ip.Client: who sent a request, worked out once at the door
(ClientMiddleware), and counted by core.ratelimit under the key it was given."""

import dataclasses
import ipaddress

import pytest
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from core import ratelimit
from core.client_ip import Client, ClientMiddleware, client_key

addresses = st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6)).map(str)


@pytest.mark.parametrize(
    ("address", "client"),
    [
        ("198.51.100.4", Client("198.51.100.4", "198.51.100.4")),
        # An IPv4 address written as IPv6 is counted as that IPv4 address.
        (
            "::ffff:198.51.100.4",
            Client(str(ipaddress.ip_address("::ffff:198.51.100.4")), "198.51.100.4"),
        ),
        ("2001:0DB8:1:2::1", Client("2001:db8:1:2::1", "2001:db8:1:2::/64")),
        ("", Client(None, None)),
        (None, Client(None, None)),
    ],
)
def test_a_client_is_its_address_and_the_key_it_is_counted_under(address, client):
    assert Client.at(address) == client


def test_a_client_cannot_be_changed_once_worked_out():
    client = Client.at("198.51.100.4")

    with pytest.raises(dataclasses.FrozenInstanceError):
        client.address = "203.0.113.9"


@given(addresses)
def test_the_key_of_a_key_is_itself(address):
    """A Client's key, given again to core.ratelimit as a string, is counted
    under the same key: one client, one counter, however it is named."""
    key = client_key(address)

    assert client_key(key) == key
    assert Client.at(address).key == key
    assert Client.at(address).address == str(ipaddress.ip_address(address))


@given(addresses)
def test_a_client_and_its_address_share_one_counter(address):
    now = 1_800_000_030.0
    scope = f"test-share-{address}"
    ratelimit.count(scope, Client.at(address), now=now)

    assert ratelimit.over_limit(scope, address, 1, now=now)
    assert not ratelimit.over_limit(scope, Client.at(None), 1, now=now)


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        (0, "198.51.100.7", "10.0.0.1", "198.51.100.7"),  # a forged header is ignored
        (1, "127.0.0.1", "6.6.6.6, 10.0.0.1", "10.0.0.1"),
        (2, "127.0.0.1", "10.0.0.1", "127.0.0.1"),  # fewer hops than proxies: the socket
        (1, "127.0.0.1", "2001:db8:1:2::7", "2001:db8:1:2::7"),
        (0, "", "", None),
    ],
)
def test_the_middleware_sets_the_client_before_the_view(rf, proxies, remote, forwarded, expected):
    seen = []
    middleware = ClientMiddleware(lambda request: seen.append(request.client))
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)

    with override_settings(TRUSTED_PROXY_COUNT=proxies):
        middleware(request)

    assert seen == [Client.at(expected)]
