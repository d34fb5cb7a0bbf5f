"""Reading pasted BibTeX and RIS into references, and writing them back.

Each rule an editor relies on is a test: what a reference manager exports
becomes the references they would have typed (AMA authors, DOIs and PubMed
IDs normalised and checked); an entry that cannot be read is named with what
is wrong, and then nothing is imported; an export read back is the same."""

import pytest

from articles import bibliography
from articles.demo import GLUTAMINE
from articles.models import Post, Reference
from tests.articles.factories import PostFactory, ReferenceFactory

pytestmark = pytest.mark.django_db

FIELDS = ["authors", "title", "journal", "year", "volume", "issue", "pages", "doi", "pmid", "url"]

THREE_BIBTEX = r"""
% Exported from a reference manager
@article{kim2017,
  author  = {Kim, Min-Hyun and Kim, Hyeyoung},
  title   = {The roles of glutamine in the intestine and its implications in intestinal disease},
  journal = {Int J Mol Sci},
  year    = {2017},
  volume  = {18},
  number  = {5},
  pages   = {1051},
  doi     = {https://doi.org/10.3390/ijms18051051},
  pmid    = {PMID: 28498331}
}

@article{deters2021,
  author  = {Deters, Benjamin J. and Saleem, Mahnoor},
  title   = {The role of glutamine in supporting gut health and neuropsychiatric factors},
  journal = {Food Science and Human Wellness},
  year    = 2021,
  volume  = {10},
  number  = {2},
  pages   = {149--154},
  doi     = {10.1016/j.fshw.2021.02.003},
}

@misc{who2020,
  author = {{World Health Organization}},
  title  = {Healthy diet: 5\% of energy {\&} less},
  year   = {2020},
  url    = {https://www.who.int/news-room/fact-sheets/detail/healthy-diet?a=1&b=2_c%20d},
}
"""

THREE_RIS = """\
TY  - JOUR
AU  - Kim, Min-Hyun
AU  - Kim, Hyeyoung
TI  - The roles of glutamine in the intestine and its implications in intestinal disease
JO  - Int J Mol Sci
PY  - 2017/05/11/
VL  - 18
IS  - 5
SP  - 1051
DO  - 10.3390/ijms18051051
AN  - 28498331
ER  -

TY  - JOUR
AU  - Deters, B. J.
AU  - Saleem, M.
TI  - The role of glutamine in supporting gut health
T2  - Food Science and Human Wellness
PY  - 2021
SP  - 149
EP  - 154
ER  -

TY  - ELEC
AU  - World Health Organization
TI  - Healthy diet
UR  - https://www.who.int/news-room/fact-sheets/detail/healthy-diet
ER  -
"""


def values(reference):
    return {name: getattr(reference, name) for name in FIELDS}


# --- reading ------------------------------------------------------------------


def test_three_bibtex_entries_become_three_references_in_order():
    references, messages = Reference.read_entries(THREE_BIBTEX)

    assert messages == []
    assert [values(r) for r in references] == [
        {
            "authors": "Kim MH, Kim H",
            "title": "The roles of glutamine in the intestine and its implications in "
            "intestinal disease",
            "journal": "Int J Mol Sci",
            "year": 2017,
            "volume": "18",
            "issue": "5",
            "pages": "1051",
            "doi": "10.3390/ijms18051051",  # https://doi.org/ stripped, as when typed
            "pmid": "28498331",  # "PMID: " stripped
            "url": "",
        },
        {
            "authors": "Deters BJ, Saleem M",
            "title": "The role of glutamine in supporting gut health and neuropsychiatric factors",
            "journal": "Food Science and Human Wellness",
            "year": 2021,
            "volume": "10",
            "issue": "2",
            "pages": "149-154",  # LaTeX's -- is a range: one dash, as AMA writes it
            "doi": "10.1016/j.fshw.2021.02.003",
            "pmid": "",
            "url": "",
        },
        {
            "authors": "World Health Organization",  # braced: one name, not "Organization WH"
            "title": "Healthy diet: 5% of energy & less",  # LaTeX decoded
            "journal": "",
            "year": 2020,
            "volume": "",
            "issue": "",
            "pages": "",
            "doi": "",
            "pmid": "",
            # An address is not LaTeX: its % and _ are kept.
            "url": "https://www.who.int/news-room/fact-sheets/detail/healthy-diet?a=1&b=2_c%20d",
        },
    ]
    assert all(r.pk is None for r in references)  # nothing saved by reading


