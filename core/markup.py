"""Editors' Markdown to safe HTML, with citations and disclaimer markers.

Syntax, on top of ordinary Markdown:

* ``[1]`` cites reference 1 of the post; ``[1, 3]`` and ``[2-4]`` cite several.
  They become superscript links to the numbered reference list.
* ``[**]`` or ``[†]`` points at the post's disclaimer with that marker; it
  becomes a superscript link to the disclaimer at the foot of the post.
* ``![alt text](image:42)`` places image 42 of the image library, and
  ``![alt text](image:42 "Caption")`` with a caption. How ``image:`` references
  become HTML is up to the app that registers an image resolver
  (``register_image_resolver``; the images app does, in its ``ready()``): core
  knows no app. Every image needs alt text, a library image must exist, and an
  image by address must be one the resolver allows (this site's media);
  anything else is reported (``RenderResult.image_errors()``) and never shown
  as a broken image.

Everything the Markdown produces is then cleaned by nh3 with an allow-list:
no scripts, no event handlers, no ``javascript:`` (or other non-web) links,
no ``id`` and no ``class`` but the two our citations and markers carry
(``ALLOWED_CLASSES``).

Python-Markdown is slow on some shapes of text (thousands of nested ``[``
tied up a worker; unclosed ``(`` after links, unclosed tags
on many lines, lists and quotes nested hundreds deep, tens of thousands of
``*``, backticks or backslashes). ``complexity_problems`` finds those shapes
in one pass, before Markdown runs: such a body is not rendered (it is shown
as escaped text) and ``RenderResult.complexity_errors()`` says why, on the
body field. No sensible text comes near the limits (``MARKDOWN_LIMITS``).
"""

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from html import escape as html_escape
from urllib.parse import urljoin

import markdown
import nh3
from django.core.exceptions import ValidationError
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from . import text

# A citation: numbers separated by commas or ranges, in square brackets, and
# not the text of a Markdown link ("[1](url)", "[1][ref]", "[1]: url").
CITATION_RE = r"\[(\d+(?:\s*(?:,|-|–)\s*\d+)*)\](?![(\[:])"
# A disclaimer marker: one to four symbols (no letters, digits, spaces or brackets).
MARKER_CHARS = r"[^\w\s\[\]()<>&\"'`\\]"
MARKER_RE = rf"\[({MARKER_CHARS}{{1,4}})\](?![(\[:])"
MARKER_VALID_RE = re.compile(rf"^{MARKER_CHARS}{{1,4}}$")

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt",
    "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li",
    "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    # No id and no class on anything an editor writes: an id could repeat the
    # page's own (id="comment-form") and a class could borrow the site's
    # styles (Bootstrap's "stretched-link position-fixed w-100 h-100": a link
    # over the whole page). The classes our own rendering sets are ALLOWED_CLASSES.
    "a": {"href", "title"},
    "abbr": {"title"},
    # srcset/sizes/width/height: responsive images without layout shift. Their
    # addresses are checked by _filter_attribute (this site's media only).
    "img": {"src", "srcset", "sizes", "alt", "title", "width", "height", "loading", "decoding"},
    "ol": {"start", "type"},
    # Only the values in ALLOWED_CLASSES (_kept_classes).
    "sup": {"class"},
    "td": {"align"},
    "th": {"align", "scope"},
}
# The classes the rendering itself sets (_Renderer.citation, _Renderer.marker),
# the only ones kept; any other class, and every id, is dropped.
ALLOWED_CLASSES = {"sup": {"citation", "disclaimer-marker"}}
URL_SCHEMES = {"http", "https", "mailto"}
# Elements the sanitiser drops together with everything inside them (up to the
# end of the body when unclosed). Markdown has already escaped those in code.
REMOVED_ELEMENT_RE = re.compile(r"<\s*(script|style)\b", re.IGNORECASE)
# A library image: "image:42" (an id beyond a database integer is unknown).
IMAGE_REF_RE = re.compile(r"^image:(\d+)$", re.IGNORECASE)
MAX_IMAGE_ID = 2**63 - 1
# Where a body places library images, for the app that records their use.
IMAGE_REFS_IN_TEXT_RE = re.compile(r"\bimage:(\d{1,18})\b", re.IGNORECASE)
IMG_TAG_RE = re.compile(r"<img\b", re.IGNORECASE)


