"""Exports take no injected fields (issue 16): a DOI such as
``10.1234/x},title={INJECTED},note={`` is refused where it is typed or
imported, with a message that says why; and whatever a stored reference
holds (a row saved before the rule, a journal name with line breaks, control
characters), the .bib and the .ris say exactly one entry per reference, with
only the fields it has."""

import bibtexparser
import pybtex.database
import pytest
import rispy
from django.core.exceptions import ValidationError
from django.urls import reverse

from articles import bibliography
from articles.models import Reference
from tests.articles.factories import PostFactory, ReferenceFactory
from tests.articles.test_admin import ADD_URL, REFERENCE, post_data

pytestmark = pytest.mark.django_db

INJECTED_DOI = "10.1234/x},title={INJECTED},note={"


def doi_errors(doi):
    try:
        Reference(authors="Doe J", title="T", doi=doi).full_clean(exclude=["post"])
    except ValidationError as error:
        return error.message_dict.get("doi", [])
    return []


# --- the DOI rule: the DOI handbook's characters --------------------------------------


@pytest.mark.parametrize(
    "doi",
    [
        "10.3390/ijms18051051",
        "10.1016/j.fshw.2021.02.003",
        "10.1002/(SICI)1097-4636(199707)36:1<1::AID-JBM1>3.0.CO;2-L",  # old Wiley SICI
        "10.1000/456#789",
        "10.1000.10/123",  # a subdivided prefix
        "10.5555/ünïcödé-文献",
        "10.1000/a(b)c_d%e",
    ],
)
def test_dois_the_handbook_allows_are_accepted(doi):
    assert doi_errors(doi) == []


@pytest.mark.parametrize(
    ("doi", "shown"),
    [
        (INJECTED_DOI, "“}”"),
        ("10.1234/a{b", "“{”"),
        ("10.1234/a\\b", "“\\”"),
        ("10.1234/a b", "spaces"),
        ("10.1234/a\tb", "spaces"),
        ("10.1234/a\x0bb", "spaces"),
        ("10.1234/a\u200bb", "the invisible character U+200B"),
        ("10.1234/a\x00b", "spaces"),  # a control character reads as a space
    ],
)
def test_a_doi_with_characters_no_doi_has_is_refused_with_the_character_named(doi, shown):
    [message] = doi_errors(doi)

    assert message.startswith("Enter a DOI such as 10.3390/ijms18051051")
    assert f"a DOI cannot contain {shown}" in message


@pytest.mark.parametrize("doi", ["11.1234/x", "10.12/x", "10.1234/", "doi.org/oops", "10.1234"])
def test_a_doi_of_the_wrong_shape_is_refused(doi):
    assert doi_errors(doi) == [
        "Enter a DOI such as 10.3390/ijms18051051 (without https://doi.org/)."
    ]


def test_the_injected_doi_is_refused_at_the_form_with_the_text_kept(editor_client, editor):
    data = post_data(editor, references=[{**REFERENCE, "doi": INJECTED_DOI}])

    response = editor_client.post(ADD_URL, data)

    assert response.status_code == 200
    assert "a DOI cannot contain “}”" in response.text
    assert 'value="10.1234/x},title={INJECTED},note={"' in response.text
    assert not Reference.objects.exists()


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ('@article{k, author={Doe, J}, title={T}, doi="' + INJECTED_DOI + '"}', "k"),
        ("TY  - JOUR\nAU  - Doe, J\nTI  - T\nDO  - " + INJECTED_DOI + "\nER  - \n", "T"),
    ],
)
def test_the_injected_doi_is_refused_at_import(text, label):
    references, messages = Reference.read_entries(text)

    assert references == []
    assert messages == [
        f"Entry 1 (line 1, {label}): DOI: Enter a DOI such as 10.3390/ijms18051051 (without "
        "https://doi.org/): a DOI cannot contain “}”. A DOI is “10.”, the registrant's "
        "number, a slash and printable characters without spaces, braces or backslashes."
    ]


def test_the_injected_doi_in_braces_is_read_as_bibtex_reads_it_and_refused():
    """In braces, BibTeX itself ends the DOI at the first }: the entry has two
    titles, and is refused for that."""
    text = "@article{k, author={Doe, J}, title={T}, doi={" + INJECTED_DOI + "}}"

    references, messages = Reference.read_entries(text)

    assert references == []
    assert messages == ["Entry 1 (line 1, k): it has more than one title field; keep one."]


def test_a_doi_s_address_is_hex_encoded_as_the_handbook_says():
    reference = Reference(doi="10.1002/(SICI)1097-4636(199707)36:1<1::AID-JBM1>3.0.CO;2-#")

    assert reference.doi_url == (
        "https://doi.org/10.1002/(SICI)1097-4636(199707)36:1%3C1::AID-JBM1%3E3.0.CO;2-%23"
    )


# --- the writers: whatever is stored, one entry per reference ---------------------------

