"""Medical review: the review line readers see, the reviewer's bio page, the
review date that only "Mark as reviewed" moves (recorded with who and when),
review due, and who may record a review."""

import datetime as dt

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import publishing
from articles.models import Post, Reviewer, ReviewEvent, months_before
from tests.admin.forms import submitted
from tests.articles.factories import PostFactory, ReferenceFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:articles_post_changelist")


def change_url(post):
    return reverse("admin:articles_post_change", args=[post.pk])


def review_url(post):
    return reverse("admin:articles_post_review", args=[post.pk])


@pytest.fixture
def jane(db):
    return Reviewer.objects.create(
        name="Jane Doe",
        credentials="RD",
        slug="jane-doe",
        bio="Jane is a registered dietitian.\n\nShe reviews posts on gut health.",
        profile_url="https://example.com/jane",
    )


@pytest.fixture
def reviewer_user(jane):
    user = UserFactory(username="jane", first_name="Jane", last_name="Doe", is_staff=True)
    user.groups.add(Group.objects.get(name="Reviewers"))
    jane.user = user
    jane.save()
    return user


@pytest.fixture
def reviewer_client(client, reviewer_user):
    client.force_login(reviewer_user)
    return client


# --- what readers see ---------------------------------------------------------


def test_the_post_page_says_who_reviewed_it_and_when_linked_to_the_bio(client, jane):
    post = PostFactory(reviewer=jane, reviewed_at=dt.date(2026, 3, 3))

    html = client.get(post.get_absolute_url()).text

    assert (
        'Medically reviewed by <a href="/blog/reviewers/jane-doe/">Jane Doe, RD</a> on '
        '<time datetime="2026-03-03">3 March 2026</time>'
    ) in html


def test_no_review_line_until_a_review_is_recorded(client, jane):
    post = PostFactory(reviewer=jane)  # chosen, not yet reviewed

    assert "Medically reviewed" not in client.get(post.get_absolute_url()).text


def test_the_bio_page_lists_the_public_posts_the_reviewer_reviewed(client, jane):
    reviewed = PostFactory(title="Fiber facts", reviewer=jane, reviewed_at=dt.date(2026, 3, 3))
    PostFactory(title="Secret draft", draft=True, reviewer=jane, reviewed_at=dt.date(2026, 3, 3))
    PostFactory(title="Not yet reviewed", reviewer=jane)
    PostFactory(title="Someone else's", reviewed_at=dt.date(2026, 3, 3))

    response = client.get("/blog/reviewers/jane-doe/")

    assert response.status_code == 200
    html = response.text
    assert "<h1" in html and "Jane Doe" in html and "RD" in html
    assert "<p>Jane is a registered dietitian.</p>" in html
    assert 'href="https://example.com/jane"' in html
    assert f'href="{reviewed.get_absolute_url()}"' in html
    assert "Secret draft" not in html
    assert "Not yet reviewed" not in html
    assert "Someone else" not in html


def test_the_bio_escapes_what_editors_write(client):
    Reviewer.objects.create(
        name="<script>alert(1)</script>", slug="odd", bio="<b>bold</b> & <img src=x>"
    )

    html = client.get("/blog/reviewers/odd/").text

    assert "<script>alert(1)" not in html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;img src=x&gt;" in html


@pytest.mark.parametrize(
    "path",
    ["/blog/reviewers/nobody/", "/blog/reviewers/%C3%A9/", "/blog/reviewers/" + "9" * 300 + "/"],
)
def test_an_unknown_reviewer_is_a_404(client, path):
    assert client.get(path).status_code == 404


def test_a_profile_link_must_be_http_or_https(jane):
    from django.core.exceptions import ValidationError

    jane.profile_url = "javascript:alert(1)"
    with pytest.raises(ValidationError):
        jane.full_clean()
    jane.profile_url = "ftp://example.com/jane"
    with pytest.raises(ValidationError):
        jane.full_clean()


def test_the_bio_page_query_count_is_fixed(client, jane, django_assert_num_queries):
    PostFactory(reviewer=jane, reviewed_at=dt.date(2026, 3, 3))
    with CaptureQueriesContext(connection) as few:
        client.get("/blog/reviewers/jane-doe/")

    PostFactory.create_batch(12, reviewer=jane, reviewed_at=dt.date(2026, 3, 4))
    from django.core.cache import cache

    cache.clear()
    with django_assert_num_queries(len(few)):
        response = client.get("/blog/reviewers/jane-doe/")
    assert response.text.count("reviewed on") == 13