# What no sensible text reaches, and beyond which Python-Markdown's time grows
# faster than the text (measured on 100 KB bodies: tests/core/test_markdown_limits.py).
MARKDOWN_LIMITS = {
    "nesting": 32,  # [ inside [, ( inside (, quotes in quotes, list levels
    "unclosed_tags": 200,  # "<word" with no ">" before the next "<"
    "tags": 2_000,  # HTML tags written in the text
    "inline_marks": 20_000,  # *, ` and \ together
    "table_rows": 2_000,  # lines of a table (starting with "|")
}
_BRACKETS_RE = re.compile(r"\\.|[\[\]()]", re.DOTALL)
_QUOTE_RE = re.compile(r"^[ \t]*((?:>[ \t]?)+)", re.MULTILINE)
_INDENT_RE = re.compile(r"^([ \t]+)\S", re.MULTILINE)
_UNCLOSED_TAG_RE = re.compile(r"<[A-Za-z/!?][^<>]*(?=<|\Z)")
_TABLE_ROW_RE = re.compile(r"^[ \t]*\|", re.MULTILINE)
_TAG_RE = re.compile(r"<[A-Za-z/!?]")


def _deepest(tokens, opening, closing):
    depth = deepest = 0
    for token in tokens:
        if token == opening:
            depth += 1
            deepest = max(deepest, depth)
        elif token == closing and depth:
            depth -= 1
    return deepest


def complexity_problems(body):
    """What makes ``body`` too costly to render, in words for the editor: [] for
    any sensible text. One pass of regular expressions (milliseconds for
    100 KB), run before Markdown by ``render``."""
    body = body or ""
    limits = MARKDOWN_LIMITS
    nesting = limits["nesting"]
    problems = []
    tokens = [t for t in _BRACKETS_RE.findall(body) if len(t) == 1]  # not escaped
    for opening, closing in ("[]", "()"):
        depth = _deepest(tokens, opening, closing)
        if depth > nesting:
            problems.append(
                f"“{opening}” opened {depth} times before being closed (at most {nesting}). "
                f"Close each {opening} with {closing}, or write \\{opening} for the character itself."
            )
    quotes = max((m.group(1).count(">") for m in _QUOTE_RE.finditer(body)), default=0)
    if quotes > nesting:
        problems.append(
            f"Quotes nested {quotes} deep (“>” at the start of a line; at most {nesting})."
        )
    indent = max((len(m.group(1).expandtabs(4)) for m in _INDENT_RE.finditer(body)), default=0)
    if indent // 4 > nesting:
        problems.append(
            f"A line indented {indent} spaces: lists nested {indent // 4} levels deep "
            f"(at most {nesting})."
        )
    unclosed = len(_UNCLOSED_TAG_RE.findall(body))
    if unclosed > limits["unclosed_tags"]:
        problems.append(
            f"{unclosed:,} “<” that start an HTML tag never closed with “>” (at most "
            f"{limits['unclosed_tags']}). Write &lt; for the character itself, or put "
            "the text in `backticks`."
        )
    tags = len(_TAG_RE.findall(body))
    if tags > limits["tags"]:
        problems.append(
            f"{tags:,} HTML tags (at most {limits['tags']:,}): write the text in Markdown."
        )
    marks = body.count("*") + body.count("`") + body.count("\\")
    if marks > limits["inline_marks"]:
        problems.append(
            f"{marks:,} emphasis and code marks (*, ` and \\; at most {limits['inline_marks']:,})."
        )
    rows = len(_TABLE_ROW_RE.findall(body))
    if rows > limits["table_rows"]:
        problems.append(f"{rows:,} table rows (at most {limits['table_rows']:,}).")
    return problems


class ImageResolver:
    """What an app provides so that ``![alt](image:42)`` works.

    Register an instance with ``register_image_resolver()``. Core calls
    ``lookup`` once per rendering with every id the body places (all at once),
    ``element`` for each image found, and ``allows`` for every image address
    (also in the sanitiser, for images written as raw HTML).
    """

    def lookup(self, ids):
        """{id: image} for the ids that exist."""
        return {}

    def element(self, image, alt, caption, block):
        """An ``xml.etree`` element: a ``<figure>`` when ``block`` (the image
        stands alone in its paragraph), else an ``<img>``."""
        raise NotImplementedError

    def allows(self, url):
        """Whether an image may be loaded from ``url``."""
        return url.startswith("/") and not url.startswith("//")


_image_resolver = ImageResolver()


def register_image_resolver(resolver):
    """Use ``resolver`` (an ``ImageResolver``) for images in every rendering."""
    global _image_resolver
    _image_resolver = resolver


