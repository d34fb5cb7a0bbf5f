"""A lock named by the caller, held until the current transaction ends: the
same guarantee on PostgreSQL and SQLite.

A rule that reads, then writes (is this text a duplicate? then store it) is
a race when two requests read before either writes. ``transaction_lock(name)``
inside ``transaction.atomic()`` makes the second wait until the first has
committed, so it reads what the first wrote:

- PostgreSQL: ``pg_advisory_xact_lock`` on a 64-bit key made from the name;
  released at commit or rollback. Waiting for it counts toward
  ``lock_timeout`` (DATABASE_LOCK_TIMEOUT): past that the request gets the
  site's "busy, try again" answer like any other lock wait.
- SQLite: the settings make every transaction IMMEDIATE, so a transaction
  holds the database's write lock from BEGIN: writers are serialised
  already, and there is nothing more to take. Another transaction mode
  would break that, hence the check.
"""

import hashlib

from django.db import connection
from django.db.transaction import TransactionManagementError


def _key(name):
    return int.from_bytes(
        hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True
    )


def transaction_lock(name):
    """Wait for the lock ``name``, and hold it until the transaction ends."""
    if not connection.in_atomic_block:
        raise TransactionManagementError("transaction_lock() needs transaction.atomic().")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_key(name)])
    elif connection.vendor == "sqlite":
        mode = connection.settings_dict.get("OPTIONS", {}).get("transaction_mode")
        if mode != "IMMEDIATE":
            raise TransactionManagementError(
                "transaction_lock() on SQLite relies on IMMEDIATE transactions "
                f"(OPTIONS transaction_mode), not {mode!r}."
            )
    else:
        raise NotImplementedError(f"transaction_lock() on {connection.vendor}")
