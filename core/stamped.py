"""Values every page shows (the menus, the main topics, the archive's months),
built once per site-wide change and shared by the pages rendered after it.

``stamped(request, name, build)`` answers with ``build()``'s value, kept in
the cache under the site-wide stamp (core.models.SiteStamp), the deployed
code (core.build.BUILD_ID: addresses come from its URLs) and any ``parts``
the value also depends on; and kept on the request, so the header, the footer
and the rest of one page share one reading. The stamp is read once per
request (``SiteStamp.current_for``; the page cache has read it already for an
anonymous reader's page). A cache that fails is skipped: the value is built
again, never an error.
"""

import hashlib
import logging

from django.core.cache import cache

from . import build
from .models import SiteStamp

logger = logging.getLogger(__name__)

CACHE_SECONDS = 60 * 60 * 24


def stamped(request, name, make, parts=(), timeout=CACHE_SECONDS):
    """``make()``'s value for the page being rendered for ``request`` (None:
    no request to share it with), rebuilt after each site-wide change."""
    version = "|".join([build.BUILD_ID, SiteStamp.current_for(request), *map(str, parts)])
    on_request = getattr(request, "stamped_values", None)
    if on_request is None and request is not None:
        on_request = request.stamped_values = {}
    if on_request is not None and (name, version) in on_request:
        return on_request[name, version]
    key = f"stamped:{name}:" + hashlib.sha256(version.encode()).hexdigest()
    value = None
    try:
        value = cache.get(key)
    except Exception:  # noqa: BLE001 (the cache is an optimisation only)
        logger.warning("%s: cache unavailable, building it", name, exc_info=True)
    if value is None:
        value = make()
        try:
            cache.set(key, value, timeout)
        except Exception:  # noqa: BLE001
            logger.warning("%s: cache unavailable, not stored", name, exc_info=True)
    if on_request is not None:
        on_request[name, version] = value
    return value