def test_three_ris_entries_become_three_references():
    references, messages = Reference.read_entries(THREE_RIS)

    assert messages == []
    assert [r.authors for r in references] == [
        "Kim MH, Kim H",
        "Deters BJ, Saleem M",
        "World Health Organization",
    ]
    kim, deters, who = references
    assert (kim.year, kim.doi, kim.pmid, kim.pages) == (
        2017,
        "10.3390/ijms18051051",
        "28498331",
        "1051",
    )
    assert (deters.journal, deters.pages) == ("Food Science and Human Wellness", "149-154")
    assert who.url == "https://www.who.int/news-room/fact-sheets/detail/healthy-diet"


@pytest.mark.parametrize(
    ("bibtex_author", "ama"),
    [
        ("Kim, Min-Hyun", "Kim MH"),
        ("Min-Hyun Kim", "Kim MH"),
        ("Kim, M. H.", "Kim MH"),
        ("Kim, MH", "Kim MH"),
        ('M{\\"u}ller, Hans-Peter', "Müller HP"),
        ("van der Berg, Jan", "van der Berg J"),
        ("Smith, Jr., John Ronald", "Smith JR Jr"),
        ("{\\'E}mile Durkheim", "Durkheim É"),
        ("Kim, M. and others", "Kim M, et al"),
        ("{World Health Organization}", "World Health Organization"),
        (
            "A, Anna and B, Ben and C, Cid and D, Dee and E, Eve and F, Fay and G, Gus",
            "A A, B B, C C, et al",  # AMA: more than six -> the first three, et al
        ),
        (
            "A, Anna and B, Ben and C, Cid and D, Dee and E, Eve and F, Fay",
            "A A, B B, C C, D D, E E, F F",
        ),
    ],
)
def test_bibtex_authors_become_ama_names(bibtex_author, ama):
    text = f"@article{{k, author = {{{bibtex_author}}}, title = {{A title}}, year = 2020}}"

    references, messages = Reference.read_entries(text)

    assert messages == []
    assert references[0].authors == ama


@pytest.mark.parametrize(
    ("ris_author", "ama"),
    [
        ("Kim, Min-Hyun", "Kim MH"),
        ("Kim, M.H.", "Kim MH"),
        ("Smith, John, Jr.", "Smith J Jr"),
        ("Kim MH", "Kim MH"),
        ("World Health Organization", "World Health Organization"),
    ],
)
def test_ris_authors_become_ama_names(ris_author, ama):
    text = f"TY  - JOUR\nAU  - {ris_author}\nTI  - A title\nER  - \n"

    references, messages = Reference.read_entries(text)

    assert messages == []
    assert references[0].authors == ama


# --- what cannot be read ----------------------------------------------------------------


def test_each_broken_bibtex_entry_gets_its_own_message_and_nothing_is_read():
    text = r"""
@article{good, author = {Kim, Min-Hyun}, title = {Fine}, year = {2017}}
@article{nodoi, author = {Doe, Jane}, title = {Bad DOI}, year = {2019}, doi = {12.34/nope}}
@article{unclosed, author = {Roe, R}, title = {Unclosed
@article{twice, author = {Poe, P}, title = {One}, title = {Two}}
@article{noauthor, title = {Nobody wrote this}, year = {1999}}
@article{when, author = {Lee, K}, title = {Undated}, year = {in press}}
@article{good, author = {Kim, Min-Hyun}, title = {Fine again}}
"""
    references, messages = Reference.read_entries(text)

    assert references == []
    assert len(messages) == 6, messages
    bad_doi, unclosed, twice, nobody, undated, duplicate = messages
    assert bad_doi.startswith("Entry 2 (line 3, nodoi): DOI: Enter a DOI such as")
    assert unclosed.startswith("Entry 3 (line 4, unclosed): it is not complete BibTeX")
    assert "braces" in unclosed
    assert twice.startswith("Entry 4 (line 5, twice): it has more than one title field")
    assert nobody.startswith("Entry 5 (line 6, noauthor): it has no authors")
    assert undated.startswith("Entry 6 (line 7, when): its year “in press” has no four-digit year")
    assert duplicate.startswith("Entry 7 (line 8, good): its key “good” is also the key")


