from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.html import format_html
from django.utils.translation import ngettext

from core.paginators import LargeTableAdminMixin

from .models import Disclaimer, Post, PostDisclaimer, Reference


def _kept_forms(formset):
    """The forms a valid submission will keep (filled in, not marked for deletion)."""
    return [f for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]


class ReferenceFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        count = len(_kept_forms(self))
        try:
            self.instance.check_body(reference_count=count)
        except ValidationError as error:
            raise ValidationError(error.messages) from None


class ReferenceForm(forms.ModelForm):
    # A URL typed without a scheme means https (Django 6.0's default, today).
    url = forms.URLField(
        label="URL",
        max_length=500,
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"class": "vURLField", "size": 80}),
    )

    class Meta:
        model = Reference
        fields = [
            "order", "authors", "title", "journal", "year", "volume", "issue", "pages",
            "doi", "pmid", "url",
        ]  # fmt: skip
        widgets = {
            "authors": forms.TextInput(attrs={"class": "vTextField", "size": 80}),
            "title": forms.Textarea(attrs={"class": "vLargeTextField", "rows": 2}),
            "journal": forms.TextInput(attrs={"class": "vTextField", "size": 60}),
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
        "authors",
        "title",
        "journal",
        ("year", "volume", "issue", "pages"),
        ("doi", "pmid"),
        "url",
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


class PostDisclaimerFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        markers = [form.cleaned_data["disclaimer"].marker for form in _kept_forms(self)]
        try:
            self.instance.check_body(markers=markers)
        except ValidationError as error:
            raise ValidationError(error.messages) from None


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


class PostForm(forms.ModelForm):
    class Meta:
        model = Post
        fields = [
            "title", "slug", "summary", "body", "status", "publish_at", "author",
            "comments_enabled",
        ]  # fmt: skip
        widgets = {
            "title": forms.TextInput(attrs={"class": "vTextField", "size": 80}),
            "summary": forms.Textarea(attrs={"class": "summary-editor", "rows": 3}),
            "body": forms.Textarea(attrs={"class": "markdown-editor", "rows": 28}),
        }


@admin.register(Post)
class PostAdmin(LargeTableAdminMixin, admin.ModelAdmin):
    form = PostForm
    list_display = ["title", "state", "publish_at", "author_name", "reference_count"]
    list_display_links = ["title"]
    list_filter = ["status", "publish_at", "comments_enabled"]
    list_select_related = ["author"]
    search_fields = ["title", "summary", "body"]
    # Editors browse by year and month. (A DISTINCT over the posts' dates: fine
    # for tens of thousands of posts; the comment queue, with millions of
    # rows, has none.)
    date_hierarchy = "publish_at"
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ReferenceInline, PostDisclaimerInline]
    actions = ["publish", "unpublish"]
    readonly_fields = ["created_at", "updated_at"]
    save_on_top = True
    list_per_page = 50

    class Media:
        css = {"all": ["articles/admin.css"]}

    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "body"]}),
        (
            "Publishing",
            {"fields": ["status", "publish_at", "author", "comments_enabled"]},
        ),
        ("History", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
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
            .annotate(reference_total=Coalesce(Subquery(references), 0))
        )

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

    @admin.action(description="Publish selected posts", permissions=["change"])
    def publish(self, request, queryset):
        count = queryset.publish()
        self.message_user(
            request,
            ngettext(
                "%d post published (one dated in the future appears at its time).",
                "%d posts published (those dated in the future appear at their time).",
                count,
            )
            % count,
            messages.SUCCESS,
        )

    @admin.action(description="Unpublish selected posts (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        count = queryset.unpublish()
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
