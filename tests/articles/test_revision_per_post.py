"""A revision holds one post: reverting a post never brings back another.

Reverting a revision (django-reversion's revision view) reverts every object
in it. The demo's load, *Publish selected posts* and *Unpublish selected
posts* used to record one revision for all the posts they touched, so a
revert of one post to its "Published." revision (or to the demo's) put the
others back too: in the production tier, reverting the fiber post took the
glutamine post's medical review away. Revisions made that way before are
split, one per post, by a migration.
"""

import io

import pytest
import reversion
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse
from reversion.models import Version

from articles.models import Post
from core.revision_split import split_shared_revisions
from pages.models import Page
from tests.admin.forms import submitted
from tests.articles.factories import PostFactory, ReferenceFactory
from tests.pages.factories import PageFactory

pytestmark = pytest.mark.django_db


def revert(client, admin_name, obj, version, form_id):
    url = reverse(f"admin:{admin_name}_revision", args=[obj.pk, version.pk])
    data = submitted(client.get(url).text, form_id)
    data["_save"] = ["Save"]
    response = client.post(url, data)
    assert response.status_code == 302, response.text[:2000]


def objects_in(version):
    return {(v.content_type.model, v.object_id) for v in version.revision.version_set.all()}


def test_each_post_a_bulk_action_changes_gets_a_revision_of_its_own(editor_client):
    first, second = PostFactory(draft=True, title="First"), PostFactory(draft=True, title="Second")

    editor_client.post(
        reverse("admin:articles_post_changelist"),
        {"action": "publish", "_selected_action": [first.pk, second.pk]},
    )

    for post in (first, second):
        latest = Version.objects.get_for_object(post).first()
        assert latest.revision.comment == "Published."
        assert {pk for model, pk in objects_in(latest) if model == "post"} == {str(post.pk)}


def test_reverting_one_post_of_a_bulk_action_leaves_the_other_alone(editor_client):
    first, second = PostFactory(draft=True, title="First"), PostFactory(draft=True, title="Second")
    editor_client.post(
        reverse("admin:articles_post_changelist"),
        {"action": "publish", "_selected_action": [first.pk, second.pk]},
    )
    Post.objects.filter(pk=second.pk).update(title="Second, retitled since")
    published = Version.objects.get_for_object(first).first()

    revert(editor_client, "articles_post", first, published, "post_form")

    assert Post.objects.get(pk=second.pk).title == "Second, retitled since"


def test_reverting_a_demo_post_leaves_the_other_demo_posts_alone(editor_client):
    call_command("load_demo", stdout=io.StringIO())
    fiber = Post.objects.get(slug="fiber-why-your-gut-needs-more")
    glutamine = Post.objects.get(slug="glutamine-and-gut-health")
    assert glutamine.has_review
    Post.objects.filter(pk=glutamine.pk).update(title="Glutamine, edited since")
    [demo] = Version.objects.get_for_object(fiber)

    revert(editor_client, "articles_post", fiber, demo, "post_form")

    glutamine = Post.objects.get(pk=glutamine.pk)
    assert glutamine.title == "Glutamine, edited since"
    assert glutamine.has_review


def test_each_page_a_bulk_action_changes_gets_a_revision_of_its_own(editor_client):
    about, team = PageFactory(title="About", draft=True), PageFactory(title="Team", draft=True)

    editor_client.post(
        reverse("admin:pages_page_changelist"),
        {"action": "publish", "_selected_action": [about.pk, team.pk]},
    )
    Page.objects.filter(pk=team.pk).update(title="Team, renamed since")
    published = Version.objects.get_for_object(about).first()
    assert objects_in(published) == {("page", str(about.pk))}

    revert(editor_client, "pages_page", about, published, "page_form")

    assert Page.objects.get(pk=team.pk).title == "Team, renamed since"


def test_revisions_recorded_for_several_posts_before_are_split_one_per_post():
    posts = [PostFactory(title=f"Post {n}") for n in range(3)]
    for post in posts:
        ReferenceFactory(post=post)
    with reversion.create_revision(manage_manually=True):
        reversion.set_comment("Published.")
        for post in posts:
            for row in [*post.references.all(), *post.post_disclaimers.all()]:
                reversion.add_to_revision(row)
            reversion.add_to_revision(post)
    shared = Version.objects.get_for_object(posts[0]).get().revision
    pages = [PageFactory(title=f"Page {n}") for n in range(2)]
    with reversion.create_revision():
        for page in pages:
            reversion.add_to_revision(page)

    split_shared_revisions(
        apps, "articles", "post", follows={"reference": "post", "postdisclaimer": "post"}
    )
    split_shared_revisions(apps, "pages", "page")

    for post in posts:
        version = Version.objects.get_for_object(post).get()
        assert version.revision.comment == "Published."
        assert version.revision.date_created == shared.date_created
        references = {str(pk) for pk in post.references.values_list("pk", flat=True)}
        assert objects_in(version) == {("post", str(post.pk))} | {
            ("reference", pk) for pk in references
        }
    assert len({Version.objects.get_for_object(p).get().revision_id for p in pages}) == 2
    # Run again (a second migrate): nothing left to split, nothing changes.
    before = list(Version.objects.order_by("pk").values_list("pk", "revision_id"))
    split_shared_revisions(apps, "articles", "post", follows={"reference": "post"})
    assert list(Version.objects.order_by("pk").values_list("pk", "revision_id")) == before
