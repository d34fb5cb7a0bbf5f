"""References have types: a journal article, a book, a chapter of a book, a
report, a web page. Each is written in its own AMA form (AMA Manual of
Style, 11th ed.) on the post page, exported as its own BibTeX entry type and
RIS TY, and read back from BibTeX and RIS into the same type. An editor adds
one by hand in the post form, or imports it; existing references are
journal articles."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from articles import bibliography
from articles.models import Reference
from tests.admin.forms import submitted
from tests.articles.factories import PostFactory, ReferenceFactory

pytestmark = pytest.mark.django_db

BOOK = {
    "kind": "book",
    "authors": "Fletcher RH, Fletcher SW, Fletcher GS",
    "title": "Clinical Epidemiology: The Essentials",
    "edition": "5th",
    "publisher": "Wolters Kluwer/Lippincott Williams & Wilkins",
    "year": 2014,
}
EDITED_BOOK = {
    "kind": "book",
    "editors": "Lowe R, Sullivan P",
    "title": "Nutrition in Gut Disease",
    "edition": "2nd",
    "publisher": "Academic Press",
    "year": 2019,
}
CHAPTER = {
    "kind": "chapter",
    "authors": "Solensky R",
    "title": "Drug allergy: desensitization and treatment of reactions to antibiotics",
    "editors": "Lockey P",
    "book_title": "Allergens and Allergen Immunotherapy",
    "edition": "3rd",
    "publisher": "Marcel Dekker",
    "year": 2004,
    "pages": "585-606",
}
REPORT = {
    "kind": "report",
    "authors": "National Center for Health Statistics",
    "title": "Health, United States, 2019",
    "publisher": "US Dept of Health and Human Services",
    "report_number": "DHHS Publication No. 2021-1232",
    "year": 2021,
    "url": "https://www.cdc.gov/nchs/hus/index.htm",
    "accessed": dt.date(2022, 5, 2),
}
WEBPAGE = {
    "kind": "webpage",
    "authors": "World Health Organization",
    "title": "Healthy diet",
    "journal": "WHO Fact Sheets",
    "year": 2020,
    "url": "https://www.who.int/news-room/fact-sheets/detail/healthy-diet",
    "accessed": dt.date(2026, 3, 12),
}
ARTICLE = {
    "authors": "Kim MH, Kim H",
    "title": "The roles of glutamine in the intestine",
    "journal": "Int J Mol Sci",
    "year": 2017,
    "volume": "18",
    "issue": "5",
    "pages": "1051",
    "doi": "10.3390/ijms18051051",
    "pmid": "28498331",
}


def cleaned(**fields):
    reference = Reference(**fields)
    reference.full_clean(exclude=["post", "order"])
    return reference


# --- AMA, each type in its own form -------------------------------------------


def test_a_book_is_written_as_a_book_not_as_a_journal():
    assert cleaned(**BOOK).ama() == (
        "Fletcher RH, Fletcher SW, Fletcher GS. <i>Clinical Epidemiology: The Essentials</i>. "
        "5th ed. Wolters Kluwer/Lippincott Williams &amp; Wilkins; 2014."
    )


def test_an_edited_book_starts_with_its_editors():
    assert cleaned(**EDITED_BOOK).ama() == (
        "Lowe R, Sullivan P, eds. <i>Nutrition in Gut Disease</i>. 2nd ed. Academic Press; 2019."
    )


def test_a_chapter_names_its_book_editors_and_pages():
    assert cleaned(**CHAPTER).ama() == (
        "Solensky R. Drug allergy: desensitization and treatment of reactions to "
        "antibiotics. In: Lockey P, ed. <i>Allergens and Allergen Immunotherapy</i>. "
        "3rd ed. Marcel Dekker; 2004:585-606."
    )


def test_a_report_gives_its_number_and_when_it_was_read():
    assert cleaned(**REPORT).ama() == (
        "National Center for Health Statistics. <i>Health, United States, 2019</i>. "
        "US Dept of Health and Human Services; 2021. DHHS Publication No. 2021-1232. "
        "Accessed May 2, 2022. "
        '<a href="https://www.cdc.gov/nchs/hus/index.htm">https://www.cdc.gov/nchs/hus/index.htm</a>'
    )


def test_a_web_page_gives_its_website_and_when_it_was_read():
    url = WEBPAGE["url"]
    assert cleaned(**WEBPAGE).ama() == (
        "World Health Organization. Healthy diet. WHO Fact Sheets. Published 2020. "
        f'Accessed March 12, 2026. <a href="{url}">{url}</a>'
    )


def test_a_journal_article_is_written_as_before():
    assert cleaned(**ARTICLE).ama() == (
        "Kim MH, Kim H. The roles of glutamine in the intestine. <i>Int J Mol Sci</i>. "
        '2017;18(5):1051. doi:<a href="https://doi.org/10.3390/ijms18051051">'
        "10.3390/ijms18051051</a> "
        'PMID: <a href="https://pubmed.ncbi.nlm.nih.gov/28498331/">28498331</a>'
    )


def test_a_title_ending_in_a_question_mark_gets_no_period():
    html = cleaned(**{**BOOK, "title": "Does Glutamine Work?"}).ama()

    assert "<i>Does Glutamine Work?</i> 5th ed." in html


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        ("2", "2nd", "2nd ed."),
        ("2nd ed.", "2nd", "2nd ed."),
        ("Second edition", "2nd", "2nd ed."),
        ("11", "11th", "11th ed."),
        ("23", "23rd", "23rd ed."),
        ("Rev", "Rev", "Rev ed."),
        ("1st", "1st", None),  # AMA gives no first edition
    ],
)
def test_editions_are_numbered_as_ama_numbers_them(typed, stored, shown):
    book = cleaned(**{**BOOK, "edition": typed})

    assert book.edition == stored
    if shown:
        assert f"</i>. {shown} Wolters" in book.ama()
    else:
        assert "</i>. Wolters" in book.ama()


# --- what each type needs, and keeps -----------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({**CHAPTER, "book_title": ""}, "book_title", "required for a book chapter"),
        ({**WEBPAGE, "url": ""}, "url", "required for a web page"),
        ({**BOOK, "authors": ""}, "authors", "required for a book (or give its editors)"),
        ({**ARTICLE, "authors": ""}, "authors", "required for a journal article"),
        ({**REPORT, "authors": ""}, "authors", "required for a report"),
    ],
)
def test_each_type_says_what_it_cannot_do_without(fields, field, message):
    with pytest.raises(ValidationError) as caught:
        cleaned(**fields)

    assert message in " ".join(caught.value.message_dict[field])


def test_a_missing_title_is_named_once():
    references, messages = Reference.read_entries("@book{k, author={Doe, J}, title={}}")

    assert messages == ["Entry 1 (line 1, k): it has no title."]


def test_a_web_page_may_have_no_author_and_an_edited_book_no_author():
    assert cleaned(**{**WEBPAGE, "authors": ""}).ama().startswith("Healthy diet. WHO Fact")
    assert cleaned(**EDITED_BOOK).authors == ""


def test_a_type_keeps_only_the_fields_it_uses():
    """An editor who turns an article into a book: what a book has no place
    for is not kept out of sight (the form shows only the book's fields)."""
    book = cleaned(**{**ARTICLE, **BOOK, "book_title": "Hidden", "accessed": dt.date(2020, 1, 1)})

    assert (book.journal, book.volume, book.issue, book.pages) == ("", "", "", "")
    assert (book.book_title, book.accessed) == ("", None)
    assert (book.doi, book.pmid) == (ARTICLE["doi"], ARTICLE["pmid"])  # a book may have both


# --- the admin: a book added by hand ------------------------------------------------


def change_url(post):
    return reverse("admin:articles_post_change", args=[post.pk])


def add_row(data, **fields):
    n = int(data["references-TOTAL_FORMS"][0])
    data["references-TOTAL_FORMS"] = [str(n + 1)]
    for key, value in fields.items():
        data[f"references-{n}-{key}"] = [str(value)]


def test_the_reference_form_offers_the_types_and_the_fields_each_uses(editor_client):
    post = PostFactory()
    ReferenceFactory(post=post)

    html = editor_client.get(change_url(post)).text

    assert '<select name="references-0-kind" class="reference-kind"' in html
    for value, label in [
        ("article", "journal article"),
        ("book", "book"),
        ("chapter", "book chapter"),
        ("report", "report"),
        ("webpage", "web page"),
    ]:
        assert f'<option value="{value}"' in html and f">{label}</option>" in html
    assert "data-fields=" in html and "book_title" in html
    assert "articles/admin/reference-types.js" in html
    for name in ("editors", "book_title", "publisher", "edition", "report_number", "accessed"):
        assert f'name="references-0-{name}"' in html


def test_an_editor_adds_a_book_by_hand_and_readers_see_and_download_a_book(editor_client, client):
    post = PostFactory(body="Claim.[1] Another.[2]")
    ReferenceFactory(post=post, order=1, **ARTICLE)
    data = submitted(editor_client.get(change_url(post)).text, "post_form")
    add_row(data, order=2, **BOOK)
    data["_continue"] = ["Save and continue editing"]

    response = editor_client.post(change_url(post), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    book = post.references.get(order=2)
    assert (book.kind, book.publisher, book.edition) == (
        "book",
        BOOK["publisher"],
        "5th",
    )
    # The form shows it back as a book.
    form = editor_client.get(response["Location"]).text
    assert '<option value="book" selected>book</option>' in form
    # Readers: the page, and both downloads.
    page = client.get(post.get_absolute_url()).text
    assert (
        "Fletcher RH, Fletcher SW, Fletcher GS. <i>Clinical Epidemiology: The Essentials</i>. "
        "5th ed. Wolters Kluwer/Lippincott Williams &amp; Wilkins; 2014."
    ) in page
    bib = client.get(reverse("articles:references_bibtex", args=[post.slug])).text
    assert "@book{fletcher2014," in bib
    assert "publisher = {Wolters Kluwer/Lippincott Williams \\& Wilkins}" in bib
    assert "edition = {5th}" in bib
    assert "journal" not in bib.split("@book")[1]
    ris = client.get(reverse("articles:references_ris", args=[post.slug])).text
    book_record = ris.split("TY  - BOOK")[1].split("ER  -")[0]
    assert "PB  - Wolters Kluwer/Lippincott Williams & Wilkins" in book_record
    assert "ET  - 5th" in book_record
    assert "JO  -" not in book_record


def test_an_editor_saving_a_post_unchanged_keeps_its_references_as_they_were(editor_client):
    post = PostFactory(body="[1][2][3]")
    for order, fields in enumerate([ARTICLE, CHAPTER, WEBPAGE]):
        ReferenceFactory(post=post, order=order, **{"volume": "", "pages": "", **fields})
    before = list(post.references.values())
    data = submitted(editor_client.get(change_url(post)).text, "post_form")
    data["_save"] = ["Save"]

    response = editor_client.post(change_url(post), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    assert list(post.references.values()) == before


def test_a_stored_doi_the_rule_now_refuses_is_shown_on_its_row_when_the_post_is_saved(
    editor_client,
):
    post = PostFactory(body="[1]")
    reference = ReferenceFactory(post=post, **ARTICLE)
    Reference.objects.filter(pk=reference.pk).update(doi="10.1234/x},title={INJECTED},note={")
    data = submitted(editor_client.get(change_url(post)).text, "post_form")
    data["_save"] = ["Save"]

    response = editor_client.post(change_url(post), data)

    assert response.status_code == 200
    assert "a DOI cannot contain “}”" in response.text
    assert "10.1234/x},title={INJECTED},note={" in response.text  # kept for the editor


def test_a_form_sent_without_a_type_adds_a_journal_article(editor_client, editor):
    """Scripts written before references had types send no ``kind``."""
    from tests.articles.test_admin import ADD_URL, REFERENCE, post_data

    response = editor_client.post(ADD_URL, post_data(editor, references=[REFERENCE]))

    assert response.status_code == 302
    assert Reference.objects.get().kind == "article"


# --- import: each entry into its type ------------------------------------------------

BOOK_BIBTEX = r"""@book{fletcher2014,
  author    = {Fletcher, Robert H. and Fletcher, Suzanne W. and Fletcher, Grant S.},
  title     = {Clinical Epidemiology: The Essentials},
  edition   = {Fifth},
  publisher = {Wolters Kluwer/Lippincott Williams {\&} Wilkins},
  address   = {Philadelphia},
  year      = {2014}
}
"""

FOUR_RIS = """\
TY  - BOOK
A3  - Lowe, Rachel
A3  - Sullivan, Paul
TI  - Nutrition in Gut Disease
ET  - 2nd ed.
PB  - Academic Press
CY  - London
PY  - 2019
ER  -

TY  - CHAP
AU  - Solensky, Roland
TI  - Drug allergy: desensitization and treatment of reactions to antibiotics
A2  - Lockey, P.
T2  - Allergens and Allergen Immunotherapy
ET  - 3
PB  - Marcel Dekker
PY  - 2004
SP  - 585
EP  - 606
ER  -

TY  - RPRT
AU  - National Center for Health Statistics
TI  - Health, United States, 2019
PB  - US Dept of Health and Human Services
SN  - DHHS Publication No. 2021-1232
PY  - 2021
UR  - https://www.cdc.gov/nchs/hus/index.htm
Y2  - 2022/05/02/
ER  -

TY  - ELEC
AU  - World Health Organization
TI  - Healthy diet
T2  - WHO Fact Sheets
PY  - 2020
UR  - https://www.who.int/news-room/fact-sheets/detail/healthy-diet
Y2  - 2026/03/12/
ER  -
"""

TYPED = [
    "kind", "authors", "editors", "title", "journal", "book_title", "edition", "publisher",
    "report_number", "year", "volume", "issue", "pages", "doi", "pmid", "url", "accessed",
]  # fmt: skip


def values(reference):
    return {name: getattr(reference, name) for name in TYPED}


def test_an_imported_book_is_a_book():
    [book], messages = Reference.read_entries(BOOK_BIBTEX)

    assert messages == []
    assert values(book) == values(cleaned(**BOOK))  # AMA 11 gives no place: no address


def test_imported_ris_books_chapters_reports_and_web_pages_keep_their_types():
    references, messages = Reference.read_entries(FOUR_RIS)

    assert messages == []
    assert [values(r) for r in references] == [
        values(cleaned(**fields)) for fields in (EDITED_BOOK, CHAPTER, REPORT, WEBPAGE)
    ]


@pytest.mark.parametrize(
    ("entry", "kind"),
    [
        ("@incollection{k, author={A, B}, title={T}, booktitle={Book}}", "chapter"),
        ("@inbook{k, author={A, B}, title={T}, booktitle={Book}}", "chapter"),
        ("@inbook{k, author={A, B}, title={T}, chapter={3}}", "book"),
        ("@inproceedings{k, author={A, B}, title={T}, booktitle={Proc}}", "chapter"),
        ("@techreport{k, author={A, B}, title={T}, institution={I}, number={7}}", "report"),
        ("@phdthesis{k, author={A, B}, title={T}, school={U}}", "report"),
        ("@online{k, author={A, B}, title={T}, url={https://x.org}, urldate={2026-01-02}}",
         "webpage"),
        ("@misc{k, author={A, B}, title={T}, url={https://x.org}}", "webpage"),
        ("@misc{k, author={A, B}, title={T}, howpublished={\\url{https://x.org}}}", "webpage"),
        ("@misc{k, author={A, B}, title={T}, journal={J}}", "article"),
        ("@article{k, author={A, B}, title={T}, journal={J}}", "article"),
    ],
)  # fmt: skip
def test_bibtex_entry_types_become_our_types(entry, kind):
    references, messages = Reference.read_entries(entry)

    assert messages == []
    assert references[0].kind == kind


@pytest.mark.parametrize(
    ("ty", "kind"),
    [
        ("JOUR", "article"), ("EJOUR", "article"), ("BOOK", "book"), ("EBOOK", "book"),
        ("EDBOOK", "book"), ("CHAP", "chapter"), ("ECHAP", "chapter"), ("RPRT", "report"),
        ("GOVDOC", "report"), ("ELEC", "webpage"), ("BLOG", "webpage"),
    ],
)  # fmt: skip
def test_ris_types_become_our_types(ty, kind):
    text = (
        f"TY  - {ty}\nAU  - Doe, Jane\nTI  - A title\nT2  - A book\nUR  - https://x.org\nER  - \n"
    )

    references, messages = Reference.read_entries(text)

    assert messages == []
    assert references[0].kind == kind


def test_an_entry_s_accessed_date_that_is_no_date_is_named():
    text = "TY  - ELEC\nTI  - A page\nUR  - https://x.org\nY2  - last Tuesday\nER  - \n"

    references, messages = Reference.read_entries(text)

    assert references == []
    assert messages == [
        "Entry 1 (line 1, A page): its accessed date “last Tuesday” is not a date such as "
        "2026-03-12."
    ]


@pytest.mark.parametrize("write", [bibliography.to_bibtex, bibliography.to_ris])
def test_each_type_read_back_from_a_download_is_the_same(write):
    post = PostFactory()
    stored = []
    for order, fields in enumerate([ARTICLE, BOOK, EDITED_BOOK, CHAPTER, REPORT, WEBPAGE]):
        reference = cleaned(**fields)
        reference.post, reference.order = post, order
        reference.save()
        stored.append(reference)

    references, messages = Reference.read_entries(write(post.references.all()))

    assert messages == []
    assert [values(r) for r in references] == [values(r) for r in stored]


def test_each_type_is_exported_as_its_own_bibtex_and_ris_type():
    references = [cleaned(**f) for f in (ARTICLE, BOOK, CHAPTER, REPORT, WEBPAGE)]

    bib = bibliography.to_bibtex(references)
    ris = bibliography.to_ris(references)

    assert [line.split("{")[0] for line in bib.splitlines() if line.startswith("@")] == [
        "@article",
        "@book",
        "@incollection",
        "@techreport",
        "@misc",
    ]
    assert [line for line in ris.splitlines() if line.startswith("TY  -")] == [
        "TY  - JOUR",
        "TY  - BOOK",
        "TY  - CHAP",
        "TY  - RPRT",
        "TY  - ELEC",
    ]
    assert "booktitle = {Allergens and Allergen Immunotherapy}" in bib
    assert "institution = {US Dept of Health and Human Services}" in bib
    assert "number = {DHHS Publication No. 2021-1232}" in bib
    assert "urldate = {2026-03-12}" in bib
    assert "howpublished = {WHO Fact Sheets}" in bib
    assert "T2  - Allergens and Allergen Immunotherapy" in ris
    assert "A2  - Lockey, P." in ris
    assert "SN  - DHHS Publication No. 2021-1232" in ris
    assert "Y2  - 2026/03/12/" in ris


def test_the_import_preview_shows_a_book_as_a_book(editor_client):
    post = PostFactory()
    url = reverse("admin:articles_post_import_references", args=[post.pk])

    response = editor_client.post(url, {"text": BOOK_BIBTEX, "preview": "Preview"})

    assert "<i>Clinical Epidemiology: The Essentials</i>. 5th ed. Wolters" in response.text


def test_a_revision_shows_each_reference_in_its_own_form(editor_client):
    from articles import revisions

    post = PostFactory(body="[1]")
    ReferenceFactory(post=post, **{"volume": "", "pages": "", **CHAPTER})
    revisions.record(post, None, "Saved.")

    [version] = revisions.versions_of(post)
    [snapshot] = revisions.snapshots(post, [version.pk]).values()

    assert snapshot.references == [
        "Solensky R. Drug allergy: desensitization and treatment of reactions to antibiotics. "
        "In: Lockey P, ed. Allergens and Allergen Immunotherapy. 3rd ed. Marcel Dekker; "
        "2004:585-606."
    ]


# --- existing references --------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_existing_references_become_journal_articles():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    # Found by name, whatever number a merge gives them.
    graph = MigrationExecutor(connection).loader.graph
    [node] = [n for n in graph.nodes if n[0] == "articles" and n[1].endswith("_reference_types")]
    own = [n for n in graph.forwards_plan(node) if n[0] == "articles"]
    before, after = [own[-2]], [node]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    author = old.get_model("auth", "User").objects.create(username="old-author")
    post = old.get_model("articles", "Post").objects.create(
        title="Old", slug="old", body="[1]", author_id=author.pk
    )
    old.get_model("articles", "Reference").objects.create(
        post=post, authors="Doe J", title="An old study", journal="J Old", year=2001
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)

    migrated = executor.loader.project_state(after).apps.get_model("articles", "Reference")
    reference = migrated.objects.get()
    # Every app's latest again: the tests after this one need the whole schema
    # (a later articles migration, and the apps that depend on articles).
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert (reference.kind, reference.journal, reference.editors, reference.accessed) == (
        "article",
        "J Old",
        "",
        None,
    )
