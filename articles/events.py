"""``post_published``: the one event other apps hear when posts are published.

It is sent inside the transaction that publishes posts, with ``posts=[...]``,
by the two ways a post becomes published, both in the model layer:
``Post.save`` (a draft, or a new post, saved published: the change form, a
revert, a command, the shell) and ``articles.publishing.publish`` (many
drafts in one UPDATE: the bulk action, the demo loader). A scheduled post is
published when it is saved so, with its future time: a listener that acts
when it comes due defers its work to ``post.publish_at``.

Other apps listen (the newsletter sends a post to its subscribers) without
articles knowing them; a receiver that acts outside the database does so
after the commit. Listeners connect to ``articles.publishing.post_published``
(the same object); this module exists so that the models can send it without
importing the publishing rules, which import the models.
"""

from django.dispatch import Signal

post_published = Signal()


def announce(posts):
    """Tell the listeners of ``post_published`` that ``posts`` were published."""
    posts = list(posts)
    if posts:
        post_published.send(sender=type(posts[0]), posts=posts)
