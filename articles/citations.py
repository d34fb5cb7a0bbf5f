"""What a reference of each type holds, and how AMA writes it.

**Types.** A reference is a journal article, a book, a chapter of a book, a
report or a web page (``Kind``). ``FIELDS`` says which fields each type uses
(the admin shows those, the model empties the others on save, the exports
write those) and ``REQUIRED`` which of them it cannot do without besides a
title, which every type has.

**AMA style** (AMA Manual of Style, 11th edition, chapter 3), as
``ama_html(reference)`` (escaped, for pages and feeds) and
``ama_text(reference)`` (plain, for the admin's history):

- journal article: Authors. Title. *Journal*. Year;Vol(Issue):pages. doi:…
- book: Authors. *Title*. 2nd ed. Editors, eds. Publisher; Year. doi:…
  (an edited book without authors starts with "Editors, eds.")
- chapter: Authors. Chapter title. In: Editors, eds. *Book Title*. 2nd ed.
  Publisher; Year:pages. doi:…
- report: Authors. *Title*. Publisher; Year. Report number. doi:…, or
  Accessed Month D, YYYY. URL
- web page: Authors. Title. Website name. Published Year. Accessed Month D,
  YYYY. URL

AMA 11 gives no publisher's place (the 10th edition did), so there is no
field for it. A first edition is not written ("2nd ed." is). "Accessed …"
goes with an address, so it is written when the reference shows its URL
(no DOI). A PubMed ID, when there is one, follows the DOI as "PMID: …".

**DOIs.** The DOI handbook lets a DOI name hold any printable Unicode
character: "10.", the registrant's number (subdivided by dots), a slash, then
the item's suffix. ``validate_doi`` accepts exactly that, less the three the
handbook asks to hex-encode and that no registration agency hands out, which
are also what would let a DOI break out of a BibTeX field: ``{``, ``}`` and
``\\``. (Old SICI DOIs with ``<``, ``>``, ``#`` or ``;`` are real and
accepted.) ``doi_url`` hex-encodes what the handbook says a DOI's address
must or should.
"""

import re
import unicodedata
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from . import bibliography


class Kind(models.TextChoices):
    ARTICLE = "article", "journal article"
    BOOK = "book", "book"
    CHAPTER = "chapter", "book chapter"
    REPORT = "report", "report"
    WEBPAGE = "webpage", "web page"


# The fields each type uses, in the order of the admin form.
FIELDS = {
    Kind.ARTICLE: (
        "authors", "title", "journal", "year", "volume", "issue", "pages", "doi", "pmid", "url",
    ),
    Kind.BOOK: (
        "authors", "editors", "title", "edition", "publisher", "year", "doi", "pmid", "url",
    ),
    Kind.CHAPTER: (
        "authors", "title", "editors", "book_title", "edition", "publisher", "year", "pages",
        "doi", "pmid", "url",
    ),
    Kind.REPORT: (
        "authors", "title", "publisher", "report_number", "year", "doi", "pmid", "url",
        "accessed",
    ),
    Kind.WEBPAGE: ("authors", "title", "journal", "year", "url", "accessed"),
}  # fmt: skip
# Every field some type uses: a type empties those of the others on save.
TYPED_FIELDS = tuple(dict.fromkeys(name for names in FIELDS.values() for name in names))
# What each type cannot do without besides its title, which every type needs
# (the model's own rule). A book's "authors": or its editors.
REQUIRED = {
    Kind.ARTICLE: ("authors",),
    Kind.BOOK: ("authors",),
    Kind.CHAPTER: ("authors", "book_title"),
    Kind.REPORT: ("authors",),
    Kind.WEBPAGE: ("url",),
}
# What a field is called for a type, where its general name says less.
LABELS = {
    Kind.ARTICLE: {"journal": "journal"},
    Kind.BOOK: {"publisher": "publisher"},
    Kind.CHAPTER: {"title": "chapter title", "publisher": "publisher"},
    Kind.REPORT: {"publisher": "institution"},
    Kind.WEBPAGE: {"journal": "website", "year": "year published"},
}

MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
)  # fmt: skip


# --- DOIs -------------------------------------------------------------------

