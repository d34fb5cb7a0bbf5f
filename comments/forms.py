"""The reader's comment form, with its robot traps.

The form is part of the post page that every anonymous reader shares (the
page cache), so nothing in it is personal: no CSRF token (the view checks the
request's Fetch Metadata and Origin headers instead, core.security) and no
per-reader timestamp. Two traps catch robots without bothering people:

- a honeypot field (``website``) hidden from people by a CSS class, from
  screen readers by ``aria-hidden`` and from the keyboard by ``tabindex=-1``:
  filled in (spaces included) or left out of the form altogether, it gives
  the robot away;
- a signed token (``django.core.signing``) naming the post, the version of
  the page it was rendered into (``Post.page_changed_at``) and when: altered,
  missing, or made for another post, it gives the robot away.

A caught form is not an invalid form: it is accepted exactly like any other
(same redirect, same message, same "awaiting moderation" mark for its sender)
and stored as spam with the reason, for moderators only. A robot learns
nothing about which trap caught it, and a person caught by mistake can be
rescued from the spam list.

The token also bounds how long one scraped form can be used: it expires after
COMMENTS_FORM_MAX_AGE_HOURS, and once the page has changed (a comment
approved, the post edited) a token of the old version stays good for only
COMMENTS_FORM_VERSION_GRACE_MINUTES more. An honest reader with an old tab is
asked to send again, with everything typed kept.
"""

import time

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Layout, Submit
from django import forms
from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.html import format_html

from core.emails import EmailAddressField

from .models import EMAIL_MAX_LENGTH, NAME_MAX_LENGTH, Comment, validate_one_line

TOKEN_SALT = "comments.forms.CommentForm"
HONEYPOT = "website"
TOO_OLD = "This form was opened too long ago. Please check your comment and send it again."
PAGE_CHANGED = (
    "This form was opened a while ago and the page has changed since. Please check "
    "your comment and send it again."
)


DATA_GOES = (
    "Your name and comment are published once a moderator approves them. Your email "
    "address, network address and browser are seen by the moderators only."
)


def consent_help(privacy_policy):
    """The line under the consent box: where the data goes in plain words and,
    when the site has one (a core.site_links.Link), its privacy policy."""
    if privacy_policy is None:
        return DATA_GOES
    return format_html(
        '{} How long we keep them and how to have them deleted: <a href="{}">{}</a>.',
        DATA_GOES,
        privacy_policy.url,
        privacy_policy.title,
    )


def page_version(post):
    return f"{post.page_changed_at.timestamp():.6f}"


def token_lifetime():
    return settings.COMMENTS_FORM_MAX_AGE_HOURS * 3600


