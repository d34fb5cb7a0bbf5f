"""BibTeX and RIS in and out of a post's references.

Reading (``parse``): what an editor pastes, several entries at once, becomes
for each entry the fields of a ``Reference``, or the reasons it cannot be
one. The parsing is the libraries': bibtexparser 2 (its LaTeX decoding and
name-splitting middlewares) and rispy. This module maps what they read to
our fields: the type of reference from the entry's type (``@book``,
``TY  - CHAP``…), authors and editors in AMA style ("Kim, Min-Hyun" -> "Kim
MH"; more than six -> the first three and "et al"), the journal, book,
publisher or website from whichever field the source used for it, the year
from a date, pages from a start and an end. DOIs and PubMed IDs are passed
on as written ("https://doi.org/…", "PMID: …"): the model's own validation
(``Reference.clean_fields``, ``full_clean``) normalises and checks them, as
it does for typed references.

A paste is bounded before it is parsed: at most MAX_TEXT_LENGTH characters,
MAX_ENTRIES entries (counted by their starts, so a text of thousands of
``@a{`` is refused without parsing it) and MAX_LATEX_COMMANDS backslashes
(decoding LaTeX is the slow part). The libraries log a warning or two for
each entry they cannot read; the project's LOGGING keeps those out of the
log (the editor is told about each entry, the first MAX_MESSAGES of them by
name), and an import writes one line of its own (``log_import``).

Writing (``to_bibtex``, ``to_ris``): the reverse, each type as its own entry
type (``@book``, ``TY  - BOOK``…), so that an export read back gives the
same references. Every field is escaped, so that no value can end its field
or its entry or start another:

- a field is one line (``single_spaced``: line breaks, tabs and control characters
  become spaces, as the model stores them), so nothing in a value starts a
  RIS line (``ER  -``, ``TY  -``);
- BibTeX is written in ASCII with LaTeX escapes (classic BibTeX reads nothing
  else), each escape one that a LaTeX reader turns back into the same
  character (``_latex``), with braces kept balanced so that no value closes
  its field; DOIs and addresses are written as they are (a ``%`` or ``_`` in
  an address is not LaTeX), with any brace or backslash hex-encoded (the
  model's rules leave none: ``safe_url``, ``validate_doi``).

This module knows nothing of the database: it maps text to dictionaries and
objects with a Reference's attributes to text. Types are named by the values
of ``Reference.Kind`` (articles/citations.py).
"""

import dataclasses
import datetime as dt
import functools
import logging
import re

import bibtexparser
import rispy
from bibtexparser.middlewares import (
    LatexDecodingMiddleware,
    NormalizeFieldKeys,
    SeparateCoAuthors,
    SplitNameParts,
)
from bibtexparser.middlewares.names import InvalidNameError
from bibtexparser.model import (
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    Field,
    MiddlewareErrorBlock,
    ParsingFailedBlock,
)
from django.utils.text import slugify
from pylatexenc.latex2text import LatexNodes2Text
from pylatexenc.latexencode import get_builtin_uni2latex_dict

logger = logging.getLogger("articles.bibliography")

BIBTEX = "BibTeX"
RIS = "RIS"

# The types of reference (Reference.Kind's values).
ARTICLE, BOOK, CHAPTER, REPORT, WEBPAGE = "article", "book", "chapter", "report", "webpage"

# AMA: list every author up to six; with more, the first three and "et al".
AMA_MAX_LISTED = 6
AMA_LISTED_WHEN_MORE = 3
ET_AL = "et al"
NAME_SUFFIXES = {"Jr", "Sr", "II", "III", "IV", "V"}

# BibTeX fields that are not LaTeX: read and written as they are.
VERBATIM_FIELDS = frozenset({"doi", "url", "eprint", "eprinttype", "pmid", "urldate"})
NAME_FIELDS = frozenset({"author", "editor"})

# BibTeX entry types -> our types. @misc, and types not listed: a web page
# when it has an address and no journal, else a journal article.
BIBTEX_KINDS = {
    "article": ARTICLE,
    "book": BOOK, "mvbook": BOOK, "booklet": BOOK, "manual": BOOK, "collection": BOOK,
    "mvcollection": BOOK, "proceedings": BOOK,
    "incollection": CHAPTER, "inbook": CHAPTER, "bookinbook": CHAPTER, "suppbook": CHAPTER,
    "inproceedings": CHAPTER, "conference": CHAPTER,
    "techreport": REPORT, "report": REPORT, "phdthesis": REPORT, "mastersthesis": REPORT,
    "thesis": REPORT,
    "online": WEBPAGE, "electronic": WEBPAGE, "www": WEBPAGE, "webpage": WEBPAGE,
}  # fmt: skip
BIBTEX_TYPES = {
    ARTICLE: "article", BOOK: "book", CHAPTER: "incollection", REPORT: "techreport",
    WEBPAGE: "misc",
}  # fmt: skip
# Where each of our fields comes from, best first, by type.
BIBTEX_JOURNAL_FIELDS = ("journal", "journaltitle")
BIBTEX_WEBSITE_FIELDS = ("howpublished", "organization", "journal", "journaltitle", "publisher")
BIBTEX_PUBLISHER_FIELDS = {
    BOOK: ("publisher", "organization"),
    CHAPTER: ("publisher", "organization"),
    REPORT: ("institution", "school", "publisher", "organization"),
}

