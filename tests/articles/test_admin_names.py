"""Every input of the post form has a name a screen reader says, where
Django 5.2's own admin markup gives none (the accessibility audit found them:
tests/browser/test_accessibility.py): the publish time's date and time boxes,
and each field of a row of the disclaimers table."""

import re

import pytest
from django.urls import reverse

from tests.articles.factories import PostDisclaimerFactory, PostFactory

pytestmark = pytest.mark.django_db


def _aria_label(html, element_id):
    tag = re.search(rf'<(?:input|select|textarea)\b[^>]*\bid="{element_id}"[^>]*>', html)
    assert tag, f"no field #{element_id}"
    found = re.search(r'aria-label="([^"]*)"', tag[0])
    return found[1] if found else None


def test_the_publish_time_boxes_are_named(editor_client):
    html = editor_client.get(reverse("admin:articles_post_add")).text

    assert _aria_label(html, "id_publish_at_0") == "Publish time: date"
    assert _aria_label(html, "id_publish_at_1") == "Publish time: time"


def test_each_field_of_a_disclaimer_row_is_named_by_its_column_and_row(editor_client):
    post = PostFactory()
    PostDisclaimerFactory(post=post, order=1)
    PostDisclaimerFactory(post=post, order=2)

    html = editor_client.get(reverse("admin:articles_post_change", args=[post.pk])).text

    assert _aria_label(html, "id_post_disclaimers-0-order") == "Order (disclaimer 1)"
    assert _aria_label(html, "id_post_disclaimers-1-order") == "Order (disclaimer 2)"
    assert _aria_label(html, "id_post_disclaimers-1-DELETE") == "Delete (disclaimer 2)"
    assert _aria_label(html, "id_post_disclaimers-1-disclaimer") == "Disclaimer (disclaimer 2)"
    # The row "Add another disclaimer" copies.
    assert _aria_label(html, "id_post_disclaimers-__prefix__-order") == "Order (new disclaimer)"
    # Hidden fields need no name.
    assert _aria_label(html, "id_post_disclaimers-0-id") is None
