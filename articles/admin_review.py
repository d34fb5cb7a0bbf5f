"""The post admin's medical review: the review page of a post
(``/admin/articles/post/<id>/review/``), its buttons on the change form, the
bulk actions and the list filter. Every step is a model method
(``articles.models.ReviewFields``); this only asks and answers.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import dateformat, timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import ngettext

from .models import (
    REVIEW_PERMISSION,
    ReviewEvent,
    ReviewState,
    review_months,
    review_required,
)


class MedicalReviewFilter(admin.SimpleListFilter):
    title = "medical review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        months = review_months()
        choices = [
            ("due", f"Review due (never, or over {months} months ago)"),
            ("current", f"Reviewed in the last {months} months"),
        ]
        if review_required():
            choices += [(state.value, state.label) for state in ReviewState]
        return choices

    def queryset(self, request, queryset):
        value = self.value()
        if value == "due":
            return queryset.review_due()
        if value == "current":
            return queryset.exclude(pk__in=queryset.model.objects.review_due().values("pk"))
        if value in ReviewState.values:
            return queryset.filter(review_state=value)
        return queryset


class ReviewNoteForm(forms.Form):
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "class": "vLargeTextField"}),
        help_text="For the editor: what to change (needed to send the post back).",
    )


class PostReviewAdminMixin:
    """The review page, the change form's review buttons and history, and the
    review actions. (Saving is PostAdmin's.)"""

    def has_review_permission(self, request, obj=None):
        return request.user.has_perm(REVIEW_PERMISSION)

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "<path:object_id>/review/",
                self.admin_site.admin_view(self.review_view),
                name=f"{prefix}_review",
            ),
            *super().get_urls(),
        ]

    # --- what the change form shows -------------------------------------------
    def review_steps(self, request, post):
        """The steps ``request.user`` may take on ``post`` now: [(action, label)]."""
        steps = []
        user = request.user
        if review_required() and user.has_perm("articles.change_post"):
            if post.review_state in (ReviewState.NONE, ReviewState.RETURNED):
                steps.append(("submit", "Submit for review"))
        if self.has_review_permission(request):
            label = "Approve (mark as reviewed)" if review_required() else "Mark as reviewed"
            steps.append(("mark", label))
            if review_required() and post.review_state in (
                ReviewState.SUBMITTED,
                ReviewState.APPROVED,
            ):
                steps.append(("send_back", "Send back with a note…"))
        return steps

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        post = self.get_object(request, unquote(object_id)) if object_id else None
        if post is not None:
            extra_context["review_steps"] = self.review_steps(request, post)
            extra_context["review_url"] = reverse(
                f"{self.admin_site.name}:articles_post_review", args=[quote(post.pk)]
            )
            extra_context["review_required"] = review_required()
            if post.review_state == ReviewState.RETURNED:
                extra_context["review_returned"] = (
                    post.review_events.filter(action=ReviewEvent.Action.RETURNED)
                    .select_related("by")
                    .first()
                )
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="review")
    def review_summary(self, post):
        if post.pk is None:
            return "—"
        parts = []
        if post.reviewed_at:
            parts.append(
                format_html(
                    "Last reviewed by {} on {}",
                    post.reviewer.display_name if post.reviewer else "—",
                    dateformat.format(post.reviewed_at, "j F Y"),
                )
            )
        else:
            parts.append("Never reviewed")
        if post.is_review_due:
            parts.append(format_html('<strong class="{}">review due</strong>', "review-due"))
        if review_required():
            parts.append(format_html("status: {}", post.get_review_state_display()))
        return format_html_join(" · ", "{}", ((part,) for part in parts))

    @admin.display(description="review history")
    def review_history(self, post):
        if post.pk is None:
            return "—"
        events = list(post.review_events.select_related("by", "reviewer")[:50])
        if not events:
            return "No review steps recorded yet."
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    dateformat.format(timezone.localtime(event.at), "Y-m-d H:i"),
                    event.get_action_display()
                    + (f" ({event.reviewer.display_name})" if event.reviewer else ""),
                    event.by_name,
                    event.note,
                )
                for event in events
            ),
        )
        return format_html(
            '<table class="review-history"><thead><tr><th scope="col">when</th>'
            '<th scope="col">step</th><th scope="col">by</th><th scope="col">note</th>'
            "</tr></thead><tbody>{}</tbody></table>",
            rows,
        )

    @admin.display(description="medical review", ordering="reviewed_at")
    def review_column(self, post):
        date = dateformat.format(post.reviewed_at, "j M Y") if post.reviewed_at else "never"
        state = ""
        if review_required() and post.review_state != ReviewState.NONE:
            state = f" · {post.get_review_state_display().lower()}"
        if post.is_review_due:
            return format_html('{}{} <strong class="review-due">(due)</strong>', date, state)
        return format_html("{}{}", date, state)

    # --- the review page --------------------------------------------------------
    def review_view(self, request, object_id):
        post = self.get_object(request, unquote(object_id))
        if post is None:
            raise Http404("No such post.")
        if not self.has_view_or_change_permission(request, post):
            raise PermissionDenied
        change_url = reverse(f"{self.admin_site.name}:articles_post_change", args=[quote(post.pk)])
        form = ReviewNoteForm(request.POST or None)
        steps = dict(self.review_steps(request, post))
        # The step the page was opened for ("Send back with a note…" opens it
        # with ?step=send_back) or the one just tried: the page's main button.
        wanted = request.POST.get("action") or request.GET.get("step")
        primary = wanted if wanted in steps else next(iter(steps), None)
        if primary == "send_back":  # the note is what the reviewer came to write
            form.fields["note"].widget.attrs["autofocus"] = True
        if request.method == "POST":
            action = request.POST.get("action", "")
            if action not in steps:
                raise PermissionDenied
            if form.is_valid():
                note = form.cleaned_data["note"]
                method = {
                    "submit": post.submit_for_review,
                    "mark": post.mark_reviewed,
                    "send_back": post.send_back,
                }[action]
                try:
                    event = method(request.user, note)
                except ValidationError as refusal:
                    form.add_error("note" if refusal.code == "note" else None, refusal)
                else:
                    self.message_user(
                        request, f"“{post}”: {event.get_action_display()}.", messages.SUCCESS
                    )
                    return redirect(change_url)
        elif request.method != "GET":
            return HttpResponseNotAllowed(["GET", "POST"])
        context = {
            **self.admin_site.each_context(request),
            "title": f"Medical review of “{post}”",
            "opts": self.opts,
            "original": post,
            "form": form,
            "steps": {primary: steps[primary], **steps} if primary else steps,
            "primary": primary,
            "events": post.review_events.select_related("by", "reviewer")[:50],
            "change_url": change_url,
            "review_required": review_required(),
        }
        return TemplateResponse(request, "admin/articles/post/review.html", context)

    # --- bulk actions ---------------------------------------------------------
    def _each(self, request, queryset, step, done_message):
        done, refused = 0, []
        for post in queryset.select_related("reviewer"):
            try:
                getattr(post, step)(request.user)
            except ValidationError as refusal:
                refused.extend(refusal.messages)
            else:
                done += 1
        if done:
            self.message_user(request, done_message(done), messages.SUCCESS)
        for message in dict.fromkeys(refused):
            self.message_user(request, message, messages.WARNING)

    @admin.action(
        description="Mark selected posts as medically reviewed today", permissions=["review"]
    )
    def mark_reviewed(self, request, queryset):
        self._each(
            request,
            queryset,
            "mark_reviewed",
            lambda n: (
                ngettext(
                    "%d post marked as reviewed today.", "%d posts marked as reviewed today.", n
                )
                % n
            ),
        )

    @admin.action(description="Submit selected posts for medical review", permissions=["change"])
    def submit_for_review(self, request, queryset):
        self._each(
            request,
            queryset,
            "submit_for_review",
            lambda n: (
                ngettext("%d post submitted for review.", "%d posts submitted for review.", n) % n
            ),
        )

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not review_required():
            actions.pop("submit_for_review", None)
        return actions
