"""Revisions of posts: what each save keeps, the history, comparing two
revisions, reverting to one (references and disclaimers too), and who may."""

import datetime as dt
import io
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles import revisions
from articles.models import Post, PostDisclaimer, Reference
from tests.admin.forms import submitted
from tests.articles.factories import (
    DisclaimerFactory,
    PostDisclaimerFactory,
    PostFactory,
    ReferenceFactory,
    UserFactory,
)
from tests.articles.test_admin import ADD_URL, REFERENCE, post_data

pytestmark = pytest.mark.django_db

BODY = "Magnesium may help you sleep.[1]\n\nIt is cheap.[2] [†]"


def change_url(post):
    return reverse("admin:articles_post_change", args=[post.pk])


def history_url(post):
    return reverse("admin:articles_post_history", args=[post.pk])


def compare_url(post, old, new):
    return reverse("admin:articles_post_compare", args=[post.pk]) + f"?from={old}&to={new}"


def revision_url(post, version_pk):
    return reverse("admin:articles_post_revision", args=[post.pk, version_pk])


def versions(post):
    """The post's versions, oldest first."""
    return list(revisions.versions_of(post).select_related("revision", "revision__user"))


def kept_references(version):
    """The reference titles a version's revision kept for its post, in order."""
    rows = version.revision.version_set.filter(content_type__model="reference")
    kept = [row.field_dict for row in rows if row.field_dict["post_id"] == int(version.object_id)]
    return [data["title"] for data in sorted(kept, key=lambda data: (data["order"], data["id"]))]


def kept_disclaimers(version):
    rows = version.revision.version_set.filter(content_type__model="postdisclaimer")
    post_id = int(version.object_id)
    return sorted(
        row.field_dict["disclaimer_id"] for row in rows if row.field_dict["post_id"] == post_id
    )


def form_of(client, url):
    response = client.get(url)
    assert response.status_code == 200
    data = submitted(response.text, "post_form")
    data["_save"] = ["Save"]
    return data


def save(client, url, data):
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    return response


def add_reference(data, **fields):
    """A new row at the end of the references inline."""
    n = int(data["references-TOTAL_FORMS"][0])
    data["references-TOTAL_FORMS"] = [str(n + 1)]
    for key, value in {**REFERENCE, "order": n + 1, **fields}.items():
        data[f"references-{n}-{key}"] = [str(value)]


@pytest.fixture
def disclaimer():
    return DisclaimerFactory(name="Not advice", marker="†")


@pytest.fixture
def post(editor_client, editor, disclaimer):
    """A post written in the admin, with two references and a disclaimer."""
    data = post_data(
        editor,
        references=[
            {**REFERENCE, "order": 1, "title": "Magnesium and sleep"},
            {**REFERENCE, "order": 2, "title": "The price of magnesium"},
        ],
        disclaimers=[disclaimer],
        body=BODY,
        publish_at_0="2026-01-02",
    )
    save(editor_client, ADD_URL, data)
    return Post.objects.get(slug="magnesium-and-sleep")


# --- what is kept -------------------------------------------------------------


def test_adding_a_post_keeps_a_revision_with_its_references_disclaimers_who_and_when(
    post, editor, disclaimer
):
    (version,) = versions(post)

    assert version.field_dict["body"] == BODY
    assert 'href="#ref-2"' in version.field_dict["body_html"]  # rendered with its references
    assert kept_references(version) == ["Magnesium and sleep", "The price of magnesium"]
    assert kept_disclaimers(version) == [disclaimer.pk]
    assert version.revision.user == editor
    assert post.created_at - dt.timedelta(seconds=5) < version.revision.date_created
    assert version.revision.date_created <= post.created_at
    assert version.revision.get_comment().startswith("Added.")


def test_each_edit_keeps_the_references_as_saved(editor_client, post):
    data = form_of(editor_client, change_url(post))
    data["references-1-title"] = ["What magnesium costs"]
    data["references-0-DELETE"] = ["on"]
    add_reference(data, title="Magnesium in the evening")
    data["body"] = ["It is cheap.[1] [†] Evening doses.[2]"]

    save(editor_client, change_url(post), data)

    first, second = versions(post)
    assert kept_references(second) == ["What magnesium costs", "Magnesium in the evening"]
    assert kept_references(first) == ["Magnesium and sleep", "The price of magnesium"]
    assert list(post.references.values_list("title", flat=True)) == kept_references(second)
    assert "Changed" in second.revision.get_comment()


