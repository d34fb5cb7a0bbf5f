"""Times as machines read them: every <time> and JSON-LD date is valid
(HTML takes at most three digits of a second; isoformat() writes six)."""

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.template import Context, Template

from core.dates import machine

# HTML's "valid global date and time string" as we write it, and a date.
HTML_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?([+-]\d\d:\d\d|Z)")
HTML_DATE = re.compile(r"\d{4}-\d\d-\d\d")
NOT_ROUND = dt.datetime(2026, 12, 6, 0, 32, 50, 52151, tzinfo=dt.UTC)


def test_a_time_saved_now_is_written_to_the_second_with_its_offset():
    assert machine(NOT_ROUND) == "2026-12-06T00:32:50+00:00"
    assert HTML_DATETIME.fullmatch(machine(NOT_ROUND))


def test_the_site_time_zone_is_kept(settings):
    settings.TIME_ZONE = "America/New_York"

    assert machine(NOT_ROUND) == "2026-12-05T19:32:50-05:00"


def test_a_date_stays_a_date():
    assert machine(dt.date(2026, 3, 1)) == "2026-03-01"
    assert machine(None) == ""


def test_the_time_tag_writes_a_valid_element_and_the_readable_date(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    html = Template('{% load times %}{% time moment %}|{% time day "j F Y" %}|{% time nothing %}')

    rendered = html.render(
        Context(
            {"moment": NOT_ROUND.astimezone(ZoneInfo("Asia/Tokyo")), "day": dt.date(2026, 3, 1)}
        )
    )

    assert rendered == (
        '<time datetime="2026-12-06T01:32:50+01:00">December 6, 2026</time>'
        '|<time datetime="2026-03-01">1 March 2026</time>|'
    )


def test_no_template_writes_a_time_element_by_hand():
    """Every <time> comes from ``{% time %}``: one place writes the attribute."""
    by_hand = [
        str(path.relative_to(settings.BASE_DIR))
        for folder in [
            settings.BASE_DIR / "templates",
            *Path(settings.BASE_DIR).glob("*/templates"),
        ]
        for path in Path(folder).rglob("*.html")
        if "<time" in path.read_text()
    ]
    assert by_hand == []


@pytest.mark.django_db
def test_json_ld_dates_are_valid_too(client):
    from tests.articles.factories import PostFactory

    post = PostFactory(publish_at=NOT_ROUND)
    html = client.get(post.get_absolute_url()).text

    for found in re.findall(r'"date(?:Published|Modified)": "([^"]+)"', html):
        assert HTML_DATETIME.fullmatch(found), found
    assert '"datePublished": "2026-12-06T00:32:50+00:00"' in html
    assert 'content="2026-12-06T00:32:50+00:00"' in html  # article:published_time
