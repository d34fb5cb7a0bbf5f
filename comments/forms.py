"""The reader's comment form, with its robot traps.

Two traps catch robots without bothering people:

- a honeypot field (``website``) hidden from people by a CSS class, from
  screen readers by ``aria-hidden`` and from the keyboard by ``tabindex=-1``;
- a signed token (``django.core.signing``) with the post id and the time the
  form was shown: sent sooner than COMMENTS_MIN_SECONDS, for another post, or
  altered, it gives the robot away.

A caught form is not an invalid form: it is accepted exactly like any other
(same redirect, same message, same "awaiting moderation" mark for its sender)
and stored as spam with the reason, for moderators only. A robot learns
nothing about which trap caught it, and a person caught by mistake can be
rescued from the spam list.
"""

import functools
import time

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout, Submit
from django import forms
from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import EMAIL_MAX_LENGTH, NAME_MAX_LENGTH, Comment

TOKEN_SALT = "comments.forms.CommentForm"


def make_token(post, shown_at=None):
    """A signed, timestamped token for a form shown on ``post`` now (or at ``shown_at``)."""
    return make_token_for(post.pk, shown_at)


def make_token_for(post_pk, shown_at=None):
    shown_at = time.time() if shown_at is None else shown_at
    return _signed_token(post_pk, int(shown_at), settings.SECRET_KEY)


@functools.lru_cache(maxsize=128)
def _signed_token(post_pk, second, secret_key):
    # Signing is deterministic and the token counts whole seconds: a busy post
    # page signs once a second, not once a request.
    return signing.dumps({"post": post_pk, "shown": second}, salt=TOKEN_SALT)


def fresh_token(request, post_pk):
    """The token of a form on a cached page: made when the page is served."""
    return make_token_for(post_pk)


class CommentForm(forms.ModelForm):
    name = forms.CharField(
        max_length=NAME_MAX_LENGTH,
        error_messages={
            "required": "Please give a name (any name you like).",
            "max_length": "Please keep the name to %(limit_value)d characters "
            "(it has %(show_value)d).",
        },
    )
    email = forms.EmailField(
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
    text = forms.CharField(
        label="Comment",
        max_length=settings.COMMENTS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": "Please write a comment (spaces alone do not count).",
            "max_length": "Your comment has %(show_value)d characters; the limit is "
            "%(limit_value)d. Please shorten it.",
        },
    )
    consent = forms.BooleanField(
        label=(
            "I agree that this site stores my name, email address, comment and "
            "network address so that a moderator can review the comment."
        ),
        error_messages={
            "required": "Please tick the box: we cannot keep a comment without your consent."
        },
    )
    # The honeypot. People never see it; robots fill in anything called "website".
    website = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    token = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Comment
        fields = ["name", "email", "text"]

    def __init__(self, post, *args, **kwargs):
        self.post = post
        self.caught = ""
        super().__init__(*args, **kwargs)
        self.fields["token"].initial = make_token(post)
        self.helper = FormHelper()
        self.helper.form_action = reverse("comments:post", args=[post.pk])
        self.helper.form_id = "comment-form"
        self.helper.layout = Layout(
            "name",
            "email",
            "text",
            "consent",
            Div("website", css_class="comments-hp", aria_hidden="true"),
            "token",
            Submit("submit", "Post comment"),
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            self.caught = "honeypot field filled in"
        token = cleaned.get("token") or ""
        try:
            payload = signing.loads(
                token, salt=TOKEN_SALT, max_age=settings.COMMENTS_FORM_MAX_AGE_HOURS * 3600
            )
        except signing.SignatureExpired:
            self.add_error(
                None,
                "This form was opened too long ago. Please check your comment and send it again.",
            )
            return cleaned
        except signing.BadSignature:
            self.caught = self.caught or "form token missing or altered"
            return cleaned
        if not isinstance(payload, dict) or payload.get("post") != self.post.pk:
            self.caught = self.caught or "form token made for another post"
            return cleaned
        waited = time.time() - payload.get("shown", 0)
        if waited < settings.COMMENTS_MIN_SECONDS:
            self.caught = self.caught or (
                f"sent {max(waited, 0):.1f} s after the form was shown "
                f"(minimum {settings.COMMENTS_MIN_SECONDS} s)"
            )
        return cleaned

    def refresh_token(self):
        """Give a re-rendered form a fresh token (the reader's text stays)."""
        self.data = self.data.copy()
        self.data[self.add_prefix("token")] = make_token(self.post)
