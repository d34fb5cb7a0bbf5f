"""Versions of pages for the page cache and conditional GET (docs/performance.md).

A version is a short text that changes whenever what a page shows changes:
the ids and last changes it depends on, in one shape for every app.
"""


def version(*parts):
    """The parts (ids, datetimes, numbers, other versions) joined by ``:``,
    a missing one (None) written ``-``."""
    return ":".join("-" if part is None else str(part) for part in parts)