def image_resolver():
    return _image_resolver


def image_references(body):
    """The library image ids a body mentions (``image:42``), in order, once each."""
    return list(dict.fromkeys(int(n) for n in IMAGE_REFS_IN_TEXT_RE.findall(body or "")))


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
    images: list = field(default_factory=list)  # library image ids placed, in order
    images_without_alt: list = field(default_factory=list)  # their addresses
    unknown_images: list = field(default_factory=list)  # ids not in the library
    foreign_images: list = field(default_factory=list)  # addresses not allowed
    raw_images: int = 0  # <img> tags written as HTML
    # Why the body was not rendered (complexity_problems): shown as plain text.
    too_complex: list = field(default_factory=list)

    def complexity_errors(self):
        """A ValidationError for the body field when it was too costly to render."""
        if not self.too_complex:
            return []
        return [
            ValidationError(
                "This text is shaped in a way that would take the site too long to "
                "show (%(problems)s), so it is not shown. Simplify it: no sensible "
                "text comes near these limits.",
                code="too_complex",
                params={"problems": " ".join(self.too_complex)},
            )
        ]

    def image_errors(self):
        """A ValidationError for each kind of image problem, for the body field."""
        errors = []
        if self.images_without_alt:
            errors.append(
                ValidationError(
                    "Every image needs alt text, a short description for readers who "
                    "cannot see it. Write it between the brackets: "
                    "![A glass of water with a scoop of powder](image:42). "
                    "Missing for: %(images)s.",
                    code="image_without_alt",
                    params={"images": ", ".join(dict.fromkeys(self.images_without_alt))},
                )
            )
        if self.unknown_images:
            errors.append(
                ValidationError(
                    "The body places %(images)s, not in the image library. Upload it "
                    "under Images (its page shows the Markdown to copy), or correct "
                    "the number.",
                    code="unknown_image",
                    params={
                        "images": ", ".join(
                            f"image:{n}" for n in dict.fromkeys(self.unknown_images)
                        )
                    },
                )
            )
        if self.foreign_images:
            errors.append(
                ValidationError(
                    "Images come from this site's image library, not from other "
                    "sites (readers' browsers would block them): %(urls)s. Upload "
                    "the image under Images and place it with ![alt text](image:42).",
                    code="foreign_image",
                    params={"urls": ", ".join(dict.fromkeys(self.foreign_images))},
                )
            )
        if self.raw_images:
            errors.append(
                ValidationError(
                    "The body has an <img> tag written as HTML. Place images with "
                    "Markdown instead: ![alt text](image:42).",
                    code="raw_image",
                )
            )
        return errors


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
        self.kept_images = 0  # <img> elements the image processor left in the tree

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

    def image(self, img, parent, parents, found):
        """Check one image and replace a library one; 1 if an <img> stays."""
        src = (img.get("src") or "").strip()
        alt = " ".join((img.get("alt") or "").split())
        title = img.get("title")
        source = f"![{alt}]({src}" + (f' "{title}"' if title else "") + ")"
        match = IMAGE_REF_RE.match(src)
        if not alt:
            self.result.images_without_alt.append(src or "(no address)")
            _replace_with_text(parent, img, source)
            return 0
        if match is None:
            if _image_resolver.allows(src):
                return 1
            self.result.foreign_images.append(src)
            _replace_with_text(parent, img, source)
            return 0
        image_id = _image_id(src)
        image = found.get(image_id)
        if image is None:
            self.result.unknown_images.append(match.group(1)[:20])
            _replace_with_text(parent, img, source)
            return 0
        self.result.images.append(image_id)
        alone = (
            parent.tag == "p"
            and len(parent) == 1
            and not (parent.text or "").strip()
            and not (img.tail or "").strip()
            and parent in parents
        )
        if alone:  # a paragraph of its own: a figure, with its caption
            grandparent = parents[parent]
            figure = _image_resolver.element(image, alt, title, block=True)
            figure.tail = parent.tail
            grandparent.insert(list(grandparent).index(parent), figure)
            grandparent.remove(parent)
        else:
            element = _image_resolver.element(image, alt, title, block=False)
            element.tail = img.tail
            index = list(parent).index(img)
            parent.remove(img)
            parent.insert(index, element)
        return 1


def _replace_with_text(parent, element, text):
    """Put ``text`` where ``element`` was (the editor's Markdown, shown as typed)."""
    text += element.tail or ""
    index = list(parent).index(element)
    if index:
        previous = parent[index - 1]
        previous.tail = (previous.tail or "") + text
    else:
        parent.text = (parent.text or "") + text
    parent.remove(element)


