"""Editors' Markdown to safe HTML, with citations and disclaimer markers.

Syntax, on top of ordinary Markdown:

* ``[1]`` cites reference 1 of the post; ``[1, 3]`` and ``[2-4]`` cite several.
  They become superscript links to the numbered reference list.
* ``[**]`` or ``[†]`` points at the post's disclaimer with that marker; it
  becomes a superscript link to the disclaimer at the foot of the post.

Everything the Markdown produces is then cleaned by nh3 with an allow-list:
no scripts, no event handlers, no ``javascript:`` (or other non-web) links.
"""

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field

import markdown
import nh3
from markdown.inlinepatterns import InlineProcessor
from markdown.util import AtomicString

# A citation: numbers separated by commas or ranges, in square brackets, and
# not the text of a Markdown link ("[1](url)", "[1][ref]", "[1]: url").
CITATION_RE = r"\[(\d+(?:\s*(?:,|-|–)\s*\d+)*)\](?![(\[:])"
# A disclaimer marker: one to four symbols (no letters, digits, spaces or brackets).
MARKER_CHARS = r"[^\w\s\[\]()<>&\"'`\\]"
MARKER_RE = rf"\[({MARKER_CHARS}{{1,4}})\](?![(\[:])"
MARKER_VALID_RE = re.compile(rf"^{MARKER_CHARS}{{1,4}}$")

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt",
    "em", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li",
    "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id", "class"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height", "loading"},
    "ol": {"start", "type"},
    "sup": {"id", "class"},
    "td": {"align"},
    "th": {"align", "scope"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# Elements the sanitiser drops together with everything inside them (up to the
# end of the body when unclosed). Markdown has already escaped those in code.
REMOVED_ELEMENT_RE = re.compile(r"<\s*(script|style)\b", re.IGNORECASE)


def parse_numbers(text):
    """'1, 3-5' -> [1, 3, 4, 5] (ranges capped so a typo cannot explode)."""
    numbers = []
    for part in re.split(r"\s*,\s*", text.strip()):
        bounds = re.split(r"\s*[-–]\s*", part)
        if len(bounds) == 2:
            low, high = int(bounds[0]), int(bounds[1])
            if low > high or high - low > 50:
                numbers.append(low)
                numbers.append(high)
                continue
            numbers.extend(range(low, high + 1))
        else:
            numbers.append(int(bounds[0]))
    return numbers


@dataclass
class RenderResult:
    html: str
    cited: list = field(default_factory=list)  # reference numbers, in body order
    unknown_citations: list = field(default_factory=list)
    markers: list = field(default_factory=list)
    unknown_markers: list = field(default_factory=list)
    # Raw <script>/<style> elements in the Markdown: removed with their content.
    removed_elements: list = field(default_factory=list)


def reference_anchor(number):
    return f"ref-{number}"


def disclaimer_anchor(position):
    return f"disclaimer-{position}"


class _CitationProcessor(InlineProcessor):
    def __init__(self, pattern, renderer):
        super().__init__(pattern)
        self.renderer = renderer

    def handleMatch(self, m, data):  # noqa: N802 (Markdown's API)
        element = self.renderer.citation(parse_numbers(m.group(1)))
        if element is None:  # leave the text as the editor wrote it
            return None, None, None
        return element, m.start(0), m.end(0)


class _MarkerProcessor(InlineProcessor):
    def __init__(self, pattern, renderer):
        super().__init__(pattern)
        self.renderer = renderer

    def handleMatch(self, m, data):  # noqa: N802 (Markdown's API)
        element = self.renderer.marker(m.group(1))
        if element is None:
            return None, None, None
        return element, m.start(0), m.end(0)


class _Renderer:
    def __init__(self, reference_count, markers):
        # None means "not known here": accept any number / any marker.
        self.reference_count = reference_count
        # marker -> position (1-based) of the disclaimer on the post
        self.markers = None if markers is None else {m: i for i, m in enumerate(markers, start=1)}
        self.result = RenderResult(html="")

    def citation(self, numbers):
        limit = self.reference_count
        unknown = [n for n in numbers if n < 1 or (limit is not None and n > limit)]
        if unknown:
            # Never a dead link: keep the editor's text, report the error.
            self.result.unknown_citations.extend(unknown)
            return None
        self.result.cited.extend(numbers)
        sup = etree.Element("sup", {"class": "citation"})
        for i, number in enumerate(numbers):
            if i:
                etree.SubElement(sup, "span").text = AtomicString(",")
            link = etree.SubElement(
                sup,
                "a",
                {"href": f"#{reference_anchor(number)}", "title": f"Reference {number}"},
            )
            link.text = AtomicString(f"[{number}]" if len(numbers) == 1 else str(number))
        if len(numbers) > 1:
            sup.insert(0, etree.Element("span"))
            sup[0].text = AtomicString("[")
            etree.SubElement(sup, "span").text = AtomicString("]")
        return sup

    def marker(self, marker):
        position = 0 if self.markers is None else self.markers.get(marker)
        if position is None:
            self.result.unknown_markers.append(marker)
            return None
        self.result.markers.append(marker)
        sup = etree.Element("sup", {"class": "disclaimer-marker"})
        link = etree.SubElement(
            sup, "a", {"href": f"#{disclaimer_anchor(position)}", "title": "See the note below"}
        )
        link.text = AtomicString(marker)
        return sup


def render(body, reference_count=0, markers=()):
    """Render an editor's Markdown to sanitised HTML.

    ``reference_count`` is how many references the post has; ``markers`` are
    the markers of its disclaimers, in order (None for either: not checked).
    The result also lists citations and markers that point at nothing, for
    the editor to fix.
    """
    renderer = _Renderer(reference_count, None if markers is None else list(markers))
    md = markdown.Markdown(extensions=["sane_lists", "tables", "fenced_code"])
    # Above Markdown's own link patterns (160-170) so "[1]" is ours, below
    # backticks (190) and escapes (180) so code and "\[1]" stay literal.
    md.inlinePatterns.register(_CitationProcessor(CITATION_RE, renderer), "citation", 175)
    md.inlinePatterns.register(_MarkerProcessor(MARKER_RE, renderer), "disclaimer_marker", 174)
    html = md.convert(body or "")
    renderer.result.removed_elements = sorted(
        {match.lower() for match in REMOVED_ELEMENT_RE.findall(html)}
    )
    renderer.result.html = sanitize(html)
    return renderer.result


def sanitize(html):
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def valid_marker(marker):
    return bool(MARKER_VALID_RE.match(marker or ""))
