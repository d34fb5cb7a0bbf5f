"""References of every type, in Chromium: an editor adds a book by hand in
the post form (choosing "book" shows the book's fields and hides the
journal's), imports a @book and RIS BOOK, CHAP, RPRT and ELEC entries, finds
each row showing its own fields, and a reader sees each in its own AMA form
and downloads them in their own BibTeX and RIS types."""

import pytest
from playwright.sync_api import expect

from articles.models import Post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IMPORT = """\
TY  - BOOK
AU  - Fletcher, Robert H.
AU  - Fletcher, Suzanne W.
TI  - Clinical Epidemiology: The Essentials
ET  - 5
PB  - Wolters Kluwer
PY  - 2014
ER  -

TY  - CHAP
AU  - Solensky, Roland
TI  - Drug allergy: desensitization and treatment of reactions to antibiotics
A2  - Lockey, P.
T2  - Allergens and Allergen Immunotherapy
ET  - 3rd
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


def visible(row, name):
    return row.locator(f".field-{name}").first


def test_editor_adds_a_book_by_hand_and_imports_every_type_readers_see_and_download_them(
    demo, editor_user, new_page, watch, screenshot, admin_login, tmp_path
):
    page = admin_login(new_page(viewport={"width": 1400, "height": 1000}), editor_user)
    post = Post.objects.get(slug="glutamine-and-gut-health")
    page.goto(f"/admin/articles/post/{post.pk}/change/")

    # An existing journal article shows the journal's fields only.
    first = page.locator("#references-0")
    expect(first.get_by_label("Type:")).to_have_value("article")
    expect(first.get_by_label("Journal:")).to_be_visible()
    expect(first.get_by_label("Editors:")).to_be_hidden()
    expect(first.get_by_label("Title of the book:")).to_be_hidden()

    # A new row: a book.
    page.get_by_role("button", name="Add another Reference").click()
    row = page.locator("#references-2")
    row.get_by_label("Type:").select_option("book")
    expect(row.get_by_label("Editors:")).to_be_visible()
    expect(row.get_by_label("Edition:")).to_be_visible()
    expect(row.get_by_label("Publisher:")).to_be_visible()
    for hidden in ("Journal:", "Volume:", "Issue:", "Pages:", "Title of the book:", "Accessed:"):
        expect(row.get_by_label(hidden)).to_be_hidden()
    row.get_by_label("Order:").fill("3")
    row.get_by_label("Authors:").fill("Guyton AC, Hall JE")
    row.get_by_label("Title:", exact=True).fill("Textbook of Medical Physiology")
    row.get_by_label("Edition:").fill("11")
    row.get_by_label("Publisher:").fill("Elsevier Saunders")
    row.get_by_label("Year:").fill("2006")
    # A chapter names its title "chapter title"; back to a book, "title".
    row.get_by_label("Type:").select_option("chapter")
    expect(row.get_by_label("Chapter title:")).to_have_value("Textbook of Medical Physiology")
    expect(row.get_by_label("Title of the book:")).to_be_visible()
    row.get_by_label("Type:").select_option("book")
    expect(row.get_by_label("Title:", exact=True)).to_be_visible()
    row.scroll_into_view_if_needed()
    screenshot(page, "reference-book-by-hand")
    page.get_by_role("button", name="Save and continue editing").first.click()
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
    expect(page.locator("#references-2").get_by_label("Type:")).to_have_value("book")
    expect(page.locator("#references-2").get_by_label("Journal:")).to_be_hidden()

    # Import a book, a chapter, a report and a web page.
    page.get_by_role("link", name="Import references").click()
    page.get_by_label("BibTeX or RIS:").fill(IMPORT)
    page.get_by_role("button", name="Preview").click()
    preview = page.locator(".import-preview li")
    expect(preview).to_have_count(4)
    expect(preview.nth(0).locator("i")).to_have_text("Clinical Epidemiology: The Essentials")
    expect(preview.nth(1)).to_contain_text("In: Lockey P, ed.")
    page.get_by_role("button", name="Import 4 references").click()
    expect(page.locator(".messagelist .success")).to_have_text("Imported 4 references as [4]–[7].")
    chapter = page.locator("#references-4")
    expect(chapter.get_by_label("Type:")).to_have_value("chapter")
    expect(chapter.get_by_label("Chapter title:")).to_be_visible()
    expect(chapter.get_by_label("Title of the book:")).to_have_value(
        "Allergens and Allergen Immunotherapy"
    )
    web = page.locator("#references-6")
    expect(web.get_by_label("Website:")).to_have_value("WHO Fact Sheets")
    expect(web.get_by_label("Accessed:")).to_have_value("2026-03-12")
    expect(web.get_by_label("Volume:")).to_be_hidden()

    # Readers: each in its own form.
    page.goto(post.get_absolute_url())
    expect(page.locator("#ref-3")).to_contain_text(
        "Guyton AC, Hall JE. Textbook of Medical Physiology. 11th ed. Elsevier Saunders; 2006."
    )
    expect(page.locator("#ref-3 i")).to_have_text("Textbook of Medical Physiology")
    expect(page.locator("#ref-5")).to_contain_text(
        "In: Lockey P, ed. Allergens and Allergen Immunotherapy. 3rd ed. Marcel Dekker; "
        "2004:585-606."
    )
    expect(page.locator("#ref-6")).to_contain_text(
        "DHHS Publication No. 2021-1232. Accessed May 2"
    )
    expect(page.locator("#ref-7")).to_contain_text(
        "Healthy diet. WHO Fact Sheets. Published 2020. Accessed March 12, 2026."
    )
    page.locator(".reference-downloads").scroll_into_view_if_needed()
    screenshot(page, "references-of-every-type")

    texts = {}
    for name in ("RIS", "BibTeX"):
        with page.expect_download() as caught:
            page.locator(".reference-downloads").get_by_role("link", name=name).click()
        path = tmp_path / caught.value.suggested_filename
        caught.value.save_as(path)
        texts[name] = path.read_text(encoding="utf-8")
    assert [line for line in texts["RIS"].splitlines() if line.startswith("TY  -")] == [
        "TY  - JOUR",
        "TY  - JOUR",
        "TY  - BOOK",
        "TY  - BOOK",
        "TY  - CHAP",
        "TY  - RPRT",
        "TY  - ELEC",
    ]
    assert [
        line.split("{")[0] for line in texts["BibTeX"].splitlines() if line.startswith("@")
    ] == ["@article", "@article", "@book", "@book", "@incollection", "@techreport", "@misc"]
    watch.assert_clean()
