import pytest
from django.urls import reverse
from django_tasks.signals import task_enqueued

from articles.models import Post
from tests.articles.factories import PostFactory


@pytest.fixture
def post(db):
    return Post.objects.get(pk=PostFactory(title="Glutamine and Gut Health").pk)


@pytest.fixture
def comment_url(post):
    return reverse("comments:post", args=[post.pk])


@pytest.fixture
def enqueued():
    """Every task queued during the test, as its TaskResult (with the
    immediate backend: run already, with its status and errors)."""
    results = []

    def record(sender, task_result, **kwargs):
        results.append(task_result)

    task_enqueued.connect(record, weak=False, dispatch_uid="tests-enqueued")
    yield results
    task_enqueued.disconnect(dispatch_uid="tests-enqueued")
