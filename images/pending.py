"""An upload kept while the editor corrects the rest of the *Add image* form.

A browser never sends a chosen file again: a form re-rendered with an error
(alt text missing, say) would make the editor find the file a second time.
So a picture that passed its own checks is kept: cleaned as it will be
stored (``processing.prepare``: upright, without EXIF or GPS data), under a
random name in the media storage (``images/pending/``: the same storage, so
it works with several app servers and object storage), and the re-rendered
form carries a signed token naming it, for that editor only, for
``MAX_AGE`` seconds. The form shows the picture and its file name; saving
without choosing another file uses it. A kept file goes when the image is
saved; one abandoned goes when another is kept after ``MAX_AGE``.
"""

import dataclasses
import datetime as dt
import logging
import uuid

from django.core import signing
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.utils import timezone

logger = logging.getLogger(__name__)

SALT = "images.pending"
MAX_AGE = 24 * 60 * 60
FOLDER = "images/pending"


@dataclasses.dataclass(frozen=True)
class KeptUpload:
    """A kept picture: its name in the storage and the name it was chosen as."""

    name: str
    chosen_as: str

    @property
    def url(self):
        return default_storage.url(self.name)

    def __str__(self):
        return self.chosen_as

    def open(self):
        """The picture, as an uploaded file named as the editor chose it."""
        return File(default_storage.open(self.name), name=self.chosen_as)


def keep(content, extension, chosen_as, user):
    """Store ``content`` (bytes, cleaned) and return the token that names it."""
    forget_stale()
    name = default_storage.save(f"{FOLDER}/{uuid.uuid4().hex}.{extension}", ContentFile(content))
    chosen_as = (chosen_as or f"picture.{extension}").replace("\\", "/").rsplit("/", 1)[-1]
    return signing.dumps({"name": name, "as": chosen_as[:200], "by": user.pk}, salt=SALT)


def find(token, user):
    """The KeptUpload ``token`` names, if it is ``user``'s, recent and still there."""
    if not token or user is None:
        return None
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    if data.get("by") != user.pk or not str(data.get("name", "")).startswith(f"{FOLDER}/"):
        return None
    if not default_storage.exists(data["name"]):
        return None
    return KeptUpload(data["name"], data.get("as") or "picture")


def forget(kept):
    """Delete a kept picture (it was saved as an image, or replaced)."""
    try:
        default_storage.delete(kept.name)
    except Exception:  # noqa: BLE001 (a storage outage: the next keep() prunes it)
        logger.warning("could not delete the kept upload %s", kept.name, exc_info=True)


def forget_stale(now=None):
    """Delete kept pictures older than MAX_AGE (abandoned forms)."""
    cutoff = (now or timezone.now()) - dt.timedelta(seconds=MAX_AGE)
    try:
        _folders, names = default_storage.listdir(FOLDER)
    except (FileNotFoundError, NotImplementedError):
        return
    except Exception:  # noqa: BLE001 (never in the editor's way)
        logger.warning("could not list the kept uploads", exc_info=True)
        return
    for name in names:
        path = f"{FOLDER}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
        except Exception:  # noqa: BLE001
            logger.warning("could not prune the kept upload %s", path, exc_info=True)