def test_the_post_page_query_count_is_the_same_with_a_review(
    client, jane, django_assert_num_queries
):
    plain = PostFactory()
    with CaptureQueriesContext(connection) as bare:
        client.get(plain.get_absolute_url())

    reviewed = PostFactory(reviewer=jane, reviewed_at=dt.date(2026, 3, 3))
    from django.core.cache import cache

    cache.clear()
    with django_assert_num_queries(len(bare)):
        response = client.get(reviewed.get_absolute_url())
    assert "Medically reviewed by" in response.text


def test_the_bio_page_is_cached_and_follows_changes(client, jane, django_assert_num_queries):
    post = PostFactory(title="Fiber facts", reviewer=jane, reviewed_at=dt.date(2026, 3, 3))
    client.get("/blog/reviewers/jane-doe/")

    with django_assert_num_queries(
        3
    ):  # a hit: its version (the reviewer, the posts' version), the stamp
        hit = client.get("/blog/reviewers/jane-doe/")
    assert "Fiber facts" in hit.text

    publishing.unpublish(Post.objects.filter(pk=post.pk))
    assert "Fiber facts" not in client.get("/blog/reviewers/jane-doe/").text

    jane.name = "Jane Roe"
    jane.save()
    assert "Jane Roe" in client.get("/blog/reviewers/jane-doe/").text


def test_renaming_a_reviewer_changes_the_cached_post_pages_that_name_them(client, jane):
    post = PostFactory(reviewer=jane, reviewed_at=dt.date(2026, 3, 3))
    assert "Jane Doe, RD" in client.get(post.get_absolute_url()).text

    jane.name = "Jane Roe"
    jane.credentials = "RD, PhD"
    jane.save()

    assert "Jane Roe, RD, PhD" in client.get(post.get_absolute_url()).text


# --- recording a review -------------------------------------------------------


def test_editing_a_post_in_the_admin_does_not_move_its_review_date(client, jane, editor):
    post = PostFactory(reviewer=jane, reviewed_at=dt.date(2025, 5, 1), body="Old text.")
    client.force_login(editor)
    page = client.get(change_url(post))
    data = submitted(page.text, "post_form")
    data["body"] = ["New text, rewritten."]
    data["reviewed_at"] = ["2026-11-11"]  # not a field of the form: ignored
    data["_save"] = ["Save"]

    response = client.post(change_url(post), data)

    assert response.status_code == 302
    post.refresh_from_db()
    assert post.body == "New text, rewritten."
    assert post.reviewed_at == dt.date(2025, 5, 1)
    assert not ReviewEvent.objects.exists()


def test_mark_as_reviewed_records_the_date_who_and_when(reviewer_client, reviewer_user, jane):
    post = PostFactory(reviewed_at=dt.date(2024, 1, 1))
    page = reviewer_client.get(change_url(post)).text
    assert 'name="action" value="mark"' in page  # the button, a POST form
    assert f'action="{review_url(post)}"' in page

    response = reviewer_client.post(review_url(post), {"action": "mark"}, follow=True)

    post.refresh_from_db()
    assert post.reviewed_at == timezone.localdate()
    assert post.reviewer == jane  # the reviewer's own profile
    event = ReviewEvent.objects.get(post=post)
    assert event.action == ReviewEvent.Action.REVIEWED
    assert event.by == reviewer_user and event.reviewer == jane
    assert timezone.now() - event.at < dt.timedelta(minutes=1)
    entry = LogEntry.objects.get(object_id=str(post.pk))
    assert entry.user == reviewer_user
    assert "Marked as reviewed" in entry.get_change_message()
    # The change form shows the record.
    html = response.text
    assert "Marked as reviewed (approved) (Jane Doe, RD)" in html
    assert "Jane Doe" in html


def test_mark_as_reviewed_is_a_post_with_csrf(client, reviewer_user):
    post = PostFactory()
    checked = type(client)(enforce_csrf_checks=True)
    checked.force_login(reviewer_user)

    assert checked.post(review_url(post), {"action": "mark"}).status_code == 403
    post.refresh_from_db()
    assert post.reviewed_at is None


def test_the_bulk_action_marks_several_posts_reviewed(reviewer_client, jane):
    posts = PostFactory.create_batch(3)

    reviewer_client.post(
        CHANGELIST, {"action": "mark_reviewed", "_selected_action": [p.pk for p in posts]}
    )

    assert Post.objects.filter(reviewed_at=timezone.localdate(), reviewer=jane).count() == 3
    assert ReviewEvent.objects.filter(action="reviewed").count() == 3


