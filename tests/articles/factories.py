import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from articles.models import Disclaimer, Post, PostDisclaimer, Reference, Topic


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Pat"
    last_name = factory.Sequence(lambda n: f"Writer{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct horse battery staple")


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    title = factory.Sequence(lambda n: f"Post number {n}")
    slug = factory.Sequence(lambda n: f"post-number-{n}")
    summary = "A short summary."
    body = "Some *Markdown* text."
    author = factory.SubFactory(UserFactory, is_staff=True)
    status = Post.Status.PUBLISHED
    publish_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))

    class Params:
        draft = factory.Trait(status=Post.Status.DRAFT)
        scheduled = factory.Trait(
            publish_at=factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))
        )


class ReferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reference

    post = factory.SubFactory(PostFactory)
    order = factory.Sequence(lambda n: n)
    authors = "Doe J, Roe R"
    title = factory.Sequence(lambda n: f"A study of things, part {n}")
    journal = "J Things"
    year = 2020
    volume = "1"
    pages = "1-10"


class DisclaimerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Disclaimer

    name = factory.Sequence(lambda n: f"Disclaimer {n}")
    marker = "†"
    text = "Not medical advice."


class PostDisclaimerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PostDisclaimer

    post = factory.SubFactory(PostFactory)
    disclaimer = factory.SubFactory(DisclaimerFactory)
    order = factory.Sequence(lambda n: n)


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")
    description = "Posts about *this*."
