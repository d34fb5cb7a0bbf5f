"""core.ratelimit: what one client is, and counting only what happened."""

import pytest

from core import ratelimit


@pytest.mark.parametrize(
    ("address", "client"),
    [
        ("198.51.100.4", "198.51.100.4"),
        ("::ffff:198.51.100.4", "198.51.100.4"),
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
        ("2001:0db8:0001:0002:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("::1", "::/64"),
        ("not an address", "not an address"),
    ],
)
def test_a_client_is_an_ipv4_address_or_an_ipv6_64(address, client):
    assert ratelimit.client_key(address) == client


def test_over_limit_asks_without_counting_and_count_counts():
    now = 1_800_000_030.0
    for _ in range(5):
        assert not ratelimit.over_limit("test", "198.51.100.4", 2, now=now)

    ratelimit.count("test", "198.51.100.4", now=now)
    assert not ratelimit.over_limit("test", "198.51.100.4", 2, now=now)
    ratelimit.count("test", "198.51.100.4", now=now)

    assert ratelimit.over_limit("test", "198.51.100.4", 2, now=now)
    assert not ratelimit.over_limit("test", "198.51.100.5", 2, now=now)


def test_searches_from_one_ipv6_64_share_their_limit(client, settings, db):
    settings.SEARCH_RATE_LIMIT_PER_MINUTE = 1
    first = client.get("/blog/search/", {"q": "gut"}, REMOTE_ADDR="2001:db8:1:2::1")
    second = client.get("/blog/search/", {"q": "gut"}, REMOTE_ADDR="2001:db8:1:2::2")

    assert (first.status_code, second.status_code) == (200, 429)
