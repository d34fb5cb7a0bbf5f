"""Values every page shows (the menus, the main topics, the archive's months),
built once per site-wide change and shared by the pages rendered after it.

``stamped(request, name, build)`` answers with ``build()``'s value, kept in
the cache under the site-wide stamp (core.models.SiteStamp), the deployed
code (core.build.BUILD_ID: addresses come from its URLs) and any ``parts``
the value also depends on; and kept on the request, so the header, the footer
and the rest of one page share one reading. The stamp is read once per
request (``SiteStamp.current_for``; the page cache has read it already for an
anonymous reader's page). A cache that fails is skipped (core.cache_safe): the
value is built again, never an error.
"""

import hashlib

from . import build, cache_safe
from .models import SiteStamp

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
    value = cache_safe.read_or_make(key, make, timeout, f"{name} cache")
    if on_request is not None:
        on_request[name, version] = value
    return value
