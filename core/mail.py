"""Mail off the request path: queued as tasks after commit, sent by a worker, retried.

Every email the site sends is the work of a task (Django's Tasks framework,
backported by django-tasks: on Django 6 the import becomes ``django.tasks``).
Apps queue their tasks with ``enqueue_on_commit(task, *args)``, so a task is
queued only once the data it speaks of is committed, and a task that cannot
be queued is logged without failing the request that committed it. With the
database backend (production) the worker (``manage.py db_worker``) runs the
task; with the immediate backend (development, tests) it runs at once, after
the commit.

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
"""

import datetime as dt
import logging
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger("core.mail")

BACKOFF_FACTOR = 4


def enqueue_on_commit(task, *args, **kwargs):
    """Queue ``task`` with these arguments once the current transaction commits
    (at once outside of one). A failure to queue is logged, never raised into
    the request that committed."""
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
