"""What the pages app grants to each role (see core.roles).

Editors keep the site pages: add, change and view them (and so revert them to
an earlier revision). Deleting a page is left to administrators: a page
unpublished is gone from the site and keeps its history.
"""

from core.roles import EDITORS, grant

PAGES_ROLES = {
    EDITORS: ["add_page", "change_page", "view_page"],
}


def ensure_roles(sender, using="default", **kwargs):
    grant("pages", PAGES_ROLES, using=using)
