"""A comment request passes the door, the form, the rules and the model once
each: who the client is (its address and rate-limit key, core.client_ip) is
worked out once, at the door, and handed on; nothing reads the request for
an address again (issue 17: the request used to double back for it)."""

from collections import Counter

import pytest
from django.test import Client as Browser
from django.urls import reverse

from comments import rules
from comments.forms import CommentForm
from comments.models import Comment, CommentManager
from core import client_ip

from .factories import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def calls(monkeypatch):
    """How often each step ran, counted through the real functions."""
    counted = Counter()

    def counting(name, function):
        def wrapped(*args, **kwargs):
            counted[name] += 1
            return function(*args, **kwargs)

        return wrapped

    for target, name, function in [
        ("core.client_ip.client_ip", "address", client_ip.client_ip),
        ("core.client_ip.client_key", "key", client_ip.client_key),
        ("core.ratelimit.client_key", "key", client_ip.client_key),
        ("comments.rules.comment_refusal", "rules", rules.comment_refusal),
        ("comments.rules.deletion_refusal", "rules", rules.deletion_refusal),
    ]:
        monkeypatch.setattr(target, counting(name, function))
    monkeypatch.setattr(CommentManager, "receive", counting("model", CommentManager.receive))
    monkeypatch.setattr(CommentForm, "full_clean", counting("form", CommentForm.full_clean))
    return counted


def test_a_stored_comment_passes_each_step_once(post, comment_url, calls, settings):
    settings.COMMENTS_RATE_LIMIT_PER_MINUTE = 1
    reader = Browser(REMOTE_ADDR="2001:db8:1:2::7")

    response = reader.post(comment_url, form_data(post))

    assert response.status_code == 302
    assert calls == {"address": 1, "key": 1, "form": 1, "rules": 1, "model": 1}
    assert str(Comment.objects.get().ip_address) == "2001:db8:1:2::7"
    # The stored comment was counted under the key worked out at the door:
    # another address of the same /64 is over the limit.
    neighbour = Browser(REMOTE_ADDR="2001:db8:1:2::8")
    assert neighbour.post(comment_url, form_data(post, text="Again.")).status_code == 429


def test_a_form_with_mistakes_works_out_the_client_once(post, comment_url, calls):
    response = Browser(REMOTE_ADDR="198.51.100.4").post(comment_url, form_data(post, text=""))

    assert response.status_code == 200
    assert calls == {"address": 1, "key": 1, "form": 1, "rules": 1}


def test_a_refused_comment_works_out_the_client_once(post, comment_url, calls, settings):
    settings.COMMENTS_RATE_LIMIT_PER_MINUTE = 1
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = Browser(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.4")
    proxy.post(comment_url, form_data(post, text="First."))
    calls.clear()

    refused = proxy.post(comment_url, form_data(post, text="Second."))

    assert refused.status_code == 429
    assert calls == {"address": 1, "key": 1, "form": 1, "rules": 1}


def test_a_deletion_request_works_out_the_client_once(calls):
    response = Browser(REMOTE_ADDR="198.51.100.4").post(
        reverse("comments:delete"), {"email": "reader@example.com"}
    )

    assert response.status_code == 302
    assert calls == {"address": 1, "key": 1, "rules": 1}