def test_an_editor_with_the_permission_records_a_review_by_the_posts_reviewer(
    client, editor, jane
):
    """An editor who is also in Reviewers, without a profile of their own,
    records the review of the reviewer chosen on the post; without one chosen,
    they are told to choose."""
    editor.groups.add(Group.objects.get(name="Reviewers"))
    client.force_login(editor)
    chosen = PostFactory(reviewer=jane)
    unchosen = PostFactory(title="Nobody chosen")

    client.post(review_url(chosen), {"action": "mark"})
    response = client.post(review_url(unchosen), {"action": "mark"})

    chosen.refresh_from_db()
    assert chosen.reviewed_at == timezone.localdate() and chosen.reviewer == jane
    assert "has no medical reviewer: choose one on the post first" in response.text
    unchosen.refresh_from_db()
    assert unchosen.reviewed_at is None


def test_choosing_another_reviewer_clears_the_review(client, editor, jane):
    other = Reviewer.objects.create(name="Sam Roe", credentials="MD", slug="sam", bio="A doctor.")
    post = PostFactory(reviewer=jane, reviewed_at=dt.date(2026, 3, 3))
    client.force_login(editor)
    data = submitted(client.get(change_url(post)).text, "post_form")
    data["reviewer"] = [str(other.pk)]
    data["_save"] = ["Save"]

    client.post(change_url(post), data)

    post.refresh_from_db()
    assert post.reviewer == other and post.reviewed_at is None
    assert "Medically reviewed" not in client.get(post.get_absolute_url()).text
    assert ReviewEvent.objects.get(post=post).by == editor


# --- who may ------------------------------------------------------------------


def test_a_moderator_cannot_mark_a_post_reviewed(moderator_client):
    post = PostFactory()

    assert "review-mark" not in moderator_client.get(change_url(post)).text
    assert moderator_client.post(review_url(post), {"action": "mark"}).status_code == 403
    moderator_client.post(CHANGELIST, {"action": "mark_reviewed", "_selected_action": [post.pk]})
    post.refresh_from_db()
    assert post.reviewed_at is None
    assert not ReviewEvent.objects.exists()


def test_an_editor_without_the_review_permission_cannot_record_one(editor_client, jane):
    post = PostFactory(reviewer=jane)

    page = editor_client.get(change_url(post)).text
    assert "review-mark" not in page
    assert "mark_reviewed" not in editor_client.get(CHANGELIST).text
    assert editor_client.post(review_url(post), {"action": "mark"}).status_code == 403
    post.refresh_from_db()
    assert post.reviewed_at is None


def test_the_model_refuses_a_review_by_someone_without_the_permission(editor, jane):
    from articles.models import ReviewRefused

    post = PostFactory(reviewer=jane)
    with pytest.raises(ReviewRefused):
        post.mark_reviewed(editor)


def test_the_reviewers_group_may_review_and_change_no_post():
    perms = set(Group.objects.get(name="Reviewers").permissions.values_list("codename", flat=True))
    assert {"review_post", "view_post", "view_reviewer"} <= perms
    assert not {"change_post", "add_post", "delete_post"} & perms
    assert "review_post" not in set(
        Group.objects.get(name="Editors").permissions.values_list("codename", flat=True)
    )


# --- review due ---------------------------------------------------------------


def test_review_due_means_never_or_longer_ago_than_the_setting(settings):
    settings.MEDICAL_REVIEW_MONTHS = 12
    today = dt.date(2026, 11, 26)
    never = PostFactory(title="never")
    old = PostFactory(title="old", reviewed_at=dt.date(2025, 11, 25))
    exactly = PostFactory(title="exactly", reviewed_at=dt.date(2025, 11, 26))
    recent = PostFactory(title="recent", reviewed_at=dt.date(2026, 6, 1))

    due = set(Post.objects.review_due(today))

    assert due == {never, old}
    settings.MEDICAL_REVIEW_MONTHS = 3
    assert set(Post.objects.review_due(today)) == {never, old, exactly, recent}
    assert months_before(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)
    assert months_before(dt.date(2026, 1, 15), 13) == dt.date(2024, 12, 15)


def test_the_post_list_filters_posts_due_for_review(editor_client):
    PostFactory(title="Never reviewed")
    PostFactory(
        title="Reviewed long ago", reviewed_at=timezone.localdate() - dt.timedelta(days=800)
    )
    PostFactory(title="Freshly reviewed", reviewed_at=timezone.localdate())

    html = editor_client.get(CHANGELIST, {"review": "due"}).text

    assert "Never reviewed" in html and "Reviewed long ago" in html
    assert "Freshly reviewed" not in html
    current = editor_client.get(CHANGELIST, {"review": "current"}).text
    assert "Freshly reviewed" in current and "Never reviewed" not in current


