"""Every door that publishes a post sends it, once: the change form, the bulk
action, a plain ``post.save()`` (commands, the shell) and a scheduled post
coming due, which needs no command: the task worker that always runs sends
it at its time; a revert to a published version publishes too. Unpublished
and published again, it is not sent again."""

import datetime as dt

import pytest
from django.core import mail as django_mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles import revisions
from articles.events import post_published
from articles.models import Post
from newsletter.models import Mailing, Subscriber
from tests.admin.forms import submitted
from tests.articles.factories import PostFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:articles_post_changelist")


@pytest.fixture
def follower(db):
    return Subscriber.objects.create(email="reader@example.com", status=Subscriber.Status.ACTIVE)


@pytest.fixture
def draft(gut):
    post = PostFactory(draft=True, title="Zinc and Colds", publish_at=None)
    post.topics.add(gut)
    return post


def change_url(post):
    return reverse("admin:articles_post_change", args=[post.pk])


def save_form(client, post, capture, **changes):
    """Open the post's change form, change ``changes``, press Save."""
    data = submitted(client.get(change_url(post)).text, "post_form")
    data.update({name: [value] for name, value in changes.items()})
    with capture(execute=True):
        response = client.post(change_url(post), data)
    assert response.status_code == 302, response.content[:3000]
    return response


def action(client, name, post, capture):
    with capture(execute=True):
        response = client.post(CHANGELIST, {"action": name, "_selected_action": [post.pk]})
    assert response.status_code == 302
    return response


def sent_to():
    return [address for message in django_mail.outbox for address in message.to]


def test_the_change_form_sends_once(
    editor_client, draft, follower, django_capture_on_commit_callbacks
):
    save_form(editor_client, draft, django_capture_on_commit_callbacks, status="published")
    assert Mailing.objects.filter(post=draft).count() == 1
    assert sent_to() == ["reader@example.com"]


def test_the_bulk_action_sends_once(
    editor_client, draft, follower, django_capture_on_commit_callbacks
):
    action(editor_client, "publish", draft, django_capture_on_commit_callbacks)
    assert Post.objects.get(pk=draft.pk).status == Post.Status.PUBLISHED
    assert Mailing.objects.filter(post=draft).count() == 1
    assert sent_to() == ["reader@example.com"]


def test_a_plain_save_sends_once(draft, follower, django_capture_on_commit_callbacks):
    """A command or the shell publishing with ``post.save()``: the model, not
    the admin, decides that the draft became published."""
    post = Post.objects.get(pk=draft.pk)
    post.status = Post.Status.PUBLISHED
    with django_capture_on_commit_callbacks(execute=True):
        post.save()
    assert Mailing.objects.filter(post=draft).count() == 1
    assert sent_to() == ["reader@example.com"]
    with django_capture_on_commit_callbacks(execute=True):
        post.save()  # saved again, published: nothing more
    assert Mailing.objects.count() == 1 and len(django_mail.outbox) == 1


def test_republished_it_is_not_sent_again(
    editor_client, draft, follower, django_capture_on_commit_callbacks
):
    action(editor_client, "publish", draft, django_capture_on_commit_callbacks)
    action(editor_client, "unpublish", draft, django_capture_on_commit_callbacks)
    Subscriber.objects.create(email="newcomer@example.com", status=Subscriber.Status.ACTIVE)
    save_form(editor_client, draft, django_capture_on_commit_callbacks, status="published")
    action(editor_client, "unpublish", draft, django_capture_on_commit_callbacks)
    action(editor_client, "publish", draft, django_capture_on_commit_callbacks)
    assert Mailing.objects.filter(post=draft).count() == 1
    assert sent_to() == ["reader@example.com"]


@pytest.fixture
def worker(settings, signals_kept):
    """The task worker production runs (``manage.py task_worker``), run until
    nothing is due: what it does on its own, with no command for editors."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    def run():
        call_command(
            "task_worker", "--worker-id", "w1", "--batch", "--no-startup-delay", "--no-reload"
        )

    return run


@pytest.fixture
def signals_kept():
    import signal

    kept = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in kept.items():
        signal.signal(sig, handler)


@pytest.mark.django_db(transaction=True)  # the worker opens its own connections
def test_a_scheduled_post_is_sent_when_it_comes_due(
    editor_client, draft, follower, worker, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(timezone.now(), tick=False)
    due = (timezone.now() + dt.timedelta(days=2)).replace(second=0, microsecond=0)
    local = timezone.localtime(due)
    save_form(
        editor_client,
        draft,
        django_capture_on_commit_callbacks,
        status="published",
        publish_at_0=local.strftime("%Y-%m-%d"),
        publish_at_1=local.strftime("%H:%M:%S"),
    )
    assert Post.objects.get(pk=draft.pk).is_scheduled
    worker()
    assert not Mailing.objects.exists() and django_mail.outbox == []

    time_machine.move_to(due + dt.timedelta(minutes=1), tick=False)
    worker()
    assert Mailing.objects.filter(post=draft).count() == 1
    assert sent_to() == ["reader@example.com"]
    assert not DBTaskResult.objects.filter(task_path__endswith="start_mailing", status="READY")


def test_a_revert_to_the_published_version_is_a_publish_and_is_not_sent_twice(
    editor_client, draft, follower, django_capture_on_commit_callbacks
):
    heard = []

    def listener(sender, posts, **kwargs):
        heard.extend(post.pk for post in posts)

    post_published.connect(listener)
    try:
        save_form(editor_client, draft, django_capture_on_commit_callbacks, status="published")
        action(editor_client, "unpublish", draft, django_capture_on_commit_callbacks)
        published = [
            version
            for version in revisions.versions_of(draft)
            if version.field_dict["status"] == Post.Status.PUBLISHED
        ][-1]
        url = reverse("admin:articles_post_revision", args=[draft.pk, published.pk])
        data = submitted(editor_client.get(url).text, "post_form")
        data["_save"] = ["Save"]
        with django_capture_on_commit_callbacks(execute=True):
            assert editor_client.post(url, data).status_code == 302
    finally:
        post_published.disconnect(listener)
    assert Post.objects.get(pk=draft.pk).status == Post.Status.PUBLISHED
    assert heard == [draft.pk, draft.pk]  # the form's publish, then the revert's
    assert Mailing.objects.filter(post=draft).count() == 1
    assert sent_to() == ["reader@example.com"]
