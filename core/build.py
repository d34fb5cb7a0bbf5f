"""BUILD_ID: changes whenever the deployed code, templates or pinned requirements do.

Stored renderings (the page cache) are keyed by it, so a deploy that changes
how anything renders (a template, ``Reference.ama()``, a library upgrade)
never serves pages made by the previous code. It is computed once per process
from the files themselves: the same checkout gives the same id on every
server, with no build step to forget. PAGE_CACHE_VERSION is mixed in, to
drop every stored page by hand.
"""

import hashlib
import os
from pathlib import Path

from django.conf import settings

# Top-level folders of the checkout that are not deployed code.
NOT_CODE = {"tests", "bench", "docs", "deploy", "media", "staticfiles", "backups", "artifacts"}
CODE_SUFFIXES = {".py", ".html", ".txt", ".css", ".js", ".xml"}


def code_files(base_dir):
    """The checkout's code files, in a stable order (hidden folders, such as
    .venv and .git, and the folders in NOT_CODE are not walked)."""
    found = []
    for folder, subfolders, files in os.walk(base_dir):
        top = Path(folder) == Path(base_dir)
        subfolders[:] = [
            name
            for name in subfolders
            if not name.startswith(".")
            and name != "__pycache__"
            and not (top and name in NOT_CODE)
        ]
        found += [Path(folder) / name for name in files if Path(name).suffix in CODE_SUFFIXES]
    return sorted(found)


def compute(base_dir, extra=""):
    digest = hashlib.sha256(extra.encode())
    for path in code_files(base_dir):
        digest.update(str(path.relative_to(base_dir)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


BUILD_ID = compute(settings.BASE_DIR, settings.PAGE_CACHE_VERSION)
