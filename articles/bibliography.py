"""BibTeX and RIS in and out of a post's references.

Reading (``parse``): what an editor pastes, several entries at once, becomes
for each entry the fields of a ``Reference``, or the reasons it cannot be
one. The parsing is the libraries': bibtexparser 2 (its LaTeX decoding and
name-splitting middlewares) and rispy. This module maps what they read to
our fields: authors in AMA style ("Kim, Min-Hyun" -> "Kim MH"; more than six
-> the first three and "et al"), the journal from whichever field the source
used, the year from a date, pages from a start and an end. DOIs and PubMed
IDs are passed on as written ("https://doi.org/…", "PMID: …"): the model's
own validation (``Reference.clean_fields``, ``full_clean``) normalises and
checks them, as it does for typed references.

Writing (``to_bibtex``, ``to_ris``): the reverse, through the same libraries,
so that an export read back gives the same references. BibTeX is written in
ASCII with LaTeX escapes (classic BibTeX reads nothing else); DOIs and
addresses are written as they are (a ``%`` or ``_`` in an address is not
LaTeX).

This module knows nothing of the database: it maps text to dictionaries and
objects with a Reference's attributes to text.
"""

import dataclasses
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
from pylatexenc.latexencode import (
    RULE_DICT,
    UnicodeToLatexConversionRule,
    UnicodeToLatexEncoder,
)

BIBTEX = "BibTeX"
RIS = "RIS"

# AMA: list every author up to six; with more, the first three and "et al".
AMA_MAX_LISTED = 6
AMA_LISTED_WHEN_MORE = 3
ET_AL = "et al"
NAME_SUFFIXES = {"Jr", "Sr", "II", "III", "IV", "V"}

# BibTeX fields that are not LaTeX: read and written as they are.
VERBATIM_FIELDS = frozenset({"doi", "url", "eprint", "eprinttype", "pmid"})
NAME_FIELDS = frozenset({"author", "editor"})
# Where the "journal, publisher or website" comes from, best first.
BIBTEX_CONTAINER_FIELDS = (
    "journal", "journaltitle", "booktitle", "publisher", "organization",
    "institution", "school", "howpublished",
)  # fmt: skip
RIS_CONTAINER_KEYS = (
    "alternate_title2",  # JA: abbreviated journal name, as our field asks
    "alternate_title1",  # J2
    "journal_name",  # JO
    "alternate_title3",  # JF
    "secondary_title",  # T2
    "publisher",  # PB
)
DASHES_RE = re.compile(r"\s*(?:-{1,3}|[‐‑‒–—])\s*")
YEAR_RE = re.compile(r"(?<!\d)(\d{4})(?!\d)")
URL_RE = re.compile(r"^(https?://|www\.)\S+$", re.IGNORECASE)
PMID_TEXT_RE = re.compile(r"^(?:pmid:?\s*)?\d{1,9}$", re.IGNORECASE)
BIBTEX_START_RE = re.compile(r"@\s*[A-Za-z]+\s*[{(]")
BIBTEX_KEY_RE = re.compile(r"@\s*[A-Za-z]+\s*[{(]\s*([^,\s}]*)")
LATEX_ESCAPED_RE = re.compile(r"\\([_%&#$~])")
# What LaTeX reads differently from plain text: commands, groups, math,
# specials, and the ligatures -- --- `` ''.
LATEX_MARKUP_RE = re.compile(r"[\\{}$~%&#^_]|--|``|''")

# Limits that keep one paste from tying up a worker.
MAX_TEXT_LENGTH = 200_000
MAX_ENTRIES = 200


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
    for line in text.splitlines():
        if _ris_tag(line)[0] == "TY":
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
    if found == RIS:
        parsed = _parse_ris(text)
    elif found == BIBTEX:
        parsed = _parse_bibtex(text)
    else:
        return Parsed(
            "",
            errors=[
                "This is neither BibTeX (entries start like @article{key, …) nor RIS "
                "(entries start with a line TY  - JOUR and end with ER  - )."
            ],
        )
    if not parsed.entries and not parsed.errors:
        parsed.errors.append(f"No {parsed.format} entry was found in the text.")
    if len(parsed.entries) > MAX_ENTRIES:
        parsed.errors.append(
            f"The text has {len(parsed.entries)} entries; import at most {MAX_ENTRIES} at a time."
        )
    return parsed


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


