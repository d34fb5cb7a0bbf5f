"""References in and out, in Chromium: an editor imports three references
from BibTeX into a post, writes with the live preview beside the Markdown
(a citation appears, a wrong one is an error), saves, and finds the "Edit
this post" link on the page; a reader downloads the post's RIS file."""

import json

import pytest
from playwright.sync_api import expect

from articles.models import Post, Reference

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BIBTEX = r"""@article{slavin2013,
  author  = {Slavin, Joanne},
  title   = {Fiber and prebiotics: mechanisms and health benefits},
  journal = {Nutrients},
  year    = {2013},
  volume  = {5},
  number  = {4},
  pages   = {1417--1435},
  doi     = {10.3390/nu5041417}
}
@article{makki2018,
  author  = {Makki, Kassem and Deehan, Edward C. and Walter, Jens and B{\"a}ckhed, Fredrik},
  title   = {The impact of dietary fiber on gut microbiota in host health and disease},
  journal = {Cell Host Microbe},
  year    = {2018},
  volume  = {23},
  number  = {6},
  pages   = {705--715},
  doi     = {https://doi.org/10.1016/j.chom.2018.05.012},
  pmid    = {29902436}
}
@misc{who2023,
  author = {{World Health Organization}},
  title  = {Carbohydrate intake for adults and children},
  year   = {2023},
  url    = {https://www.who.int/publications/i/item/9789240073593}
}
"""


def test_editor_imports_references_writes_with_the_live_preview_and_saves(
    demo, editor_user, new_page, watch, screenshot, admin_login
):
    page = admin_login(new_page(viewport={"width": 1400, "height": 1000}), editor_user)
    post = Post.objects.get(slug="fiber-why-your-gut-needs-more")
    page.goto(f"/admin/articles/post/{post.pk}/change/")

    # Import: paste, preview, confirm.
    page.get_by_role("link", name="Import references").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Import references into")
    page.get_by_label("BibTeX or RIS:").fill(BIBTEX)
    page.get_by_role("button", name="Preview").click()
    preview = page.locator(".import-preview li")
    expect(preview).to_have_count(3)
    expect(preview.nth(1)).to_contain_text("Makki K, Deehan EC, Walter J, Bäckhed F.")
    expect(preview.nth(1)).to_contain_text("doi:10.1016/j.chom.2018.05.012")
    expect(preview.nth(2)).to_contain_text("World Health Organization.")
    assert Reference.objects.filter(post=post).count() == 0  # nothing yet
    screenshot(page, "references-import", readme=True, full_page=True)
    page.get_by_role("button", name="Import 3 references").click()

    expect(page.locator(".messagelist .success")).to_have_text("Imported 3 references as [1]–[3].")
    expect(page.locator("#id_references-0-authors")).to_have_value("Slavin J")
    expect(page.locator("#id_references-1-doi")).to_have_value("10.1016/j.chom.2018.05.012")
    expect(page.locator("#id_references-2-url")).to_have_value(
        "https://www.who.int/publications/i/item/9789240073593"
    )

    # The live preview: the body as readers will see it, updated while typing.
    panel = page.locator(".body-preview")
    expect(panel).to_be_visible()
    expect(panel.locator(".body-preview-status")).to_have_text("Up to date")
    body = page.locator("#id_body")
    body.press("End")
    body.press("Control+End")
    body.press_sequentially(" Fiber feeds the bacteria that line the gut.[2]", delay=5)
    citation = panel.locator("sup.citation a", has_text="[2]")
    expect(citation).to_have_attribute("href", "#ref-2")

    body.press_sequentially(" See also [5].", delay=5)
    errors = panel.locator(".body-preview-errors li")
    expect(errors).to_have_text(
        [
            "The body cites [5] but the post has only 3 references. Add the reference or "
            "correct the number."
        ]
    )
    expect(panel).to_contain_text("See also [5].")  # left as typed, not a dead link
    body.scroll_into_view_if_needed()
    screenshot(page, "live-preview", readme=True)

    # Corrected to a reference the post has: the error goes.
    for _ in range(len(" See also [5].")):
        body.press("Backspace")
    body.press_sequentially(" See also [3].", delay=5)
    expect(panel.locator("sup.citation a", has_text="[3]")).to_have_attribute("href", "#ref-3")
    expect(errors).to_have_count(0)
    expect(panel.locator(".body-preview-content")).to_contain_text("See also [3].")
    expect(panel.locator(".body-preview-status")).to_have_text("Up to date")

    page.get_by_role("button", name="Save", exact=True).first.click()
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")

    stored = Post.objects.get(pk=post.pk)
    assert stored.body.endswith("line the gut.[2] See also [3].")
    assert 'href="#ref-2"' in stored.body_html and 'href="#ref-3"' in stored.body_html
    assert list(stored.references.values_list("authors", flat=True)) == [
        "Slavin J",
        "Makki K, Deehan EC, Walter J, Bäckhed F",
        "World Health Organization",
    ]

    # On the public page, staff get a way back to the form.
    page.goto(stored.get_absolute_url())
    expect(page.locator("#ref-2")).to_contain_text("Makki K, Deehan EC, Walter J, Bäckhed F.")
    page.get_by_role("link", name="Edit this post").click()
    expect(page.locator("#id_title")).to_have_value(stored.title)
    watch.assert_clean()


def test_reader_downloads_the_ris_file_from_the_post_page(
    demo, new_page, watch, screenshot, tmp_path
):
    page = new_page()
    page.goto("/blog/glutamine-and-gut-health/")
    downloads = page.locator(".reference-downloads")
    downloads.scroll_into_view_if_needed()
    expect(downloads).to_contain_text("Download these references")
    expect(page.get_by_text("Edit this post")).to_have_count(0)
    screenshot(page, "references-downloads")

    with page.expect_download() as caught:
        downloads.get_by_role("link", name="RIS").click()
    download = caught.value
    assert download.suggested_filename == "glutamine-and-gut-health-references.ris"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("TY  - JOUR\nAU  - Deters, B. J.\nAU  - Saleem, M.\n")
    assert "DO  - 10.1016/j.fshw.2021.02.003" in text
    assert "DO  - 10.3390/ijms18051051" in text
    assert "AN  - 28498331" in text

    # What a reference manager would make of it: the post's own references.
    references, messages = Reference.read_entries(text)
    assert messages == []
    assert [r.ama() for r in references] == [
        r.ama() for r in Post.objects.get(slug="glutamine-and-gut-health").references.all()
    ]

    # The page's JSON-LD is there, read by the browser as data (the CSP lets
    # a data block be; watch.assert_clean checks nothing was blocked).
    data = json.loads(page.locator('script[type="application/ld+json"]').text_content())
    assert data["@type"] == "BlogPosting"
    assert [c["url"] for c in data["citation"]] == [
        "https://doi.org/10.1016/j.fshw.2021.02.003",
        "https://doi.org/10.3390/ijms18051051",
    ]
    watch.assert_clean()