# RIS types -> our types (Zotero's and EndNote's readings of the RIS
# specification); GEN and types not listed as BibTeX's @misc.
RIS_KINDS = {
    "JOUR": ARTICLE, "JFULL": ARTICLE, "EJOUR": ARTICLE, "ABST": ARTICLE, "INPR": ARTICLE,
    "MGZN": ARTICLE, "NEWS": ARTICLE,
    "BOOK": BOOK, "EBOOK": BOOK, "EDBOOK": BOOK, "CLSWK": BOOK, "SER": BOOK,
    "CHAP": CHAPTER, "ECHAP": CHAPTER, "CONF": CHAPTER, "CPAPER": CHAPTER,
    "RPRT": REPORT, "GOVDOC": REPORT, "STAND": REPORT, "THES": REPORT,
    "ELEC": WEBPAGE, "BLOG": WEBPAGE, "WEB": WEBPAGE, "ICOMM": WEBPAGE,
}  # fmt: skip
RIS_TYPES = {ARTICLE: "JOUR", BOOK: "BOOK", CHAPTER: "CHAP", REPORT: "RPRT", WEBPAGE: "ELEC"}
# rispy's names of the RIS tags, with two it leaves out: ED (editor, in
# older files) and BT (a book's title).
RIS_MAPPING = {**rispy.TAG_KEY_MAPPING, "ED": "editors", "BT": "book_title"}
RIS_LIST_TAGS = [*rispy.LIST_TYPE_TAGS, "ED"]
RIS_JOURNAL_KEYS = (
    "alternate_title2",  # JA: abbreviated journal name, as our field asks
    "alternate_title1",  # J2
    "journal_name",  # JO
    "alternate_title3",  # JF
    "secondary_title",  # T2
)
RIS_WEBSITE_KEYS = ("secondary_title", "alternate_title3", "journal_name", "publisher")
# Editors: a book's in A3 (A2 is its series editor), a chapter's in A2.
RIS_EDITOR_KEYS = {
    BOOK: ("tertiary_authors", "editors"),
    CHAPTER: ("secondary_authors", "editors", "tertiary_authors"),
}

# The fields a reference of each type keeps (both readers; a web page's
# website is its journal field).
COMMON_FIELDS = ("authors", "title", "year", "doi", "pmid", "url")
FIELDS_OF_KIND = {
    ARTICLE: (*COMMON_FIELDS, "journal", "volume", "issue", "pages"),
    WEBPAGE: (*COMMON_FIELDS, "journal", "accessed"),
    REPORT: (*COMMON_FIELDS, "publisher", "report_number", "accessed"),
    BOOK: (*COMMON_FIELDS, "editors", "publisher", "edition"),
    CHAPTER: (*COMMON_FIELDS, "editors", "publisher", "edition", "book_title", "pages"),
}

# A range's dash: any run of dashes and the spaces around and between them.
DASHES_RE = re.compile(r"\s*[-‐‑‒–—][-‐‑‒–—\s]*")
YEAR_RE = re.compile(r"(?<!\d)(\d{4})(?!\d)")
DATE_RE = re.compile(r"^\s*(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?!\d)")
URL_RE = re.compile(r"^(https?://|www\.)\S+$", re.IGNORECASE)
PMID_TEXT_RE = re.compile(r"^(?:pmid:?\s*)?\d{1,9}$", re.IGNORECASE)
BIBTEX_START_RE = re.compile(r"@\s*[A-Za-z]+\s*[{(]")
# An entry's start: @type{ or @type( of any type but @comment, @string, @preamble.
BIBTEX_ENTRY_START_RE = re.compile(
    r"@\s*(?!(?:comment|string|preamble)\s*[{(])[A-Za-z]+\s*[{(]", re.IGNORECASE
)
RIS_ENTRY_START_RE = re.compile(r"^TY  -", re.MULTILINE)
BIBTEX_KEY_RE = re.compile(r"@\s*[A-Za-z]+\s*[{(]\s*([^,\s}]*)")
LATEX_ESCAPED_RE = re.compile(r"\\([_%&#$~])")
# What LaTeX reads differently from plain text: commands, groups, math,
# specials, and the ligatures -- --- `` '' ?` !`.
LATEX_MARKUP_RE = re.compile(r"[\\{}$~%&#^_]|--|``|''|[?!]`")
# Line breaks of any reader (str.splitlines' and RIS readers'), and every
# other control character: none may reach a file.
NOT_IN_A_LINE_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# What an address may not hold as it is (RFC 3986), hex-encoded.
URL_UNSAFE_RE = re.compile(r'[\x00-\x20\x7f"<>\\^`{|}]')