def test_ten_references_are_kept_at_the_same_cost_as_one(editor_client, editor):
    from core.models import SiteStamp

    SiteStamp.touch("posts")  # the stamp's row exists, as on any running site
    counts = {}
    for count in (1, 10):
        references = [{**REFERENCE, "order": n, "title": f"Study {n}"} for n in range(count)]
        data = post_data(
            editor, references=references, slug=f"post-{count}", title=f"Post {count}"
        )
        data["body"] = " ".join(f"[{n}]" for n in range(1, count + 1))
        with CaptureQueriesContext(connection) as queries:
            save(editor_client, ADD_URL, data)
        counts[count] = len(queries)
        (version,) = versions(Post.objects.get(slug=f"post-{count}"))
        assert kept_references(version) == [f"Study {n}" for n in range(count)]

    assert counts[1] == counts[10], counts


@pytest.mark.parametrize("action", ["publish", "unpublish"])
def test_bulk_publishing_records_a_revision_saying_so(editor_client, editor, action):
    draft = action == "publish"
    posts = [PostFactory(draft=draft), PostFactory(draft=draft)]
    ReferenceFactory(post=posts[0], title="Kept with the post")
    untouched = PostFactory(draft=not draft)

    editor_client.post(
        reverse("admin:articles_post_changelist"),
        {"action": action, "_selected_action": [p.pk for p in [*posts, untouched]]},
    )

    for post in posts:
        (version,) = versions(post)
        assert version.field_dict["status"] == ("published" if draft else "draft")
        assert version.revision.user == editor
        assert version.revision.get_comment() == (
            "Published." if draft else "Unpublished (back to draft)."
        )
    assert kept_references(versions(posts[0])[0]) == ["Kept with the post"]
    assert versions(untouched) == []  # nothing changed, nothing recorded


def test_importing_references_records_a_revision(editor_client, editor, post):
    url = reverse("admin:articles_post_import_references", args=[post.pk])
    bibtex = "@article{a, author={Kim, MH}, title={Imported study}, journal={J}, year={2017}}"
    shown = editor_client.post(url, {"text": bibtex, "preview": "1"})
    seen_at = shown.context["form"].initial["seen_at"]

    editor_client.post(url, {"text": bibtex, "seen_at": seen_at, "import": "1"})

    latest = versions(post)[-1]
    assert kept_references(latest)[-1] == "Imported study"
    assert latest.revision.get_comment() == "Imported 1 reference as [3]."
    assert latest.revision.user == editor


def test_the_demo_posts_start_with_a_revision():
    call_command("load_demo", stdout=io.StringIO())

    glutamine = Post.objects.get(slug="glutamine-and-gut-health")
    (version,) = versions(glutamine)
    assert version.revision.get_comment() == "Loaded with the demo content."
    assert len(kept_references(version)) == glutamine.references.count() == 2
    assert kept_disclaimers(version) == [glutamine.post_disclaimers.get().disclaimer_id]


# --- history and compare -------------------------------------------------------------


def edit_twice(client, post):
    """Change a sentence and a reference's title, then the title only."""
    data = form_of(client, change_url(post))
    data["body"] = [BODY.replace("It is cheap.", "It costs little.")]
    data["references-1-title"] = ["What magnesium costs"]
    save(client, change_url(post), data)
    data = form_of(client, change_url(post))
    data["title"] = ["Magnesium, sleep and you"]
    save(client, change_url(post), data)
    return versions(post)


def test_the_history_lists_every_revision_with_who_and_what(editor_client, post):
    first, second, third = edit_twice(editor_client, post)

    html = editor_client.get(history_url(post)).text

    for version in (first, second, third):
        assert revision_url(post, version.pk) in html
        assert f'name="from" value="{version.pk}"' in html
    assert html.count("erin") >= 3
    assert "Changed Title." in html


