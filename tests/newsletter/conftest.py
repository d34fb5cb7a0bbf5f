import re

import pytest
from django.urls import reverse

from articles.models import Post
from tests.articles.factories import PostFactory, TopicFactory

SUBSCRIBE = reverse("newsletter:subscribe")


@pytest.fixture
def gut(db):
    return TopicFactory(name="Gut health", slug="gut-health")


@pytest.fixture
def sleep(db):
    return TopicFactory(name="Sleep", slug="sleep")


@pytest.fixture
def post(gut):
    post = PostFactory(title="Glutamine and Gut Health")
    post.topics.add(gut)
    return Post.objects.get(pk=post.pk)


@pytest.fixture
def subscribe(client, django_capture_on_commit_callbacks):
    """Send the subscribe form as a browser on this site does; run the task."""

    def send(email, topics=(), consent=True, **headers):
        data = {"email": email, "topics": [t.pk for t in topics]}
        if consent:
            data["consent"] = "on"
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                SUBSCRIBE, data, headers={"Sec-Fetch-Site": "same-origin", **headers}
            )

    return send


def link_in(message):
    return re.search(r"https?://\S+", message.body).group(0)
