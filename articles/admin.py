import dataclasses
import json

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.html import format_html
from django.utils.translation import ngettext

from core.admin_locking import LockedChangeFormAdmin
from core.forms import (
    NamedSplitDateTime,
    OneQueryInlineFormSet,
    UnchangedSinceOpenedForm,
    name_table_row,
)
from core.paginators import LargeTableAdminMixin

from . import citations, publishing, revisions
from .admin_editing import PostEditingMixin
from .admin_history import PostRevisionsMixin
from .admin_review import MedicalReviewFilter, PostReviewAdminMixin
from .models import Author, Disclaimer, Post, PostDisclaimer, Reference, Reviewer, Topic


def _kept_forms(formset):
    """The forms a valid submission will keep (filled in, not marked for deletion)."""
    return [f for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]


class BodyCheckFormSet(OneQueryInlineFormSet):
    """An inline whose rows the body refers to (references by number,
    disclaimers by marker). The mistake is in the body, so the full message
    goes on the Body field (``PostAdmin.render_change_form``) and the inline
    only points at it; either way nothing is saved."""

    def body_check_arguments(self, kept_forms):
        raise NotImplementedError

    def clean(self):
        super().clean()
        self.body_errors = []
        if any(self.errors):
            return
        try:
            self.instance.check_body(**self.body_check_arguments(_kept_forms(self)))
        except ValidationError as error:
            self.body_errors = error.error_list
            raise ValidationError(
                "The body does not match this list: see the message under Body.",
                code="see_body",
            ) from None


class ReferenceFormSet(BodyCheckFormSet):
    def body_check_arguments(self, kept_forms):
        return {"reference_count": len(kept_forms)}


class ReferenceForm(forms.ModelForm):
    """A reference of any type (``kind``; not required: see ``clean_kind``). The type's select carries which fields each
    type uses and what they are called for it (articles/citations.py), and
    ``articles/admin/reference-types.js`` shows only those; without
    JavaScript every field shows, and saving empties those the type does
    not use (``Reference.clean``)."""

    # A URL typed without a scheme means https (Django 6.0's default, today).
    url = forms.URLField(
        label="URL",
        max_length=500,
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"class": "vURLField", "size": 80}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].required = False

    def clean_kind(self):
        # A form sent without a type (a script written before references had
        # types) adds what every reference was then: a journal article.
        return self.cleaned_data.get("kind") or Reference.Kind.ARTICLE

    class Meta:
        model = Reference
        fields = [
            "order", "kind", "authors", "editors", "title", "journal", "book_title",
            "publisher", "edition", "report_number", "year", "volume", "issue", "pages",
            "doi", "pmid", "url", "accessed",
        ]  # fmt: skip
        widgets = {
            "kind": forms.Select(
                attrs={
                    "class": "reference-kind",
                    "data-fields": json.dumps(citations.FIELDS),
                    "data-labels": json.dumps(citations.LABELS),
                }
            ),
            "authors": forms.TextInput(attrs={"class": "vTextField", "size": 80}),
            "editors": forms.TextInput(attrs={"class": "vTextField", "size": 80}),
            "title": forms.Textarea(attrs={"class": "vLargeTextField", "rows": 2}),
            "journal": forms.TextInput(attrs={"class": "vTextField", "size": 60}),
            "book_title": forms.TextInput(attrs={"class": "vTextField", "size": 80}),
            "publisher": forms.TextInput(attrs={"class": "vTextField", "size": 60}),
            "edition": forms.TextInput(attrs={"size": 8}),
            "report_number": forms.TextInput(attrs={"size": 30}),
            "volume": forms.TextInput(attrs={"size": 6}),
            "issue": forms.TextInput(attrs={"size": 6}),
            "pages": forms.TextInput(attrs={"size": 12}),
            "doi": forms.TextInput(attrs={"class": "vTextField", "size": 40}),
        }


class ReferenceInline(admin.StackedInline):
    model = Reference
    form = ReferenceForm
    formset = ReferenceFormSet
    extra = 0
    fields = [
        "order",
        "kind",
        "authors",
        "editors",
        "title",
        "journal",
        "book_title",
        "publisher",
        ("edition", "report_number"),
        ("year", "volume", "issue", "pages"),
        ("doi", "pmid"),
        ("url", "accessed"),
    ]
    classes = ["references-inline"]
    verbose_name = "reference"
    verbose_name_plural = "references (numbered [1], [2] … in this order)"


class PostDisclaimerForm(forms.ModelForm):
    class Meta:
        model = PostDisclaimer
        fields = ["disclaimer", "order"]

    def has_changed(self):
        # A default disclaimer offered to a new post counts as chosen unless
        # the editor empties the field.
        if self.initial.get("disclaimer") and not self.instance.pk:
            return bool(self.data.get(self.add_prefix("disclaimer")))
        return super().has_changed()