def test_compare_shows_the_changed_sentence_and_the_changed_reference(editor_client, post):
    first, second, _ = edit_twice(editor_client, post)

    response = editor_client.get(compare_url(post, first.pk, second.pk))

    assert response.status_code == 200
    html = response.text
    body = html[html.index('id="changed-body"') : html.index('id="changed-references"')]
    assert "<del>is cheap</del>" in body and "<ins>costs little</ins>" in body
    references = html[html.index('id="changed-references"') :]
    assert "<del>The price of</del>" in references
    assert "<ins>What</ins> magnesium<ins> costs</ins>" in references
    assert 'id="changed-fields"' not in html  # the title changed only later


def test_any_two_revisions_compare_whichever_order_they_are_picked(editor_client, post):
    first, _, third = edit_twice(editor_client, post)

    html = editor_client.get(compare_url(post, third.pk, first.pk)).text

    fields = html[html.index('id="changed-fields"') :]
    assert "Title" in fields and "Magnesium and <del>Sleep</del>" in fields
    assert "Magnesium<ins>, sleep</ins> and <ins>you</ins>" in fields
    assert "<del>is cheap</del>" in html


def test_compare_escapes_what_editors_typed(editor_client, post):
    data = form_of(editor_client, change_url(post))
    data["title"] = ['<img src=x onerror="alert(1)">']
    data["body"] = [BODY + "\n`<script>alert(2)</script>`\n"]
    save(editor_client, change_url(post), data)
    first, second = versions(post)

    html = editor_client.get(compare_url(post, first.pk, second.pk)).text

    assert "<img src=x" not in html and "<script>alert(2)" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html


def test_a_disclaimer_taken_off_shows_in_the_comparison(editor_client, post, disclaimer):
    data = form_of(editor_client, change_url(post))
    data["post_disclaimers-0-DELETE"] = ["on"]
    data["body"] = [BODY.replace(" [†]", "")]
    save(editor_client, change_url(post), data)
    first, second = versions(post)

    html = editor_client.get(compare_url(post, first.pk, second.pk)).text

    disclaimers = html[html.index('id="changed-disclaimers"') :]
    assert "<del>† Not advice</del>" in disclaimers
    assert kept_disclaimers(second) == []


# --- reverting ------------------------------------------------------------------------


def revert(client, post, version):
    form = client.get(revision_url(post, version.pk))
    assert form.status_code == 200
    data = submitted(form.text, "post_form")
    data["_save"] = ["Save"]
    return client.post(revision_url(post, version.pk), data)


def test_reverting_brings_back_a_deleted_reference_and_removes_an_added_one(
    editor_client, post, disclaimer
):
    data = form_of(editor_client, change_url(post))
    data["references-0-DELETE"] = ["on"]
    data["post_disclaimers-0-DELETE"] = ["on"]
    add_reference(data, title="Added later")
    data["body"] = ["It is cheap.[1] Later.[2]"]
    save(editor_client, change_url(post), data)
    assert list(post.references.values_list("title", flat=True)) == [
        "The price of magnesium",
        "Added later",
    ]
    first, _ = versions(post)
    # Looking at the old revision changes nothing.
    editor_client.get(revision_url(post, first.pk))
    assert post.references.count() == 2 and not post.post_disclaimers.exists()

    response = revert(editor_client, post, first)

    assert response.status_code == 302
    post.refresh_from_db()
    assert post.body == BODY
    assert list(post.references.values_list("title", flat=True)) == [
        "Magnesium and sleep",
        "The price of magnesium",
    ]
    assert not Reference.objects.filter(title="Added later").exists()
    assert list(post.post_disclaimers.values_list("disclaimer", flat=True)) == [disclaimer.pk]
    assert 'href="#ref-2"' in post.body_html and 'href="#disclaimer-1"' in post.body_html
    # The revert is itself a revision, holding what it brought back.
    *_, latest = versions(post)
    assert len(versions(post)) == 3
    assert latest.revision.get_comment().startswith("Reverted to previous version")
    assert kept_references(latest) == ["Magnesium and sleep", "The price of magnesium"]


def test_a_reverted_published_post_is_on_the_cached_page_at_once(editor_client, post):
    reader = Client()
    data = form_of(editor_client, change_url(post))
    data["body"] = [BODY.replace("It is cheap.", "It is a bargain.")]
    save(editor_client, change_url(post), data)
    assert "It is a bargain." in reader.get(post.get_absolute_url()).text
    assert "It is a bargain." in reader.get(post.get_absolute_url()).text  # from the cache
    first, _ = versions(post)

    revert(editor_client, post, first)

    page = reader.get(post.get_absolute_url()).text
    assert "It is cheap." in page and "bargain" not in page


