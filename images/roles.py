"""What the images app grants to each role (see core.roles).

Editors upload, describe and reuse images, and may delete them: an image a
post shows (as its featured image or in its body) is protected, so deleting
one in use is refused with the list of posts; what can go is an unused
upload (a wrong file, a picture whose licence ended once it is taken out of
its posts). Moderators get nothing here: they judge comments, not pictures.
"""

from core.roles import EDITORS, MODERATORS, grant

IMAGES_ROLES = {
    EDITORS: ["add_image", "change_image", "delete_image", "view_image"],
    MODERATORS: [],
}


def ensure_roles(sender, using="default", **kwargs):
    grant("images", IMAGES_ROLES, using=using)
