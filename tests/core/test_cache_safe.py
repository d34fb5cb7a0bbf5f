"""A cache that fails is skipped (core.cache_safe): the value is built again,
each failure is one warning naming what was not read or stored."""

import logging

import pytest
from django.core.cache import cache

from core import cache_safe


@pytest.fixture
def broken_cache(monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", broken)
    monkeypatch.setattr(cache, "set", broken)


def warnings_of(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "core.cache_safe"]


def test_a_working_cache_keeps_the_value_and_makes_it_once():
    cache.delete("cache-safe-test")
    made = []

    def make():
        made.append(1)
        return "value"

    first = cache_safe.read_or_make("cache-safe-test", make, 60, "test cache")
    second = cache_safe.read_or_make("cache-safe-test", make, 60, "test cache")

    assert (first, second, len(made)) == ("value", "value", 1)
    cache.delete("cache-safe-test")


def test_a_failing_cache_is_skipped_with_one_warning_each_way(broken_cache, caplog):
    with caplog.at_level(logging.WARNING, logger="core.cache_safe"):
        value = cache_safe.read_or_make("key", lambda: "built", 60, "menu cache")

    assert value == "built"
    assert warnings_of(caplog) == [
        "menu cache unavailable, building it instead",
        "menu cache unavailable, not stored",
    ]


def test_reading_a_failing_cache_is_none_and_storing_is_nothing(broken_cache, caplog):
    with caplog.at_level(logging.WARNING, logger="core.cache_safe"):
        assert cache_safe.read("key", "page cache") is None
        assert cache_safe.store("key", "value", 60, "page cache") is None

    assert warnings_of(caplog) == [
        "page cache unavailable, building it instead",
        "page cache unavailable, not stored",
    ]
