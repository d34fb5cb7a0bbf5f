"""The site's mail never carries a stranger's words as its own, and is never
lost to a line break.

Issue 16: a name with line breaks and a URL ("Dana\\n\\nSECURITY NOTICE: verify
your account at http://…") was copied into the approval email sent to the
address the commenter typed; a post title with a line break made every
notice about that post raise BadHeaderError, dropped after five retries."""

from email import message_from_bytes, policy

import pytest
from django.core import mail as django_mail
from django.urls import reverse

from comments import notifications
from comments.models import NOT_ONE_LINE, Comment
from core.mail import SiteEmail
from tests.articles.factories import PostFactory

from .factories import CommentFactory, form_data

pytestmark = pytest.mark.django_db

PHISHING = "Dana\n\nSECURITY NOTICE: verify your account at http://evil.example/login"
BREAKS = ["\n", "\r\n", "\r", "\x0b", "\x0c", "\u2028", "\u2029", "\x85", "\t", "\x00", "\u202e"]


# --- a name is one line --------------------------------------------------------------


@pytest.mark.parametrize("brk", BREAKS, ids=[repr(b) for b in BREAKS])
def test_a_name_with_a_line_break_or_control_character_is_refused_and_kept(
    client, post, comment_url, brk
):
    typed = f"Dana{brk}SECURITY NOTICE"
    response = client.post(comment_url, form_data(post, name=typed, text="My words, kept."))

    assert response.status_code == 200
    assert NOT_ONE_LINE in response.text
    assert not Comment.objects.exists()
    form = response.context["comment_form"]
    assert form["name"].value() == typed  # kept as typed (shown escaped)
    assert "My words, kept." in response.text


@pytest.mark.parametrize(
    "name",
    ["Zoë O’Brien-Smith", "José\u00a0María", "مهرداد\u200cرضایی", "李小龍", "Dana 👩\u200d🔬"],
    ids=["apostrophe", "nbsp", "zwnj", "cjk", "emoji-zwj"],
)
def test_names_of_the_world_are_one_line_and_welcome(client, post, comment_url, name):
    response = client.post(comment_url, form_data(post, name=name))

    assert response.status_code == 302
    assert Comment.objects.get().name == name


def test_a_moderator_cannot_save_a_name_on_two_lines(post, moderator_client):
    comment = CommentFactory(post=post)
    url = reverse("admin:comments_comment_change", args=[comment.pk])

    response = moderator_client.post(
        url, {"name": PHISHING, "email": comment.email, "text": comment.text,
              "status": comment.status},
    )  # fmt: skip

    assert response.status_code == 200
    assert NOT_ONE_LINE in response.text


# --- what the mail says ------------------------------------------------------------


def test_the_approval_notice_quotes_nothing_the_commenter_wrote(
    post, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    """The notice goes to an address the commenter typed (anyone's): it may
    carry the site's words only."""
    comment = CommentFactory(
        post=post, name="Dana SECURITY NOTICE verify at http://evil.example",
        text="Visit http://evil.example/login now", notify_on_approval=True,
    )  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        comment.set_status(Comment.Status.APPROVED, by=moderator)

    [notice] = mailoutbox
    for theirs in ("Dana", "SECURITY", "evil.example", "Visit"):
        assert theirs not in notice.body and theirs not in notice.subject
    assert notice.body.startswith("Hello,\n")


def test_the_moderators_notice_quotes_the_readers_words_as_theirs(
    post, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    comment = CommentFactory(
        post=post, name="Dana", notify_on_approval=False,
        text="Great post.\n\nSECURITY NOTICE from the site: log in at http://evil.example",
    )  # fmt: skip

    notifications.notify_moderators.enqueue(comment.pk)

    [notice] = mailoutbox
    lines = notice.body.splitlines()
    intro = lines.index(
        "The reader's name and comment, quoted as they sent them (nobody has checked them "
        "yet; links in them are theirs, not ours):"
    )
    theirs = [n for n, line in enumerate(lines) if "SECURITY" in line or "Great post" in line]
    assert theirs and all(n > intro and lines[n].startswith("> ") for n in theirs)
    assert "Name: Dana" in lines
    assert "> " in lines[theirs[0] + 1] or lines[theirs[0] + 1] == ">"  # the blank line too


def test_a_name_stored_on_two_lines_before_the_rule_reaches_the_moderators_on_one(
    post, moderator, mailoutbox
):
    comment = CommentFactory(post=post)
    Comment.objects.filter(pk=comment.pk).update(name=PHISHING)  # as stored before

    notifications.notify_moderators.enqueue(comment.pk)

    [notice] = mailoutbox
    assert (
        "Name: Dana SECURITY NOTICE: verify your account at http://evil.example/login"
        in notice.body.splitlines()
    )


# --- titles with line breaks: subjects on one line, mail never lost -----------------


# (PostgreSQL stores no NUL character in text: not a title it can hold.)
@pytest.mark.parametrize("brk", BREAKS[:-2] + BREAKS[-1:], ids=repr)
def test_every_notice_about_a_post_whose_title_has_a_line_break_is_sent_on_one_line(
    moderator, mailoutbox, django_capture_on_commit_callbacks, brk
):
    post = PostFactory(title="Glutamine")
    PostFactory._meta.model.objects.filter(pk=post.pk).update(title=f"Glutamine{brk}and Gut")
    comment = CommentFactory(post=post, notify_on_approval=True)

    moderators = notifications.notify_moderators.enqueue(comment.pk)
    with django_capture_on_commit_callbacks(execute=True):
        comment.set_status(Comment.Status.APPROVED, by=moderator)

    assert moderators.return_value == "sent"
    assert len(mailoutbox) == 2
    for sent in mailoutbox:
        assert "Glutamine and Gut" in sent.subject
        parsed = message_from_bytes(sent.message().as_bytes(), policy=policy.default)
        assert "Glutamine and Gut" in parsed["Subject"]  # what a mail program shows
        assert "\n" not in parsed["Subject"] and parsed["Subject"].isprintable()
        assert "Glutamine and Gut" in sent.body


def test_a_site_email_is_one_line_whatever_its_subject():
    message = SiteEmail("A\r\nBcc: victim@example.com\x0bThird\u2028line", "Body.", to=["a@b.cd"])

    assert message.subject == "A Bcc: victim@example.com Third line"
    assert message.message()["Bcc"] is None
    locmem = django_mail.get_connection("django.core.mail.backends.locmem.EmailBackend")
    assert locmem.send_messages([message]) == 1
