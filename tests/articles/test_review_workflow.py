"""Review before publishing (MEDICAL_REVIEW_REQUIRED on): an editor submits,
a reviewer approves or sends back with a note the editor sees, only an
approved post is published (form, bulk action, model), and a change to an
approved post's body or references (typed or imported) sends it back. With
the setting off none of it is in an editor's way."""

import html
import re

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from articles import publishing
from articles.models import Post, Reviewer, ReviewEvent, ReviewState
from tests.admin.forms import submitted
from tests.articles.factories import PostFactory, ReferenceFactory, UserFactory

from .test_bibliography import THREE_BIBTEX

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:articles_post_changelist")


def change_url(post):
    return reverse("admin:articles_post_change", args=[post.pk])


def review_url(post):
    return reverse("admin:articles_post_review", args=[post.pk])


@pytest.fixture(autouse=True)
def _required(settings):
    settings.MEDICAL_REVIEW_REQUIRED = True


@pytest.fixture
def jane(db):
    user = UserFactory(username="jane", first_name="Jane", last_name="Doe", is_staff=True)
    user.groups.add(Group.objects.get(name="Reviewers"))
    return Reviewer.objects.create(
        name="Jane Doe", credentials="RD", slug="jane-doe", bio="A dietitian.", user=user
    )


@pytest.fixture
def draft(jane, editor):
    return PostFactory(draft=True, reviewer=jane, author=editor, body="Glutamine helps.[1]")


def as_user(client, user):
    client.logout()
    client.force_login(user)
    return client


def save_form(client, post, **changes):
    data = submitted(client.get(change_url(post)).text, "post_form")
    for name, value in changes.items():
        data[name] = [value]
    data["_save"] = ["Save"]
    return client.post(change_url(post), data)


def test_submit_approve_publish(client, editor, jane, draft):
    ReferenceFactory(post=draft)
    as_user(client, editor)
    page = client.get(change_url(draft)).text
    assert 'value="submit"' in page and "Submit for review" in page

    client.post(review_url(draft), {"action": "submit"})
    draft.refresh_from_db()
    assert draft.review_state == ReviewState.SUBMITTED

    # The reviewer's front page: the post waits for them.
    as_user(client, jane.user)
    index = client.get(reverse("admin:index")).text
    assert "1 post submitted to you for review" in index
    client.post(review_url(draft), {"action": "mark"})
    draft.refresh_from_db()
    assert draft.review_state == ReviewState.APPROVED
    assert draft.reviewed_at == timezone.localdate()

    as_user(client, editor)
    response = save_form(client, draft, status="published")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "published"
    steps = list(
        ReviewEvent.objects.filter(post=draft).order_by("at").values_list("action", "by__username")
    )
    assert steps == [("submitted", "erin"), ("reviewed", "jane")]
    assert LogEntry.objects.filter(object_id=str(draft.pk), user=jane.user).exists()


def test_publishing_in_the_form_before_approval_is_refused_with_a_clear_message(
    editor_client, draft
):
    ReferenceFactory(post=draft)
    response = save_form(editor_client, draft, status="published")

    assert response.status_code == 200
    assert "needs an approved medical review before it can be published" in response.text
    draft.refresh_from_db()
    assert draft.status == "draft"
    # Saving as a draft is never in the way.
    assert save_form(editor_client, draft, title="A new title").status_code == 302


def test_the_bulk_publish_action_skips_posts_not_approved_and_says_so(editor_client, jane):
    waiting = PostFactory(draft=True, reviewer=jane)
    approved = PostFactory(draft=True, reviewer=jane, review_state=ReviewState.APPROVED)

    response = editor_client.post(
        CHANGELIST,
        {"action": "publish", "_selected_action": [waiting.pk, approved.pk]},
        follow=True,
    )

    waiting.refresh_from_db()
    approved.refresh_from_db()
    assert waiting.status == "draft" and approved.status == "published"
    assert "1 post was not published: it needs an approved medical review" in response.text
    assert "1 post published" in response.text


def test_publishing_many_posts_publishes_only_approved_drafts(jane):
    waiting = PostFactory(draft=True)
    approved = PostFactory(draft=True, review_state=ReviewState.APPROVED)

    outcome = publishing.publish(Post.objects.filter(pk__in=[waiting.pk, approved.pk]))
    assert outcome.changed == [approved]
    assert [refusal.code for refusal in outcome.refused] == ["review"]
    assert list(Post.objects.awaiting_approval()) == [waiting]


def test_sent_back_with_a_note_the_editor_sees(client, editor, jane, draft):
    draft.submit_for_review(editor)
    as_user(client, jane.user)
    page = client.get(review_url(draft)).text
    assert 'value="send_back"' in page

    empty = client.post(review_url(draft), {"action": "send_back", "note": "  "})
    assert "Write a note for the editor" in empty.text
    client.post(
        review_url(draft),
        {"action": "send_back", "note": "The dose needs a source <b>please</b>."},
    )

    draft.refresh_from_db()
    assert draft.review_state == ReviewState.RETURNED
    as_user(client, editor)
    html = client.get(change_url(draft)).text
    assert "Sent back by Jane Doe" in html
    assert "The dose needs a source &lt;b&gt;please&lt;/b&gt;." in html
    assert "1 post sent back by a reviewer" in client.get(reverse("admin:index")).text
    event = ReviewEvent.objects.get(post=draft, action="returned")
    assert event.by == jane.user and event.note.startswith("The dose")


