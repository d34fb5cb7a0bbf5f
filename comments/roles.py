"""What the comments app grants to each role (see core.roles).

Moderators work the queue (view and change comments: approve, reject, mark
as spam, reply) and keep the blocklist. Editors get nothing here: an editor
moderates only when also in Moderators. Comments are added by readers and
never deleted by a moderator (rejecting keeps the record); moderators read
the record of deletions readers asked for.
"""

from core.roles import EDITORS, MODERATORS, grant

COMMENTS_ROLES = {
    MODERATORS: [
        "view_comment", "change_comment", "view_commentdeletion",
        "add_blockedterm", "change_blockedterm", "delete_blockedterm", "view_blockedterm",
    ],
    EDITORS: [],
}  # fmt: skip


def ensure_roles(sender, using="default", **kwargs):
    grant("comments", COMMENTS_ROLES, using=using)