def _plain(value):
    """Text with its spaces collapsed."""
    return " ".join(str(value or "").split())


def _unbraced(value):
    """A name part without the braces that kept it whole ({World Health Organization})."""
    return _plain(str(value or "").replace("{", "").replace("}", ""))


def _verbatim(value):
    """A DOI or address as written, without the escapes some tools add (\\_, \\%)."""
    return LATEX_ESCAPED_RE.sub(r"\1", " ".join(str(value or "").split()))


def _bibtex_entry(number, block):
    values = {field.key: field.value for field in block.fields}
    title = _plain(values.get("title"))
    entry = ParsedEntry(number, _line(block), block.key or title[:40])

    def text(key):
        value = values.get(key)
        return _plain(value) if isinstance(value, str) else ""

    names = values.get("author") or values.get("editor") or []
    people = []
    for name in names if isinstance(names, list) else []:
        if not name.first and not name.von and name.last == ["others"]:
            people.append(ETAL)
        else:
            people.append(
                person(" ".join(name.von + name.last), " ".join(name.first), " ".join(name.jr))
            )

    container = ""
    url = _verbatim(values.get("url"))
    for key in BIBTEX_CONTAINER_FIELDS:
        value = text(key)
        if value and URL_RE.match(value):
            url = url or value  # howpublished = {\url{https://…}}
            continue
        if value:
            container = value
            break

    pmid = _verbatim(values.get("pmid"))
    if not pmid and text("eprinttype").lower() in ("pubmed", "pmid"):
        pmid = _verbatim(values.get("eprint"))

    year, year_error = _year(text("year") or text("date"))
    if year_error:
        entry.errors.append(year_error)
    entry.fields = {
        "authors": ama_authors(people),
        "title": title,
        "journal": container,
        "year": year,
        "volume": text("volume"),
        "issue": text("number") or text("issue"),
        "pages": text("pages"),
        "doi": _verbatim(values.get("doi")),
        "pmid": pmid,
        "url": _with_scheme(url),
    }
    return entry


def _year(text):
    if not text:
        return None, ""
    match = YEAR_RE.search(text)
    if match is None:
        return None, f"its year “{text[:40]}” has no four-digit year."
    return int(match.group(1)), ""


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


def _ris_entry(number, line, lines, ended):
    records = rispy.loads("\n".join(lines), delimiter_tags_mapping={}, skip_unknown_tags=True)
    if not ended:
        record = rispy.loads(
            "\n".join([*lines, "ER  - "]), delimiter_tags_mapping={}, skip_unknown_tags=True
        )
        title = _plain((record[0] if record else {}).get("title", ""))
        return ParsedEntry(
            number,
            line,
            title[:40],
            errors=["it has no ER  - line to end it (before the next TY  - line or the end)."],
        )
    record = records[0] if records else {}
    title = _plain(record.get("title") or record.get("primary_title") or "")
    entry = ParsedEntry(number, line, title[:40])

    names = record.get("authors") or record.get("first_authors") or []
    people = [_ris_person(name) for name in names if name.strip()]

    container = ""
    for key in RIS_CONTAINER_KEYS:
        if _plain(record.get(key)):
            container = _plain(record.get(key))
            break

    start, end = _plain(record.get("start_page")), _plain(record.get("end_page"))
    pages = f"{start}-{end}" if start and end else start or end

    pmid = _plain(record.get("accession_number"))
    if not PMID_TEXT_RE.match(pmid):
        pmid = ""
    urls = record.get("urls") or []
    url = _plain(urls[0]) if urls else ""

    year, year_error = _year(
        _plain(record.get("year") or record.get("publication_year") or record.get("date"))
    )
    if year_error:
        entry.errors.append(year_error)
    entry.fields = {
        "authors": ama_authors(people),
        "title": title,
        "journal": container,
        "year": year,
        "volume": _plain(record.get("volume")),
        "issue": _plain(record.get("number")),
        "pages": pages,
        "doi": _plain(record.get("doi")),
        "pmid": pmid,
        "url": _with_scheme(url),
    }
    return entry