def test_each_broken_ris_entry_gets_its_own_message():
    text = """\
TY  - JOUR
AU  - Kim, Min-Hyun
TI  - Fine
ER  -

TY  - JOUR
AU  - Doe, Jane
TI  - Missing its end

TY  - JOUR
TI  - No author here
PY  - 2019
ER  -

TY  - JOUR
AU  - Poe, P
TI  - Wrong PubMed ID
AN  - PMID: 0123
DO  - doi:10.1000/ok
ER  -
"""
    references, messages = Reference.read_entries(text)

    assert references == []
    assert messages[0].startswith("Entry 2 (line 6, Missing its end): it has no ER  - line")
    assert messages[1].startswith("Entry 3 (line 10, No author here): it has no authors")
    assert messages[2].startswith("Entry 4 (line 15, Wrong PubMed ID): PMID: Enter a PubMed ID")
    assert len(messages) == 3


def test_text_outside_ris_entries_is_named_by_line():
    text = "Here are my references:\nTY  - JOUR\nAU  - Kim, M\nTI  - T\nER  - \nthanks\n"

    references, messages = Reference.read_entries(text)

    assert references == []
    assert messages == [
        "Lines 1, 6: text outside an entry. In RIS each entry starts with a line TY  - "
        "JOUR (or another type) and ends with a line ER  - ; remove the text or complete "
        "the entry."
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Paste one or more BibTeX or RIS entries."),
        ("   \n ", "Paste one or more BibTeX or RIS entries."),
        ("Kim MH, Kim H. The roles of glutamine. 2017.", "This is neither BibTeX"),
        ("@comment{nothing here}", "No BibTeX entry was found in the text."),
        ("x" * (bibliography.MAX_TEXT_LENGTH + 1), "import at most 200,000 at a time"),
    ],
)
def test_text_that_is_no_bibliography_is_refused_with_a_message(text, message):
    references, messages = Reference.read_entries(text)

    assert references == []
    assert len(messages) == 1 and message in messages[0]


def test_too_many_entries_are_refused():
    text = "\n".join(
        f"@misc{{k{n}, author = {{Doe, J}}, title = {{T{n}}}}}"
        for n in range(bibliography.MAX_ENTRIES + 1)
    )

    references, messages = Reference.read_entries(text)

    assert references == []
    assert messages == ["The text has 201 entries; import at most 200 at a time."]


@pytest.mark.parametrize(
    "text",
    [
        "@article{",
        "@article{k, author = {Kim, {M}}}}}}",
        "@article{k, author = {, , ,}, title = {t}}",
        "@article{k, author = {and and and}, title = {t}}",
        "@article{k, title = {\\unknownmacro{x} $\\frac{1}{$}}",
        "@string{x = {y}} @article{k, author = x # {z}, title = x}",
        "TY  - \nER  - ",
        "TY  - JOUR\nPY  - 99999999999999999999\nAU  - A, B\nTI  - t\nER  - ",
        "\x00@article{k, author={\x00}, title={\ud7ff\U0010ffff}}",
        "@article{k, author = {Kim, M}, title = {t}, year = {2017}, volume = {" + "9" * 50 + "}}",
    ],
)
def test_odd_input_gets_messages_or_references_never_an_exception(text):
    references, messages = Reference.read_entries(text)

    assert bool(references) != bool(messages)


# --- appending --------------------------------------------------------------------


