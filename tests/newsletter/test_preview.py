"""Before publishing, an editor previews a post's email from its change page
(the HTML part and the plain-text part, as subscribers get them) and sends a
test of it to their own address. Only staff who may change the post."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail as django_mail
from django.urls import reverse

from newsletter.models import Mailing
from tests.articles.factories import (
    DisclaimerFactory,
    PostFactory,
    ReferenceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(gut, settings):
    settings.SITE_URL = "https://blog.example.com"
    disclaimer = DisclaimerFactory(marker="**", text="Not evaluated by the FDA.")
    post = PostFactory(
        draft=True,
        publish_at=None,
        title="Zinc <script>alert(1)</script> and Colds",
        summary="What the trials say.",
        body="Zinc may shorten a cold.[**]\n\n![A lozenge](/media/lozenge.png)",
    )
    post.topics.add(gut)
    post.disclaimers.add(disclaimer)
    ReferenceFactory(post=post, title="Zinc lozenges: a meta-analysis")
    return post


def urls(post):
    return {
        "change": reverse("admin:articles_post_change", args=[post.pk]),
        "html": reverse("admin:newsletter_mailing_preview", args=[post.pk]),
        "text": reverse("admin:newsletter_mailing_preview_text", args=[post.pk]),
        "test": reverse("admin:newsletter_mailing_send_test", args=[post.pk]),
    }


def test_the_change_page_links_the_preview_and_the_test(editor_client, draft):
    page = editor_client.get(urls(draft)["change"]).content.decode()
    assert f'href="{urls(draft)["html"]}"' in page and "Preview email" in page
    assert f'href="{urls(draft)["text"]}"' in page
    assert f'action="{urls(draft)["test"]}"' in page and "Send a test to me" in page


def test_the_preview_is_the_email_subscribers_get(editor_client, draft, settings):
    response = editor_client.get(urls(draft)["html"])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html  # escaped, as on the post page
    assert "Zinc &lt;script&gt;alert(1)&lt;/script&gt; and Colds" in html
    assert "What the trials say." in html
    assert "Zinc lozenges: a meta-analysis" in html
    assert "Not evaluated by the FDA." in html  # a claim never travels without it
    assert "https://blog.example.com/newsletter/unsubscribe/" in html

    settings.NEWSLETTER_FULL_TEXT = True
    html = editor_client.get(urls(draft)["html"]).content.decode()
    assert "Zinc may shorten a cold." in html
    assert 'src="https://blog.example.com/media/lozenge.png"' in html


def test_the_full_text_is_sanitised_as_on_the_post_page(editor_client, draft, settings):
    settings.NEWSLETTER_FULL_TEXT = True
    draft.body = (
        'Zinc.[**] <img src="/x.png" onerror="alert(1)"> <a href="javascript:alert(1)">x</a>'
    )
    draft.save()
    html = editor_client.get(urls(draft)["html"]).content.decode()
    assert "Zinc." in html
    assert "onerror" not in html and "javascript:" not in html


def test_the_plain_text_part(editor_client, draft):
    response = editor_client.get(urls(draft)["text"])
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert text.startswith("Zinc <script>alert(1)</script> and Colds")  # plain text: as typed
    assert "** Not evaluated by the FDA." in text
    assert "Zinc lozenges: a meta-analysis" in text


def test_a_test_goes_to_the_editor_alone(
    editor_client, editor, draft, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(urls(draft)["test"], follow=True)
    assert response.redirect_chain[-1][0] == urls(draft)["change"]
    assert f"A test of this post&#x27;s email was sent to {editor.email}" in (
        response.content.decode()
    )
    [message] = django_mail.outbox
    assert message.to == [editor.email]
    assert message.subject == "[Test] Zinc <script>alert(1)</script> and Colds"
    html = message.alternatives[0][0]
    assert "Not evaluated by the FDA." in html and "Not evaluated by the FDA." in message.body
    assert not Mailing.objects.exists()  # a test is no sending


def test_opening_the_test_address_sends_nothing(editor_client, draft):
    assert editor_client.get(urls(draft)["test"]).status_code == 405
    assert django_mail.outbox == []


def test_no_address_no_test(editor_client, editor, draft, django_capture_on_commit_callbacks):
    editor.email = ""
    editor.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(urls(draft)["test"], follow=True)
    assert "Your account has no email address" in response.content.decode()
    assert django_mail.outbox == []


def test_only_staff_who_may_change_the_post(client, moderator_client, draft):
    for name in ("html", "text"):
        assert moderator_client.get(urls(draft)[name]).status_code == 403
        assert moderator_client.post(urls(draft)[name]).status_code == 405
    assert moderator_client.post(urls(draft)["test"]).status_code == 403
    page = moderator_client.get(urls(draft)["change"]).content.decode()
    assert "Preview email" not in page and "Send a test" not in page
    client.logout()
    assert client.get(urls(draft)["html"]).status_code == 302  # to the login page
    assert django_mail.outbox == []


def test_a_post_that_is_not_there(editor_client):
    for name in ("preview", "preview_text"):
        url = reverse(f"admin:newsletter_mailing_{name}", args=[999999])
        assert editor_client.get(url).status_code == 404


def test_a_staff_member_with_only_the_post_permission(client, draft):
    """The preview and the test belong to whoever may change the post."""
    user = UserFactory(username="cass", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_post"))
    assert not Group.objects.filter(user=user).exists()
    client.force_login(user)
    assert client.get(urls(draft)["html"]).status_code == 200