def token_period_start(moment=None):
    """Tokens are dated to the start of their half-lifetime period, so every
    rendering of one page version in one period is the same, byte for byte,
    in every server process; the page cache renders again when it ends."""
    moment = time.time() if moment is None else moment
    period = token_lifetime() / 2
    return int(moment // period * period)


def token_period_end(moment=None):
    return token_period_start(moment) + token_lifetime() / 2


def make_token(post, shown_at=None):
    """A signed token for a form shown on ``post``'s current page (dated to the
    start of the period of ``shown_at``, by default now)."""
    payload = {
        "post": post.pk,
        "version": page_version(post),
        "shown": token_period_start(shown_at),
    }
    return signing.Signer(salt=TOKEN_SALT).sign_object(payload)


class CommentTextField(forms.CharField):
    """The comment's text, counted the way the reader's counter counts it
    (comments/static/comments/count.js): characters (code points, as Python
    counts), a line break as one (browsers send each as \\r\\n).

    The box carries its limit as ``data-limit``, not ``maxlength``: with
    maxlength the browser cuts what is pasted past the limit without a word.
    The server says the limit and refuses too long a text, all of it kept.
    """

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n")

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        if self.max_length is not None:
            attrs["data-limit"] = str(self.max_length)
        return attrs


# Under the box: the count the script shows (and hides from screen readers,
# who hear the polite announcement instead, once the reader pauses).
COUNTER = HTML(
    '<p id="id_text_count" class="form-text comment-count" hidden></p>'
    '<p id="id_text_count_live" class="visually-hidden" aria-live="polite"></p>'
)


class CommentForm(forms.ModelForm):
    name = forms.CharField(
        max_length=NAME_MAX_LENGTH,
        validators=[validate_one_line],  # a name goes into mail: one line of plain text
        error_messages={
            "required": "Please give a name (any name you like).",
            "max_length": "Please keep the name to %(limit_value)d characters "
            "(it has %(show_value)d).",
        },
    )
    # Cleaned to the address's normal form (core.emails): what is stored.
    email = EmailAddressField(
        label="Email",
        max_length=EMAIL_MAX_LENGTH,
        help_text="Never shown publicly.",
        error_messages={
            "required": "Please give your email address; it is never shown publicly.",
            "invalid": "Enter a valid email address, such as you@example.com.",
            "max_length": "An email address has at most %(limit_value)d characters "
            "(this one has %(show_value)d).",
        },
    )
    text = CommentTextField(
        label="Comment",
        max_length=settings.COMMENTS_MAX_LENGTH,
        help_text=f"Up to {settings.COMMENTS_MAX_LENGTH:,} characters.",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": "Please write a comment (spaces alone do not count).",
            "max_length": "Your comment has %(show_value)d characters; the limit is "
            "%(limit_value)d. Please shorten it.",
        },
    )
    notify_on_approval = forms.BooleanField(
        label="Email me when my comment is approved",
        required=False,  # off unless the reader ticks it; the same box for everyone
        help_text="One email, once, when the comment is published.",
    )
    consent = forms.BooleanField(
        label=(
            "I agree that this site stores my name, email address, comment, network "
            "address and browser so that a moderator can review the comment."
        ),
        help_text=DATA_GOES,
        error_messages={
            "required": "Please tick the box: we cannot keep a comment without your consent."
        },
    )
    # The honeypot. People never see it; robots fill in anything called "website".
    website = forms.CharField(
        label="Leave this field empty",
        required=False,
        strip=False,  # spaces count as filled in
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    token = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Comment
        fields = ["name", "email", "text", "notify_on_approval"]

    def __init__(self, post, *args, **kwargs):
        self.post = post
        self.caught = ""
        super().__init__(*args, **kwargs)
        self.fields["token"].initial = make_token(post)
        self.helper = FormHelper()
        # The same form for every reader: cross-site posts are refused by the
        # request's own headers (core.security), not by a per-reader token.
        self.helper.disable_csrf = True
        self.helper.form_action = reverse("comments:post", args=[post.pk])
        self.helper.form_id = "comment-form"
        # The browser's own checks (bubbles that vanish, in the browser's words,
        # one field at a time) are off: the server's messages are shown, all
        # at once, summarised at the top (templates/partials/error_summary.html)
        # and on each field, where screen readers find them.
        # data-keep-unsent: core/static/core/unsent.js keeps the text in the
        # browser as it is sent, for nginx's page when no server answers
        # (docs/operations.md#several-app-servers-make-cluster).
        self.helper.attrs = {"novalidate": True, "data-keep-unsent": ""}
        self.helper.layout = Layout(
            "name",
            "email",
            "text",
            COUNTER,
            "notify_on_approval",
            "consent",
            Div("website", css_class="comments-hp", aria_hidden="true"),
            "token",
            Submit("submit", "Post comment"),
        )

    def link_privacy_policy(self, privacy_policy):
        """Link the consent line to the site's privacy policy (a Link, or None)."""
        help_text = consent_help(privacy_policy)
        self.fields["consent"].help_text = help_text
        # A form that was validated (re-rendered with its errors) made its
        # bound fields then, and each copied its field's help text: without
        # this the consent line lost its link exactly when the reader had to
        # look at it again.
        self["consent"].help_text = help_text

    def clean(self):
        cleaned = super().clean()
        if HONEYPOT not in self.data:
            self.caught = "honeypot field left out of the form"
        elif cleaned.get(HONEYPOT, "") != "":
            self.caught = "honeypot field filled in"
        try:
            payload = signing.Signer(salt=TOKEN_SALT).unsign_object(cleaned.get("token") or "")
        except signing.BadSignature:
            self.caught = self.caught or "form token missing or altered"
            return cleaned
        if not isinstance(payload, dict) or payload.get("post") != self.post.pk:
            self.caught = self.caught or "form token made for another post"
            return cleaned
        shown = payload.get("shown")
        if not isinstance(shown, int) or time.time() - shown > token_lifetime():
            self.add_error(None, TOO_OLD)
            return cleaned
        if payload.get("version") != page_version(self.post) and self._version_grace_over():
            self.add_error(None, PAGE_CHANGED)
        return cleaned

    def _version_grace_over(self):
        """The page changed after this form was shown: more than the grace ago?"""
        grace = settings.COMMENTS_FORM_VERSION_GRACE_MINUTES * 60
        return time.time() - self.post.page_changed_at.timestamp() > grace

    def refresh_token(self):
        """Give a re-rendered form a fresh token (the reader's text stays)."""
        self.data = self.data.copy()
        self.data[self.add_prefix("token")] = make_token(self.post)


class DeletionRequestForm(forms.Form):
    """A reader asks for every comment sent from an address to be deleted."""

    # Cleaned to the address's normal form: what is looked up, and mailed.
    email = EmailAddressField(
        label="Your email address",
        max_length=EMAIL_MAX_LENGTH,
        help_text="The address you gave with your comments, or subscribed with.",
        error_messages={
            "required": "Please give the email address you used with your comments.",
            "invalid": "Enter a valid email address, such as you@example.com.",
            "max_length": "An email address has at most %(limit_value)d characters "
            "(this one has %(show_value)d).",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
