"""What the articles app grants to each role (see core.roles).

Editors write: add and change posts, references and disclaimers, and keep
the topics (add, change, delete) (references
and the disclaimers chosen for a post are edited inline, so they may also be
removed from a post). Moderators may read posts, to judge comments in context:
a post with its references and disclaimers, as readers see it (without the
view permissions of those rows the read-only post form left them out).
"""

from core.roles import EDITORS, MODERATORS, grant

ARTICLES_ROLES = {
    EDITORS: [
        "add_post", "change_post", "view_post",
        "add_reference", "change_reference", "delete_reference", "view_reference",
        "add_disclaimer", "change_disclaimer", "view_disclaimer",
        "add_postdisclaimer", "change_postdisclaimer", "delete_postdisclaimer",
        "view_postdisclaimer",
        "add_topic", "change_topic", "delete_topic", "view_topic",
    ],
    MODERATORS: [
        "view_post", "view_reference", "view_postdisclaimer", "view_disclaimer", "view_topic",
    ],
}  # fmt: skip


def ensure_roles(sender, using="default", **kwargs):
    grant("articles", ARTICLES_ROLES, using=using)
