"""The moderators' queue in the admin, the counts, and who may do what."""

import datetime as dt

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments.models import BlockedTerm, Comment, CommentQuerySet
from tests.articles.factories import PostFactory, UserFactory

from .factories import CommentFactory

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:comments_comment_changelist")


def _change_url(comment):
    return reverse("admin:comments_comment_change", args=[comment.pk])


# --- the queue -------------------------------------------------------------------------------
def test_the_queue_opens_on_pending_comments_newest_first(moderator_client, post):
    now = timezone.now()
    CommentFactory(post=post, text="Older pending", created_at=now - dt.timedelta(hours=3))
    CommentFactory(post=post, text="Newer pending", created_at=now - dt.timedelta(hours=1))
    CommentFactory(post=post, approved=True, text="Already approved")
    CommentFactory(post=post, spam=True, text="Some spam")

    response = moderator_client.get(QUEUE)

    assert response.status_code == 200
    shown = [c.text for c in response.context["cl"].result_list]
    assert shown == ["Newer pending", "Older pending"]


def test_all_and_each_status_are_one_click_away(moderator_client, post):
    for status in Comment.Status:
        CommentFactory(post=post, status=status, text=f"A {status} one")

    everything = moderator_client.get(QUEUE, {"status": "all"})
    spam = moderator_client.get(QUEUE, {"status": "spam"})

    assert len(everything.context["cl"].result_list) == 4
    assert [c.text for c in spam.context["cl"].result_list] == ["A spam one"]
    assert 'href="?status=all"' in moderator_client.get(QUEUE).text


def test_the_queue_shows_post_author_excerpt_reason_and_age(moderator_client, post):
    CommentFactory(
        post=post,
        name="Held Author",
        text="word " * 100,
        held_reason="contains the blocked term “cure”",
        created_at=timezone.now() - dt.timedelta(days=2),
    )

    html = moderator_client.get(QUEUE).text

    assert "Glutamine and Gut Health" in html
    assert "Held Author" in html
    assert "contains the blocked term “cure”" in html
    assert "2\xa0days" in html
    assert "word " * 100 not in html  # an excerpt, not the whole text


def test_the_queue_filters_by_post_and_searches_name_email_and_text(moderator_client, post):
    other = PostFactory(title="Another post")
    CommentFactory(post=post, name="Findme Name", text="plain")
    CommentFactory(post=post, email="findme@mail.example", text="by email")
    CommentFactory(post=post, text="text with findme inside")
    CommentFactory(post=other, text="on the other post")

    found = moderator_client.get(QUEUE, {"q": "findme"}).context["cl"].result_list
    by_post = moderator_client.get(QUEUE, {"post__id__exact": other.pk}).context["cl"]

    assert len(found) == 3
    assert [c.text for c in by_post.result_list] == ["on the other post"]


def test_the_queue_costs_the_same_queries_for_1_and_50_comments(moderator_client, post):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert moderator_client.get(QUEUE).status_code == 200
        return len(captured)

    CommentFactory(post=post)
    moderator_client.get(QUEUE)  # session and permission caches warm
    one = queries()
    for _ in range(49):
        CommentFactory(post=PostFactory())

    assert queries() == one


# --- bulk actions -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("action", "status", "message"),
    [
        ("approve", Comment.Status.APPROVED, "2 comments approved."),
        ("reject", Comment.Status.REJECTED, "2 comments rejected."),
        ("mark_spam", Comment.Status.SPAM, "2 comments marked as spam."),
    ],
)
def test_bulk_actions_decide_record_and_answer(
    moderator_client, moderator, post, action, status, message
):
    chosen = CommentFactory.create_batch(2, post=post)
    untouched = CommentFactory(post=post)

    response = moderator_client.post(
        QUEUE,
        {"action": action, "_selected_action": [c.pk for c in chosen]},
        follow=True,
    )

    assert message in [str(m) for m in response.context["messages"]]
    for comment in chosen:
        comment.refresh_from_db()
        assert (comment.status, comment.status_changed_by) == (status, moderator)
    assert Comment.objects.get(pk=untouched.pk).status == Comment.Status.PENDING
    assert LogEntry.objects.filter(user=moderator).count() == 2


def test_one_comment_gets_a_singular_message(moderator_client, post):
    comment = CommentFactory(post=post)

    response = moderator_client.post(
        QUEUE, {"action": "approve", "_selected_action": [comment.pk]}, follow=True
    )

    assert "1 comment approved." in [str(m) for m in response.context["messages"]]


def test_the_history_of_a_comment_shows_who_decided(moderator_client, moderator, post):
    comment = CommentFactory(post=post)
    Comment.objects.filter(pk=comment.pk).approve(by=moderator)

    history = moderator_client.get(
        reverse("admin:comments_comment_history", args=[comment.pk])
    ).text

    assert "Status changed to Approved." in history
    assert moderator.username in history