def test_a_moderator_sees_the_history_and_compares_but_may_not_revert(
    editor_client, moderator, post
):
    first, second, _ = edit_twice(editor_client, post)
    moderator_client = Client()
    moderator_client.force_login(moderator)

    history = moderator_client.get(history_url(post))
    compare = moderator_client.get(compare_url(post, first.pk, second.pk))
    opened = moderator_client.get(revision_url(post, first.pk))
    data = form_of(editor_client, revision_url(post, first.pk))
    posted = moderator_client.post(revision_url(post, first.pk), data)

    assert history.status_code == 200 and compare.status_code == 200
    assert revision_url(post, first.pk) not in history.text  # no link to revert
    assert "Revert to the older revision" not in compare.text
    assert opened.status_code == posted.status_code == 403
    post.refresh_from_db()
    assert post.title == "Magnesium, sleep and you"
    assert len(versions(post)) == 3


def test_someone_without_view_permission_sees_nothing(client, post):
    client.force_login(UserFactory(username="staffer", is_staff=True))
    first = versions(post)[0]

    for url in (history_url(post), compare_url(post, first.pk, first.pk)):
        assert client.get(url).status_code == 403


# --- hostile addresses -------------------------------------------------------------


@pytest.fixture
def others(editor_client, post):
    """A version of another post, and one of a reference of this post."""
    other = PostFactory()
    revisions.record(other, None, "Another post.")
    other_version = versions(other)[0]
    reference_version = Version.objects.get_for_model(Reference).filter(
        object_id=str(post.references.first().pk)
    )[0]
    # A reference of another post whose id is this post's id: the same object_id.
    return other, other_version, reference_version


def test_hostile_revision_ids_are_not_found_and_change_nothing(editor_client, post, others):
    other, other_version, reference_version = others
    edit_twice(editor_client, post)
    before = (Post.objects.get(pk=post.pk).title, Version.objects.count())
    urls = [
        revision_url(post, 2**31),
        revision_url(post, 10**18),
        f"/admin/articles/post/{post.pk}/history/99999999999999999999999/",
        revision_url(post, other_version.pk),  # a version of another post
        revision_url(post, reference_version.pk),  # a version of one of its references
        f"/admin/articles/post/{10**20}/history/{other_version.pk}/",
        f"/admin/articles/post/abc/history/{other_version.pk}/",
        reverse("admin:articles_post_recover", args=[other_version.pk]),  # not deleted
        reverse("admin:articles_post_recover", args=[reference_version.pk]),
    ]
    for url in urls:
        for method in (editor_client.get, editor_client.post):
            response = method(url, {"title": "Hijacked", "_save": "Save"})
            assert response.status_code == 404, (url, response.status_code)
    assert (Post.objects.get(pk=post.pk).title, Version.objects.count()) == before
    assert other.title == Post.objects.get(pk=other.pk).title


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?from=1",
        "?from=abc&to=def",
        "?from=99999999999999999999&to=1",
        "?from=-1&to=2",
        "?from=%00&to=%F0%9F%92%A9",
        "?from={a}&to={a}",
        "?from={a}&to={other}",
        "?from={a}&to={reference}",
    ],
)
def test_hostile_compare_addresses_go_back_to_the_history(editor_client, post, others, query):
    _, other_version, reference_version = others
    a = versions(post)[0].pk
    url = reverse("admin:articles_post_compare", args=[post.pk]) + query.format(
        a=a, other=other_version.pk, reference=reference_version.pk
    )

    response = editor_client.get(url, follow=True)

    assert response.redirect_chain[-1][0] == history_url(post)
    assert "Choose two different revisions" in response.text


@pytest.mark.parametrize("object_id", ["999999", "99999999999999999999999", "abc", "%F0%9F"])
def test_history_and_compare_of_a_missing_post_are_not_errors(editor_client, object_id):
    history = editor_client.get(f"/admin/articles/post/{object_id}/history/")
    compare = editor_client.get(f"/admin/articles/post/{object_id}/history/compare/?from=1&to=2")

    assert history.status_code in (302, 404)
    assert compare.status_code == 404


