"""``{% load times %}``: every ``<time>`` element of the site, and the
machine-readable form of a time for attributes (core.dates.machine).

``{% time post.publish_at %}`` gives
``<time datetime="2026-12-06T00:32:50+00:00">December 6, 2026</time>``:
a valid ``datetime`` attribute (never a six-digit fraction of a second) and
the value as readers read it, in any ``date`` filter format
(``{% time post.reviewed_at "j F Y" %}``). Nothing for an empty value.

``{{ value|machine_time }}`` is the same ``datetime`` text, for a meta tag.
"""

import datetime as dt

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from django.utils.html import format_html

from core.dates import machine

register = template.Library()

READABLE = "F j, Y"


@register.simple_tag(name="time")
def time_element(value, readable=READABLE):
    if value is None or value == "":
        return ""
    shown = value
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        shown = timezone.localtime(value)  # as the ``date`` filter shows it in a template
    return format_html(
        '<time datetime="{}">{}</time>', machine(value), date_filter(shown, readable)
    )


@register.filter
def machine_time(value):
    return machine(value)
