"""The subscribe form: the same for every reader, so it can sit in the shared
cached page (no CSRF token: the view checks the request's Fetch Metadata and
Origin headers, core.security, as the comment form's does)."""

from django import forms
from django.utils.html import format_html

from articles.models import Topic
from core.emails import MAX_LENGTH, EmailAddressField

STORED = (
    "We store your email address, the topics you choose and when you subscribed "
    "and confirmed, to send you new posts. Every email has a link to unsubscribe."
)


def consent_help(privacy_policy, link_class="link-body-emphasis"):
    """The line under the consent box, linking the privacy policy (a
    core.site_links.Link) when the site has one. The link takes the text's
    own colour (``link_class``): Bootstrap's blue on the footer's grey falls
    short of WCAG's contrast ratio."""
    if privacy_policy is None:
        return STORED
    return format_html(
        '{} How long we keep it and how to have it deleted: <a class="{}" href="{}">{}</a>.',
        STORED,
        link_class,
        privacy_policy.url,
        privacy_policy.title,
    )


class TopicChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


def topics_field():
    """Every post (none ticked) or these topics; cleaned by ``TopicsMixin``."""
    return TopicChoices(
        queryset=Topic.objects.all(),
        required=False,
        label="Only posts about",
        help_text="Leave these empty to receive every post.",
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )


class TopicsMixin:
    def clean_topics(self):
        """The topic ids chosen, sorted, or None: every post."""
        topics = self.cleaned_data["topics"]
        return None if not topics else sorted(t.pk for t in topics)


class SubscribeForm(TopicsMixin, forms.Form):
    email = EmailAddressField(
        # Not "Your email address": the comment deletion form, on pages whose
        # footer has this form, asks that; two fields, one name, confuse a
        # screen reader's list of fields.
        label="Email address for new posts",
        max_length=MAX_LENGTH,
        error_messages={
            "required": "Please give the email address the posts should go to.",
            "max_length": "An email address has at most %(limit_value)d characters "
            "(this one has %(show_value)d).",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    topics = topics_field()
    consent = forms.BooleanField(
        label="I agree that this site stores my email address to send me new posts.",
        help_text=STORED,
        error_messages={
            "required": "Please tick the box: we cannot send you posts without your consent."
        },
    )

    def __init__(self, *args, place="page", topics=None, privacy_policy=None, **kwargs):
        """``place`` keeps the ids of two forms on one page apart; ``topics``
        are the topics offered (the form takes any topic)."""
        kwargs.setdefault("auto_id", f"id_{place}_%s")
        super().__init__(*args, **kwargs)
        self.place = place
        if topics is not None:
            self.fields["topics"].choices = [(t.pk, t.name) for t in topics]
        self.fields["consent"].help_text = consent_help(privacy_policy)


class PreferencesForm(TopicsMixin, forms.Form):
    """A subscriber's choices, from the link in any email."""

    topics = topics_field()
    paused = forms.BooleanField(
        label="Pause: send me nothing until I come back here",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
