"""Paginators for lists that grow without bound: admin changelists
(``LargeTablePaginator``) and public lists read newest first
(``KeysetPaginator``, below).

Django's admin counts the filtered rows on every changelist view (the
paginator's ``count``): a ``SELECT COUNT(*)`` over the whole table for an
unfiltered list, a cost that grows with the table. ``LargeTablePaginator``
counts at most a bounded number of rows instead:

- on PostgreSQL, an unfiltered list of a big table takes the planner's
  estimate of its size (``pg_class.reltuples``, kept by ANALYZE/autovacuum):
  "about 1,000,000 comments";
- otherwise it counts the rows up to the requested page plus ``lookahead``
  rows (``SELECT COUNT(*) FROM (SELECT ... LIMIT n)``): exact when the list
  is shorter, "more than 10,050 comments" when it is longer, and the pages up
  to there are linked.

Use it from a ModelAdmin with ``get_paginator`` (the requested page number
comes from the request) or as ``paginator = LargeTablePaginator``.
"""

import base64
import dataclasses
import datetime as dt
import hmac
import struct

from django.contrib.admin.views.main import PAGE_VAR
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Q
from django.utils.crypto import salted_hmac
from django.utils.functional import cached_property

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class LargeTablePaginator(Paginator):
    lookahead = 10_000  # rows counted beyond the requested page
    estimate_above = 100_000  # PostgreSQL: trust reltuples above this size
    # A page asked beyond this is counted as if it were this one (and is then
    # "no such page" for the admin: its invalid-filter answer, ?e=1): the
    # count's LIMIT stays a number every database takes (a 20-digit ?p= was a
    # "datatype mismatch" on SQLite, "bigint out of range" on PostgreSQL).
    max_page_hint = 10**9

    def __init__(self, object_list, per_page, *args, page_hint=1, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.page_hint = min(max(1, page_hint), self.max_page_hint)
        self.count_label = ""  # "more than 10,050" or "about 1,000,000"; "" when exact

    @classmethod
    def for_request(cls, request, queryset, per_page, **kwargs):
        try:
            page = int(request.GET.get(PAGE_VAR, 1))
        except ValueError:
            page = 1
        return cls(queryset, per_page, page_hint=page, **kwargs)

    @cached_property
    def count(self):
        queryset = self.object_list
        estimate = self._table_estimate(queryset)
        if estimate is not None:
            self.count_label = f"about {estimate:,}"
            return estimate
        limit = self.page_hint * self.per_page + self.lookahead
        # values("pk"): the count's subquery selects no annotation (the post
        # admin's comment counts would run per row otherwise).
        counted = queryset.order_by().values("pk")[: limit + 1].count()
        if counted > limit:
            self.count_label = f"more than {limit:,}"
            return limit
        return counted

    def _table_estimate(self, queryset):
        """PostgreSQL's estimate of an unfiltered big table's rows, or None."""
        query = queryset.query
        connection = connections[queryset.db]
        if connection.vendor != "postgresql" or query.where or query.distinct:
            return None
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)",
                [connection.ops.quote_name(queryset.model._meta.db_table)],
            )
            row = cursor.fetchone()
        if row is None or row[0] is None or row[0] < self.estimate_above:
            return None  # never analysed (-1) or small: count it exactly
        return int(row[0])


class LargeTableAdminMixin:
    """For a ModelAdmin whose changelist may grow large: count with
    LargeTablePaginator (at most the rows up to the page shown plus
    ``lookahead``), never the whole table, and no second "full" count."""

    show_full_result_count = False

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        return LargeTablePaginator.for_request(
            request,
            queryset,
            per_page,
            orphans=orphans,
            allow_empty_first_page=allow_empty_first_page,
        )


# --- keyset ("older than") pagination -------------------------------------------------


class InvalidCursor(ValueError):
    """A cursor the site did not make: malformed, forged or out of range."""


