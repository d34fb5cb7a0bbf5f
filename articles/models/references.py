"""A post's scientific references (articles/citations.py writes them in AMA
style; articles/bibliography.py reads and writes BibTeX and RIS)."""

import re

import reversion
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from articles import bibliography, citations
from core.text import OneLineField, OneLineURLField, one_line

from .post_rows import PostRow

# The DOI handbook's characters (articles/citations.py).
validate_doi = citations.validate_doi
validate_pmid = RegexValidator(
    r"^[1-9]\d{0,8}$",
    "Enter a PubMed ID: digits only, such as 28498331.",
    code="invalid_pmid",
)


@reversion.register()
class Reference(PostRow):
    """A scientific reference of a post: a journal article, a book, a chapter,
    a report or a web page (``kind``), each with the fields its type uses
    and written in its own AMA form (articles/citations.py)."""

    Kind = citations.Kind

    post = models.ForeignKey("Post", on_delete=models.CASCADE, related_name="references")
    order = models.PositiveSmallIntegerField(
        default=0, help_text="References are numbered in this order."
    )
    kind = models.CharField(
        "type",
        max_length=10,
        choices=Kind.choices,
        default=Kind.ARTICLE,
        help_text="Each type is written in its own AMA form and exported as its own "
        "BibTeX and RIS type; the form shows the fields it uses.",
    )
    authors = OneLineField(
        max_length=500,
        blank=True,
        help_text="AMA style: Surname Initials, comma separated: Kim MH, Kim H. "
        "An organisation as it names itself: World Health Organization.",
    )
    title = OneLineField(max_length=500)
    journal = OneLineField(
        "journal or website",
        max_length=300,
        blank=True,
        help_text="Journal articles: the abbreviated journal name (Int J Mol Sci). "
        "Web pages: the website's name (CDC WONDER).",
    )
    editors = OneLineField(
        max_length=500,
        blank=True,
        help_text="Books and chapters, AMA style as the authors: Lockey P, Ledford DK.",
    )
    book_title = OneLineField(
        "title of the book", max_length=500, blank=True, help_text="The book the chapter is in."
    )
    edition = OneLineField(
        max_length=40,
        blank=True,
        help_text="2nd, 3rd… (written “2nd ed.”); leave it empty for a first edition.",
    )
    publisher = OneLineField(
        "publisher or institution",
        max_length=300,
        blank=True,
        help_text="Books and chapters: the publisher (Wolters Kluwer). Reports: the agency "
        "or institution that issued it.",
    )
    report_number = OneLineField(
        "report number",
        max_length=100,
        blank=True,
        help_text="As the report gives it: AHRQ Publication No. 13-0016.",
    )
    year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1500), MaxValueValidator(2200)],
    )
    volume = OneLineField(max_length=20, blank=True)
    issue = OneLineField(max_length=20, blank=True)
    pages = OneLineField(max_length=40, blank=True, help_text="149-154, or an article number.")
    doi = OneLineField("DOI", max_length=200, blank=True, validators=[validate_doi])
    pmid = OneLineField("PMID", max_length=20, blank=True, validators=[validate_pmid])
    url = OneLineURLField("URL", max_length=500, blank=True)
    accessed = models.DateField(
        null=True,
        blank=True,
        help_text="Web pages and reports: the day you read it (AMA asks for it with the URL).",
    )

    # One line of text each (core.text.one_line, the field class), and runs of
    # spaces as one (bibliography.single_spaced), as the exports write them.
    ONE_LINE_FIELDS = (
        "authors", "title", "journal", "editors", "book_title", "edition", "publisher",
        "report_number", "volume", "issue", "pages", "doi", "pmid",
    )  # fmt: skip

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return f"{self.authors or self.editors}. {self.title}"

    def clean_fields(self, exclude=None):
        # Accept what editors paste ("https://doi.org/10...", "doi:10...",
        # "PMID: 123", a title in two lines) and validate what remains.
        for name in self.ONE_LINE_FIELDS:
            setattr(self, name, bibliography.single_spaced(getattr(self, name)))
        self.doi = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", "", self.doi, flags=re.I)
        self.pmid = re.sub(r"^pmid:?\s*", "", self.pmid, flags=re.I)
        # One dash for page ranges, as AMA writes them: 149–154, 149--154 -> 149-154.
        self.pages = bibliography.DASHES_RE.sub("-", self.pages)
        self.edition = citations.edition(self.edition)
        # Control characters out (the one rule of core.text), then what an
        # address may not hold as it is, hex-encoded.
        self.url = bibliography.safe_url(one_line(self.url))
        super().clean_fields(exclude=exclude)

    def clean(self):
        """Each type keeps only the fields it uses (the form shows no others)
        and has what it cannot do without."""
        super().clean()
        if self.kind not in self.Kind.values:
            return  # refused by clean_fields
        for name in citations.unused_fields(self.kind):
            setattr(self, name, None if name in ("year", "accessed") else "")
        errors = citations.missing(self)
        if errors:
            raise ValidationError(errors)

    @classmethod
    def read_entries(cls, text):
        """Unsaved references from pasted BibTeX or RIS, each checked as a typed
        one is (full_clean: DOIs and PubMed IDs normalised and validated),
        and the messages: one for each entry that cannot be a reference
        (its number and what is wrong), and any about the text as a whole.
        With any message there are no references: all or nothing. Past
        ``bibliography.MAX_MESSAGES`` entries with problems, one message
        counts the rest."""
        parsed = bibliography.parse(text)
        messages = list(parsed.errors)
        references, faulty = [], 0
        for entry in parsed.entries:
            problems = list(entry.errors)
            if not problems:
                reference = cls(**entry.fields)
                try:
                    reference.full_clean(exclude=["post", "order"])
                except ValidationError as error:
                    problems.extend(cls._described(error))
                references.append(reference)
            if problems:
                faulty += 1
                if faulty <= bibliography.MAX_MESSAGES:
                    messages.append(
                        f"{entry.describe()}: {' '.join(_sentence(p) for p in problems)}"
                    )
        if faulty > bibliography.MAX_MESSAGES:
            more = faulty - bibliography.MAX_MESSAGES
            messages.append(
                f"… and {more} more entr{'y' if more == 1 else 'ies'} with problems "
                "like these: fix the ones above and preview again."
            )
        bibliography.log_import(parsed, faulty)
        return ([] if messages else references), messages

    @classmethod
    def _described(cls, error):
        for name, field_errors in error.error_dict.items():
            label = cls._meta.get_field(name).verbose_name if name != "__all__" else ""
            for field_error in field_errors:
                message = " ".join(field_error.messages)
                if field_error.code in ("blank", "missing") and label:
                    yield f"it has no {label}."
                else:
                    yield f"{label}: {message}" if label else message

    @property
    def doi_url(self):
        return citations.doi_url(self.doi)

    @property
    def pmid_url(self):
        return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/" if self.pmid else ""

    def ama(self):
        """The reference in AMA style, as safe HTML (every field escaped)."""
        return citations.ama_html(self)

    def ama_text(self):
        """The reference in AMA style, as plain text."""
        return citations.ama_text(self)


def _sentence(text):
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."
