"""The accessibility audit: axe-core run in the page by axe-playwright-python.

``assert_accessible(page, "what the page is")`` runs axe-core (4.12, bundled
with the package: nothing is fetched, the site and its tests work offline) on
the page as it is now and fails naming every violation: the rule, its impact,
its help text and address, and each element (its selector and its HTML).

What is checked:

- the rules tagged ``wcag2a``, ``wcag2aa``, ``wcag21a`` and ``wcag21aa``: every
  automated check axe has for WCAG 2.0 and 2.1 at levels A and AA, the level
  the site promises (WCAG 2.1 AA is 2.0 A+AA plus 2.1's own A+AA criteria, so
  all four tags are needed; axe tags each rule with the version that added it);
- and the ``best-practice`` rules too: landmarks (one ``main``, content inside
  landmarks, unique labels), heading order and a level-one heading, empty
  table headers and the like. They are not WCAG failures by themselves but
  they are what a screen reader user navigates by, and the site passes them,
  so they stay on to keep it that way.

Not run: the AAA rules (``wcag2aaa``: enhanced contrast, for one), the WCAG 2.2
rules (``wcag22aa``: target size; the site promises 2.1) and axe's
experimental rules. Axe answers only what a machine can decide; the keyboard
journey, the focus rings and the screenshots at 200% zoom and on a phone
(tests/browser/test_accessibility.py) cover some of the rest.

Nothing is excluded by default. ``exclude`` takes CSS selectors of elements
left out of the audit; every use must say why in the test and docs/accessibility.md.
"""

from axe_playwright_python.sync_playwright import Axe

WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
TAGS = (*WCAG_TAGS, "best-practice")

_axe = Axe()


def audit(page, *, exclude=()):
    """The violations axe finds on ``page`` now: a list of axe's result dicts."""
    options = {
        "runOnly": {"type": "tag", "values": list(TAGS)},
        "resultTypes": ["violations"],
    }
    # axe's context: the whole document, less the excluded elements. (The
    # package writes the context into the script with repr(): a dict of
    # lists of strings is valid JavaScript.)
    context = {"exclude": [[selector] for selector in exclude]} if exclude else None
    return _axe.run(page, context=context, options=options).response["violations"]


def report(violations):
    """Violations as text a developer can act on."""
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{', '.join(t for t in violation['tags'] if t.startswith(('wcag', 'best')))}] "
            f"{violation['helpUrl']}"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    at {target}: {node['html'][:300]}")
            summary = node.get("failureSummary", "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:400]}")
    return "\n".join(lines)


def assert_accessible(page, what, *, exclude=()):
    """Fail with every violation axe finds on ``page`` (``what`` names it)."""
    violations = audit(page, exclude=exclude)
    assert not violations, (
        f"{len(violations)} accessibility rule(s) broken on {what} ({page.url}):\n"
        + report(violations)
    )