@dataclasses.dataclass
class KeysetPage:
    """One page of a keyset-paginated list, newest first.

    ``next_cursor`` names the last row shown: the page after it starts just
    below it. ``has_previous`` is true on every page but the first (a page
    reached through a cursor has newer rows above it).
    """

    object_list: list
    next_cursor: str | None
    is_first: bool

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def has_next(self):
        return self.next_cursor is not None

    def has_previous(self):
        return not self.is_first

    def has_other_pages(self):
        return self.has_next() or self.has_previous()


class KeysetPaginator:
    """Pages of a list ordered by a datetime and then the primary key, both
    descending, each page read as "the next ``per_page`` rows older than the
    last one shown" (keyset pagination).

    A page costs one indexed range read of ``per_page + 1`` rows however deep
    it is (no OFFSET), and rows added or removed above the cursor while a
    reader pages never make a row repeat or go missing below it: the cursor
    is the last row's own (time, id), not a position.

    A cursor is the last row's time (microseconds since the epoch) and id,
    packed in 16 bytes with the first 8 bytes of an HMAC of them keyed by the
    SECRET_KEY (``salted_hmac``), in URL-safe base64 without padding: 32
    characters. Only cursors the site made are accepted, so the pages that
    exist (and may be cached) are the ones the site links to; anything else
    raises ``InvalidCursor`` (the view answers 404). Changing the SECRET_KEY
    invalidates old cursors (their links answer 404).

    ``queryset`` must be ordered by nothing in particular: the paginator
    orders it by ``-<time_field>, -pk``. An index on the time field (with any
    equality filters before it) makes every page one short index range.
    """

    salt = "core.paginators.KeysetPaginator"
    _packing = struct.Struct(">qQ")  # signed microseconds, unsigned id
    _mac_bytes = 8

    def __init__(self, queryset, per_page, time_field="publish_at"):
        self.queryset = queryset
        self.per_page = per_page
        self.time_field = time_field

    # cursors
    def _mac(self, payload):
        return salted_hmac(self.salt, payload, algorithm="sha256").digest()[: self._mac_bytes]

    def cursor_for(self, row):
        moment = getattr(row, self.time_field)
        micros = (moment - EPOCH) // dt.timedelta(microseconds=1)
        payload = self._packing.pack(micros, row.pk)
        return base64.urlsafe_b64encode(payload + self._mac(payload)).rstrip(b"=").decode()

    def decode(self, cursor):
        """(time, id) from a cursor; InvalidCursor for anything the site did not make."""
        size = self._packing.size + self._mac_bytes
        if not isinstance(cursor, str) or len(cursor) != -(-size * 4 // 3):
            raise InvalidCursor("wrong length")
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        except (ValueError, TypeError) as error:
            raise InvalidCursor("not base64") from error
        payload, mac = raw[: self._packing.size], raw[self._packing.size :]
        if len(raw) != size or not hmac.compare_digest(mac, self._mac(payload)):
            raise InvalidCursor("not signed by this site")
        micros, pk = self._packing.unpack(payload)
        try:
            moment = EPOCH + dt.timedelta(microseconds=micros)
        except OverflowError as error:
            raise InvalidCursor("time out of range") from error
        return moment, pk

    # pages
    def page(self, cursor=None):
        """The first page (no cursor) or the page after ``cursor``."""
        rows = self.queryset.order_by(f"-{self.time_field}", "-pk")
        if cursor is not None:
            moment, pk = self.decode(cursor)
            field = self.time_field
            # The first condition bounds the index range; the second breaks ties
            # among rows of the same time by id.
            rows = rows.filter(**{f"{field}__lte": moment}).filter(
                Q(**{f"{field}__lt": moment}) | Q(pk__lt=pk)
            )
        rows = list(rows[: self.per_page + 1])
        shown = rows[: self.per_page]
        next_cursor = self.cursor_for(shown[-1]) if len(rows) > self.per_page else None
        return KeysetPage(shown, next_cursor, is_first=cursor is None)