# Limits that keep one paste from tying up a worker, or the log.
MAX_TEXT_LENGTH = 200_000
MAX_ENTRIES = 200
# Entries with problems named one by one; past this, one message counts the rest.
MAX_MESSAGES = 10
# LaTeX commands (\"u, \'e, \textit…) in one BibTeX paste: decoding them is the
# slow part of reading BibTeX, and grows with their number. A reference
# manager's export of 200 entries has a few hundred.
MAX_LATEX_COMMANDS = 5_000


def single_spaced(value):
    """A field as the files carry it (and the model stores it): one line,
    control characters and line breaks as spaces, every run of spaces one.
    (core.text.one_line, every text field's rule, removes control characters
    and keeps runs of spaces within a line.)"""
    return " ".join(NOT_IN_A_LINE_RE.sub(" ", str(value or "")).split())


def safe_url(url):
    """An address with what RFC 3986 does not allow as it is (spaces, controls,
    quotes, braces, backslashes…) hex-encoded: the same address, and nothing
    in it can end a BibTeX field or a RIS line."""
    return URL_UNSAFE_RE.sub(lambda m: f"%{ord(m.group()):02X}", str(url or "").strip())


@dataclasses.dataclass
class ParsedEntry:
    """One entry of the pasted text: a Reference's fields, or what is wrong."""

    number: int  # 1-based, in the order of the text
    line: int | None  # where it starts (1-based)
    label: str  # its BibTeX key, or the start of its title
    fields: dict = dataclasses.field(default_factory=dict)
    errors: list = dataclasses.field(default_factory=list)

    def describe(self):
        details = [f"line {self.line}" if self.line else "", self.label]
        details = ", ".join(d for d in details if d)
        return f"Entry {self.number}" + (f" ({details})" if details else "")


@dataclasses.dataclass
class Parsed:
    format: str  # BIBTEX, RIS, or "" when the text is neither
    entries: list = dataclasses.field(default_factory=list)
    errors: list = dataclasses.field(default_factory=list)  # about the text as a whole


def detect_format(text):
    """BIBTEX, RIS, or "" for a text that looks like neither."""
    if RIS_ENTRY_START_RE.search(text):
        return RIS
    if BIBTEX_START_RE.search(text):
        return BIBTEX
    return ""


