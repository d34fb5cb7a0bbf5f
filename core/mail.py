"""Mail off the request path: queued as tasks after commit, sent by a worker, retried.

Every email the site sends is the work of a task (Django's Tasks framework,
backported by django-tasks: on Django 6 the import becomes ``django.tasks``).
Apps queue their tasks with ``enqueue_with_data(task, *args)``: the mail is
stored with the data it speaks of, in one transaction. With the database
backend (production) the task's row is written in the transaction that
writes the comment or the decision, so both are committed or neither is: a
process that dies after the commit has already queued its mail, and a
rolled-back comment queues none. The worker (``manage.py db_worker``) runs it
once it is committed. With the immediate backend (development, tests), which
sends at once, the task runs only after the commit (a failure to queue it
there is logged, never raised into the request that committed).

A task sends its message with ``send(message, retry=..., args=..., attempt=...)``.
A mail server that fails is logged, and the task is queued again with the same
arguments and ``attempt + 1``: after MAIL_RETRY_DELAY_SECONDS, then four times
as long each time, on a backend that can defer (the database backend); at once
on one that cannot (the immediate backend). Neither backend retries a failed
task by itself (django-tasks 0.12, django-tasks-db 0.13), hence this bounded
retry. The last attempt's failure is raised: the task is recorded as failed,
with its arguments and traceback, in the tasks admin, and logged as an error.
Retried tasks read the database again, so a retry never sends something that
stopped being true (a comment approved or deleted meanwhile).

Every message is a ``SiteEmail``: its subject is one line, whatever the title
or name it was made from (a line break in a header would raise
BadHeaderError, and the mail would be lost after every retry); it says
``Auto-Submitted: auto-generated`` (RFC 3834: vacation responders and other
robots do not answer it); its Message-ID names the site's own host, from
SITE_URL (not the server's host name).

``first_mail_to(address, kind, claim)`` throttles mail per recipient: at most
one email of one kind to one address in MAIL_PER_ADDRESS_MINUTES, whichever
client asked for it. A visitor can make the site mail an address it does not
own (a deletion link, a notice); this bounds what one address can cost the
worker when the mail relay hangs, and what its owner receives.
"""

import datetime as dt
import logging
import unicodedata
from email.utils import make_msgid
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_tasks_db import DatabaseBackend

logger = logging.getLogger("core.mail")

BACKOFF_FACTOR = 4
SUBJECT_MAX_LENGTH = 200


# The bidirectional overrides and isolates: they make the rest of a line read
# backwards, or in another order than it is written.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def breaks_the_line(character):
    """Whether ``character`` has no place in one line of plain text: a control
    character (line breaks, tabs, Word's \\x0b and \\x0c, NUL...), a line or
    paragraph separator, a lone surrogate, or a bidirectional override."""
    return unicodedata.category(character) in ("Cc", "Cs", "Zl", "Zp") or (
        character in BIDI_CONTROLS
    )


def one_line(text, limit=None):
    """``text`` as one line of plain text (a subject, a name in a mail): each
    run of spaces and characters that break the line becomes one space; cut
    at ``limit`` characters with an ellipsis."""
    text = "".join(" " if breaks_the_line(c) else c for c in str(text))
    text = " ".join(text.split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def site_host():
    """The host of SITE_URL, as it goes in a header (ASCII)."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return host.encode("idna").decode("ascii") if not host.isascii() else host


class SiteEmail(EmailMessage):
    """An email the site sends: a one-line subject, ``Auto-Submitted``, and a
    Message-ID on the site's own host. Used like Django's EmailMessage."""

    def __init__(self, subject="", body="", *args, headers=None, **kwargs):
        headers = {
            "Auto-Submitted": "auto-generated",
            "Message-ID": make_msgid(domain=site_host()),
            **(headers or {}),
        }
        super().__init__(
            one_line(subject, SUBJECT_MAX_LENGTH), body, *args, headers=headers, **kwargs
        )


def first_mail_to(address, kind, claim=None):
    """Whether an email of ``kind`` may go to ``address``: none went there in
    the last MAIL_PER_ADDRESS_MINUTES. The first one holds the address for
    that long. ``claim`` names what the email is about (a comment's id): the
    same claim again, a retry of that email, is let through; without one,
    every later email waits. The address is kept in the cache only as a keyed
    hash. A cache outage lets mail through."""
    minutes = settings.MAIL_PER_ADDRESS_MINUTES
    if not minutes:
        return True
    key = f"mail:{kind}:" + salted_hmac("core.mail.first_mail_to", address).hexdigest()
    try:
        if cache.add(key, claim if claim is not None else True, timeout=minutes * 60):
            return True
        return claim is not None and cache.get(key) == claim
    except Exception:  # noqa: BLE001
        logger.warning("per-address mail throttle unavailable (cache error)", exc_info=True)
        return True


def enqueue_with_data(task, *args, **kwargs):
    """Queue ``task`` with these arguments in the current transaction, with the
    data it speaks of, when its backend stores tasks in the database; with a
    backend that runs it at once, after the transaction commits (at once
    outside of one), a failure logged, never raised into the request that
    committed. See docs/operations.md ("Mail is queued with the data")."""
    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(partial(task.enqueue, *args, **kwargs), robust=True)


def retry_delay(attempt):
    """Seconds to wait before attempt ``attempt + 1``."""
    return settings.MAIL_RETRY_DELAY_SECONDS * BACKOFF_FACTOR ** (attempt - 1)


def send(message, *, retry, args=(), attempt=1):
    """Send ``message`` (an EmailMessage); on failure queue ``retry`` again.

    ``retry`` is the task doing the sending, called again as
    ``retry.enqueue(*args, attempt=attempt + 1)``. Returns what happened, for
    the task's result.
    """
    try:
        message.send()
    except Exception:
        what = f"mail “{message.subject}” to {len(message.recipients())} recipient(s)"
        if attempt >= settings.MAIL_SEND_ATTEMPTS:
            logger.error("%s not sent after %d attempts; giving up", what, attempt, exc_info=True)
            raise
        delay = retry_delay(attempt)
        logger.warning(
            "%s not sent (attempt %d of %d); trying again in %d s",
            what,
            attempt,
            settings.MAIL_SEND_ATTEMPTS,
            delay,
            exc_info=True,
        )
        again = retry
        if retry.get_backend().supports_defer:
            again = retry.using(run_after=timezone.now() + dt.timedelta(seconds=delay))
        again.enqueue(*args, attempt=attempt + 1)
        return f"not sent; attempt {attempt + 1} queued"
    return "sent"
