"""Check the load test's accepted comments against the database (bench/run.py).

Reads the load test's JSON summary on stdin; prints a JSON verdict.
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "glutablog.settings")

import django  # noqa: E402

django.setup()

from comments.models import Comment  # noqa: E402


def main():
    summary = json.load(sys.stdin)
    accepted = set(summary["accepted_pks"])
    stored = Comment.objects.filter(text__contains=f"Load test comment {summary['run']}-")
    stored_pks = set(stored.values_list("pk", flat=True))
    by_status = {}
    for status in stored.values_list("status", flat=True):
        by_status[status] = by_status.get(status, 0) + 1
    json.dump(
        {
            "accepted": len(accepted),
            "in_database": len(stored_pks),
            "accepted_missing": len(accepted - stored_pks),
            "stored_not_acknowledged": len(stored_pks - accepted),
            "stored_by_status": by_status,
        },
        sys.stdout,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