def parse(text):
    """Read pasted BibTeX or RIS (several entries) into a ``Parsed``."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return Parsed("", errors=["Paste one or more BibTeX or RIS entries."])
    if len(text) > MAX_TEXT_LENGTH:
        return Parsed(
            "",
            errors=[
                f"The text is {len(text):,} characters long; import at most "
                f"{MAX_TEXT_LENGTH:,} at a time."
            ],
        )
    found = detect_format(text)
    if not found:
        return Parsed(
            "",
            errors=[
                "This is neither BibTeX (entries start like @article{key, …) nor RIS "
                "(entries start with a line TY  - JOUR and end with ER  - )."
            ],
        )
    # Counted before parsing: thousands of entry starts are refused unread.
    starts = (RIS_ENTRY_START_RE if found == RIS else BIBTEX_ENTRY_START_RE).findall(text)
    if len(starts) > MAX_ENTRIES:
        return Parsed(
            found,
            errors=[
                f"The text has {len(starts):,} entries; import at most {MAX_ENTRIES} at a time."
            ],
        )
    commands = text.count("\\") if found == BIBTEX else 0
    if commands > MAX_LATEX_COMMANDS:
        return Parsed(
            found,
            errors=[
                f"The text has {commands:,} LaTeX commands (\\…); import at most "
                f"{MAX_LATEX_COMMANDS:,} at a time: split it in parts."
            ],
        )
    try:
        parsed = _parse_ris(text) if found == RIS else _parse_bibtex(text)
    except Exception as error:  # noqa: BLE001 (a library's bug: a message, never a 500)
        logger.warning("Reference import: %s text could not be parsed", found, exc_info=True)
        return Parsed(found, errors=[f"This {found} could not be read: {_short(error)}"])
    if not parsed.entries and not parsed.errors:
        parsed.errors.append(f"No {parsed.format} entry was found in the text.")
    if len(parsed.entries) > MAX_ENTRIES:  # should the libraries find more than counted
        parsed.errors.append(
            f"The text has {len(parsed.entries):,} entries; import at most {MAX_ENTRIES} at a time."
        )
    return parsed


def log_import(parsed, faulty):
    """One line of log for a paste read, however many entries it had."""
    logger.info(
        "Reference import: %s text, %d entr%s, %d with problems",
        parsed.format or "unknown",
        len(parsed.entries),
        "y" if len(parsed.entries) == 1 else "ies",
        faulty,
    )


# --- names ------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Person:
    surname: str  # with its particles: "van der Berg"
    initials: str  # "MH"
    suffix: str = ""  # "Jr"

    @property
    def ama(self):
        return " ".join(p for p in (self.surname, self.initials, self.suffix) if p)


@dataclasses.dataclass(frozen=True)
class Organization:
    name: str

    @property
    def ama(self):
        return self.name


class _EtAl:
    ama = ET_AL


ETAL = _EtAl()


def _initials(given):
    """AMA initials of given names: "Min-Hyun" -> "MH", "M. H." -> "MH", "MH" -> "MH"."""
    letters = []
    for token in given.split():
        bare = token.strip(".")
        if bare.isalpha() and bare.isupper() and len(bare) <= 3:
            letters.append(bare)  # already initials
            continue
        for piece in re.split(r"[-.‐]+", token):
            if piece and piece[0].isalpha():
                letters.append(piece[0].upper())
    return "".join(letters)


def _suffix(text):
    bare = text.strip().rstrip(".")
    return bare if bare in NAME_SUFFIXES else " ".join(text.split())


def person(surname, given="", suffix=""):
    surname = _unbraced(surname)
    initials = _initials(_unbraced(given))
    if not initials:
        return Organization(surname)
    return Person(surname, initials, _suffix(_unbraced(suffix)) if suffix else "")


def ama_authors(people):
    """The AMA author list: every author up to six, else three and "et al"."""
    people = list(people)
    et_al = any(p is ETAL for p in people)
    named = [p for p in people if p is not ETAL and p.ama]
    if len(named) > AMA_MAX_LISTED:
        named, et_al = named[:AMA_LISTED_WHEN_MORE], True
    return ", ".join([p.ama for p in named] + ([ET_AL] if et_al else []))


def people_of(authors):
    """Read an AMA author list back: "Kim MH, Kim H, et al" -> [Person, Person, ETAL].

    A name whose last word is not initials ("World Health Organization") is
    an organisation.
    """
    people = []
    for item in (authors or "").split(","):
        words = item.split()
        if not words:
            continue
        if _is_et_al(item):
            people.append(ETAL)
            continue
        suffix = ""
        if len(words) > 2 and words[-1].rstrip(".") in NAME_SUFFIXES:
            suffix = words.pop().rstrip(".")
        last = words[-1]
        if len(words) >= 2 and last.isalpha() and last.isupper() and len(last) <= 4:
            people.append(Person(" ".join(words[:-1]), last, suffix))
        else:
            people.append(Organization(" ".join(item.split())))
    return people


def _is_et_al(text):
    return " ".join(text.replace(".", " ").split()).lower() in ("et al", "others")


# --- reading BibTeX -----------------------------------------------------------


class _DecodeLatex(LatexDecodingMiddleware):
    """bibtexparser's LaTeX decoding for some of an entry's fields.

    DOIs and addresses are read as written (a ``%`` or ``_`` in an address is
    not LaTeX); names (``names=True``) keep their braces until they are split,
    so ``{World Health Organization}`` stays one name.
    """

    def __init__(self, *, names, **kwargs):
        super().__init__(**kwargs)
        self.names = names

    def transform_entry(self, entry, library):
        held = [
            entry.pop(field.key)
            for field in list(entry.fields)
            if field.key in VERBATIM_FIELDS
            or (field.key in NAME_FIELDS) != self.names
            or _is_plain(field.value)
        ]
        block = super().transform_entry(entry, library)
        for field in held:
            entry.set_field(field)
        return block


def _is_plain(value):
    """Text with nothing LaTeX would change: no need to decode it (decoding
    costs milliseconds a field, which adds up over a paste of many entries)."""
    return isinstance(value, str) and not LATEX_MARKUP_RE.search(value)


def _bibtex_stack():
    return [
        NormalizeFieldKeys(),
        _DecodeLatex(names=False, keep_braced_groups=False, keep_math_mode=False),
        _DecodeLatex(names=True, keep_braced_groups=True, keep_math_mode=False),
        SeparateCoAuthors(),
        SplitNameParts(),
    ]


def _parse_bibtex(text):
    library = bibtexparser.parse_string(text, append_middleware=_bibtex_stack())
    parsed = Parsed(BIBTEX)
    for block in library.blocks:
        if isinstance(block, Entry):
            entry = _bibtex_entry(len(parsed.entries) + 1, block)
        elif isinstance(block, ParsingFailedBlock):
            entry = ParsedEntry(
                len(parsed.entries) + 1,
                _line(block),
                _failed_key(block),
                errors=[_bibtex_failure(block)],
            )
        else:  # @string, @preamble, comments and text between entries
            continue
        parsed.entries.append(entry)
    return parsed


def _line(block):
    return None if block.start_line is None else block.start_line + 1


def _failed_key(block):
    if isinstance(block, DuplicateBlockKeyBlock):
        return block.key
    match = BIBTEX_KEY_RE.match((block.raw or "").strip())
    return match.group(1) if match else ""


def _bibtex_failure(block):
    error = block.error
    if isinstance(block, DuplicateBlockKeyBlock):
        return (
            f"its key “{block.key}” is also the key of an earlier entry: the same "
            "reference twice? Remove one, or give it another key."
        )
    if isinstance(block, DuplicateFieldKeyBlock):
        keys = ", ".join(sorted(block.duplicate_keys))
        return f"it has more than one {keys} field; keep one."
    if isinstance(block, MiddlewareErrorBlock):
        if isinstance(error, InvalidNameError):
            return f"its author list cannot be read: {error.reason}."
        return f"its LaTeX cannot be read: {_short(error)}"
    reason = getattr(error, "abort_reason", "") or _short(error)
    return (
        f"it is not complete BibTeX ({reason.strip()}). Check that its braces and "
        "quotes are closed and its fields are separated by commas."
    )


def _short(error, limit=300):
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _unbraced(value):
    """A name part without the braces that kept it whole ({World Health Organization})."""
    return single_spaced(str(value or "").replace("{", "").replace("}", ""))


def _verbatim(value):
    """A DOI or address as written, without the escapes some tools add (\\_, \\%)."""
    return LATEX_ESCAPED_RE.sub(r"\1", single_spaced(value))


def _bibtex_people(names):
    people = []
    for name in names if isinstance(names, list) else []:
        if not name.first and not name.von and name.last == ["others"]:
            people.append(ETAL)
        else:
            people.append(
                person(" ".join(name.von + name.last), " ".join(name.first), " ".join(name.jr))
            )
    return people


def _bibtex_kind(entry_type, values, text):
    kind = BIBTEX_KINDS.get(entry_type.lower())
    if kind == CHAPTER and entry_type.lower() == "inbook" and not text("booktitle"):
        return BOOK  # classic BibTeX's @inbook: a part of a book, by chapter or pages
    if kind:
        return kind
    has_url = values.get("url") or URL_RE.match(text("howpublished"))
    has_journal = any(text(key) for key in BIBTEX_JOURNAL_FIELDS)
    return WEBPAGE if (has_url or values.get("urldate")) and not has_journal else ARTICLE


def _first(text, keys):
    """The first of these fields that has a value (addresses left out)."""
    for key in keys:
        value = text(key)
        if value and not URL_RE.match(value):
            return value
    return ""


def _bibtex_entry(number, block):
    values = {field.key: field.value for field in block.fields}
    title = single_spaced(values.get("title"))
    entry = ParsedEntry(number, _line(block), block.key or title[:40])

    def text(key):
        value = values.get(key)
        return single_spaced(value) if isinstance(value, str) else ""

    kind = _bibtex_kind(block.entry_type, values, text)
    authors = _bibtex_people(values.get("author"))
    editors = _bibtex_people(values.get("editor"))
    if not authors and kind not in (BOOK, CHAPTER):
        authors, editors = editors, []  # an editor where an author was expected

    url = _verbatim(values.get("url"))
    if not url and URL_RE.match(text("howpublished")):  # howpublished = {\url{https://…}}
        url = text("howpublished")

    pmid = _verbatim(values.get("pmid"))
    if not pmid and text("eprinttype").lower() in ("pubmed", "pmid"):
        pmid = _verbatim(values.get("eprint"))

    return _with_fields(
        entry,
        kind=kind,
        authors=authors,
        editors=editors,
        title=title,
        year=text("year") or text("date"),
        doi=_verbatim(values.get("doi")),
        pmid=pmid,
        url=url,
        journal=_first(text, BIBTEX_JOURNAL_FIELDS),
        website=_first(text, BIBTEX_WEBSITE_FIELDS),
        publisher=_first(text, BIBTEX_PUBLISHER_FIELDS.get(kind, ())),
        volume=text("volume"),
        issue=text("number") or text("issue"),
        pages=text("pages"),
        report_number=text("number"),
        edition=text("edition"),
        book_title=text("booktitle"),
        accessed=_verbatim(values.get("urldate")),
    )


def _with_fields(entry, *, kind, authors, editors, year, accessed, url, **found):
    """``entry`` with the fields a Reference of ``kind`` keeps, from what either
    reader found: ``authors`` and ``editors`` as people (written in AMA style),
    ``year`` and ``accessed`` as written (what cannot be read is an error of
    the entry), ``journal`` or ``website`` as the journal field of its type."""
    year, year_error = _year(year)
    accessed, accessed_error = _date(accessed)
    entry.errors.extend(e for e in (year_error, accessed_error) if e)
    found.update(
        authors=ama_authors(authors),
        editors=ama_authors(editors),
        year=year,
        accessed=accessed,
        url=_with_scheme(url),
    )
    if kind == WEBPAGE:
        found["journal"] = found["website"]
    entry.fields = {"kind": kind} | {name: found[name] for name in FIELDS_OF_KIND[kind]}
    return entry


def _year(text):
    if not text:
        return None, ""
    match = YEAR_RE.search(text)
    if match is None:
        return None, f"its year “{text[:40]}” has no four-digit year."
    return int(match.group(1)), ""


def _date(text):
    """An accessed date from 2026-03-12, 2026/03/12/ or 2026-03-12T10:00:00Z."""
    if not text:
        return None, ""
    match = DATE_RE.match(text)
    try:
        return dt.date(*(int(part) for part in match.groups())), ""
    except (AttributeError, ValueError):  # no match, or no such day
        return None, f"its accessed date “{text[:40]}” is not a date such as 2026-03-12."


def _with_scheme(url):
    return f"https://{url}" if url.lower().startswith("www.") else url


# --- reading RIS ------------------------------------------------------------------


def _ris_tag(line):
    """(tag, content) of a RIS line as rispy reads it; (None, text) for other lines."""
    return rispy.RisParser().parse_line(line)


def _parse_ris(text):
    """RIS entries run from a ``TY  -`` line to an ``ER  -`` line. rispy skips
    an entry without its ``ER`` and any text outside entries without a word;
    an editor is told about each instead."""
    parsed = Parsed(RIS)
    current, start = None, 0
    stray = []

    def close(lines, line_number, ended):
        entry = _ris_entry(len(parsed.entries) + 1, line_number, lines, ended)
        parsed.entries.append(entry)

    for number, line in enumerate(text.split("\n"), start=1):
        tag, _ = _ris_tag(line)
        if tag == "TY":
            if current is not None:
                close(current, start, ended=False)
            current, start = [line], number
        elif current is not None:
            current.append(line)
            if tag == "ER":
                close(current, start, ended=True)
                current = None
        elif line.strip():
            stray.append(number)
    if current is not None:
        close(current, start, ended=False)
    if stray:
        lines = ", ".join(str(n) for n in stray[:5]) + (" …" if len(stray) > 5 else "")
        parsed.errors.append(
            f"Line{'s' if len(stray) > 1 else ''} {lines}: text outside an entry. In RIS "
            "each entry starts with a line TY  - JOUR (or another type) and ends with "
            "a line ER  - ; remove the text or complete the entry."
        )
    return parsed


def _ris_load(lines):
    return rispy.loads(
        "\n".join(lines),
        mapping=RIS_MAPPING,
        list_tags=RIS_LIST_TAGS,
        delimiter_tags_mapping={},
        skip_unknown_tags=True,
    )


def _ris_entry(number, line, lines, ended):
    if not ended:
        record = _ris_load([*lines, "ER  - "])
        title = single_spaced((record[0] if record else {}).get("title", ""))
        return ParsedEntry(
            number,
            line,
            title[:40],
            errors=["it has no ER  - line to end it (before the next TY  - line or the end)."],
        )
    records = _ris_load(lines)
    record = records[0] if records else {}

    def text(key):
        value = record.get(key)
        return single_spaced(value) if isinstance(value, str) else ""

    def names(*keys):
        for key in keys:
            found = [_ris_person(name) for name in record.get(key) or [] if name.strip()]
            if found:
                return found
        return []

    ris_type = text("type_of_reference").upper()
    title = text("title") or text("primary_title")
    entry = ParsedEntry(number, line, title[:40])
    urls = record.get("urls") or []
    url = single_spaced(urls[0]) if urls else ""
    journal = next((text(key) for key in RIS_JOURNAL_KEYS if text(key)), "")
    kind = RIS_KINDS.get(ris_type) or (WEBPAGE if url and not journal else ARTICLE)

    authors = names("authors", "first_authors")
    editors = names(*RIS_EDITOR_KEYS.get(kind, ()))
    if ris_type == "EDBOOK" and not editors:
        authors, editors = [], authors  # an edited book lists its editors as AU

    start, end = text("start_page"), text("end_page")
    pages = f"{start}-{end}" if start and end else start or end

    pmid = text("accession_number")
    if not PMID_TEXT_RE.match(pmid):
        pmid = ""

    return _with_fields(
        entry,
        kind=kind,
        authors=authors,
        editors=editors,
        title=title or (text("book_title") if kind == BOOK else ""),
        year=text("year") or text("publication_year") or text("date"),
        doi=text("doi"),
        pmid=pmid,
        url=url,
        journal=journal or text("publisher"),
        website=next((text(key) for key in RIS_WEBSITE_KEYS if text(key)), ""),
        publisher=text("publisher"),
        volume=text("volume"),
        issue=text("number"),
        pages=pages,
        report_number=text("issn"),
        edition=text("edition"),
        book_title=text("secondary_title") or text("book_title"),
        accessed=text("access_date"),
    )


def _ris_person(name):
    """RIS names are "Surname, Given, Suffix"; one without a comma is taken as
    written (an organisation, or already "Kim MH")."""
    if _is_et_al(name):
        return ETAL
    parts = [part.strip() for part in name.split(",")]
    if len(parts) == 1:
        found = people_of(name)
        return found[0] if found else Organization(single_spaced(name))
    return person(parts[0], parts[1], parts[2] if len(parts) > 2 else "")


# --- writing -------------------------------------------------------------------

# ASCII characters LaTeX reads as markup, and how to write each so that a
# LaTeX reader reads the character back (pylatexenc's \textasciicircum
# reads back as ˆ, not ^; a bare ~ is a non-breaking space).
_LATEX_SPECIALS = {
    "\\": r"{\textbackslash}",
    "$": r"\$",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "_": r"\_",
    "~": r"{\textasciitilde}",
    "^": r"{\string^}",
    '"': '{"}',  # a straight double quote stays one (pylatexenc's '' reads back as ”)
}
# Braces: escaped when they pair up; when they do not, as math-mode braces,
# since BibTeX counts an escaped brace too and an unpaired one would end the
# field.
_UNPAIRED_BRACES = {"{": r"{$\lbrace$}", "}": r"{$\rbrace$}"}
# Ligatures LaTeX makes of two characters (-- –, '' ”, `` “, ?` ¿, !` ¡):
# an empty group between them keeps them two.
_LIGATURES = {"-": "-", "'": "'", "`": "`", "?": "`", "!": "`"}
_decoder = LatexNodes2Text()


@functools.cache
def _latex_char(char):
    """A character as LaTeX, if LaTeX has a name for it that reads back as
    the same character; else the character itself (UTF-8)."""
    if char in _LATEX_SPECIALS:
        return _LATEX_SPECIALS[char]
    if char.isascii():
        return char
    macro = _builtin_latex().get(ord(char))
    if macro is None:
        return char
    written = "{" + macro + "}"
    return written if _decoder.latex_to_text(written) == char else char


@functools.cache
def _builtin_latex():
    return get_builtin_uni2latex_dict()


def _braces_pair_up(text):
    depth = 0
    for char in text:
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _latex(text):
    """A field's text as LaTeX in ASCII (characters LaTeX has no name for, such
    as Hangul, are written as they are): one line, every special character
    escaped, braces balanced."""
    text = single_spaced(text)
    paired = _braces_pair_up(text)
    written = []
    for position, char in enumerate(text):
        if char in "{}":
            written.append("\\" + char if paired else _UNPAIRED_BRACES[char])
        elif char in _LIGATURES and text[position + 1 : position + 2] == _LIGATURES[char]:
            written.append(_latex_char(char) + "{}")
        else:
            written.append(_latex_char(char))
    return "".join(written)


_VERBATIM_UNSAFE_RE = re.compile(r"[{}\\]")


def _verbatim_field(value):
    """A DOI or address for a verbatim BibTeX field: one line, with any brace
    or backslash hex-encoded (as the DOI handbook and RFC 3986 write them in
    an address) so the field stays closed. The model's rules leave none."""
    return _VERBATIM_UNSAFE_RE.sub(lambda m: f"%{ord(m.group()):02X}", single_spaced(value))


