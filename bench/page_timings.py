"""Time the pages that grow with the data, query by query.

Against the database in DATABASE_URL (the large data set, typically):
    DATABASE_URL=sqlite:////tmp/large/db.sqlite3 python bench/page_timings.py [--queries N]

Each page is requested a few times through Django's test client (an admin
logged in with force_login, or an anonymous reader with the cache cleared
first); it prints the best and median time, the number of queries, and with
--queries N the N slowest queries of the slowest run, with their time.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "glutablog.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from articles.models import Post  # noqa: E402
from core.paginators import KeysetPaginator  # noqa: E402


class QueryTimer:
    """A connection.execute_wrapper that records (sql, ms) per query."""

    def __init__(self):
        self.queries = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((sql, (time.perf_counter() - started) * 1000))


def measure(client, label, path, runs, show, cold=False):
    times, worst = [], None
    status = None
    for _ in range(runs):
        if cold:
            cache.clear()
        timer = QueryTimer()
        with connection.execute_wrapper(timer):
            started = time.perf_counter()
            response = client.get(path)
            elapsed = (time.perf_counter() - started) * 1000
        status = response.status_code
        times.append(elapsed)
        if worst is None or elapsed >= worst[0]:
            worst = (elapsed, timer.queries)
    print(
        f"  {label:<40} {status:>4} {len(worst[1]):>7} {min(times):>9.1f} "
        f"{statistics.median(times):>9.1f}"
    )
    for sql, ms in sorted(worst[1], key=lambda q: -q[1])[:show]:
        print(f"      {ms:8.1f} ms  {sql[:300]}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--queries", type=int, default=0, help="show the N slowest queries")
    parser.add_argument("--only", help="only the pages whose label contains this")
    args = parser.parse_args()

    host = {"HTTP_HOST": "127.0.0.1"}
    admin, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    staff = Client(**host)
    staff.force_login(admin)
    anonymous = Client(**host)
    published = Post.objects.published()
    count = published.count()
    per_page = settings.BLOG_POSTS_PER_PAGE
    last_page = max(1, -(-count // per_page))
    middle_page = min(500, last_page)

    def keyset_page(number):
        """The index's page ``number`` (keyset pages: ?before=<the cursor of
        the post just above it>)."""
        if number <= 1:
            return "/blog/"
        above = published.order_by("-publish_at", "-pk").only("pk", "publish_at")[
            (number - 1) * per_page - 1
        ]
        return f"/blog/?before={KeysetPaginator(Post.objects.none(), per_page).cursor_for(above)}"

    post = published.filter(slug="glutamine-and-gut-health").first() or published.first()
    from comments.models import Comment

    commented = Comment.objects.order_by("-pk").values_list("post_id", flat=True).first()
    pages = [
        (staff, "admin comment queue (pending)", "/admin/comments/comment/", False),
        (staff, "admin comments, all", "/admin/comments/comment/?status=all", False),
        (
            staff,
            "admin comments, one post (all)",
            f"/admin/comments/comment/?status=all&post__id__exact={commented}",
            False,
        ),
        (
            staff,
            "admin comments, search",
            "/admin/comments/comment/?status=pending&q=magnesium",
            False,
        ),
        (staff, "admin post list", "/admin/articles/post/", False),
        (anonymous, "sitemap /sitemap.xml, cold cache", "/sitemap.xml", True),
        (anonymous, "sitemap /sitemap.xml, cached", "/sitemap.xml", False),
        (anonymous, "post page, anonymous, cold cache", post.get_absolute_url(), True),
        (anonymous, "post page, anonymous, cached", post.get_absolute_url(), False),
        (anonymous, "index /blog/, cold cache", "/blog/", True),
        (anonymous, "index /blog/, cached", "/blog/", False),
        (anonymous, f"index page {middle_page} (keyset)", keyset_page(middle_page), False),
        (anonymous, f"index page {last_page} (last, keyset)", keyset_page(last_page), False),
        (anonymous, "feed /blog/feed/", "/blog/feed/", False),
    ]
    print(f"{connection.vendor}: {count:,} published posts, {Comment.objects.count():,} comments")
    print(f"  {'page':<40} {'code':>4} {'queries':>7} {'best ms':>9} {'median ms':>9}")
    for client, label, path, cold in pages:
        if args.only and args.only not in label:
            continue
        measure(client, label, path, args.runs, args.queries, cold=cold)


if __name__ == "__main__":
    main()
