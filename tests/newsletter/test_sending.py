"""A post published is sent to its subscribers: each follower once, never
twice, with its disclaimer, its references and the unsubscribe headers."""

from io import StringIO
from urllib.parse import quote

import pytest
from django.core import mail as django_mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from articles import publishing
from articles.models import Post
from newsletter import links, sending
from newsletter.models import Delivery, Mailing, Subscriber
from tests.admin.forms import submitted
from tests.articles.factories import DisclaimerFactory, PostFactory, ReferenceFactory

pytestmark = pytest.mark.django_db

ACTIVE = Subscriber.Status.ACTIVE


def subscriber(email, status=ACTIVE, topics=None):
    s = Subscriber.objects.create(email=email, status=status, all_posts=topics is None)
    if topics:
        s.topics.set(topics)
    return s


@pytest.fixture
def readers(gut, sleep):
    return {
        "all": subscriber("all@example.com"),
        "gut": subscriber("gut@example.com", topics=[gut]),
        "sleep": subscriber("sleep@example.com", topics=[sleep]),
        "pending": subscriber("pending@example.com", status=Subscriber.Status.PENDING),
        "paused": subscriber("paused@example.com", status=Subscriber.Status.PAUSED),
        "left": subscriber("left@example.com", status=Subscriber.Status.UNSUBSCRIBED),
    }


@pytest.fixture
def draft(gut):
    post = PostFactory(draft=True, title="Glutamine and Gut Health", publish_at=None)
    post.topics.add(gut)
    return post


def publish(post, capture):
    with capture(execute=True):
        return publishing.publish(Post.objects.filter(pk=post.pk))


def recipients():
    return sorted(address for m in django_mail.outbox for address in m.to)


def test_a_published_post_goes_to_its_followers_only(
    readers, draft, django_capture_on_commit_callbacks
):
    publish(draft, django_capture_on_commit_callbacks)
    assert recipients() == ["all@example.com", "gut@example.com"]
    assert set(Delivery.objects.values_list("state", flat=True)) == {Delivery.State.SENT}
    assert Delivery.objects.count() == 2


