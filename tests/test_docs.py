"""The README and the manuals link to what exists.

Every relative link and image in README.md, docs/*.md and bench/*.md must
name a file (or folder) of the repository, and every ``#anchor`` a heading of
the target document as GitHub slugs it (or an explicit ``id``/``name``).
Addresses with a scheme (https:, mailto:) are not followed, nor is anything
inside code. Every screenshot in docs/screenshots/ must be shown somewhere.
"""

import re
import unicodedata
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = sorted(
    [ROOT / "README.md", *(ROOT / "docs").glob("**/*.md"), *(ROOT / "bench").glob("*.md")]
)
SCREENSHOTS = ROOT / "docs" / "screenshots"

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
CODE_SPAN = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)", re.S)
HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
# [text](target "title") and ![alt](target): one level of brackets inside the text.
INLINE_LINK = re.compile(
    r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*(<[^>]*>|[^\s)]+)(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)"
)
DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)", re.M)
HTML_ATTRIBUTE = re.compile(r"<(?:a|img)\b[^>]*?\b(?:href|src)\s*=\s*[\"']([^\"']+)[\"']", re.I)
HTML_ANCHOR = re.compile(r"<[a-z][^>]*?\b(?:id|name)\s*=\s*[\"']([^\"']+)[\"']", re.I)
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)


def without_fences(markdown):
    """The text outside fenced code blocks, every line kept in its place (a
    fenced line becomes blank), so line numbers still hold."""
    lines, fence = [], None
    for line in markdown.split("\n"):
        opening = FENCE.match(line)
        if fence:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = None
            lines.append("")
        elif opening:
            fence = opening.group(1)
            lines.append("")
        else:
            lines.append(line)
    return "\n".join(lines)


def prose(markdown):
    """The text outside fenced code and code spans, lines kept in place."""
    return CODE_SPAN.sub(lambda m: "\n" * m.group(0).count("\n"), without_fences(markdown))


def github_slug(text):
    """The anchor GitHub gives a heading: its text as rendered, lower case,
    everything but letters, marks, numbers, ``_``, ``-`` and spaces dropped,
    each space a hyphen (github-slugger's rule)."""
    # Rendered text: code keeps its content; links and images keep their text;
    # emphasis markers and HTML tags go.
    parts = re.split(r"(`+)(.+?)\1", text)
    rendered = []
    for index, part in enumerate(parts):
        if index % 3 == 2:  # a code span's content
            rendered.append(part)
        elif index % 3 == 0:
            part = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", part)
            part = re.sub(r"<[^>]+>", "", part)
            part = re.sub(r"(?<!\w)_+|_+(?!\w)", "", part).replace("*", "")
            rendered.append(part)
    kept = (
        ch
        for ch in "".join(rendered).strip().lower()
        if ch in " -_" or unicodedata.category(ch)[0] in "LMN" or unicodedata.category(ch) == "Pc"
    )
    return "".join(kept).replace(" ", "-")


def anchors(markdown):
    """Every anchor a document offers: its headings' slugs (a repeated slug
    gets -1, -2… as on GitHub) and explicit id/name attributes."""
    found, seen = set(), {}
    for line in without_fences(markdown).split("\n"):
        heading = HEADING.match(line)
        if heading:
            slug = github_slug(heading.group(2))
            if slug in seen:
                seen[slug] += 1
                while f"{slug}-{seen[slug]}" in found:
                    seen[slug] += 1
                slug = f"{slug}-{seen[slug]}"
            else:
                seen[slug] = 0
            found.add(slug)
    # Explicit anchors may sit in raw HTML outside code.
    found.update(HTML_ANCHOR.findall(prose(markdown)))
    return found


def links(markdown):
    """(line number, target) of every link and image outside code."""
    text = prose(markdown)
    found = []
    for pattern in (INLINE_LINK, DEFINITION, HTML_ATTRIBUTE):
        for match in pattern.finditer(text):
            target = match.group(1).strip("<>")
            found.append((text.count("\n", 0, match.start()) + 1, target))
    return sorted(found)