class PostDisclaimerFormSet(BodyCheckFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        # A table row: its fields are named by the column and the row.
        name_table_row(form, "new disclaimer" if index is None else f"disclaimer {index + 1}")

    def body_check_arguments(self, kept_forms):
        return {"markers": [form.cleaned_data["disclaimer"].marker for form in kept_forms]}


class PostDisclaimerInline(admin.TabularInline):
    model = PostDisclaimer
    form = PostDisclaimerForm
    formset = PostDisclaimerFormSet
    extra = 0
    autocomplete_fields = ["disclaimer"]
    verbose_name = "disclaimer"
    verbose_name_plural = "disclaimers (shown at the foot of the post, in this order)"

    def get_extra(self, request, obj=None, **kwargs):
        if obj is None:
            return max(Disclaimer.defaults().count(), 1)
        return 0


class PostForm(UnchangedSinceOpenedForm):
    """A save from a form opened before someone else's save is stopped
    (UnchangedSinceOpenedForm: its hidden loaded_at)."""

    class Meta:
        model = Post
        fields = [
            "title", "slug", "summary", "body", "status", "publish_at", "author",
            "comments_enabled", "email_on_publish", "featured_image", "topics", "reviewer",
        ]  # fmt: skip
        widgets = {
            # A small, curated set: every topic in view, ticked or not.
            "topics": forms.CheckboxSelectMultiple,
            "title": forms.TextInput(attrs={"class": "vTextField", "size": 80}),
            "summary": forms.Textarea(attrs={"class": "summary-editor", "rows": 3}),
            "body": forms.Textarea(attrs={"class": "markdown-editor", "rows": 28}),
            # Django's date and time inputs, each with a name screen readers say.
            "publish_at": NamedSplitDateTime(label="Publish time"),
        }
        error_messages = {
            "slug": {
                # Django's "Post with this Slug already exists." met an editor
                # who reused a title: say what the slug is and what to do.
                "unique": (
                    "Another post already has this slug, the end of its address. "
                    "Change it here (for example, add a word) to give this post its own."
                )
            }
        }

    def clean(self):
        """The rules of publishing (articles.publishing), asked of the post as
        this form would save it; each refusal goes on the field it is about."""
        cleaned = super().clean()
        if "status" in cleaned:
            topics = cleaned.get("topics") if "topics" in self.fields else None
            for refusal in publishing.refusals(
                self.instance, status=cleaned["status"], topics=topics, body=cleaned.get("body")
            ):
                self.add_error(refusal.field, ValidationError(refusal.reason, code=refusal.code))
        return cleaned


@dataclasses.dataclass(frozen=True)
class ListColumn:
    """A column another app adds to the post list (``PostAdmin.add_list_column``).

    ``annotation`` is annotated on the list's queryset under ``name`` (name it
    for what it is, never like a Post attribute); ``cell(request, post,
    value)`` renders the cell (escaped: return text or ``format_html``).
    """

    name: str
    description: str
    annotation: object
    cell: object

    def for_request(self, request):
        def column(post):
            return self.cell(request, post, getattr(post, self.name))

        column.short_description = self.description
        column.admin_order_field = self.name
        return column


@admin.register(Post)
class PostAdmin(
    LockedChangeFormAdmin,
    PostReviewAdminMixin,
    PostEditingMixin,
    LargeTableAdminMixin,
    PostRevisionsMixin,
):
    form = PostForm
    list_display = [
        "title", "state", "publish_at", "author_name", "reference_count", "review_column",
    ]  # fmt: skip
    list_display_links = ["title"]
    list_filter = ["status", "topics", MedicalReviewFilter, "publish_at", "comments_enabled"]
    list_select_related = ["author", "reviewer"]
    search_fields = ["title", "summary", "body"]
    # Editors browse by year and month. (A DISTINCT over the posts' dates: fine
    # for tens of thousands of posts; the comment queue, with millions of
    # rows, has none.)
    date_hierarchy = "publish_at"
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ReferenceInline, PostDisclaimerInline]
    actions = ["publish", "unpublish", "mark_reviewed", "submit_for_review"]
    readonly_fields = [
        "created_at", "updated_at", "featured_image_preview", "review_summary", "review_history",
    ]  # fmt: skip
    autocomplete_fields = ["featured_image", "reviewer"]
    save_on_top = True
    list_per_page = 50

    # Columns other apps add to the list (the comments app: pending and
    # approved comment counts), so this app needs to know nothing of them.
    extra_list_columns = []

    class Media:
        css = {"all": ["articles/admin.css"]}
        # The body's live preview (PostEditingMixin.body_preview_view), and
        # each reference showing the fields of its type.
        js = ["articles/admin/preview.js", "articles/admin/reference-types.js"]

    @classmethod
    def add_list_column(cls, column):
        cls.extra_list_columns.append(column)

    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "body", "loaded_at"]}),
        (
            "Publishing",
            {
                "fields": [
                    "status",
                    "publish_at",
                    "author",
                    "topics",
                    "comments_enabled",
                    "email_on_publish",
                ]
            },  # fmt: skip
        ),
        (
            "Featured image",
            {
                "fields": ["featured_image", "featured_image_preview"],
                "description": (
                    "Choose an image from the library (type words of its alt text or "
                    "caption), or upload one with the + button. Place images in the "
                    "body with ![alt text](image:42)."
                ),
            },
        ),
        (
            "Medical review",
            {
                "fields": ["reviewer", "review_summary", "review_history"],
                "description": (
                    "The review date moves only when a reviewer records a review "
                    "(Mark as reviewed, top right), never when the post is edited."
                ),
            },
        ),
        ("History", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        # Read-only (moderators): the author's name, not Django's link to the
        # users admin, which they may not open.
        return [
            (
                name,
                {
                    **options,
                    "fields": ["author_name" if f == "author" else f for f in options["fields"]],
                },
            )
            for name, options in fieldsets
        ]

    def get_queryset(self, request):
        # A subquery, not a join: the changelist's COUNT and date queries stay plain.
        references = (
            Reference.objects.filter(post=OuterRef("pk"))
            .order_by()
            .values("post")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                reference_total=Coalesce(Subquery(references), 0),
                **{column.name: column.annotation for column in self.extra_list_columns},
            )
        )

    def get_list_display(self, request):
        return [
            *super().get_list_display(request),
            *(column.for_request(request) for column in self.extra_list_columns),
        ]

    @admin.display(description="status", ordering="status")
    def state(self, post):
        colours = {"Draft": "#6c757d", "Scheduled": "#b35c00", "Published": "#1e7e34"}
        label = post.state_label
        return format_html('<strong style="color: {}">{}</strong>', colours[label], label)

    @admin.display(description="author", ordering="author__last_name")
    def author_name(self, post):
        return post.author.get_full_name() or post.author.get_username()

    @admin.display(description="references", ordering="reference_total")
    def reference_count(self, post):
        return post.reference_total

    @admin.display(description="preview")
    def featured_image_preview(self, post):
        if post.featured_image is None:
            return "—"
        return post.featured_image.thumbnail_tag(height=120)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("author", request.user.pk)
        return initial

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "author":
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True, is_active=True)
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            field.label_from_instance = lambda user: user.get_full_name() or user.get_username()
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, PostDisclaimerInline) and obj.pk is None:
            kwargs["initial"] = [
                {"disclaimer": d.pk, "order": i} for i, d in enumerate(Disclaimer.defaults())
            ]
        return kwargs

    # --- reading and saving the post -------------------------------------------
    # Every hook of the change form's save is here; the mixins add views.

    def get_object(self, request, object_id, from_field=None):
        post = super().get_object(request, object_id, from_field)
        before = getattr(request, "post_before_revert", None)
        if post is not None and before is not None and post.pk == before.pk:
            # Opened from PostRevisionsMixin.revision_view: the revision is in
            # the row. The post keeps its review, and the save is judged from
            # the post as it was (the rules of publishing and of review).
            post.keep_review_of(before)
            post.changed_from(before)
        return post

    def save_model(self, request, obj, form, change):
        obj.edited_by = request.user  # named if the save sends it back for review
        # A draft saved published is announced by Post.save (articles.events).
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        """The rows of an inline in a fixed number of queries, whatever their
        number: one DELETE, one INSERT, one UPDATE (the body is rendered
        once, afterwards, in save_related)."""
        formset.save(commit=False)
        model = formset.model
        if formset.deleted_objects:
            model.objects.filter(pk__in=[obj.pk for obj in formset.deleted_objects]).delete()
        if formset.new_objects:
            model.objects.bulk_create(formset.new_objects)
        if formset.changed_objects:
            concrete = {field.name for field in model._meta.concrete_fields}
            fields = sorted({name for _, changed in formset.changed_objects for name in changed})
            model.objects.bulk_update(
                [obj for obj, _ in formset.changed_objects],
                [name for name in fields if name in concrete],
            )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.rerender_body()
        if change and any(
            formset.model is Reference and formset.has_changed() for formset in formsets
        ):
            form.instance.reopen_review("references", by=request.user)
        # The revision (PostRevisionsMixin) holds the post as saved: its body
        # rendered, its references and disclaimers, however many rows.
        revisions.add(form.instance)

    def render_change_form(self, request, context, *args, **kwargs):
        form = context["adminform"].form
        # Citations and markers that point at nothing are found by the inlines
        # (they know what the submission keeps) but are mistakes in the body.
        for inline in context.get("inline_admin_formsets", []):
            for error in getattr(inline.formset, "body_errors", []):
                form.add_error("body", error)
        post = context.get("original")
        if getattr(request, "post_before_revert", None) is not None and post is not None:
            # A revision opened to revert to it: why saving it as it is would
            # not publish it, said before Save is pressed (and again on
            # Status if it is).
            refusals = []
            if post.loaded_status != post.Status.PUBLISHED:
                refusals = publishing.refusals(post, topics=list(post.topics.all()))
            context["revert_refusal"] = " ".join(refusal.reason for refusal in refusals)
        return super().render_change_form(request, context, *args, **kwargs)

    @admin.action(description="Publish selected posts", permissions=["change"])
    def publish(self, request, queryset):
        outcome = publishing.publish(queryset, by=request.user)
        waiting = len(outcome.held_back("no_topic"))
        if waiting:
            self.message_user(
                request,
                ngettext(
                    "%d draft has no topic and was not published: open it and choose "
                    "its topics (the list's topic filter, None, finds it).",
                    "%d drafts have no topic and were not published: open them and "
                    "choose their topics (the list's topic filter, None, finds them).",
                    waiting,
                )
                % waiting,
                messages.WARNING,
            )
        count = len(outcome.changed)
        waiting = len(outcome.held_back("review"))
        if waiting:
            self.message_user(
                request,
                ngettext(
                    "%d post was not published: it needs an approved medical review "
                    "first (submit it for review).",
                    "%d posts were not published: they need an approved medical review "
                    "first (submit them for review).",
                    waiting,
                )
                % waiting,
                messages.WARNING,
            )
            if not count:
                return
        self.message_user(
            request,
            ngettext(
                "%d post published (dated now unless it had a publish time; a future "
                "time schedules it).",
                "%d posts published (dated now unless they had a publish time; a future "
                "time schedules them).",
                count,
            )
            % count,
            messages.SUCCESS,
        )

    @admin.action(description="Unpublish selected posts (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        count = len(publishing.unpublish(queryset, by=request.user).changed)
        self.message_user(
            request,
            ngettext("%d post moved back to draft.", "%d posts moved back to draft.", count)
            % count,
            messages.SUCCESS,
        )


@admin.register(Disclaimer)
class DisclaimerAdmin(admin.ModelAdmin):
    list_display = ["name", "marker", "is_default", "post_count", "updated_at"]
    list_filter = ["is_default"]
    search_fields = ["name", "text", "marker"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_post_count=Count("posts", distinct=True))

    @admin.display(description="used by posts", ordering="_post_count")
    def post_count(self, disclaimer):
        return disclaimer._post_count


class StaffAccountPicker:
    """The ``user`` field of a public profile (a reviewer's, an author's)
    offers active staff accounts only, each by name and username: editors may
    not open the users admin to find one."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name != "user":
            return super().formfield_for_foreignkey(db_field, request, **kwargs)
        kwargs["queryset"] = get_user_model().objects.filter(is_staff=True, is_active=True)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        field.label_from_instance = lambda user: (
            f"{user.get_full_name() or user.get_username()} ({user.get_username()})"
        )
        return field


@admin.register(Reviewer)
class ReviewerAdmin(StaffAccountPicker, admin.ModelAdmin):
    list_display = ["name", "credentials", "user", "post_count", "updated_at"]
    ordering = ["name", "pk"]  # the list and the post form's reviewer picker
    list_select_related = ["user"]
    search_fields = ["name", "credentials", "bio"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "credentials", "slug", "bio", "profile_url", "user"]
    # A profile link typed without a scheme means https (Django 6.0's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(reviewed_total=Count("posts"))

    @admin.display(description="posts", ordering="reviewed_total")
    def post_count(self, reviewer):
        return reviewer.reviewed_total


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    """Editors keep the topics; the main ones are in the navigation."""

    list_display = ["name", "slug", "is_main", "order", "post_count"]
    list_display_links = ["name"]
    list_filter = ["is_main"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "description", "is_main", "order"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(post_total=Count("posts", distinct=True))

    @admin.display(description="posts", ordering="post_total")
    def post_count(self, topic):
        return topic.post_total


@admin.register(Author)
class AuthorAdmin(StaffAccountPicker, admin.ModelAdmin):
    """Authors' public profiles: the page their bylines link to."""

    list_display = ["name", "credentials", "user", "slug", "updated_at"]
    list_select_related = ["user"]
    search_fields = ["name", "credentials", "bio"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["user", "name", "credentials", "slug", "bio", "profile_url"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