def test_a_post_published_again_is_not_sent_again(
    readers, draft, django_capture_on_commit_callbacks
):
    publish(draft, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        publishing.unpublish(Post.objects.filter(pk=draft.pk))
    subscriber("new@example.com")
    publish(draft, django_capture_on_commit_callbacks)
    assert len(django_mail.outbox) == 2
    assert Mailing.objects.count() == 1


def test_a_scheduled_post_waits_for_its_time(
    readers, gut, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    later = timezone.now() + timezone.timedelta(days=2)
    post = PostFactory(draft=True, publish_at=later)
    post.topics.add(gut)
    publish(post, django_capture_on_commit_callbacks)
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "newsletter.sending.start_mailing"
    # The worker runs it: not due yet, so it waits for the publish time.
    assert sending.start_mailing.call(post.pk) == "comes due later"
    assert DBTaskResult.objects.filter(run_after=later).exists()
    assert django_mail.outbox == []


def test_the_email(readers, gut, django_capture_on_commit_callbacks, settings):
    settings.SITE_URL = "https://blog.example.com"
    disclaimer = DisclaimerFactory(marker="**", text="Not evaluated by the FDA.")
    post = PostFactory(draft=True, title="Magnesium", summary="What studies say.",
                       body="It may help sleep.[**]", publish_at=None)  # fmt: skip
    post.topics.add(gut)
    post.disclaimers.add(disclaimer)
    ReferenceFactory(post=post, title="Magnesium and sleep: a trial")
    publish(post, django_capture_on_commit_callbacks)
    message = next(m for m in django_mail.outbox if m.to == ["gut@example.com"])
    html = message.alternatives[0][0]
    assert message.alternatives[0][1] == "text/html"
    for part in (message.body, html):
        assert "Magnesium" in part and "What studies say." in part
        assert "Not evaluated by the FDA." in part  # the claim's disclaimer travels with it
        assert "Magnesium and sleep: a trial" in part
        assert "https://blog.example.com/newsletter/preferences/" in part
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<https://blog.example.com/newsletter/unsubscribe/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Id"].endswith("<posts.blog.example.com>")


def unsubscribe_targets(message):
    return [t.strip() for t in message.extra_headers["List-Unsubscribe"].split(",")]


def test_no_mailto_unsubscribe_without_a_mailbox_to_read_it(
    readers, draft, settings, django_capture_on_commit_callbacks
):
    """A mailto: nobody reads would lose the reader's request: without
    NEWSLETTER_UNSUBSCRIBE_EMAIL the header has the https one-click address alone."""
    settings.NEWSLETTER_UNSUBSCRIBE_EMAIL = ""
    publish(draft, django_capture_on_commit_callbacks)

    for message in django_mail.outbox:
        [target] = unsubscribe_targets(message)
        assert target.startswith("<http") and "/newsletter/unsubscribe/" in target


def test_the_mailto_unsubscribe_when_set(
    readers, draft, settings, django_capture_on_commit_callbacks
):
    """Both, https first (RFC 8058's one-click POST goes there), then the
    mailbox, with the subscriber's own signed token in the subject."""
    settings.NEWSLETTER_UNSUBSCRIBE_EMAIL = "leave@example.com"
    publish(draft, django_capture_on_commit_callbacks)

    message = next(m for m in django_mail.outbox if m.to == ["all@example.com"])
    https, mailto = unsubscribe_targets(message)
    token = https.rstrip("/>").rsplit("/", 1)[1]
    assert https.startswith("<http") and links.read_subscriber(token) == readers["all"].pk
    assert mailto == f"<mailto:leave@example.com?subject=unsubscribe%20{quote(token, safe=':')}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_full_text_has_absolute_image_addresses(
    readers, gut, settings, django_capture_on_commit_callbacks
):
    settings.NEWSLETTER_FULL_TEXT = True
    settings.SITE_URL = "https://blog.example.com"
    post = PostFactory(draft=True, body="![A pill](/media/pill.png)\\n\\nThe whole text.",
                       publish_at=None)  # fmt: skip
    post.topics.add(gut)
    publish(post, django_capture_on_commit_callbacks)
    html = django_mail.outbox[0].alternatives[0][0]
    assert "The whole text." in html
    assert 'src="https://blog.example.com/media/pill.png"' in html


def test_batches_go_one_after_another(
    readers, draft, settings, django_capture_on_commit_callbacks
):
    settings.NEWSLETTER_BATCH_SIZE = 1
    for n in range(3):
        subscriber(f"more{n}@example.com")
    publish(draft, django_capture_on_commit_callbacks)
    assert len(django_mail.outbox) == 5
    assert not Delivery.objects.exclude(state=Delivery.State.SENT).exists()


def test_a_subscriber_paused_after_queueing_is_not_sent(readers, draft):
    Post.objects.filter(pk=draft.pk).update(
        status=Post.Status.PUBLISHED, publish_at=timezone.now()
    )
    mailing, _ = Mailing.objects.start(draft)
    mailing.queue()
    readers["gut"].set_preferences(None, paused=True)
    sending.send_next(draft.pk)
    assert recipients() == ["all@example.com"]
    assert Delivery.objects.get(subscriber=readers["gut"]).state == Delivery.State.FAILED


def test_a_killed_worker_s_batch_is_taken_again_later(readers, draft, settings):
    Post.objects.filter(pk=draft.pk).update(
        status=Post.Status.PUBLISHED, publish_at=timezone.now()
    )
    mailing, _ = Mailing.objects.start(draft)
    mailing.queue()
    now = timezone.now()
    taken = sending.claim(draft.pk, now)  # and the worker dies here
    assert len(taken) == 2
    assert sending.claim(draft.pk, now) == []  # held: nobody else sends them
    later = now + timezone.timedelta(minutes=settings.NEWSLETTER_CLAIM_MINUTES + 1)
    assert len(sending.claim(draft.pk, later)) == 2


def test_an_editor_can_publish_without_sending(readers, gut, django_capture_on_commit_callbacks):
    post = PostFactory(draft=True, publish_at=None, email_on_publish=False)
    post.topics.add(gut)
    publish(post, django_capture_on_commit_callbacks)
    assert django_mail.outbox == [] and not Mailing.objects.exists()


def test_the_box_follows_the_setting(settings):
    settings.NEWSLETTER_SEND_ON_PUBLISH = False
    assert PostFactory().email_on_publish is False
    settings.NEWSLETTER_SEND_ON_PUBLISH = True
    assert PostFactory().email_on_publish is True


def post_form(client, topic):
    """A draft's change form as the editor's browser would send it back."""
    post = PostFactory(draft=True, publish_at=None, title="Zinc")
    post.topics.add(topic)
    url = reverse("admin:articles_post_change", args=[post.pk])
    return url, submitted(client.get(url).text, "post_form")


def test_publishing_through_the_post_form_sends(
    readers, gut, editor_client, django_capture_on_commit_callbacks
):
    url, data = post_form(editor_client, gut)
    data["status"] = "published"
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    assert recipients() == ["all@example.com", "gut@example.com"]
    # Saved again, published: nothing more is sent.
    data = submitted(editor_client.get(url).text, "post_form")
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(url, data)
    assert len(django_mail.outbox) == 2


def test_the_post_form_box_unticked_sends_nothing(
    readers, gut, editor_client, django_capture_on_commit_callbacks
):
    url, data = post_form(editor_client, gut)
    assert data.get("email_on_publish") == ["on"]
    data["status"] = "published"
    del data["email_on_publish"]
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(url, data)
    assert Post.objects.get(title="Zinc").status == Post.Status.PUBLISHED
    assert django_mail.outbox == []


@pytest.mark.parametrize(
    "command, options",
    [("load_demo", {}), ("generate_data", {"posts": 3, "comments": 0})],
)
def test_demo_and_generated_posts_are_mailed_to_no_one(
    readers, command, options, django_capture_on_commit_callbacks
):
    """The demo's posts and generate_data's made-up ones are published through
    the one publishing path, but they are not news: no subscriber gets them."""
    with django_capture_on_commit_callbacks(execute=True):
        call_command(command, stdout=StringIO(), **options)
    assert Post.objects.published().exists()
    assert recipients() == []
    assert not Mailing.objects.exists()


def test_a_killed_worker_started_again_resumes_its_batch_at_once(readers, draft, settings):
    """The task a killed worker was running is queued again, with the same
    id, when that worker starts again (core task_worker): its run takes back
    the rows it had claimed at once, without waiting NEWSLETTER_CLAIM_MINUTES;
    another task still cannot take them."""
    Post.objects.filter(pk=draft.pk).update(
        status=Post.Status.PUBLISHED, publish_at=timezone.now()
    )
    mailing, _ = Mailing.objects.start(draft)
    mailing.queue()
    now = timezone.now()
    taken = sending.claim(draft.pk, now, by="task-1")  # and the worker dies here
    assert len(taken) == 2

    assert sending.claim(draft.pk, now, by="task-2") == []  # another task: held
    again = sending.claim(draft.pk, now + timezone.timedelta(seconds=5), by="task-1")
    assert {row.pk for row in again} == {row.pk for row in taken}


def test_the_worker_s_task_claims_under_its_own_id(
    readers, draft, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """send_batch, run by a worker, claims its rows under its task's id (the
    immediate backend gives each run an id too), and a sent row keeps no claim."""
    settings.NEWSLETTER_BATCH_SIZE = 1
    seen = []
    original = sending.claim

    def spy(post_pk, now, by=""):
        seen.append(by)
        return original(post_pk, now, by=by)

    monkeypatch.setattr(sending, "claim", spy)
    publish(draft, django_capture_on_commit_callbacks)
    assert len(seen) >= 2 and all(seen) and len(set(seen)) == len(seen)
    assert not Delivery.objects.exclude(claimed_by="").exists()


def test_each_email_carries_its_own_subscriber_s_links(
    readers, draft, settings, django_capture_on_commit_callbacks
):
    """The email is rendered once per batch; each copy still has its own
    subscriber's signed links, in both parts and the header, and no other's."""
    settings.SITE_URL = "https://blog.example.com"
    publish(draft, django_capture_on_commit_callbacks)

    assert len(django_mail.outbox) == 2
    for message in django_mail.outbox:
        subscriber = Subscriber.objects.get(email=message.to[0])
        token = links.subscriber_token(subscriber)
        html = message.alternatives[0][0]
        for part in (message.body, html):
            assert f"/newsletter/unsubscribe/{token}/" in part
            assert f"/newsletter/preferences/{token}/" in part
            assert "subscriber-token-" not in part
            assert part.count("/newsletter/unsubscribe/") == 1
        assert unsubscribe_targets(message) == [
            f"<https://blog.example.com/newsletter/unsubscribe/{token}/>"
        ]


def test_a_post_cannot_carry_each_reader_s_token_elsewhere(
    readers, gut, django_capture_on_commit_callbacks
):
    """The stand-in for the subscriber's token is new at each batch: a post
    that guesses its shape gets no token put into its own text."""
    post = PostFactory(draft=True, publish_at=None, title="subscriber-token-0",
                       summary="[x](https://elsewhere.example/subscriber-token-0)")  # fmt: skip
    post.topics.add(gut)
    publish(post, django_capture_on_commit_callbacks)

    message = django_mail.outbox[0]
    token = links.subscriber_token(Subscriber.objects.get(email=message.to[0]))
    assert "https://elsewhere.example/subscriber-token-0" in message.body
    assert f"elsewhere.example/{token}" not in message.body
