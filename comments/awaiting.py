"""A reader's own comments still waiting for a moderator, remembered in their session.

The reader who sent a comment sees it on the post, marked "awaiting
moderation", until a moderator decides; nobody else does. This is the one
place that keeps and reads that memory.
"""

from .models import Comment

SESSION_KEY = "comments_awaiting"
REMEMBERED = 20


class AwaitingComments:
    def __init__(self, request):
        self.request = request

    def remember(self, comment):
        session = self.request.session
        session[SESSION_KEY] = [*session.get(SESSION_KEY, []), comment.pk][-REMEMBERED:]

    def on(self, post):
        """This reader's comments on ``post`` that are not public and not turned
        down (pending, or caught as spam: a robot must not learn it was caught).
        No query for a reader who never sent one."""
        session = getattr(self.request, "session", None)
        remembered = session.get(SESSION_KEY) if session is not None else None
        if not remembered:
            return []
        own = list(
            Comment.objects.filter(pk__in=remembered, post=post)
            .exclude(status__in=[Comment.Status.APPROVED, Comment.Status.REJECTED])
            .top_level()
        )
        for comment in own:
            comment.public_replies = []
        return own
