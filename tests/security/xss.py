"""The XSS corpus and an HTML checker, for every test that renders untrusted text.

Reuse it for comment fields and in the browser::

    from tests.security.xss import XSS_VECTORS, executable_parts

    @pytest.mark.parametrize("vector", XSS_VECTORS, ids=vector_id)
    def test_comment_text_is_inert(vector):
        html = render_the_comment_with(vector)
        assert executable_parts(html) == []

For the browser, `vectors_calling("window.__xss = 1")` gives the same corpus
with every payload replaced by a marker a test can look for.

`executable_parts(html)` parses the HTML with html.parser (not a regular
expression) and lists what a browser could run: script-capable elements, event
handler attributes, and links or sources whose scheme is not http(s), mailto
or relative. An empty list means nothing in the HTML can execute.
"""

import html
import re
from html.parser import HTMLParser
from pathlib import Path

CORPUS = Path(__file__).with_name("xss_vectors.txt")


def load_vectors(path=CORPUS):
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith(";;")]


XSS_VECTORS = load_vectors()


def vectors_calling(js, vectors=None):
    """The corpus with each payload (alert(...), msgbox(...)) replaced by `js`.

    For the browser: with ``js = "window.__xss = 1"`` a test renders the
    vectors, lets the page run, and asserts ``window.__xss`` is undefined (and,
    with ``page.on("dialog", ...)``, that no dialog opened)."""
    payload = re.compile(r"(alert|msgbox)\((?:[^()]|\([^()]*\))*\)")
    return [payload.sub(js, vector) for vector in (XSS_VECTORS if vectors is None else vectors)]


def vector_id(vector):
    """A short, readable pytest id for a vector."""
    return re.sub(r"\s+", " ", vector)[:40]


# Elements that run code, load active content, or change how the page or its
# links and forms behave.
DANGEROUS_TAGS = {
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "base",
    "link", "meta", "style", "form", "input", "button", "select", "textarea",
    "keygen", "svg", "math", "template", "xml", "import", "isindex", "marquee",
    "video", "audio", "source", "details", "noscript", "title", "body", "html",
    "xss", "plaintext", "xmp", "noembed",
}  # fmt: skip
# Attributes whose value is fetched or navigated to.
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "background", "poster", "data",
    "xlink:href", "lowsrc", "dynsrc", "srcset", "cite", "longdesc", "codebase",
    "ping", "manifest", "icon",
}  # fmt: skip
# Attributes that carry code or markup whatever their value.
CODE_ATTRIBUTES = {"style", "srcdoc", "xmlns", "content", "http-equiv", "to", "values", "by"}
SAFE_SCHEMES = {"http", "https", "mailto"}
# What the URL parser of a browser ignores (WHATWG URL standard): C0 controls
# and spaces at either end, tabs and newlines anywhere.
_EDGES = "".join(chr(c) for c in range(0x21))
_TAB_NEWLINE = re.compile(r"[\t\n\r]")


def url_scheme(value):
    """The scheme a browser would see in an attribute value, or '' if relative.

    html.parser has already decoded character references once; decoding again
    is stricter than a browser, which is the safe direction for a test.
    """
    cleaned = _TAB_NEWLINE.sub("", html.unescape(value or "").strip(_EDGES))
    match = re.match(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):", cleaned)
    return match.group(1).lower() if match else ""


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        self._element(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._element(tag, attrs)

    def _element(self, tag, attrs):
        if tag in DANGEROUS_TAGS:
            self.problems.append(f"<{tag}> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...> event handler")
            elif name in CODE_ATTRIBUTES:
                self.problems.append(f"<{tag} {name}=...> code-carrying attribute")
            elif name in URL_ATTRIBUTES:
                for candidate in (value or "").split(",") if name == "srcset" else [value]:
                    scheme = url_scheme(candidate)
                    if scheme and scheme not in SAFE_SCHEMES:
                        self.problems.append(f"<{tag} {name}={scheme}:...> unsafe URL")

    def handle_pi(self, data):
        self.problems.append(f"processing instruction <?{data}>")

    def unknown_decl(self, data):
        self.problems.append(f"declaration <![{data}]>")


def executable_parts(fragment):
    """What in this HTML could run in a browser; [] when it is inert."""
    collector = _Collector()
    collector.feed(fragment)
    collector.close()
    return collector.problems


def assert_inert(fragment, vector=""):
    problems = executable_parts(fragment)
    assert not problems, f"{problems} survived from {vector!r}:\n{fragment}"
