"""How often one client may send the readers' forms (core.ratelimit: a
sliding minute in the shared cache, per ``core.client_ip.Client``, so IPv6
clients per /64), for each form (``scope``: comments, deletion requests):

- ``too_many_forms(client)`` counts every form sent, valid or not, and says
  when one client sent more than FORMS_PER_COMMENT times
  COMMENTS_RATE_LIMIT_PER_MINUTE in the last minute: a robot hammering the
  form costs a render each time;
- ``over_limit(client)`` / ``counted(client)``: only what was done counts (a
  comment stored, a deletion request accepted), at most
  COMMENTS_RATE_LIMIT_PER_MINUTE in the last minute. A reader correcting
  their form is never refused for it.

The order in which a form meets them is ``comments.rules``.
"""

from django.conf import settings

from core import ratelimit

# Forms sent (any, with mistakes too) per action allowed, in one minute.
FORMS_PER_COMMENT = 6

COMMENTS = "comments"
DELETION = "comment-deletion"


def too_many_forms(client, scope=COMMENTS, now=None):
    """Count one sent form of ``scope`` from ``client``; True when that is
    more than FORMS_PER_COMMENT x COMMENTS_RATE_LIMIT_PER_MINUTE in the last minute."""
    limit = FORMS_PER_COMMENT * settings.COMMENTS_RATE_LIMIT_PER_MINUTE
    return ratelimit.rate_limited(f"{scope}-forms", client, limit, now=now)


def over_limit(client, scope=COMMENTS, now=None):
    """Whether one more comment (or request) from ``client`` would be more
    than COMMENTS_RATE_LIMIT_PER_MINUTE in the last minute. Counts nothing."""
    return ratelimit.over_limit(scope, client, settings.COMMENTS_RATE_LIMIT_PER_MINUTE, now=now)


def counted(client, scope=COMMENTS, now=None):
    """Count a comment stored (or a request accepted) from ``client``."""
    ratelimit.count(scope, client, now=now)
