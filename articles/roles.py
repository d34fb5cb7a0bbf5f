"""What the articles app grants to each role (see core.roles).

Editors write: add and change posts, references and disclaimers, and keep
the topics (add, change, delete) (references
and the disclaimers chosen for a post are edited inline, so they may also be
removed from a post), and keep the reviewers' and authors' profiles. Moderators may read
posts, to judge comments in context: a post with its references and
disclaimers, as readers see it (without the view permissions of those rows
the read-only post form left them out).

Reviewers read posts as moderators do and record medical reviews
(``review_post``: mark as reviewed, approve, send back); they change no post.
Editors do not record reviews: a review is a reviewer's word (give an editor
who is also a reviewer both groups).
"""

from core.roles import EDITORS, MODERATORS, REVIEWERS, grant

ARTICLES_ROLES = {
    EDITORS: [
        "add_post", "change_post", "view_post",
        "add_reference", "change_reference", "delete_reference", "view_reference",
        "add_disclaimer", "change_disclaimer", "view_disclaimer",
        "add_postdisclaimer", "change_postdisclaimer", "delete_postdisclaimer",
        "view_postdisclaimer",
        "add_reviewer", "change_reviewer", "view_reviewer",
        "add_author", "change_author", "view_author",
        "add_topic", "change_topic", "delete_topic", "view_topic",
    ],
    MODERATORS: [
        "view_post", "view_reference", "view_postdisclaimer", "view_disclaimer", "view_topic",
    ],
    REVIEWERS: [
        "view_post", "view_reference", "view_postdisclaimer", "view_disclaimer",
        "review_post", "view_reviewer", "view_topic",
    ],
}  # fmt: skip


def ensure_roles(sender, using="default", **kwargs):
    grant("articles", ARTICLES_ROLES, using=using)
