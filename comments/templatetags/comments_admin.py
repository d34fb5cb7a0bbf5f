"""``{% load comments_admin %}{% pending_comments_notice %}`` for the admin index."""

from django import template
from django.urls import reverse

from ..models import Comment

register = template.Library()


@register.inclusion_tag("comments/admin/pending_notice.html", takes_context=True)
def pending_comments_notice(context):
    """How many comments wait in the queue: one COUNT, for those who may moderate."""
    request = context.get("request")
    if request is None or not request.user.has_perm("comments.change_comment"):
        return {"show": False}
    return {
        "show": True,
        "count": Comment.objects.pending().count(),
        "url": reverse("admin:comments_comment_changelist"),
    }