def test_changing_the_status_on_the_form_records_the_moderator(moderator_client, moderator, post):
    comment = CommentFactory(post=post, text="Judge me")

    moderator_client.post(
        _change_url(comment),
        {"name": comment.name, "email": comment.email, "text": comment.text, "status": "approved"},
    )

    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert comment.status_changed_by == moderator
    assert comment.status_changed_at is not None


def test_the_comment_page_names_who_decided_without_a_link_moderators_cannot_open(
    moderator_client, moderator, post
):
    """Found in the moderator's journey: "status changed by" was the user name
    linked to the users admin, a 403 for every moderator."""
    comment = CommentFactory(post=post)
    Comment.objects.filter(pk=comment.pk).reject(by=moderator)

    page = moderator_client.get(_change_url(comment)).text

    assert f"{moderator.get_full_name()} ({moderator.username})" in page
    assert reverse("admin:auth_user_change", args=[moderator.pk]) not in page


def test_the_change_form_and_the_bulk_action_take_the_same_path(
    moderator_client, moderator, post, monkeypatch
):
    """Issue 7: one method records who and when, writes the history and marks
    the post's page changed; the change form calls it, as the actions do."""
    by_form, by_action = (
        CommentFactory(post=post, text="By form"),
        CommentFactory(post=post, text="By action"),
    )
    calls = []
    original = CommentQuerySet.set_status

    def spy(queryset, status, by, **kwargs):
        calls.append((sorted(queryset.values_list("pk", flat=True)), status, by))
        return original(queryset, status, by, **kwargs)

    monkeypatch.setattr(CommentQuerySet, "set_status", spy)
    reader = Client()
    before = reader.get(post.get_absolute_url())

    moderator_client.post(
        _change_url(by_form),
        {"name": by_form.name, "email": by_form.email, "text": by_form.text, "status": "approved"},
    )
    moderator_client.post(QUEUE, {"action": "approve", "_selected_action": [by_action.pk]})

    assert calls == [
        ([by_form.pk], "approved", moderator),
        ([by_action.pk], "approved", moderator),
    ]
    for comment in (by_form, by_action):
        history = LogEntry.objects.filter(object_id=str(comment.pk))
        assert "Status changed to Approved." in [e.get_change_message() for e in history]
    after = reader.get(post.get_absolute_url(), HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and "By form" in after.text and "By action" in after.text


def test_editing_only_the_text_keeps_the_decision_record(moderator_client, moderator, post):
    comment = CommentFactory(post=post, text="Typo hree", approved=True)
    Comment.objects.filter(pk=comment.pk).update(status_changed_by=None, status_changed_at=None)

    moderator_client.post(
        _change_url(comment),
        {"name": comment.name, "email": comment.email, "text": "Typo here", "status": "approved"},
    )

    comment.refresh_from_db()
    assert comment.text == "Typo here"
    assert comment.status_changed_by is None  # no decision was made


# --- replying from the admin -------------------------------------------------------------------
def test_a_moderator_replies_from_the_comment_page(client, moderator_client, moderator, post):
    comment = CommentFactory(post=post, text="When should I take it?")

    response = moderator_client.post(
        _change_url(comment),
        {
            "name": comment.name,
            "email": comment.email,
            "text": comment.text,
            "status": comment.status,
            "reply": "After exercise works well.",
        },
    )

    assert response.status_code == 302
    reply = Comment.objects.get(parent=comment)
    assert (reply.is_staff_reply, reply.status, reply.user) == (
        True,
        Comment.Status.APPROVED,
        moderator,
    )
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED  # answering approves it
    page = client.get(post.get_absolute_url()).text
    assert "After exercise works well." in page and "Staff reply" in page


@pytest.mark.parametrize("status", [Comment.Status.SPAM, Comment.Status.REJECTED])
def test_a_reply_to_spam_or_a_rejected_comment_is_refused_and_kept(moderator_client, post, status):
    comment = CommentFactory(post=post, status=status, text="Buy pills at example.net")

    response = moderator_client.post(
        _change_url(comment),
        {
            "name": comment.name,
            "email": comment.email,
            "text": comment.text,
            "status": status,
            "reply": "Thanks for the link!",
        },
    )

    assert response.status_code == 200
    assert "a reply would publish it" in response.text
    assert "Thanks for the link!" in response.text  # what the moderator typed is kept
    comment.refresh_from_db()
    assert comment.status == status
    assert not Comment.objects.filter(parent=comment).exists()
    assert "Buy pills" not in Client().get(post.get_absolute_url()).text


def test_rejecting_and_replying_in_the_same_save_is_refused(moderator_client, post):
    comment = CommentFactory(post=post, text="Pending, about to be rejected")

    response = moderator_client.post(
        _change_url(comment),
        {
            "name": comment.name,
            "email": comment.email,
            "text": comment.text,
            "status": "rejected",
            "reply": "A reply that would publish it.",
        },
    )

    assert response.status_code == 200
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING  # nothing half-saved
    assert not Comment.objects.filter(parent=comment).exists()


def test_the_comment_page_shows_the_sender_details_to_moderators(moderator_client, post):
    comment = CommentFactory(post=post, ip_address="198.51.100.7", user_agent="Agent/7")

    html = moderator_client.get(_change_url(comment)).text

    assert "198.51.100.7" in html and "Agent/7" in html
    assert 'name="reply"' in html


# --- counts -----------------------------------------------------------------------------------
def test_the_admin_index_shows_how_many_comments_wait(moderator_client, post):
    CommentFactory.create_batch(3, post=post)
    CommentFactory(post=post, approved=True)

    html = moderator_client.get(reverse("admin:index")).text

    assert "3 comments awaiting approval" in html


def test_the_admin_index_says_nothing_waits_to_editors(editor_client, post):
    CommentFactory(post=post)

    html = editor_client.get(reverse("admin:index")).text

    assert "awaiting approval" not in html


def test_the_post_admin_shows_pending_and_approved_counts(moderator_client, post):
    CommentFactory.create_batch(2, post=post)
    CommentFactory.create_batch(3, post=post, approved=True)
    CommentFactory(post=post, spam=True)

    response = moderator_client.get(reverse("admin:articles_post_changelist"))

    [row] = response.context["cl"].result_list
    assert (row.pending_comment_total, row.approved_comment_total) == (2, 3)
    assert f"?post__id__exact={post.pk}&amp;status=pending" in response.text


def test_editors_see_the_counts_without_links_into_the_queue(editor_client, post):
    CommentFactory.create_batch(2, post=post)

    response = editor_client.get(reverse("admin:articles_post_changelist"))

    assert "Pending comments" in response.text
    assert reverse("admin:comments_comment_changelist") not in response.text


# --- who may do what --------------------------------------------------------------------------
def test_the_groups_have_exactly_their_comment_permissions():
    def perms(group):
        return set(
            Group.objects.get(name=group)
            .permissions.filter(content_type__app_label="comments")
            .values_list("codename", flat=True)
        )

    assert perms("Moderators") == {
        "view_comment",
        "change_comment",
        "view_commentdeletion",
        "add_blockedterm",
        "change_blockedterm",
        "delete_blockedterm",
        "view_blockedterm",
    }
    assert perms("Editors") == set()


def test_editors_cannot_see_or_work_the_queue(editor_client, post):
    comment = CommentFactory(post=post)

    forbidden = editor_client.get(QUEUE)
    assert forbidden.status_code == 403
    # In the admin's own look, naming what is missing and who has it.
    assert "glutablog administration" in forbidden.text
    assert "Can view comment" in forbidden.text and "Moderators" in forbidden.text
    assert editor_client.get(_change_url(comment)).status_code == 403
    response = editor_client.post(QUEUE, {"action": "approve", "_selected_action": [comment.pk]})
    assert response.status_code == 403
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.PENDING


def test_moderators_cannot_change_posts(moderator_client, post):
    change = reverse("admin:articles_post_change", args=[post.pk])

    assert moderator_client.get(reverse("admin:articles_post_changelist")).status_code == 200
    response = moderator_client.post(change, {"title": "Hijacked"})
    assert response.status_code == 403
    assert moderator_client.get(reverse("admin:articles_post_add")).status_code == 403


def test_moderators_cannot_add_or_delete_comments(moderator_client, post):
    comment = CommentFactory(post=post)

    assert moderator_client.get(reverse("admin:comments_comment_add")).status_code == 403
    delete = reverse("admin:comments_comment_delete", args=[comment.pk])
    assert moderator_client.post(delete, {"post": "yes"}).status_code == 403
    actions = moderator_client.get(QUEUE).context["action_form"].fields["action"].choices
    assert "delete_selected" not in dict(actions)


def test_moderators_keep_the_blocklist(moderator_client):
    response = moderator_client.post(
        reverse("admin:comments_blockedterm_add"), {"term": " casino ", "action": "spam"}
    )

    assert response.status_code == 302
    assert BlockedTerm.objects.get().term == "casino"


def test_an_editor_who_is_also_a_moderator_may_moderate(client, post):
    both = UserFactory(username="both", is_staff=True)
    both.groups.add(*Group.objects.filter(name__in=["Editors", "Moderators"]))
    client.force_login(both)
    comment = CommentFactory(post=post)

    client.post(QUEUE, {"action": "approve", "_selected_action": [comment.pk]})

    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.APPROVED