def broken_links(document, root=ROOT):
    """What is wrong with the relative links of one document, one line each."""
    problems = []
    name = document.relative_to(root)
    for line, target in links(document.read_text(encoding="utf-8")):
        if SCHEME.match(target) or target.startswith("//"):
            continue  # another site, mail, …: not ours to check here
        address, _, anchor = target.partition("#")
        path = (document.parent / unquote(address)).resolve() if address else document
        where = f"{name}:{line}: {target}"
        if not path.is_relative_to(root.resolve()):
            problems.append(f"{where}: points outside the repository")
        elif not path.exists():
            problems.append(f"{where}: no such file")
        elif anchor and path.suffix == ".md" and path.is_file():
            if unquote(anchor) not in anchors(path.read_text(encoding="utf-8")):
                problems.append(f"{where}: no heading #{anchor} in {path.relative_to(root)}")
    return problems


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_and_image_resolves(document):
    assert broken_links(document) == []


def test_the_manuals_are_all_checked():
    names = {str(p.relative_to(ROOT)) for p in DOCUMENTS}
    assert {"README.md", "docs/editors.md", "bench/README.md"} <= names


def test_every_screenshot_is_shown_somewhere():
    shown = set()
    for document in DOCUMENTS:
        for _, target in links(document.read_text(encoding="utf-8")):
            if not SCHEME.match(target):
                shown.add((document.parent / unquote(target.partition("#")[0])).resolve())
    unshown = [p.name for p in sorted(SCREENSHOTS.glob("*.png")) if p.resolve() not in shown]
    assert unshown == []


# --- the checker itself, on documents made to be wrong ----------------------------


def test_a_missing_file_an_image_and_an_anchor_are_each_reported(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "there.md").write_text("# There\n\n## Mail and the worker\n")
    (tmp_path / "docs" / "shot.png").write_bytes(b"")
    readme = tmp_path / "README.md"
    readme.write_text(
        "# Title\n"
        "[fine](docs/there.md#mail-and-the-worker) and [fine too](#title)\n"
        "[gone](docs/missing.md)\n"
        "![picture](docs/no-such.png) ![shown](docs/shot.png)\n"
        "[bad anchor](docs/there.md#mail-and-the-task-worker)\n"
        "[no heading here](#nowhere)\n"
        "[out](../../etc/passwd)\n"
        "[site](https://example.com/missing) `[code](not/checked.md)`\n"
        "```\n[fenced](not/checked/either.md)\n```\n"
    )
    assert broken_links(readme, root=tmp_path) == [
        "README.md:3: docs/missing.md: no such file",
        "README.md:4: docs/no-such.png: no such file",
        "README.md:5: docs/there.md#mail-and-the-task-worker: "
        "no heading #mail-and-the-task-worker in docs/there.md",
        "README.md:6: #nowhere: no heading #nowhere in README.md",
        "README.md:7: ../../etc/passwd: points outside the repository",
    ]


@pytest.mark.parametrize(
    ("heading", "slug"),
    [
        ("Revisions: history, compare, revert", "revisions-history-compare-revert"),
        ("Django's admin", "djangos-admin"),
        ("`make serve` and the operations commands", "make-serve-and-the-operations-commands"),
        ("Search (`bench/search_timings.py`)", "search-benchsearch_timingspy"),
        ("nginx in front (`deploy/`)", "nginx-in-front-deploy"),
        ("For readers: topics, related posts, feeds", "for-readers-topics-related-posts-feeds"),
        ("**Bold** and [a link](x.md)", "bold-and-a-link"),
        ("Ünïcode — dashes", "ünïcode--dashes"),
    ],
)
def test_github_slugs(heading, slug):
    assert github_slug(heading) == slug


def test_a_repeated_heading_gets_a_number():
    assert anchors("# Notes\n## Notes\n### Notes\n") == {"notes", "notes-1", "notes-2"}
