"""What the newsletter grants to each role (see core.roles).

Editors follow each post's mailing and may pause and resume it. Nobody but
administrators sees subscribers' addresses: no group gets the Subscriber
model; editors see only counts (the admin's front page).
"""

from core.roles import EDITORS, MODERATORS, grant

NEWSLETTER_ROLES = {
    EDITORS: ["view_mailing", "change_mailing"],
    MODERATORS: [],
}


def ensure_roles(sender, using="default", **kwargs):
    grant("newsletter", NEWSLETTER_ROLES, using=using)