HOSTILE = {
    "authors": "Doe J\n\nER  - ",
    "title": "A title}, note = {injected\r\nTY  - JOUR\nTI  - Injected record",
    "journal": "J Evil\nER  - \n\nTY  - JOUR\nTI  - Injected\nER  - \n",
    "volume": "1}\n@article{inj,",  # (20 characters at most)
    "issue": "2\x0b3",
    "pages": "1\x0c2",
    "doi": INJECTED_DOI,
    "pmid": "1}\nAN  - 2",
    "url": "https://example.org/a}b\\c\nER  - ",
}


@pytest.fixture
def hostile_post():
    """A post whose reference was stored before the rules (or around them)."""
    post = PostFactory(slug="hostile")
    reference = ReferenceFactory(post=post, authors="Doe J", title="T")
    Reference.objects.filter(pk=reference.pk).update(**HOSTILE)
    ReferenceFactory(post=post, authors="Roe R", title="An honest second reference")
    return post


def test_a_hostile_stored_reference_adds_no_field_or_entry_to_the_bibtex(client, hostile_post):
    text = client.get(reverse("articles:references_bibtex", args=["hostile"])).text

    library = bibtexparser.parse_string(text)
    assert len(library.entries) == 2 and not library.failed_blocks
    first = library.entries[0]
    assert sorted(first.fields_dict) == [
        "author", "doi", "journal", "number", "pages", "pmid", "title", "url", "volume", "year",
    ]  # fmt: skip
    assert "INJECTED" not in first.fields_dict["title"].value
    assert first.fields_dict["doi"].value == "10.1234/x%7D,title=%7BINJECTED%7D,note=%7B"
    parsed = pybtex.database.parse_string(text, "bibtex")
    assert list(parsed.entries) == ["ref2020", "roe2020"]
    assert "note" not in parsed.entries["ref2020"].fields


def test_a_journal_with_line_breaks_adds_no_record_to_the_ris(client, hostile_post):
    text = client.get(reverse("articles:references_ris", args=["hostile"])).text

    records = rispy.loads(text)
    assert len(records) == 2
    assert [r["title"] for r in records] == [
        "A title}, note = {injected TY - JOUR TI - Injected record",
        "An honest second reference",
    ]
    assert records[0]["journal_name"] == "J Evil ER - TY - JOUR TI - Injected ER -"
    assert records[0]["accession_number"] == "1} AN - 2"
    assert text.count("TY  - ") == 2 and text.count("ER  - ") == 2
    assert all(line[2:6] == "  - " for line in text.splitlines() if line)


def test_the_writers_drop_every_control_character(client, hostile_post):
    for name in ("references_ris", "references_bibtex"):
        text = client.get(reverse(f"articles:{name}", args=["hostile"])).text
        assert not any(ord(c) < 32 and c not in "\n\t" for c in text), name  # (\t: indents)
        assert "\r" not in text and "\x0b" not in text and "\x0c" not in text


def test_a_line_break_character_of_any_reader_never_reaches_a_file():
    breaks = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
    reference = Reference(
        kind="webpage",
        authors=f"Doe J{breaks}",
        title=f"T{breaks}ER  - ",
        journal=f"Site{breaks}TY  - JOUR",
        url="https://example.org/",
    )

    for text in (bibliography.to_ris([reference]), bibliography.to_bibtex([reference])):
        lines = text.splitlines()  # Python's idea of a line: every one of those
        assert text.split("\n") == lines + ([""] if text.endswith("\n") else [])
    assert len(rispy.loads(bibliography.to_ris([reference]))) == 1


def test_control_characters_imported_are_stored_as_spaces_on_either_database():
    """What Word pastes (\\x0b for Shift+Enter, \\x0c) and worse (\\x00, which
    PostgreSQL cannot store) reach the database as spaces, never an error."""
    post = PostFactory(body="[1]")
    text = (
        "@article{k, author={Doe, Jane\x00}, title={A\x0btitle\x0cwith\x00odd\x1cbreaks},"
        " journal={J\x85Odd}, volume={1\x0b2}}"
    )
    references, messages = Reference.read_entries(text)
    assert messages == []

    post.append_references(references)

    stored = post.references.get()
    assert (stored.authors, stored.title, stored.journal, stored.volume) == (
        "Doe J",
        "A title with odd breaks",
        "J Odd",
        "1 2",
    )


def test_an_import_with_word_line_breaks_through_the_admin(editor_client):
    post = PostFactory(body="[1]")
    url = reverse("admin:articles_post_import_references", args=[post.pk])
    text = "TY  - JOUR\nAU  - Doe, Jane\nTI  - A\x0btitle\x0cfrom Word\nJO  - J\x0bOdd\nER  - \n"
    preview = editor_client.post(url, {"text": text, "preview": "Preview"})
    seen_at = preview.context["form"]["seen_at"].value()

    response = editor_client.post(url, {"text": text, "seen_at": seen_at, "import": "Import"})

    assert response.status_code == 302
    assert post.references.get().title == "A title from Word"
    ris = editor_client.get(reverse("articles:references_ris", args=[post.slug]))
    assert "TI  - A title from Word\nJO  - J Odd\n" in ris.text
