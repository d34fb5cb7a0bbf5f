"""The W3C Nu Html Checker (vnu.jar), run over many documents at once.

The checker is the one the W3C runs at validator.w3.org/nu, from the npm
package ``vnu-jar`` (pinned in package-lock.json, installed by
``make install`` into node_modules/), run with the machine's Java. It needs
no network. Java starts slowly, so a test hands it every document in one
call: ``check({"name": html, ...})`` answers ``{"name": [Message, ...]}``.
"""

import dataclasses
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings

VNU_JAR = Path(settings.BASE_DIR) / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


@dataclasses.dataclass(frozen=True)
class Message:
    kind: str  # "error", "warning" or "info"
    text: str
    line: int
    extract: str

    def __str__(self):
        return f"{self.kind} line {self.line}: {self.text}  [{self.extract.strip()[:120]}]"


def java():
    return shutil.which("java")


def missing():
    """Why the checker cannot run here, or ""."""
    if not VNU_JAR.exists():
        return f"{VNU_JAR} is missing: run `make install` (npm ci installs vnu-jar)"
    if not java():
        return "Java is missing: apt-get install default-jre-headless (.ci/run does)"
    return ""


def check(documents):
    """Check HTML documents (name -> str or bytes) in one run of the checker."""
    problem = missing()
    if problem:
        raise RuntimeError(problem)
    with tempfile.TemporaryDirectory(prefix="vnu-") as folder:
        paths = {}
        for index, (name, html) in enumerate(documents.items()):
            path = Path(folder) / f"{index:03d}.html"
            path.write_bytes(html if isinstance(html, bytes) else html.encode())
            paths[path.resolve().as_uri()] = name
        result = subprocess.run(
            [java(), "-Xss1m", "-jar", str(VNU_JAR), "--format", "json", "--stdout",
             "--exit-zero-always", *(p.removeprefix("file://") for p in paths)],
            capture_output=True,
            check=True,
            timeout=300,
        )  # fmt: skip
    report = json.loads(result.stdout)
    found = {name: [] for name in documents}
    for message in report["messages"]:
        name = paths.get(message.get("url", "").replace("file:/", "file:///", 1))
        if name is None:  # a message about the run, not a document: never silent
            raise RuntimeError(f"the checker said: {message}")
        kind = message["type"]
        if kind == "info" and message.get("subType") == "warning":
            kind = "warning"
        found[name].append(
            Message(
                kind, message["message"], message.get("lastLine", 0), message.get("extract", "")
            )
        )
    return found