def test_appending_numbers_after_the_post_s_own_and_renders_once(django_assert_num_queries):
    post = PostFactory(body="Old [1]. New [2] and [4].")
    ReferenceFactory(post=post, order=7)
    references, _ = Reference.read_entries(THREE_BIBTEX)
    updated_before = Post.objects.get(pk=post.pk).updated_at

    with django_assert_num_queries(8):  # savepoint, max order, insert, render (3), index, release
        numbers = post.append_references(references)

    assert numbers == (2, 4)
    assert list(post.references.values_list("order", "title")) == [
        (7, post.references.first().title),
        (8, "The roles of glutamine in the intestine and its implications in intestinal disease"),
        (9, "The role of glutamine in supporting gut health and neuropsychiatric factors"),
        (10, "Healthy diet: 5% of energy & less"),
    ]
    stored = Post.objects.get(pk=post.pk)
    assert stored.body_html.count('class="citation"') == 3  # [4] points at a reference now
    assert stored.updated_at > updated_before  # an editor's open form is told


# --- writing and reading back ------------------------------------------------------

ODD = [
    {
        "authors": "Müller H, Østergaard Ø, Nguyễn VA, 김 민현",
        "title": "Ünïcode – names",
        "journal": "Zeitschrift für Ernährung",
        "year": 2019,
    },
    {
        "authors": "World Health Organization",
        "title": "No DOI, a URL only",
        "url": "https://www.who.int/a_b?x=1&y=%20z",
    },
    {
        "authors": "Smith J Jr, van der Berg J, Kim MH, et al",
        "title": "Pages with an en dash",
        "journal": "J Odd",
        "year": 2001,
        "volume": "3",
        "issue": "S1",
        "pages": "e12–e19",
    },
    {
        "authors": "Doe J",
        "title": 'Symbols: 50% & $5 {braces} #1 "quoted" under_score ~tilde\\',
        "journal": "J & Co",
        "pages": "1051",
    },
    {
        "authors": "Roe R",
        "title": "A title that spans\ntwo lines",
        "year": 1500,
        "pmid": "1",
        "doi": "10.1000/a(b)c_d%e",
    },
]


def stored_references():
    post = PostFactory()
    for order, reference in enumerate([*GLUTAMINE["references"], *ODD]):
        row = Reference(post=post, order=order, **reference)
        row.full_clean()  # as the admin form would have it
        row.save()
    return list(post.references.all())


@pytest.mark.parametrize("write", [bibliography.to_bibtex, bibliography.to_ris])
def test_exported_references_read_back_are_the_same(write):
    original = stored_references()

    references, messages = Reference.read_entries(write(original))

    assert messages == []
    expected = [values(r) for r in original]
    expected[-1]["title"] = "A title that spans two lines"  # one line in a file
    assert [values(r) for r in references] == expected


def test_export_import_into_a_new_post_gives_the_same_references():
    original = stored_references()
    new_post = PostFactory()

    references, _ = Reference.read_entries(bibliography.to_ris(original))
    new_post.append_references(references)

    copied = [values(r) for r in new_post.references.all()]
    assert [c["authors"] for c in copied] == [r.authors for r in original]
    assert [c["doi"] for c in copied] == [r.doi for r in original]


def test_bibtex_is_ascii_with_latex_escapes_and_verbatim_addresses():
    text = bibliography.to_bibtex(stored_references())

    assert text.isascii() or "김" in text  # characters LaTeX cannot name stay as they are
    assert 'M{\\"u}ller' in text
    assert "50\\% \\& \\$5" in text
    assert "pages = {e12--e19}" in text
    assert "url = {https://www.who.int/a_b?x=1&y=%20z}" in text
    assert "doi = {10.1000/a(b)c_d%e}" in text
    assert "@article{deters2021," in text and "@article{kim2017," in text


def test_ris_lines_have_the_standard_shape():
    text = bibliography.to_ris(stored_references())

    first = text.split("ER  - ")[0].strip().splitlines()
    assert first[0] == "TY  - JOUR"
    assert "AU  - Deters, B. J." in first
    assert "SP  - 149" in first and "EP  - 154" in first
    assert "DO  - 10.1016/j.fshw.2021.02.003" in first
    assert not any(line.strip() == "1." for line in text.splitlines())
