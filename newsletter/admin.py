"""The newsletter in the admin (docs/editors.md, The newsletter).

Subscribers' addresses are personal data: only administrators (superusers;
no group is granted the Subscriber model) see the list and export it as CSV.
Editors see the counts on the admin's front page and each mailing's progress,
and may pause and resume a mailing (newsletter.roles).

A post's change page links the newsletter's tools for that post (the
``newsletter_post_tools`` tag, newsletter.templatetags.newsletter_admin, in
the page's ``newsletter_tools`` block; articles knows nothing of them):

- its email, previewed: the HTML part and the plain-text part exactly as
  ``sending.message_for`` makes them, drafts too; and a test of it mailed to
  the staff member's own address, by the task worker. For staff who may
  change the post.
- once sent, "Send again": a confirmation page (a GET changes nothing), whose
  POST sends it to the followers who have not received it
  (``Mailing.send_again``). For those who may change mailings.
"""

import csv

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache

from articles.models import Post
from core.mail import enqueue_with_data
from core.methods import SAFE, allow

from . import sending, tasks
from .models import Mailing, Subscriber

NO_ADDRESS = (
    "Your account has no email address, so no test was sent. Add one to your "
    "account (or ask an administrator to), then send the test again."
)
NOT_PUBLISHED = (
    "This post is not published, so it is not sent again. Publish it first, then "
    "send it again if readers should have it."
)


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
    actions = ["pause", "resume", "send_again"]
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

    @admin.action(description="Send the selected mailings again…", permissions=["change"])
    def send_again(self, request, queryset):
        """Like Django's *Delete selected*: a confirmation page first, whose
        button posts the same selection back with ``confirm``."""
        mailings = list(queryset.select_related("post"))
        if request.POST.get("confirm") != "yes":
            return self.send_again_page(request, mailings)
        self.send_mailings_again(request, mailings)
        return None

    def send_mailings_again(self, request, mailings):
        """Send each of ``mailings`` again (``Mailing.send_again``), record it
        in its history and tell the user; a post no longer public is not sent."""
        count, sent = 0, False
        for mailing in mailings:
            if not mailing.may_send_again:
                self.message_user(request, f"“{mailing.post}”: {NOT_PUBLISHED}", messages.ERROR)
                continue
            queued = mailing.send_again()
            self.log_change(request, mailing, f"Sent again: {queued} queued.")
            count, sent = count + queued, True
        if not sent:
            return
        self.message_user(
            request,
            ngettext(
                "Sent again to %d subscriber who had not received it.",
                "Sent again to %d subscribers who had not received it.",
                count,
            )
            % count,
            messages.SUCCESS,
        )

    def send_again_page(self, request, mailings, post_url=None):
        """The confirmation: for each mailing, how many followers now have
        not received it, or why it is not sent."""
        rows = [
            {
                "mailing": mailing,
                "waiting": mailing.not_received().count(),
                "not_published": None if mailing.may_send_again else NOT_PUBLISHED,
            }
            for mailing in mailings
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": "Send this post again?" if post_url else "Send these mailings again?",
            "opts": self.opts,
            "post_opts": Post._meta,
            "rows": rows,
            "post_url": post_url,
            "sendable": any(row["not_published"] is None for row in rows),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "newsletter/admin/send_again.html", context)

    # --- one post's email: preview, test, send again ------------------------

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path(
                "post/<int:post_id>/email/",
                view(allow(*SAFE)(never_cache(self.preview_view))),
                name=f"{prefix}_preview",
            ),
            path(
                "post/<int:post_id>/email.txt",
                view(allow(*SAFE)(never_cache(self.preview_text_view))),
                name=f"{prefix}_preview_text",
            ),
            path(
                "post/<int:post_id>/test/",
                view(allow("POST")(self.send_test_view)),
                name=f"{prefix}_send_test",
            ),
            path(
                "<path:object_id>/send-again/",
                view(allow(*SAFE, "POST")(never_cache(self.send_again_view))),
                name=f"{prefix}_send_again",
            ),
            *super().get_urls(),
        ]

    def post_for_email(self, request, post_id):
        """The post whose email ``request`` asks for, if its user may change it."""
        post = get_object_or_404(Post, pk=post_id)
        if not self.admin_site.get_model_admin(Post).has_change_permission(request, post):
            raise PermissionDenied
        return post

    def preview_view(self, request, post_id):
        message = sending.sample_message(self.post_for_email(request, post_id))
        html, _ = message.alternatives[0]
        return HttpResponse(html, content_type="text/html; charset=utf-8")

    def preview_text_view(self, request, post_id):
        message = sending.sample_message(self.post_for_email(request, post_id))
        return HttpResponse(message.body, content_type="text/plain; charset=utf-8")

    def send_test_view(self, request, post_id):
        post = self.post_for_email(request, post_id)
        email = request.user.email
        if not email:
            self.message_user(request, NO_ADDRESS, messages.ERROR)
        else:
            enqueue_with_data(tasks.send_test, post.pk, email)
            self.message_user(
                request,
                f"A test of this post's email was sent to {email}. It is the email "
                "subscribers will get, its subject marked [Test]; it should arrive "
                "within a minute.",
                messages.SUCCESS,
            )
        return redirect(f"{self.admin_site.name}:articles_post_change", post.pk)

    def send_again_view(self, request, object_id):
        mailing = self.get_object(request, object_id)
        if mailing is None:
            raise Http404("No such mailing.")
        if not self.has_change_permission(request, mailing):
            raise PermissionDenied
        post_url = reverse(f"{self.admin_site.name}:articles_post_change", args=[mailing.post_id])
        if request.method == "POST":
            self.send_mailings_again(request, [mailing])
            return redirect(post_url)
        return self.send_again_page(request, [mailing], post_url=post_url)
