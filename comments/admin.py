"""The approval queue, the blocklist, and comment counts in the post admin."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.timesince import timesince
from django.utils.translation import ngettext

from articles.admin import ListColumn, PostAdmin
from articles.models import Post
from core import dates
from core.changelists import database_integer
from core.paginators import LargeTableAdminMixin

from .models import BlockedTerm, Comment, CommentDeletion


class StatusFilter(admin.SimpleListFilter):
    """The queue opens on pending comments; "All" is one click away."""

    title = "status"
    parameter_name = "status"
    ALL = "all"

    def lookups(self, request, model_admin):
        return [(self.ALL, "All"), *Comment.Status.choices]

    def value(self):
        return super().value() or Comment.Status.PENDING

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() == self.ALL:
            return queryset
        return queryset.filter(status=self.value())


class PostFilter(admin.SimpleListFilter):
    """Comments on one post, without reading the whole comments table.

    Django's related filters list every post that has a comment (a DISTINCT
    over all comments, and thousands of links). This one offers the posts of
    the newest comments waiting in the queue, read from the queue's index, and
    the post chosen (the post admin links here with ``post__id__exact``).
    """

    title = "post"
    parameter_name = "post__id__exact"
    recent_comments = 200  # newest pending comments looked at
    shown = 10  # posts offered

    def lookups(self, request, model_admin):
        post_ids = []
        recent = (
            Comment.objects.pending()
            .order_by("-created_at", "-pk")
            .values_list("post_id", flat=True)[: self.recent_comments]
        )
        for post_id in recent:
            if post_id not in post_ids:
                post_ids.append(post_id)
                if len(post_ids) == self.shown:
                    break
        chosen = self._chosen()
        if chosen is not None and chosen not in post_ids:
            post_ids.insert(0, chosen)
        titles = dict(Post.objects.filter(pk__in=post_ids).values_list("pk", "title"))
        return [(str(pk), titles[pk]) for pk in post_ids if pk in titles]

    def _chosen(self):
        value = self.value()
        if value is None:
            return None
        try:
            return database_integer(value, low=1)
        except ValueError:
            raise IncorrectLookupParameters(f"No post {value[:30]!r}.") from None

    def queryset(self, request, queryset):
        chosen = self._chosen()
        return queryset if chosen is None else queryset.filter(post_id=chosen)


class CommentAdminForm(forms.ModelForm):
    reply = forms.CharField(
        label="Reply as staff",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "vLargeTextField"}),
        help_text=(
            "Published at once under this comment, marked as a staff reply and signed "
            "with your name. Replying to a comment still in the queue approves it too."
        ),
    )

    class Meta:
        model = Comment
        fields = ["name", "email", "text", "status"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reply", "").strip():
            refusal = self.instance.reply_refusal(status=cleaned.get("status"))
            if refusal:
                self.add_error("reply", refusal)
        return cleaned


@admin.register(Comment)
class CommentAdmin(LargeTableAdminMixin, admin.ModelAdmin):
    form = CommentAdminForm
    list_display = ["excerpt", "author", "post_link", "status", "why", "age"]
    list_display_links = ["excerpt"]
    # No date_hierarchy: its year links are a DISTINCT over every comment.
    # "posted" (today, past 7 days, this month, this year) reads no rows to
    # offer its choices and filters through the created_at index.
    list_filter = [
        StatusFilter,
        ("created_at", admin.DateFieldListFilter),
        "is_staff_reply",
        PostFilter,
    ]
    list_select_related = ["post"]
    search_fields = ["name", "email", "text"]
    ordering = ["-created_at", "-pk"]
    list_per_page = 50
    actions = ["approve", "reject", "mark_spam"]
    readonly_fields = [
        "post_link",
        "in_reply_to",
        "created_at",
        "held_reason",
        "status_note",
        "ip_address",
        "user_agent",
        "decided_by",
        "status_changed_at",
        "notify_on_approval",
        "approval_notice_at",
        "replies",
    ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (None, {"fields": ["post_link", "in_reply_to", "name", "email", "text"]}),
            (
                "Moderation",
                {
                    "fields": [
                        "status",
                        "held_reason",
                        "status_note",
                        "decided_by",
                        "status_changed_at",
                        "notify_on_approval",
                        "approval_notice_at",
                    ]
                },
            ),
        ]
        if obj is not None and obj.parent_id is None:
            fieldsets.append(("Staff replies", {"fields": ["replies", "reply"]}))
        fieldsets.append(
            ("Sender (moderators only)", {"fields": ["created_at", "ip_address", "user_agent"]})
        )
        return fieldsets

    def has_add_permission(self, request):
        return False  # comments come from readers; staff reply from a comment's page

    # --- columns ---------------------------------------------------------
    @admin.display(description="comment")
    def excerpt(self, comment):
        return Truncator(comment.text).chars(80)

    @admin.display(description="author", ordering="name")
    def author(self, comment):
        if comment.is_staff_reply:
            return format_html("{} <small>(staff reply)</small>", comment.name)
        return comment.name

    @admin.display(description="post", ordering="post__title")
    def post_link(self, comment):
        return format_html(
            '<a href="{}#comment-{}">{}</a>',
            comment.post.get_absolute_url(),
            comment.pk,
            comment.post.title,
        )

    @admin.display(description="held or decided because")
    def why(self, comment):
        """Why the spam rules held it, or why the site approved it by itself."""
        return comment.status_note or comment.held_reason

    @admin.display(description="age", ordering="created_at")
    def age(self, comment):
        return format_html(
            '<time datetime="{}" title="{}">{}</time>',
            dates.machine(comment.created_at),
            timezone.localtime(comment.created_at).strftime("%Y-%m-%d %H:%M"),
            timesince(comment.created_at, depth=1),
        )

    @admin.display(description="in reply to")
    def in_reply_to(self, comment):
        if comment.parent_id is None:
            return "—"
        url = reverse("admin:comments_comment_change", args=[comment.parent_id])
        return format_html('<a href="{}">comment #{}</a>', url, comment.parent_id)

    @admin.display(description="status changed by")
    def decided_by(self, comment):
        # The moderator's name, not Django's link to the users admin, which
        # moderators may not open.
        who = comment.status_changed_by
        if who is None:
            # A decision the site made by itself says so (trusted commenters).
            return (
                "the site, automatically (see “decided because”)" if comment.status_note else "—"
            )
        name = who.get_full_name()
        return f"{name} ({who.get_username()})" if name else who.get_username()

    @admin.display(description="replies so far")
    def replies(self, comment):
        replies = comment.replies.order_by("created_at", "pk")
        if not replies:
            return "—"
        return format_html_join(
            "\n",
            '<p><a href="{}">{}</a> ({}): {}</p>',
            (
                (
                    reverse("admin:comments_comment_change", args=[r.pk]),
                    r.name,
                    r.get_status_display(),
                    Truncator(r.text).chars(200),
                )
                for r in replies
            ),
        )

    # --- saving ------------------------------------------------------------
    def save_model(self, request, obj, form, change):
        """The text and name are saved as typed; a new status goes through
        ``Comment.set_status()``, the one path of every moderation decision."""
        new_status = obj.status
        status_changed = "status" in form.changed_data
        if status_changed:
            obj.status = form.initial["status"]
        super().save_model(request, obj, form, change)
        if status_changed:
            obj.set_status(new_status, by=request.user)
        text = form.cleaned_data.get("reply", "").strip()
        if text:
            obj.reply(text, by=request.user)
            self.message_user(request, "Your reply is published under the comment.")

    # --- bulk actions ------------------------------------------------------
    def _decide(self, request, queryset, method, done):
        count = getattr(queryset, method)(by=request.user)
        self.message_user(
            request,
            ngettext("%(count)d comment %(done)s.", "%(count)d comments %(done)s.", count)
            % {"count": count, "done": done},
            messages.SUCCESS,
        )

    @admin.action(description="Approve selected comments", permissions=["change"])
    def approve(self, request, queryset):
        self._decide(request, queryset, "approve", "approved")

    @admin.action(description="Reject selected comments", permissions=["change"])
    def reject(self, request, queryset):
        self._decide(request, queryset, "reject", "rejected")

    @admin.action(description="Mark selected comments as spam", permissions=["change"])
    def mark_spam(self, request, queryset):
        self._decide(request, queryset, "mark_spam", "marked as spam")


@admin.register(CommentDeletion)
class CommentDeletionAdmin(admin.ModelAdmin):
    """Deletions readers asked for: when, how many, on which posts. A record
    to read, never to change; it holds nothing about who asked."""

    list_display = ["deleted_at", "comment_count", "approved_count", "reply_count", "post_list"]
    date_hierarchy = "deleted_at"
    fields = list_display
    readonly_fields = list_display
    list_per_page = 50

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("posts")

    @admin.display(description="posts")
    def post_list(self, record):
        posts = sorted(record.posts.all(), key=lambda p: p.title)
        if not posts:
            return "—"
        return format_html_join(
            ", ", '<a href="{}">{}</a>', ((p.get_absolute_url(), p.title) for p in posts)
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BlockedTerm)
class BlockedTermAdmin(admin.ModelAdmin):
    list_display = ["term", "action", "note", "created_at"]
    list_filter = ["action"]
    search_fields = ["term", "note"]


# --- comment counts in the post admin ---------------------------------------
# Added to the articles' own PostAdmin through its extension point, so the
# articles app never needs to know about comments.
def _count(status):
    return Coalesce(
        Subquery(
            Comment.objects.filter(post=OuterRef("pk"), status=status)
            .order_by()
            .values("post")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def _comments_cell(status):
    def cell(request, post, count):
        # Links into the queue for those who may open it, plain numbers otherwise.
        if not request.user.has_perm("comments.view_comment"):
            return count
        url = reverse("admin:comments_comment_changelist")
        return format_html(
            '<a href="{}?post__id__exact={}&amp;status={}">{}</a>', url, post.pk, status, count
        )

    return cell


for _status, _label in [
    (Comment.Status.PENDING, "pending comments"),
    (Comment.Status.APPROVED, "approved comments"),
]:
    PostAdmin.add_list_column(
        ListColumn(
            name=f"{_status}_comment_total",
            description=_label,
            annotation=_count(_status),
            cell=_comments_cell(_status),
        )
    )