def test_the_filtered_post_list_costs_the_same_queries_for_2_and_30_posts(
    editor_client, jane, django_assert_num_queries
):
    PostFactory.create_batch(2, reviewer=jane)
    with CaptureQueriesContext(connection) as few:
        editor_client.get(CHANGELIST, {"review": "due"})

    for post in PostFactory.create_batch(30, reviewer=jane, reviewed_at=dt.date(2020, 1, 1)):
        ReferenceFactory(post=post)
    with django_assert_num_queries(len(few)):
        response = editor_client.get(CHANGELIST, {"review": "due"})
    assert response.status_code == 200


def test_the_admin_front_page_says_how_many_published_posts_are_due(editor_client):
    PostFactory.create_batch(2)
    PostFactory(draft=True)
    PostFactory(reviewed_at=timezone.localdate())

    html = editor_client.get(reverse("admin:index")).text

    assert "2 published posts due for medical review" in html
    assert "?review=due&amp;status__exact=published" in html


def test_moderators_front_page_says_nothing_of_reviews(moderator_client):
    PostFactory()
    assert "medical review" not in moderator_client.get(reverse("admin:index")).text


def test_a_garbage_filter_value_is_ignored(editor_client):
    response = editor_client.get(CHANGELIST, {"review": "<script>" + "9" * 500})
    assert response.status_code in (200, 302)


# --- the demo -----------------------------------------------------------------


def test_the_demo_glutamine_post_is_reviewed_by_its_demo_reviewer(client):
    call_command("load_demo", verbosity=0)

    post = Post.objects.get(slug="glutamine-and-gut-health")
    assert post.reviewer.display_name == "Jane Doe, RD"
    assert post.reviewed_at == dt.date(2026, 3, 3)
    assert post.reviewer.user.username == "reviewer"
    assert post.reviewer.user.groups.filter(name="Reviewers").exists()
    html = client.get(post.get_absolute_url()).text
    assert "Medically reviewed by" in html and "3 March 2026" in html
    bio = client.get("/blog/reviewers/jane-doe/").text
    assert "Glutamine and Gut Health" in bio
    call_command("load_demo", verbosity=0)  # again: nothing doubles
    assert ReviewEvent.objects.filter(post=post).count() == 1


def test_the_review_page_refuses_odd_input_cleanly(reviewer_client, jane):
    post = PostFactory(reviewer=jane)

    assert reviewer_client.post(review_url(post), {"action": "<bogus>"}).status_code == 403
    assert reviewer_client.post(review_url(post), {}).status_code == 403
    too_long = reviewer_client.post(review_url(post), {"action": "mark", "note": "x" * 5000})
    assert too_long.status_code == 200 and "at most 2000 characters" in too_long.text
    bad_ids = ["999999", "abc", "9" * 40, "%00"]
    for object_id in bad_ids:
        url = f"/admin/articles/post/{object_id}/review/"
        assert reviewer_client.get(url).status_code in (302, 404)
    post.refresh_from_db()
    assert post.reviewed_at is None


def test_a_reviewer_named_on_posts_cannot_be_deleted(jane):
    from django.db.models import ProtectedError

    PostFactory(reviewer=jane)
    with pytest.raises(ProtectedError):
        jane.delete()


def test_a_reviewer_only_reads_posts_and_uses_the_review_filter(reviewer_client, jane):
    post = PostFactory(title="Needs a look")

    listing = reviewer_client.get(CHANGELIST, {"review": "due"})
    assert listing.status_code == 200 and "Needs a look" in listing.text
    form = reviewer_client.get(change_url(post)).text
    assert 'name="title"' not in form  # read-only
    assert 'value="mark"' in form


def test_a_scheduled_post_joins_the_cached_bio_page_when_it_comes_due(client, jane):
    soon = PostFactory(
        title="Coming soon", scheduled=True, reviewer=jane, reviewed_at=dt.date(2026, 3, 3)
    )
    assert "Coming soon" not in client.get("/blog/reviewers/jane-doe/").text

    # Time passes (nothing is saved: the post simply comes due).
    Post.objects.filter(pk=soon.pk).update(publish_at=timezone.now() - dt.timedelta(minutes=1))

    assert "Coming soon" in client.get("/blog/reviewers/jane-doe/").text