def _dotted(initials):
    return " ".join(f"{letter}." for letter in initials)


_AND_RE = re.compile(r"(?:^|\s)and(?:\s|$)", re.IGNORECASE)


def _name_part(text):
    """A part of a name; braced when it holds the word "and" (which BibTeX
    would take as the start of the next name)."""
    written = _latex(text)
    return "{" + written + "}" if _AND_RE.search(text) else written


def _bibtex_name(one):
    if one is ETAL:
        return "others"
    if isinstance(one, Organization):
        return "{" + _latex(one.name) + "}"
    parts = [_name_part(one.surname)]
    if one.suffix:
        parts.append(_name_part(one.suffix))
    parts.append(_latex(_dotted(one.initials)))
    return ", ".join(parts)


def _bibtex_names(names):
    return " and ".join(_bibtex_name(p) for p in people_of(single_spaced(names)))


def _bibtex_pages(pages):
    """Pages with LaTeX's range dash: 149-154 -> 149--154."""
    return "--".join(_latex(part) for part in DASHES_RE.split(single_spaced(pages)))


def _bibtex_key(reference, taken):
    people = [p for p in people_of(reference.authors or reference.editors) if p is not ETAL]
    first = people[0] if people else None
    name = first.surname if isinstance(first, Person) else (first.name if first else "")
    base = slugify(name.split()[-1] if name.split() else "").replace("-", "") or "ref"
    base += str(reference.year or "")
    key, n = base, 0
    while key in taken:
        n += 1
        key = base + (chr(ord("a") + n - 1) if n <= 26 else str(n))
    taken.add(key)
    return key


