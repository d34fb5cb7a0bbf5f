"""``{% load comments %}{% render_comments post %}``: a post's comment section.

The post page knows nothing of this app but the tag's name: the approved
thread (one query however long it is), the reader's own comments still
waiting (one more query, only for a reader who has sent one), the count, and
the form or "Comments are closed".
"""

from django import template

from ..forms import CommentForm
from ..models import Comment
from ..moderation import closes_at, comments_open
from ..views import SESSION_KEY

register = template.Library()

TOKEN_PER_READER = "comments.form-token"


@register.inclusion_tag("comments/section.html", takes_context=True)
def render_comments(context, post):
    thread = Comment.objects.public_thread(post)
    count = len(thread) + sum(len(c.public_replies) for c in thread)

    request = context.get("request")
    remembered = request.session.get(SESSION_KEY) if request is not None else None
    if remembered:
        own = list(
            Comment.objects.filter(pk__in=remembered, post=post)
            .exclude(status__in=[Comment.Status.APPROVED, Comment.Status.REJECTED])
            .top_level()
        )
        for comment in own:
            comment.public_replies = []
        thread = sorted([*thread, *own], key=lambda c: (c.created_at, c.pk))

    is_open = comments_open(post)
    form = None
    if is_open:
        form = context.get("comment_form")
        if form is None or form.post.pk != post.pk:
            form = CommentForm(post)
    hints = context.get("page_cache")
    if hints is not None:
        # Rendered once for many readers (core.page_cache): the form's
        # timestamp is made per request, and the page holds only until
        # comments close by themselves.
        if form is not None:
            form.fields["token"].initial = hints.per_reader(TOKEN_PER_READER)
        hints.valid_until(closes_at(post) if is_open else None)
    return {"post": post, "thread": thread, "count": count, "is_open": is_open, "form": form}
