"""comments.rules: the order in which a reader's form meets the rules, for
the client worked out at the door (core.client_ip.Client)."""

import pytest

from comments import limits, rules
from core.client_ip import Client
from tests.articles.factories import PostFactory

pytestmark = pytest.mark.django_db

READER = Client.at("198.51.100.4")


def test_a_robot_hammering_a_closed_post_meets_the_cap_on_forms_first(settings):
    settings.COMMENTS_RATE_LIMIT_PER_MINUTE = 1
    closed = PostFactory(comments_enabled=False)
    answers = [rules.comment_refusal(closed, READER, valid=False) for _ in range(6)]

    refusal = rules.comment_refusal(closed, READER, valid=False)

    assert {answer.status for answer in answers} == {403}
    assert answers[0].message == rules.CLOSED
    assert (refusal.status, refusal.retry_after) == (429, 60)
    assert refusal.message == rules.TOO_MANY_FORMS


def test_only_a_valid_form_meets_the_limit_on_comments_stored(settings):
    settings.COMMENTS_RATE_LIMIT_PER_MINUTE = 1
    post = PostFactory()
    limits.counted(READER)

    assert rules.comment_refusal(post, READER, valid=False) is None
    refusal = rules.comment_refusal(post, READER, valid=True)
    assert (refusal.status, refusal.message) == (429, rules.TOO_MANY_COMMENTS)
    assert rules.comment_refusal(post, Client.at("198.51.100.5"), valid=True) is None


def test_deletion_requests_are_counted_apart_from_comments(settings):
    settings.COMMENTS_RATE_LIMIT_PER_MINUTE = 1
    limits.counted(READER)

    assert not rules.deletion_refusal(READER, valid=True)
    limits.counted(READER, scope=limits.DELETION)
    assert not rules.deletion_refusal(READER, valid=False)  # a typo is not refused
    assert rules.deletion_refusal(READER, valid=True)
