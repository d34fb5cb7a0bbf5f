"""Subscriptions never confirmed are deleted after NEWSLETTER_PENDING_DAYS by
the retention command the comments already run from cron."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from newsletter.models import Subscriber

pytestmark = pytest.mark.django_db


def aged(email, days, status=Subscriber.Status.PENDING):
    return Subscriber.objects.create(
        email=email, status=status, created_at=timezone.now() - dt.timedelta(days=days)
    )


def test_unconfirmed_subscriptions_go_after_the_setting(settings):
    settings.NEWSLETTER_PENDING_DAYS = 7
    aged("old@example.com", 8)
    aged("recent@example.com", 6)
    aged("confirmed@example.com", 400, status=Subscriber.Status.ACTIVE)
    aged("left@example.com", 400, status=Subscriber.Status.UNSUBSCRIBED)
    out = io.StringIO()
    call_command("clear_network_data", stdout=out)
    assert "Deleted 1 unconfirmed subscriptions." in out.getvalue()
    assert sorted(Subscriber.objects.values_list("email", flat=True)) == [
        "confirmed@example.com",
        "left@example.com",
        "recent@example.com",
    ]
    out = io.StringIO()
    call_command("clear_network_data", stdout=out)
    assert "Deleted 0 unconfirmed subscriptions." in out.getvalue()


def test_the_demo_privacy_policy_says_how_long(settings):
    from pages.demo import pages

    settings.NEWSLETTER_PENDING_DAYS = 5
    [policy] = [page for page in pages() if page["is_privacy_policy"]]
    assert "deleted after 5 days" in policy["body"]
    assert "Following the blog by email" in policy["body"]
