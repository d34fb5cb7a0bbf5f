"""Editors keep the topics in the admin and file posts under them."""

import pytest
from django.urls import reverse

from articles.models import Post, Topic
from tests.articles.factories import PostFactory, TopicFactory
from tests.articles.test_admin import ADD_URL, post_data

pytestmark = pytest.mark.django_db

TOPICS_URL = reverse("admin:articles_topic_changelist")


def test_an_editor_adds_a_main_topic_and_readers_see_it_in_the_navigation(editor_client, client):
    response = editor_client.post(
        reverse("admin:articles_topic_add"),
        {
            "name": "Gut health",
            "slug": "gut-health",
            "description": "The *gut*.",
            "is_main": "on",
            "order": "1",
        },
    )

    assert response.status_code == 302
    topic = Topic.objects.get(slug="gut-health")
    assert topic.description_html == "<p>The <em>gut</em>.</p>"
    html = client.get("/blog/").text
    assert 'href="/blog/topics/gut-health/"' in html


def test_the_topic_list_shows_post_counts(editor_client):
    topic = TopicFactory(name="Sleep")
    for post in PostFactory.create_batch(3):
        post.topics.add(topic)

    html = editor_client.get(TOPICS_URL).text

    assert "Sleep" in html and '<td class="field-post_count">3</td>' in html


def test_moderators_may_view_topics_but_not_change_them(moderator_client):
    topic = TopicFactory()

    assert moderator_client.get(TOPICS_URL).status_code == 200
    assert moderator_client.get(reverse("admin:articles_topic_add")).status_code == 403
    response = moderator_client.post(
        reverse("admin:articles_topic_change", args=[topic.pk]),
        {"name": "Renamed", "slug": topic.slug, "order": "0"},
    )
    assert response.status_code == 403
    assert Topic.objects.get(pk=topic.pk).name == topic.name


def test_an_editor_files_a_new_post_under_topics(editor_client, editor):
    gut, sleep = TopicFactory(name="Gut health"), TopicFactory(name="Sleep")
    form = editor_client.get(ADD_URL).text
    assert 'type="checkbox" name="topics"' in form

    response = editor_client.post(
        ADD_URL, post_data(editor, body="No citations.", topics=[gut.pk, sleep.pk])
    )

    assert response.status_code == 302
    post = Post.objects.get(slug="magnesium-and-sleep")
    assert set(post.topics.all()) == {gut, sleep}


def test_a_published_post_needs_a_topic_once_the_site_has_topics(editor_client, editor):
    TopicFactory()

    response = editor_client.post(ADD_URL, post_data(editor, body="No citations."))

    assert response.status_code == 200
    assert "Choose one or more topics" in response.text
    assert not Post.objects.exists()


def test_a_draft_may_wait_for_its_topics(editor_client, editor):
    TopicFactory()

    response = editor_client.post(ADD_URL, post_data(editor, body="No citations.", status="draft"))

    assert response.status_code == 302
    assert Post.objects.get().topics.count() == 0


def test_without_any_topic_a_post_is_published_as_before(editor_client, editor):
    response = editor_client.post(ADD_URL, post_data(editor, body="No citations."))

    assert response.status_code == 302
    assert Post.objects.get().is_public


def test_the_post_list_filters_by_topic(editor_client):
    topic = TopicFactory(name="Sleep")
    PostFactory(title="Filed").topics.add(topic)
    PostFactory(title="Unfiled")

    html = editor_client.get(
        reverse("admin:articles_post_changelist") + f"?topics__id__exact={topic.pk}"
    ).text

    assert "Filed" in html and "Unfiled" not in html


def test_the_publish_action_leaves_drafts_without_a_topic_and_says_so(editor_client):
    topic = TopicFactory()
    filed = PostFactory(title="Filed", draft=True)
    filed.topics.add(topic)
    unfiled = PostFactory(title="Unfiled", draft=True)

    response = editor_client.post(
        reverse("admin:articles_post_changelist"),
        {"action": "publish", "_selected_action": [filed.pk, unfiled.pk]},
        follow=True,
    )

    assert Post.objects.get(pk=filed.pk).is_public
    assert not Post.objects.get(pk=unfiled.pk).is_public
    text = response.text
    assert "1 draft has no topic and was not published" in text
    assert "1 post published" in text


def test_without_any_topic_the_publish_action_publishes_every_draft(editor_client):
    drafts = PostFactory.create_batch(2, draft=True)

    editor_client.post(
        reverse("admin:articles_post_changelist"),
        {"action": "publish", "_selected_action": [p.pk for p in drafts]},
    )

    assert Post.objects.published().count() == 2


@pytest.mark.parametrize(
    ("description", "message"),
    [
        ("Intro <script>alert(1)</script> more", "contains a &lt;script&gt; element"),
        ("![](image:999999)", "alt text"),
    ],
)
def test_a_description_with_a_script_or_a_bad_image_is_refused(
    editor_client, description, message
):
    response = editor_client.post(
        reverse("admin:articles_topic_add"),
        {"name": "Sleep", "slug": "sleep", "description": description, "order": "0"},
    )

    assert response.status_code == 200
    assert message in response.text
    assert response.context["adminform"].form["description"].value() == description  # kept
    assert not Topic.objects.exists()
