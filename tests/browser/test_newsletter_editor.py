"""An editor and the newsletter, in Chromium, through the real admin.

Erin opens a draft about zinc, previews the email its subscribers will get
(the HTML part, then the plain text), sends a test to herself and reads it
in her mail, then publishes the post: its follower gets it. A reader
subscribes afterwards; Erin presses "Send again…", is asked to confirm, and
confirms: the newcomer alone gets it.
"""

import pytest
from django.core import mail as django_mail
from playwright.sync_api import expect

from articles.models import Post
from newsletter.models import Mailing, Subscriber
from tests.articles.factories import DisclaimerFactory, PostFactory, TopicFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def draft(editor_user, live_server, settings):
    settings.SITE_URL = live_server.url
    topic = TopicFactory(name="Immunity", slug="immunity")
    post = PostFactory(
        draft=True,
        publish_at=None,
        author=editor_user,
        title="Zinc and Colds",
        slug="zinc-and-colds",
        summary="What the trials say about zinc lozenges.",
        body="Zinc lozenges may shorten a cold.[**]",
    )
    post.topics.add(topic)
    post.disclaimers.add(
        DisclaimerFactory(
            marker="**",
            text="These statements have not been evaluated by the Food and Drug Administration.",
        )
    )
    Subscriber.objects.create(email="reader@example.com", status=Subscriber.Status.ACTIVE)
    return post


def mail_to(address):
    return [message for message in django_mail.outbox if message.to == [address]]


def test_editor_previews_tests_publishes_and_sends_again(
    page, admin_login, editor_user, draft, watch, screenshot
):
    admin_login(page, editor_user)
    page.goto(f"/admin/articles/post/{draft.pk}/change/")

    # The email, as subscribers will get it.
    page.get_by_role("link", name="Preview email").click()
    expect(page).to_have_url(f"/admin/newsletter/mailing/post/{draft.pk}/email/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Zinc and Colds")
    expect(page.get_by_text("What the trials say about zinc lozenges.")).to_be_visible()
    expect(page.get_by_text("have not been evaluated by the Food and Drug")).to_be_visible()
    screenshot(page, "newsletter-email-preview", readme=True, full_page=True)
    page.go_back()
    page.get_by_role("link", name="Email as plain text").click()
    expect(page.locator("body")).to_contain_text("** These statements have not been evaluated")
    page.go_back()

    # A test, to her own address only.
    page.get_by_role("button", name="Send a test to me").click()
    expect(page.locator(".messagelist")).to_contain_text(
        "A test of this post's email was sent to browser-editor@example.com"
    )
    [test] = mail_to("browser-editor@example.com")
    assert test.subject == "[Test] Zinc and Colds"
    assert "evaluated by the Food and Drug" in test.alternatives[0][0]
    assert mail_to("reader@example.com") == [] and not Mailing.objects.exists()
    expect(page.locator(".body-preview-status")).to_have_text("Up to date")  # live preview
    screenshot(page, "newsletter-post-tools", readme=True)

    # Published: the follower gets it, once.
    page.get_by_label("Status:").select_option("Published")
    page.get_by_role("button", name="Save and continue editing").first.click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert Post.objects.get(pk=draft.pk).status == Post.Status.PUBLISHED
    assert len(mail_to("reader@example.com")) == 1

    # A newcomer; "Send again…" asks first, and a GET sends nothing.
    Subscriber.objects.create(email="newcomer@example.com", status=Subscriber.Status.ACTIVE)
    page.get_by_role("link", name="Send again…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Send this post again?")
    expect(page.locator("#content-main")).to_contain_text(
        "1 subscriber who follows this post now has not received it"
    )
    assert mail_to("newcomer@example.com") == []
    screenshot(page, "newsletter-send-again", readme=True)
    page.get_by_role("button", name="Yes, send it again").click()
    expect(page.locator(".messagelist")).to_contain_text(
        "Sent again to 1 subscriber who had not received it."
    )
    assert len(mail_to("newcomer@example.com")) == 1
    assert len(mail_to("reader@example.com")) == 1  # not twice
    assert Mailing.objects.filter(post=draft).count() == 1

    watch.assert_clean()
