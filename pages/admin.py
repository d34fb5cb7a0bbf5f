import reversion
from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import ngettext

from core.admin_locking import LockedChangeFormAdmin
from core.admin_revisions import OwnVersionsAdmin
from core.forms import UnchangedSinceOpenedForm

from .models import Page


class PageForm(UnchangedSinceOpenedForm):
    """A save from a form opened before someone else's save is stopped
    (UnchangedSinceOpenedForm)."""

    class Meta:
        model = Page
        fields = ["title", "slug", "body", "status", "place", "order", "is_privacy_policy"]
        widgets = {
            "title": forms.TextInput(attrs={"class": "vTextField", "size": 60}),
            "body": forms.Textarea(attrs={"class": "markdown-editor", "rows": 24}),
            "order": forms.NumberInput(attrs={"class": "vIntegerField", "min": 0}),
        }


@admin.register(Page)
class PageAdmin(LockedChangeFormAdmin, OwnVersionsAdmin):
    """Site pages, with their revisions (django-reversion): *History* lists the
    saved versions and reverts to one; *Recover deleted pages* brings one back.
    "View on site" opens a draft as a preview."""

    form = PageForm
    list_display = ["title", "place_label", "order", "state", "privacy_mark", "updated_at"]
    list_display_links = ["title"]
    list_filter = ["status", "place", "is_privacy_policy"]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}
    ordering = ["place", "order", "title"]
    actions = ["publish", "unpublish"]
    readonly_fields = ["created_at", "updated_at"]
    save_on_top = True
    fieldsets = [
        (None, {"fields": ["title", "slug", "body", "loaded_at"]}),
        ("Publishing", {"fields": ["status", "place", "order", "is_privacy_policy"]}),
        ("Dates", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    class Media:
        css = {"all": ["pages/admin.css"]}

    @admin.display(description="where it is linked", ordering="place")
    def place_label(self, page):
        return {
            Page.Place.NAVIGATION: "Navigation",
            Page.Place.FOOTER: "Footer",
            Page.Place.NONE: "Not linked",
        }[page.place]

    @admin.display(description="status", ordering="status")
    def state(self, page):
        colours = {Page.Status.DRAFT: "#6c757d", Page.Status.PUBLISHED: "#1e7e34"}
        return format_html(
            '<strong style="color: {}">{}</strong>',
            colours[page.status],
            page.get_status_display(),
        )

    @admin.display(description="privacy policy", boolean=True, ordering="is_privacy_policy")
    def privacy_mark(self, page):
        return page.is_privacy_policy

    def record(self, request, pks, message):
        """Each page a bulk action changed gets a revision of its own and a
        history line, as a save from its form does (one page per revision: a
        revert brings back everything in its revision)."""
        for page in Page.objects.filter(pk__in=pks):
            with reversion.create_revision():
                reversion.set_user(request.user)
                reversion.set_comment(message)
                reversion.add_to_revision(page)
            self.log_change(request, page, message)

    @admin.action(description="Publish selected pages", permissions=["change"])
    def publish(self, request, queryset):
        changing = list(queryset.drafts().values_list("pk", flat=True))
        count = queryset.publish()
        self.record(request, changing, "Published.")
        self.message_user(
            request,
            ngettext("%d page published.", "%d pages published.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description="Unpublish selected pages (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        changing = list(queryset.published().values_list("pk", flat=True))
        count = queryset.unpublish()
        self.record(request, changing, "Unpublished (back to draft).")
        self.message_user(
            request,
            ngettext("%d page moved back to draft.", "%d pages moved back to draft.", count)
            % count,
            messages.SUCCESS,
        )
