"""SQL queries per page, through Django's test Client against the benchmark database.

Run by bench/run.py with the benchmark's environment (DATABASE_URL etc.):
    python bench/query_counts.py
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "glutablog.settings")

import django  # noqa: E402
import django.utils.timezone  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from articles.models import Post  # noqa: E402
from core.paginators import KeysetPaginator  # noqa: E402

POST = "/blog/glutamine-and-gut-health/"


def measure(client, label, path, **headers):
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(path, **headers)
        elapsed = (time.perf_counter() - started) * 1000
    print(f"  {label:<44} {response.status_code:>4} {len(queries):>8} {elapsed:>9.1f}")
    return response


def main():
    cache.clear()
    host = {"HTTP_HOST": "127.0.0.1"}
    anonymous = Client(**host)
    admin, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    staff = Client(**host)
    staff.force_login(admin)
    pages = Post.objects.published().count()
    per_page = django.conf.settings.BLOG_POSTS_PER_PAGE
    last_index_page = max(1, -(-pages // per_page))
    print(f"SQL queries per page ({pages:,} published posts)")
    print(f"  {'page':<44} {'code':>4} {'queries':>8} {'ms':>9}")
    first = measure(anonymous, "post page, anonymous, cold cache", POST)
    measure(anonymous, "post page, anonymous, cached", POST)
    if first.has_header("ETag"):
        measure(
            anonymous, "post page, conditional GET (If-None-Match)", POST,
            HTTP_IF_NONE_MATCH=first["ETag"],
        )  # fmt: skip
    measure(anonymous, "index /blog/, cold cache", "/blog/")
    measure(anonymous, "index /blog/, cached", "/blog/")
    # The deepest keyset page: the cursor of the post just above the last page.
    last = (
        Post.objects.published()
        .order_by("-publish_at", "-pk")
        .only("pk", "publish_at")[
            (last_index_page - 1) * per_page - 1 : (last_index_page - 1) * per_page
        ]
    )
    if last_index_page > 1:
        cursor = KeysetPaginator(Post.objects.none(), per_page).cursor_for(last[0])
        measure(
            anonymous, f"index, last keyset page ({last_index_page})", f"/blog/?before={cursor}"
        )
    newest = Post.objects.published().latest()
    newest.publish_at = django.utils.timezone.localtime(newest.publish_at)
    year, month = f"/blog/{newest.publish_at:%Y}/", f"/blog/{newest.publish_at:%Y/%m}/"
    measure(anonymous, f"year archive {year}, cold cache", year)
    measure(anonymous, f"year archive {year}, cached", year)
    measure(anonymous, f"month archive {month}, cold cache", month)
    measure(anonymous, f"month archive {month}, cached", month)
    measure(anonymous, "feed /blog/feed/", "/blog/feed/")
    measure(anonymous, "sitemap /sitemap.xml", "/sitemap.xml")
    measure(staff, "post page, staff (no cache)", POST)
    measure(staff, "admin post list", "/admin/articles/post/")
    measure(staff, "admin comment queue (pending)", "/admin/comments/comment/?status=pending")
    measure(staff, "admin comments, all", "/admin/comments/comment/?status=all")


if __name__ == "__main__":
    main()