# --- queries ------------------------------------------------------------------------


def test_the_history_costs_the_same_for_2_and_12_revisions(
    editor_client, post, django_assert_num_queries
):
    edit_twice(editor_client, post)
    editor_client.get(history_url(post))  # content types cached, as in a running site
    with CaptureQueriesContext(connection) as few:
        editor_client.get(history_url(post))

    for n in range(9):
        revisions.record(post, None, f"Touch {n}.")
    with django_assert_num_queries(len(few)):
        response = editor_client.get(history_url(post))

    assert response.text.count('name="from"') == 12
    assert len(few) == HISTORY_QUERIES, "\n".join(q["sql"][:120] for q in few.captured_queries)


# session, user, the user's permissions (two), the post (twice: ours and the
# admin's history_view), the versions with their revisions and users (twice:
# ours, and reversion's history_view, whose list ours replaces), the count of
# the admin's log entries (its paginator; the page of them is not shown).
HISTORY_QUERIES = 9


def test_comparing_costs_the_same_for_1_and_10_references(
    editor_client, editor, django_assert_num_queries
):
    counts = {}
    for count in (1, 10):
        post = PostFactory(author=editor, body="Claim.")
        ReferenceFactory.create_batch(count, post=post)
        PostDisclaimerFactory(post=post)
        revisions.record(post, editor, "First.")
        Reference.objects.filter(post=post).update(title="Changed")
        Post.objects.filter(pk=post.pk).update(body="Claim, changed.", title="New title")
        PostDisclaimer.objects.filter(post=post).delete()
        revisions.record(post, editor, "Second.")
        first, second = versions(post)
        url = compare_url(post, first.pk, second.pk)
        editor_client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = editor_client.get(url)
        assert response.status_code == 200
        assert response.text.count("<ins>Changed</ins>") == count
        counts[count] = len(queries)

    assert counts[1] == counts[10] == COMPARE_QUERIES, counts


# session, user, the user's permissions (two), the post, its two versions,
# the rows of their revisions, the disclaimers' names.
COMPARE_QUERIES = 8


def test_a_revert_that_cannot_be_done_says_so_and_changes_nothing(editor_client, post):
    data = form_of(editor_client, change_url(post))
    data["slug"] = ["magnesium-sleep"]
    data["references-0-DELETE"] = ["on"]
    data["body"] = ["It is cheap.[1] [†]"]
    save(editor_client, change_url(post), data)
    PostFactory(slug="magnesium-and-sleep")  # another post takes the old address
    first, _ = versions(post)

    opened = editor_client.get(revision_url(post, first.pk), follow=True)
    data = form_of(editor_client, change_url(post))  # as if the form had opened
    posted = editor_client.post(revision_url(post, first.pk), data, follow=True)

    for response in (opened, posted):
        assert response.redirect_chain[-1][0] == reverse("admin:articles_post_changelist")
        assert "Could not save Magnesium and Sleep version" in response.text
    post.refresh_from_db()
    assert post.slug == "magnesium-sleep"
    assert list(post.references.values_list("title", flat=True)) == ["The price of magnesium"]
    assert len(versions(post)) == 2


def test_createinitialrevisions_starts_the_history_of_older_posts_once():
    older = PostFactory()
    ReferenceFactory(post=older, title="Kept from before")
    PostDisclaimerFactory(post=older)

    for _ in range(2):
        call_command(
            "createinitialrevisions", "articles.Post", comment="Before.", stdout=io.StringIO()
        )

    (version,) = versions(older)
    assert version.revision.get_comment() == "Before."
    assert kept_references(version) == ["Kept from before"]
    assert len(kept_disclaimers(version)) == 1