DOI_RE = re.compile(r"^10\.\d{4,9}(?:\.\d+)*/(.+)\Z", re.DOTALL)
# Printable: letters, marks, numbers, punctuation and symbols. Not spaces,
# line breaks, controls, invisible format characters or private use.
DOI_NOT_IN_SUFFIX = frozenset("{}\\")
DOI_MESSAGE = "Enter a DOI such as 10.3390/ijms18051051 (without https://doi.org/)"
# What the DOI handbook says to hex-encode in a DOI's address (mandatory
# and recommended); ``quote`` encodes everything not listed as safe.
DOI_URL_SAFE = "/:;()!$&'*,=@~._-"


def validate_doi(value):
    match = DOI_RE.match(value or "")
    if match is None:
        raise ValidationError(f"{DOI_MESSAGE}.", code="invalid_doi")
    for char in match.group(1):
        if char in DOI_NOT_IN_SUFFIX or unicodedata.category(char)[0] not in "LMNPS":
            if char.isspace():
                shown = "spaces"
            elif char.isprintable():
                shown = f"“{char}”"
            else:
                shown = f"the invisible character U+{ord(char):04X}"
            raise ValidationError(
                f"{DOI_MESSAGE}: a DOI cannot contain {shown}. A DOI is “10.”, the "
                "registrant's number, a slash and printable characters without spaces, "
                "braces or backslashes.",
                code="invalid_doi",
            )


def doi_url(doi):
    return f"https://doi.org/{quote(doi, safe=DOI_URL_SAFE)}" if doi else ""


# --- editions ------------------------------------------------------------------

_ORDINAL_WORDS = {
    word: number
    for number, word in enumerate(
        "first second third fourth fifth sixth seventh eighth ninth tenth".split(), start=1
    )
}
_EDITION_WORD_RE = re.compile(r"\s*\b(?:ed|edn|edition)\.?$", re.IGNORECASE)
_ORDINAL_RE = re.compile(r"^(\d{1,4})(?:st|nd|rd|th)?$", re.IGNORECASE)


def ordinal(number):
    if 10 <= number % 100 <= 20:
        return f"{number}th"
    return f"{number}{({1: 'st', 2: 'nd', 3: 'rd'}).get(number % 10, 'th')}"


def edition(text):
    """An edition as AMA numbers it: "2", "2nd ed.", "Second edition" -> "2nd";
    other words ("Rev") as written, without "ed." (the style adds it)."""
    bare = _EDITION_WORD_RE.sub("", bibliography.single_spaced(text)).strip().rstrip(".").strip()
    match = _ORDINAL_RE.match(bare)
    if match:
        return ordinal(int(match.group(1)))
    if bare.lower() in _ORDINAL_WORDS:
        return ordinal(_ORDINAL_WORDS[bare.lower()])
    return bare


def accessed_text(day):
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


# --- AMA ---------------------------------------------------------------------------


def _sentence(text):
    """Text ending as a sentence: a period added unless it ends with . ? or !"""
    text = (text or "").strip()
    return text if not text or text.endswith(("?", "!")) else text.rstrip(".") + "."


def _editors(reference):
    people = bibliography.people_of(reference.editors)
    several = len(people) > 1 or any(p is bibliography.ETAL for p in people)
    return f"{reference.editors.rstrip('.')}, {'eds' if several else 'ed'}."


def _edition(reference):
    if reference.edition and reference.edition != "1st":
        return f"{reference.edition} ed."
    return ""


def _imprint(reference, pages=False):
    """Publisher; Year (and :pages for a chapter)."""
    imprint = "; ".join(str(p) for p in (reference.publisher, reference.year) if p)
    if pages and reference.pages:
        imprint = f"{imprint}:{reference.pages}" if imprint else reference.pages
    return f"{imprint}." if imprint else ""


def _locator(reference):
    """Year;Vol(Issue):pages, as a journal article gives it."""
    locator = ""
    if reference.year:
        locator = str(reference.year)
        if reference.volume:
            locator += f";{reference.volume}"
            if reference.issue:
                locator += f"({reference.issue})"
        elif reference.issue:
            locator += f";({reference.issue})"
        if reference.pages:
            locator += f":{reference.pages}"
    elif reference.volume or reference.pages:
        locator = ";".join(filter(None, [reference.volume, reference.pages]))
    return f"{locator}." if locator else ""


