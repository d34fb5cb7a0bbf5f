"""Dates and times as machines read them: one form for every ``<time>``
element, JSON-LD date and meta tag.

HTML's ``datetime`` attribute takes a fraction of a second of one to three
digits only, and Python's ``isoformat()`` writes six for any time saved
"now" (a comment, a page edited, a post published without a time set).
Readers need no fraction at all, so every machine-readable time is written
to the second, in the site's time zone with its offset:
``2026-12-06T00:32:50+00:00``. A date stays a date: ``2026-12-06``.
"""

import datetime as dt

from django.utils import timezone


def machine(value):
    """``value`` (a datetime or a date) as a valid HTML and ISO 8601 string, or ""."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"not a date or a datetime: {value!r}")
