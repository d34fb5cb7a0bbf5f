import pytest
from django.urls import reverse

from articles.models import Post
from tests.articles.factories import PostFactory


@pytest.fixture
def post(db):
    return Post.objects.get(pk=PostFactory(title="Glutamine and Gut Health").pk)


@pytest.fixture
def comment_url(post):
    return reverse("comments:post", args=[post.pk])