class _Parts:
    """The pieces of one reference: plain text, italic text and links, each
    kept apart so that the same reference reads as HTML or as plain text."""

    def __init__(self):
        self.items = []

    def text(self, value):
        if value:
            self.items.append(("text", value, None))

    def italic(self, value):
        value = (value or "").strip()
        if value.endswith(("?", "!")):
            self.items.append(("italic", value, ""))
        elif value.rstrip("."):
            self.items.append(("italic", value.rstrip("."), "."))

    def link(self, prefix, url, shown):
        self.items.append(("link", (prefix, url, shown), None))

    def html(self):
        pieces = []
        for kind, value, tail in self.items:
            if kind == "text":
                pieces.append(format_html("{}", value))
            elif kind == "italic":
                pieces.append(format_html("<i>{}</i>{}", value, tail))
            else:
                prefix, url, shown = value
                pieces.append(format_html('{}<a href="{}">{}</a>', prefix, url, shown))
        return mark_safe(" ".join(pieces))  # noqa: S308 (each piece is format_html)

    def plain(self):
        pieces = []
        for kind, value, tail in self.items:
            if kind == "text":
                pieces.append(value)
            elif kind == "italic":
                pieces.append(value + tail)
            else:
                pieces.append(value[0] + value[2])
        return " ".join(pieces)


def _parts(reference):
    kind = reference.kind if reference.kind in Kind.values else Kind.ARTICLE
    parts = _Parts()
    editors_first = kind == Kind.BOOK and not reference.authors and reference.editors
    if editors_first:
        parts.text(_editors(reference))
    elif reference.authors:
        parts.text(_sentence(reference.authors))
    if kind == Kind.ARTICLE:
        parts.text(_sentence(reference.title))
        parts.italic(reference.journal)
        parts.text(_locator(reference))
    elif kind == Kind.BOOK:
        parts.italic(reference.title)
        parts.text(_edition(reference))
        if reference.editors and not editors_first:
            parts.text(_editors(reference))
        parts.text(_imprint(reference))
    elif kind == Kind.CHAPTER:
        parts.text(_sentence(reference.title))
        parts.text("In:" + (f" {_editors(reference)}" if reference.editors else ""))
        parts.italic(reference.book_title)
        parts.text(_edition(reference))
        parts.text(_imprint(reference, pages=True))
    elif kind == Kind.REPORT:
        parts.italic(reference.title)
        parts.text(_imprint(reference))
        parts.text(_sentence(reference.report_number))
    else:  # a web page
        parts.text(_sentence(reference.title))
        parts.text(_sentence(reference.journal))
        if reference.year:
            parts.text(f"Published {reference.year}.")
    if reference.doi:
        parts.link("doi:", reference.doi_url, reference.doi)
    if reference.pmid:
        parts.link("PMID: ", reference.pmid_url, reference.pmid)
    if reference.url and not reference.doi:
        if reference.accessed and kind in (Kind.REPORT, Kind.WEBPAGE):
            parts.text(f"Accessed {accessed_text(reference.accessed)}.")
        parts.link("", reference.url, reference.url)
    return parts


def ama_html(reference):
    """The reference in AMA style, as safe HTML (every field escaped)."""
    return _parts(reference).html()


def ama_text(reference):
    """The reference in AMA style, as plain text (italics lost)."""
    return _parts(reference).plain()


# --- checks --------------------------------------------------------------------


def missing(reference):
    """{field: message} for what the reference's type needs and it lacks."""
    kind = Kind(reference.kind)
    errors = {}
    for name in REQUIRED[kind]:
        value = getattr(reference, name)
        if value in ("", None):
            if kind == Kind.BOOK and name == "authors" and reference.editors:
                continue
            errors[name] = ValidationError(
                f"This field is required for a {kind.label}"
                + (" (or give its editors)." if kind == Kind.BOOK and name == "authors" else "."),
                code="missing",
            )
    return errors


def unused_fields(kind):
    """The typed fields a reference of this type does not use."""
    return [name for name in TYPED_FIELDS if name not in FIELDS[Kind(kind)]]