def _kind(reference):
    kind = getattr(reference, "kind", ARTICLE)
    return kind if kind in RIS_TYPES else ARTICLE


def to_bibtex(references):
    """The references as BibTeX (ASCII, LaTeX escapes; DOIs and URLs as they are),
    each type as its entry type: @article, @book, @incollection (a chapter),
    @techreport, @misc (a web page, with ``howpublished`` its website)."""
    library = bibtexparser.Library()
    taken = set()
    for reference in references:
        kind = _kind(reference)
        fields = [
            ("author", _bibtex_names(reference.authors)),
            ("editor", _bibtex_names(reference.editors) if kind in (BOOK, CHAPTER) else ""),
            # Braced twice: bibliography styles keep the title's capitals.
            ("title", "{" + _latex(reference.title) + "}"),
        ]
        if kind == ARTICLE:
            fields += [
                ("journal", _latex(reference.journal)),
                ("year", str(reference.year or "")),
                ("volume", _latex(reference.volume)),
                ("number", _latex(reference.issue)),
                ("pages", _bibtex_pages(reference.pages)),
            ]
        elif kind == WEBPAGE:
            fields += [
                ("howpublished", _latex(reference.journal)),
                ("year", str(reference.year or "")),
            ]
        else:
            fields += [
                ("booktitle", _latex(reference.book_title) if kind == CHAPTER else ""),
                ("edition", _latex(reference.edition) if kind in (BOOK, CHAPTER) else ""),
                ("institution" if kind == REPORT else "publisher", _latex(reference.publisher)),
                ("number", _latex(reference.report_number) if kind == REPORT else ""),
                ("year", str(reference.year or "")),
                ("pages", _bibtex_pages(reference.pages) if kind == CHAPTER else ""),
            ]
        fields += [
            ("doi", _verbatim_field(reference.doi)),
            ("pmid", _verbatim_field(reference.pmid)),
            ("url", _verbatim_field(reference.url)),
        ]
        if kind in (REPORT, WEBPAGE) and reference.accessed:
            fields.append(("urldate", reference.accessed.isoformat()))
        library.add(
            Entry(
                BIBTEX_TYPES[kind],
                _bibtex_key(reference, taken),
                [Field(key, value) for key, value in fields if value and value != "{}"],
            )
        )
    return bibtexparser.write_string(library)