def test_a_deleted_post_is_recovered_with_its_references(client, post):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    delete = reverse("admin:articles_post_delete", args=[post.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not Post.objects.filter(pk=post.pk).exists()

    recover_list = client.get(reverse("admin:articles_post_recoverlist")).text
    version = Version.objects.get_deleted(Post).get()
    recover_url = reverse("admin:articles_post_recover", args=[version.pk])
    assert recover_url in recover_list
    data = submitted(client.get(recover_url).text, "post_form")
    data["_save"] = ["Save"]
    assert client.post(recover_url, data).status_code == 302

    recovered = Post.objects.get(pk=post.pk)
    assert list(recovered.references.values_list("title", flat=True)) == [
        "Magnesium and sleep",
        "The price of magnesium",
    ]
    assert Client().get(recovered.get_absolute_url()).status_code == 200


def test_a_huge_one_line_body_is_compared_quickly(editor, editor_client):
    post = PostFactory(author=editor, body="word " * 20_000)
    revisions.record(post, editor, "Long.")
    Post.objects.filter(pk=post.pk).update(body="word " * 19_999 + "changed")
    revisions.record(post, editor, "Longer.")
    first, second = versions(post)

    started = time.monotonic()
    response = editor_client.get(compare_url(post, first.pk, second.pk))

    assert response.status_code == 200
    assert time.monotonic() - started < 5
    assert "changed</ins>" in response.text


def test_reverting_keeps_the_post_s_medical_review(editor_client, post):
    """A revision holds no review: reverting to one from before the review
    keeps the review the post has (only a review step moves it)."""
    from articles.models import Reviewer

    first = versions(post)[0]
    jane = Reviewer.objects.create(name="Jane Doe", credentials="RD", slug="jane-doe")
    reviewed_on = timezone.localdate()
    Post.objects.filter(pk=post.pk).update(reviewer=jane, reviewed_at=reviewed_on)
    post.refresh_from_db()

    form = editor_client.get(revision_url(post, first.pk)).text
    assert f'<option value="{jane.pk}" selected>' in form  # the form shows it, too
    assert revert(editor_client, post, first).status_code == 302

    post.refresh_from_db()
    assert (post.reviewer, post.reviewed_at) == (jane, reviewed_on)


# --- a revert obeys the rules of publishing -----------------------------------------


def test_a_revert_does_not_publish_a_post_the_review_holds_back(editor_client, post, settings):
    """Issue 15: with review required, a never-reviewed draft's first revision
    (Published) saved from its history made the post public."""
    data = form_of(editor_client, change_url(post))
    data["body"] = [BODY.replace("It is cheap.", "It is a bargain.")]
    save(editor_client, change_url(post), data)
    editor_client.post(
        reverse("admin:articles_post_changelist"),
        {"action": "unpublish", "_selected_action": [post.pk]},
    )
    settings.MEDICAL_REVIEW_REQUIRED = True
    first = versions(post)[0]
    assert first.field_dict["status"] == "published"

    opened = editor_client.get(revision_url(post, first.pk)).text
    assert "saving it as it is would publish the post" in opened
    assert "needs an approved medical review before it can be published" in opened
    refused = revert(editor_client, post, first)

    assert refused.status_code == 200
    assert "needs an approved medical review" in str(refused.context["errors"])
    post.refresh_from_db()
    assert post.status == "draft" and not post.is_public
    assert "bargain" in post.body  # nothing reverted
    assert Client().get(post.get_absolute_url()).status_code == 404

    # Draft chosen: the content comes back, the post stays unpublished.
    data = submitted(editor_client.get(revision_url(post, first.pk)).text, "post_form")
    data["status"] = ["draft"]
    data["_save"] = ["Save"]
    assert editor_client.post(revision_url(post, first.pk), data).status_code == 302
    post.refresh_from_db()
    assert post.body == BODY and post.status == "draft"
    assert versions(post)[-1].revision.get_comment().startswith("Reverted to previous version")


def test_an_approved_post_reverted_to_an_older_body_goes_back_for_review(
    editor_client, post, settings
):
    from articles.models import ReviewState

    data = form_of(editor_client, change_url(post))
    data["body"] = [BODY.replace("It is cheap.", "It is a bargain.")]
    save(editor_client, change_url(post), data)
    settings.MEDICAL_REVIEW_REQUIRED = True
    Post.objects.filter(pk=post.pk).update(review_state=ReviewState.APPROVED)
    first = versions(post)[0]

    assert revert(editor_client, post, first).status_code == 302

    post.refresh_from_db()
    assert post.body == BODY and post.is_public  # published posts stay published
    assert post.review_state == ReviewState.SUBMITTED
    assert post.review_events.get().note == "The body changed after approval."
