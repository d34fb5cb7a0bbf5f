"""The newsletter in the admin (docs/editors.md, The newsletter).

Subscribers' addresses are personal data: only administrators (superusers;
no group is granted the Subscriber model) see the list and export it as CSV.
Editors see the counts on the admin's front page and each mailing's progress,
and may pause and resume a mailing (newsletter.roles).
"""

import csv

from django.contrib import admin
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import ngettext

from .models import Mailing, Subscriber


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "status", "follows", "created_at", "confirmed_at"]
    list_filter = ["status", "all_posts", "topics"]
    search_fields = ["email"]
    date_hierarchy = "created_at"
    readonly_fields = ["email", "status", "all_posts", "topics", "created_at", "confirmed_at"]
    fields = readonly_fields
    actions = ["export_csv"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("topics")

    def has_add_permission(self, request):
        return False  # readers subscribe themselves (double opt-in)

    def has_change_permission(self, request, obj=None):
        return False  # the reader's own links change it

    @admin.display(description="follows")
    def follows(self, subscriber):
        if subscriber.all_posts:
            return "every post"
        return ", ".join(topic.name for topic in subscriber.topics.all()) or "nothing"

    @admin.action(description="Export the selected subscribers (CSV)", permissions=["view"])
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="subscribers-{stamp}.csv"'
        writer = csv.writer(response)
        writer.writerow(["email", "status", "follows", "subscribed", "confirmed"])
        for subscriber in queryset.order_by("pk"):
            writer.writerow(
                [
                    subscriber.email,
                    subscriber.status,
                    self.follows(subscriber),
                    subscriber.created_at.isoformat(),
                    subscriber.confirmed_at.isoformat() if subscriber.confirmed_at else "",
                ]
            )
        return response


@admin.register(Mailing)
class MailingAdmin(admin.ModelAdmin):
    list_display = ["post", "created_at", "progress", "paused"]
    list_select_related = ["post"]
    list_filter = ["paused"]
    search_fields = ["post__title"]
    date_hierarchy = "created_at"
    actions = ["pause", "resume"]
    fields = ["post", "created_at", "paused"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).with_progress()

    def has_add_permission(self, request):
        return False  # publishing a post makes its mailing

    def has_delete_permission(self, request, obj=None):
        return False  # the record that the post was sent

    @admin.display(description="progress")
    def progress(self, mailing):
        return (
            f"{mailing.sent_total} sent, {mailing.failed_total} failed, "
            f"{mailing.refused_total} refused, {mailing.queued_total} waiting, "
            f"of {mailing.delivery_total}"
        )

    @admin.action(description="Pause the selected mailings", permissions=["change"])
    def pause(self, request, queryset):
        count = queryset.pause()
        self.message_user(
            request, ngettext("%d mailing paused.", "%d mailings paused.", count) % count
        )

    @admin.action(description="Resume the selected mailings", permissions=["change"])
    def resume(self, request, queryset):
        count = queryset.resume()
        self.message_user(
            request, ngettext("%d mailing resumed.", "%d mailings resumed.", count) % count
        )