def review_buttons(page):
    """The review page's step buttons, in order: [(action, is the main button)]."""
    form = page[page.index('<div class="submit-row">') :]
    return [
        (action, "default" in classes.split())
        for action, classes in re.findall(
            r'<button type="submit" name="action" value="([^"]*)" class="([^"]*)"', form
        )
    ]


def test_send_back_opens_a_page_whose_main_button_sends_back(client, editor, jane, draft):
    draft.submit_for_review(editor)
    as_user(client, jane.user)
    change_form = client.get(change_url(draft)).text
    link = re.search(r'<a href="([^"]+)" class="review-link">Send back with a note', change_form)

    page = client.get(html.unescape(link.group(1))).text

    # Send back first and dark; Approve there too, but plain.
    assert review_buttons(page) == [("send_back", True), ("mark", False)]
    assert re.search(r"<textarea[^>]*autofocus", page)
    # A note forgotten: the page comes back the same way, with the message.
    empty = client.post(review_url(draft), {"action": "send_back", "note": ""}).text
    assert "Write a note for the editor" in empty
    assert review_buttons(empty)[0] == ("send_back", True)
    # Opened otherwise (from a link without the step), the first step leads.
    assert review_buttons(client.get(review_url(draft)).text)[0] == ("mark", True)


def test_a_body_change_sends_an_approved_post_back_for_review(editor_client, editor, jane):
    post = PostFactory(reviewer=jane)
    post.mark_reviewed(jane.user)
    reviewed_on = post.reviewed_at

    save_form(editor_client, post, body="A rewritten body.")

    post.refresh_from_db()
    assert post.review_state == ReviewState.SUBMITTED
    assert post.reviewed_at == reviewed_on  # the date of the last review stays
    event = ReviewEvent.objects.get(post=post, action="reopened")
    assert event.by == editor and "body" in event.note
    # A save that leaves the body alone does not.
    post.mark_reviewed(jane.user)
    save_form(editor_client, post, title="Only the title")
    post.refresh_from_db()
    assert post.review_state == ReviewState.APPROVED


def test_a_reference_change_in_the_form_sends_it_back(editor_client, jane):
    post = PostFactory(reviewer=jane)
    ReferenceFactory(post=post, title="Old title")
    post.mark_reviewed(jane.user)

    save_form(editor_client, post, **{"references-0-title": "A corrected title"})

    post.refresh_from_db()
    assert post.review_state == ReviewState.SUBMITTED
    assert "references" in ReviewEvent.objects.get(post=post, action="reopened").note


def test_importing_references_sends_it_back(editor_client, editor, jane):
    post = PostFactory(reviewer=jane, body="Glutamine.")
    post.mark_reviewed(jane.user)
    url = reverse("admin:articles_post_import_references", args=[post.pk])
    preview = editor_client.post(url, {"text": THREE_BIBTEX, "preview": "Preview"})
    seen_at = preview.context["form"]["seen_at"].value()

    editor_client.post(url, {"text": THREE_BIBTEX, "seen_at": seen_at, "import": "Import"})

    post.refresh_from_db()
    assert post.references.count() == 3
    assert post.review_state == ReviewState.SUBMITTED
    assert ReviewEvent.objects.get(post=post, action="reopened").by == editor


def test_publishing_with_an_unreviewed_body_change_is_refused(editor_client, jane):
    draft = PostFactory(draft=True, reviewer=jane, body="Approved text.")
    draft.mark_reviewed(jane.user)

    response = save_form(editor_client, draft, status="published", body="Changed text.")

    assert "The body changed since the medical review was approved" in response.text
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.body == "Approved text."


def test_an_editor_cannot_approve_and_a_reviewer_cannot_submit(client, editor, jane, draft):
    as_user(client, editor)
    draft.submit_for_review(editor)
    assert client.post(review_url(draft), {"action": "mark"}).status_code == 403
    assert client.post(review_url(draft), {"action": "send_back", "note": "x"}).status_code == 403
    draft.refresh_from_db()
    assert draft.review_state == ReviewState.SUBMITTED

    as_user(client, jane.user)
    draft.send_back(jane.user, "Fix it.")
    assert client.post(review_url(draft), {"action": "submit"}).status_code == 403


def test_with_the_setting_off_nothing_is_in_the_editors_way(settings, editor_client, jane):
    settings.MEDICAL_REVIEW_REQUIRED = False
    draft = PostFactory(draft=True, reviewer=jane)

    page = editor_client.get(change_url(draft)).text
    assert "Submit for review" not in page
    assert "submit_for_review" not in editor_client.get(CHANGELIST).text
    assert save_form(editor_client, draft, status="published").status_code == 302
    draft.refresh_from_db()
    assert draft.status == "published"
    assert "awaiting medical review" not in editor_client.get(reverse("admin:index")).text


def test_a_browser_sending_the_same_body_with_crlf_line_ends_changes_nothing(editor_client, jane):
    post = PostFactory(reviewer=jane, body="Line one.\n\nLine two.\n")
    post.mark_reviewed(jane.user)

    save_form(editor_client, post, body="Line one.\r\n\r\nLine two.\r\n")

    post.refresh_from_db()
    assert post.review_state == ReviewState.APPROVED
    assert not ReviewEvent.objects.filter(post=post, action="reopened").exists()
