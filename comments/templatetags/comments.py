"""``{% load comments %}{% render_comments post %}``: a post's comment section.

The post page knows nothing of this app but the tag's name: the approved
thread (read at once however long it is), the reader's own comments still
waiting (read only for a reader who has sent one), the count, and the form
or a note on when comments open or that they are closed (comments.rules).
The form's consent line links to the site's privacy policy through
core.site_links (the site's menus, read once per page).

The section is part of a page the page cache may share between readers: it
holds nothing personal for a reader without a session, and it tells the
cache when it stops being valid (comments closing by themselves, the form's
token ageing).
"""

import datetime as dt

from django import template

from core import page_cache, site_links

from ..awaiting import AwaitingComments
from ..forms import CommentForm, token_period_end
from ..models import Comment
from ..rules import closes_at, comments_open

register = template.Library()


@register.inclusion_tag("comments/section.html", takes_context=True)
def render_comments(context, post):
    thread = Comment.objects.public_thread(post)
    count = len(thread) + sum(len(c.public_replies) for c in thread)

    request = context.get("request")
    if request is not None:
        own = AwaitingComments(request).on(post)
        if own:
            thread = sorted([*thread, *own], key=lambda c: (c.created_at, c.pk))

    is_open = comments_open(post)
    form = None
    if is_open:
        form = context.get("comment_form")
        if form is None or form.post.pk != post.pk:
            form = CommentForm(post)
        # The privacy policy, from whichever app keeps site pages (none: the
        # line says where the data goes without a link). The same for every
        # reader; a change of it changes the site-wide stamp.
        form.link_privacy_policy(site_links.find(site_links.PRIVACY_POLICY, request))
        if request is not None:
            # A stored page is rendered again when its form's token period
            # ends (so a token is always at least half its life from expiring)
            # and when comments close.
            page_cache.valid_until(
                request, dt.datetime.fromtimestamp(token_period_end(), tz=dt.UTC)
            )
            page_cache.valid_until(request, closes_at(post))
    return {
        "post": post,
        "thread": thread,
        "count": count,
        "is_open": is_open,
        "opens_when_published": not post.is_public and post.comments_enabled,
        "form": form,
        # The post page leaves its messages (the notice that a comment awaits
        # approval) to this section, which shows them under the thread.
        "messages": context.get("messages"),
    }
