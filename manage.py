#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "glutablog.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        # A configuration mistake (a missing SECRET_KEY, a bad DATABASE_URL):
        # say what to fix, not a traceback wall.
        sys.exit(f"glutablog is not configured correctly: {exc}")


if __name__ == "__main__":
    main()