def _ris_person(name):
    """RIS names are "Surname, Given, Suffix"; one without a comma is taken as
    written (an organisation, or already "Kim MH")."""
    if _is_et_al(name):
        return ETAL
    parts = [part.strip() for part in name.split(",")]
    if len(parts) == 1:
        found = people_of(name)
        return found[0] if found else Organization(_plain(name))
    return person(parts[0], parts[1], parts[2] if len(parts) > 2 else "")


# --- writing -------------------------------------------------------------------

_encoder = UnicodeToLatexEncoder(
    conversion_rules=[
        # A straight double quote stays one (pylatexenc's '' reads back as ”).
        UnicodeToLatexConversionRule(RULE_DICT, {ord('"'): '{"}'}),
        "defaults",
    ],
    # Characters LaTeX has no name for (Hangul, say) are written as they are.
    unknown_char_policy="keep",
    unknown_char_warning=False,
)


def _latex(text):
    return _encoder.unicode_to_latex(text or "")


def _dotted(initials):
    return " ".join(f"{letter}." for letter in initials)


def _bibtex_name(one):
    if one is ETAL:
        return "others"
    if isinstance(one, Organization):
        return "{" + _latex(one.name) + "}"
    parts = [_latex(one.surname)]
    if one.suffix:
        parts.append(_latex(one.suffix))
    parts.append(_latex(_dotted(one.initials)))
    return ", ".join(parts)


def _bibtex_pages(pages):
    return _latex(DASHES_RE.sub("--", pages or ""))


def _bibtex_key(reference, taken):
    people = [p for p in people_of(reference.authors) if p is not ETAL]
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


def is_article(reference):
    return bool(
        reference.journal
        and (reference.volume or reference.issue or reference.pages or reference.doi)
    )


def to_bibtex(references):
    """The references as BibTeX (ASCII, LaTeX escapes; DOIs and URLs as they are)."""
    library = bibtexparser.Library()
    taken = set()
    for reference in references:
        fields = [
            Field("author", " and ".join(_bibtex_name(p) for p in people_of(reference.authors))),
            # Braced twice: bibliography styles keep the title's capitals.
            Field("title", "{" + _latex(" ".join(reference.title.split())) + "}"),
        ]
        article = is_article(reference)
        if reference.journal:
            fields.append(Field("journal" if article else "publisher", _latex(reference.journal)))
        for key, value in (
            ("year", str(reference.year or "")),
            ("volume", _latex(reference.volume)),
            ("number", _latex(reference.issue)),
            ("pages", _bibtex_pages(reference.pages)),
            ("doi", reference.doi),
            ("pmid", reference.pmid),
            ("url", reference.url),
        ):
            if value:
                fields.append(Field(key, value))
        entry_type = "article" if article else "misc"
        library.add(Entry(entry_type, _bibtex_key(reference, taken), fields))
    return bibtexparser.write_string(library)


class _RisWriter(rispy.RisWriter):
    """rispy's writer without its "1." line before each entry (not RIS)."""

    def set_header(self, count):
        return ""


def to_ris(references):
    """The references as RIS (UTF-8)."""
    records = []
    for reference in references:
        record = {"type_of_reference": "JOUR" if is_article(reference) else "GEN"}
        authors = []
        for one in people_of(reference.authors):
            if one is ETAL:
                authors.append("et al.")
            elif isinstance(one, Organization):
                authors.append(one.name)
            else:
                authors.append(
                    ", ".join(p for p in (one.surname, _dotted(one.initials), one.suffix) if p)
                )
        record["authors"] = authors
        record["title"] = " ".join(reference.title.split())
        if reference.journal:
            record["journal_name" if is_article(reference) else "publisher"] = reference.journal
        if reference.year:
            record["year"] = str(reference.year)
        if reference.volume:
            record["volume"] = reference.volume
        if reference.issue:
            record["number"] = reference.issue
        if reference.pages:
            start, dash, end = DASHES_RE.sub("-", reference.pages).partition("-")
            if dash and "," not in reference.pages:
                record["start_page"], record["end_page"] = start, end
            else:
                record["start_page"] = reference.pages
        if reference.doi:
            record["doi"] = reference.doi
        if reference.pmid:
            record["accession_number"] = reference.pmid
        if reference.url:
            record["urls"] = [reference.url]
        records.append(record)
    return rispy.dumps(records, implementation=_RisWriter, delimiter_tags_mapping={})