def _image_id(src):
    """42 for "image:42"; None for any other address or an impossible id."""
    match = IMAGE_REF_RE.match((src or "").strip())
    if match is None or len(match.group(1)) > 19 or int(match.group(1)) > MAX_IMAGE_ID:
        return None
    return int(match.group(1))


class _ImageProcessor(Treeprocessor):
    """Library images become the resolver's HTML; every image is checked."""

    def __init__(self, md, renderer):
        super().__init__(md)
        self.renderer = renderer

    def run(self, root):
        parents = {child: parent for parent in root.iter() for child in parent}
        images = list(root.iter("img"))
        ids = set()
        for img in images:
            image_id = _image_id(img.get("src"))
            if image_id is not None:
                ids.add(image_id)
        found = _image_resolver.lookup(sorted(ids)) if ids else {}
        kept = 0
        for img in images:
            kept += self.renderer.image(img, parents[img], parents, found)
        self.renderer.kept_images = kept


def render(body, reference_count=0, markers=()):
    """Render an editor's Markdown to sanitised HTML.

    ``reference_count`` is how many references the post has; ``markers`` are
    the markers of its disclaimers, in order (None for either: not checked).
    The result also lists citations and markers that point at nothing, for
    the editor to fix.
    """
    renderer = _Renderer(reference_count, None if markers is None else list(markers))
    # Control characters out, Word's line breaks as Markdown's (core.text), for
    # a body saved any way at all.
    body = text.markdown(body or "")
    problems = complexity_problems(body)
    if problems:
        # Never handed to Markdown: the text, escaped, in one paragraph.
        renderer.result.too_complex = problems
        renderer.result.html = f"<p>{html_escape(body)}</p>"
        return renderer.result
    md = markdown.Markdown(extensions=["sane_lists", "tables", "fenced_code"])
    # Above Markdown's own link patterns (160-170) so "[1]" is ours, below
    # backticks (190) and escapes (180) so code and "\[1]" stay literal.
    md.inlinePatterns.register(_CitationProcessor(CITATION_RE, renderer), "citation", 175)
    md.inlinePatterns.register(_MarkerProcessor(MARKER_RE, renderer), "disclaimer_marker", 174)
    # After the inline patterns (20), which make the <img> elements.
    md.treeprocessors.register(_ImageProcessor(md, renderer), "library_images", 15)
    html = md.convert(body or "")
    renderer.result.removed_elements = sorted(
        {match.lower() for match in REMOVED_ELEMENT_RE.findall(html)}
    )
    renderer.result.raw_images = max(0, len(IMG_TAG_RE.findall(html)) - renderer.kept_images)
    renderer.result.html = sanitize(html)
    return renderer.result


def _kept_classes(tag, value):
    """The classes of ALLOWED_CLASSES in ``value``; None (no attribute) if none."""
    kept = [name for name in value.split() if name in ALLOWED_CLASSES.get(tag, ())]
    return " ".join(kept) or None


def _filter_attribute(tag, attribute, value):
    """Images load only from addresses the image resolver allows; classes are
    only ours."""
    if attribute == "class":
        return _kept_classes(tag, value)
    if tag == "img" and attribute in ("src", "srcset"):
        if attribute == "src":
            urls = [value.strip()]
        else:
            urls = [c.split()[0] for c in value.split(",") if c.strip()]
        if not urls or not all(_image_resolver.allows(url) for url in urls):
            return None
    return value


def sanitize(html):
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def with_absolute_urls(html, page_url):
    """Sanitised HTML with every link and image address made absolute, against
    ``page_url`` (the absolute address of the page it belongs to): for HTML
    read away from the site, in a feed reader. ``#ref-1`` becomes
    ``<page_url>#ref-1``, ``/media/x.jpg`` ``<site>/media/x.jpg``."""

    def absolute(tag, attribute, value):
        if attribute == "class":
            return _kept_classes(tag, value)
        if attribute in ("href", "src"):
            return urljoin(page_url, value)
        if attribute == "srcset":
            candidates = (c.split() for c in value.split(",") if c.strip())
            return ", ".join(" ".join([urljoin(page_url, c[0]), *c[1:]]) for c in candidates)
        return value

    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=absolute,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def valid_marker(marker):
    return bool(MARKER_VALID_RE.match(marker or ""))
