import time

import factory

from comments.forms import make_token
from comments.models import BlockedTerm, Comment
from tests.articles.factories import PostFactory


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    post = factory.SubFactory(PostFactory)
    name = factory.Sequence(lambda n: f"Reader {n}")
    email = factory.LazyAttribute(lambda c: f"{c.name.replace(' ', '').lower()}@example.com")
    text = factory.Sequence(lambda n: f"Comment number {n}: an interesting point.")
    status = Comment.Status.PENDING
    ip_address = "192.0.2.10"
    user_agent = "Mozilla/5.0 (test)"

    class Params:
        approved = factory.Trait(status=Comment.Status.APPROVED)
        rejected = factory.Trait(status=Comment.Status.REJECTED)
        spam = factory.Trait(status=Comment.Status.SPAM)


class BlockedTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BlockedTerm

    term = factory.Sequence(lambda n: f"blocked{n}")


def form_data(post, seconds_ago=60, **overrides):
    """What a person's browser sends: the form shown ``seconds_ago``, filled in."""
    data = {
        "name": "Alex Reader",
        "email": "alex@example.com",
        "text": "Thank you, this was helpful.\nI have a question about dosing.",
        "consent": "on",
        "website": "",
        "token": make_token(post, shown_at=time.time() - seconds_ago),
    }
    data.update(overrides)
    return data
