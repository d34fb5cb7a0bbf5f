"""A post already sent is sent again only when an editor asks and confirms:
to those who follow it now and have not received it (subscribed since, or
whose email failed). Opening the page changes nothing."""

import pytest
from django.contrib.auth.models import Permission
from django.core import mail as django_mail
from django.urls import reverse

from articles import publishing
from articles.models import Post
from newsletter.models import Delivery, Mailing, Subscriber
from tests.articles.factories import PostFactory, UserFactory

pytestmark = pytest.mark.django_db

ACTIVE = Subscriber.Status.ACTIVE


@pytest.fixture
def sent(gut, django_capture_on_commit_callbacks):
    """A post published and sent to its one follower."""
    Subscriber.objects.create(email="first@example.com", status=ACTIVE)
    post = PostFactory(draft=True, publish_at=None, title="Zinc and Colds")
    post.topics.add(gut)
    with django_capture_on_commit_callbacks(execute=True):
        publishing.publish(Post.objects.filter(pk=post.pk))
    assert [m.to for m in django_mail.outbox] == [["first@example.com"]]
    django_mail.outbox.clear()
    return Mailing.objects.get(post=post)


def again_url(mailing):
    return reverse("admin:newsletter_mailing_send_again", args=[mailing.pk])


def test_send_again_asks_first_and_then_sends_to_those_without_it(
    editor_client, sent, sleep, django_capture_on_commit_callbacks
):
    Subscriber.objects.create(email="newcomer@example.com", status=ACTIVE)
    other = Subscriber.objects.create(email="sleep@example.com", status=ACTIVE, all_posts=False)
    other.topics.set([sleep])  # follows another topic: not theirs
    change = reverse("admin:articles_post_change", args=[sent.post_id])
    assert f'href="{again_url(sent)}"' in editor_client.get(change).content.decode()

    page = editor_client.get(again_url(sent))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Zinc and Colds" in html
    assert "1 subscriber who follows this post now has not received it" in html
    assert 'name="csrfmiddlewaretoken"' in html and 'method="post"' in html
    assert django_mail.outbox == [] and Delivery.objects.count() == 1  # GET: nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(again_url(sent), {"confirm": "yes"}, follow=True)
    assert "Sent again to 1 subscriber" in response.content.decode()
    assert [m.to for m in django_mail.outbox] == [["newcomer@example.com"]]
    assert Mailing.objects.filter(post_id=sent.post_id).count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(again_url(sent), {"confirm": "yes"})
    assert len(django_mail.outbox) == 1  # everyone has it now


def test_a_failed_email_is_tried_again(editor_client, sent, django_capture_on_commit_callbacks):
    Delivery.objects.filter(post_id=sent.post_id).update(state=Delivery.State.FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(again_url(sent), {"confirm": "yes"})
    assert [m.to for m in django_mail.outbox] == [["first@example.com"]]
    assert Delivery.objects.get().state == Delivery.State.SENT


def test_a_post_no_longer_published_is_not_sent(
    editor_client, sent, django_capture_on_commit_callbacks
):
    publishing.unpublish(Post.objects.filter(pk=sent.post_id))
    Subscriber.objects.create(email="newcomer@example.com", status=ACTIVE)
    assert "not published" in editor_client.get(again_url(sent)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(again_url(sent), {"confirm": "yes"}, follow=True)
    assert "not published" in response.content.decode()
    assert django_mail.outbox == []


def test_only_those_who_may_change_mailings(
    client, moderator_client, sent, django_capture_on_commit_callbacks
):
    Subscriber.objects.create(email="newcomer@example.com", status=ACTIVE)
    with django_capture_on_commit_callbacks(execute=True):
        assert moderator_client.post(again_url(sent), {"confirm": "yes"}).status_code == 403
    writer = UserFactory(username="cass", is_staff=True)  # may change posts, not mailings
    writer.user_permissions.add(Permission.objects.get(codename="change_post"))
    client.force_login(writer)
    change = reverse("admin:articles_post_change", args=[sent.post_id])
    assert again_url(sent) not in client.get(change).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(again_url(sent), {"confirm": "yes"}).status_code == 403
    assert django_mail.outbox == []


def test_an_unknown_mailing(editor_client):
    url = reverse("admin:newsletter_mailing_send_again", args=[999999])
    assert editor_client.get(url).status_code in (302, 404)


def test_the_mailing_s_page_links_it_too(editor_client, sent):
    page = editor_client.get(reverse("admin:newsletter_mailing_change", args=[sent.pk]))
    assert f'href="{again_url(sent)}"' in page.content.decode()


def test_the_bulk_action_asks_first_too(
    editor_client, sent, gut, django_capture_on_commit_callbacks
):
    """Mailings, selected in their list: *Send again…* shows the same kind of
    confirmation page; only its button sends."""
    changelist = reverse("admin:newsletter_mailing_changelist")
    Subscriber.objects.create(email="newcomer@example.com", status=ACTIVE)
    chosen = {"action": "send_again", "_selected_action": [sent.pk]}
    with django_capture_on_commit_callbacks(execute=True):
        page = editor_client.post(changelist, chosen)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Zinc and Colds" in html and "1 subscriber" in html
    assert 'name="csrfmiddlewaretoken"' in html and 'value="send_again"' in html
    assert django_mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(changelist, {**chosen, "confirm": "yes"}, follow=True)
    assert "Sent again to 1 subscriber who had not received it." in response.content.decode()
    assert [m.to for m in django_mail.outbox] == [["newcomer@example.com"]]
