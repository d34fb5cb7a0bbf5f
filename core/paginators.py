"""A paginator for admin changelists over tables that grow without bound.

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

from django.contrib.admin.views.main import PAGE_VAR
from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property


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