class _RisWriter(rispy.RisWriter):
    """rispy's writer without its "1." line before each entry (not RIS)."""

    def set_header(self, count):
        return ""


def _ris_names(names):
    written = []
    for one in people_of(single_spaced(names)):
        if one is ETAL:
            written.append("et al.")
        elif isinstance(one, Organization):
            written.append(one.name)
        else:
            written.append(
                ", ".join(p for p in (one.surname, _dotted(one.initials), one.suffix) if p)
            )
    return written


def to_ris(references):
    """The references as RIS (UTF-8), each type as its TY: JOUR, BOOK, CHAP,
    RPRT, ELEC. Tags as Zotero and EndNote read them: a book's editors in A3,
    a chapter's in A2 with its book in T2, a report's institution in PB and
    number in SN, a web page's website in T2 and accessed date in Y2."""
    records = []
    for reference in references:
        kind = _kind(reference)
        record = {"type_of_reference": RIS_TYPES[kind], "authors": _ris_names(reference.authors)}
        if kind == BOOK:
            record["tertiary_authors"] = _ris_names(reference.editors)
        elif kind == CHAPTER:
            record["secondary_authors"] = _ris_names(reference.editors)
        record["title"] = reference.title
        if kind == ARTICLE:
            record["journal_name"] = reference.journal
        elif kind == WEBPAGE:
            record["secondary_title"] = reference.journal
        elif kind == CHAPTER:
            record["secondary_title"] = reference.book_title
        if kind in (BOOK, CHAPTER):
            record["edition"] = reference.edition
        if kind in (BOOK, CHAPTER, REPORT):
            record["publisher"] = reference.publisher
        if kind == REPORT:
            record["issn"] = reference.report_number
        record["year"] = str(reference.year or "")
        if kind == ARTICLE:
            record["volume"] = reference.volume
            record["number"] = reference.issue
        pages = single_spaced(reference.pages) if kind in (ARTICLE, CHAPTER) else ""
        if pages:
            start, dash, end = DASHES_RE.sub("-", pages).partition("-")
            if dash and start and end and "," not in pages:
                record["start_page"], record["end_page"] = start, end
            else:
                record["start_page"] = pages
        record["doi"] = reference.doi
        record["accession_number"] = reference.pmid
        record["urls"] = [reference.url]
        if kind in (REPORT, WEBPAGE) and reference.accessed:
            record["access_date"] = reference.accessed.strftime("%Y/%m/%d/")
        records.append(_single_spaced_record(record))
    return rispy.dumps(records, implementation=_RisWriter, delimiter_tags_mapping={})


def _single_spaced_record(record):
    """Every value one line (so none starts a tag), and the empty ones left out."""
    kept = {}
    for key, value in record.items():
        if isinstance(value, list):
            value = [line for line in (single_spaced(v) for v in value) if line]
        else:
            value = single_spaced(value)
        if value:
            kept[key] = value
    return kept
