"""Time the search results page: p50 and p95 over a set of queries.

Against the database in DATABASE_URL (the large data set, typically):
    DATABASE_URL=sqlite:////tmp/large/db.sqlite3 python bench/search_timings.py [--runs 5]

Each query is requested --runs times (after one warm-up) through Django's test
client as an anonymous reader, the whole page: count, the page of results,
titles and snippets marked, template. The rate limit is off for the run.
Prints each query's median time and result count, then p50/p95 over all
requests, and whether p95 is under --target ms (the exit status follows).
"""

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "glutablog.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from articles.models import Post  # noqa: E402

# Common words (on nearly every generated post), rarer ones, phrases, stems,
# operators, nothing found, and hostile text.
QUERIES = [
    "glutamine",
    "gut barrier",
    "amino acids",
    "tight junctions",
    '"immune cells"',
    "athletes recovery sleep",
    "zinc -magnesium",
    "omega or fibre",
    "microbiome inflammation stress hydration",
    "glutamine and gut health",
    "roles in health and disease",
    "xylophone",
    "'; DROP TABLE articles_post; --",
    "NEAR(gut barrier) * OR",
    "supplement " * 40,
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--target", type=float, default=50.0, help="p95 target in ms")
    args = parser.parse_args()
    settings.SEARCH_RATE_LIMIT_PER_MINUTE = 0
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    vendor = connection.vendor
    posts = Post.objects.published().count()
    print(f"search results page, {vendor}, {posts:,} published posts, {args.runs} runs a query")
    print(f"{'query':<44} {'found':>7} {'queries':>7} {'median ms':>9}")
    every = []
    for query in QUERIES:
        client.get("/blog/search/", {"q": query})  # warm-up
        times = []
        for _ in range(args.runs):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get("/blog/search/", {"q": query})
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (query, response.status_code)
        found = re.search(r"([\d,]+) posts? found", response.text)
        every += times
        label = query if len(query) <= 42 else query[:39] + "..."
        print(
            f"{label!s:<44} {found.group(1) if found else '0':>7} {len(queries):>7} "
            f"{statistics.median(times):>9.1f}"
        )
    every.sort()
    p50 = statistics.median(every)
    p95 = every[min(len(every) - 1, int(round(0.95 * len(every))) - 1)]
    verdict = "PASS" if p95 < args.target else "FAIL"
    print(f"all {len(every)} requests: p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {every[-1]:.1f} ms")
    print(f"{verdict}: p95 {'<' if p95 < args.target else '>='} {args.target:.0f} ms ({vendor})")
    sys.exit(0 if p95 < args.target else 1)


if __name__ == "__main__":
    main()
