"""Site pages in Chromium: an editor adds a page to the footer through the real
admin and a reader finds it there; a reader follows the comment form's consent
link to the privacy policy; the navigation works on a phone; a post and a page
print without the navigation, forms and comments, with the references'
addresses written out."""

import re

import pytest
from playwright.sync_api import expect

from articles.models import Disclaimer, Post
from pages.models import Page
from tests.articles.factories import PostDisclaimerFactory, PostFactory, ReferenceFactory

from .conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POST_URL = "/blog/glutamine-and-gut-health/"
BODY = (
    "We send every order within two working days.\n\n"
    "## Returns\n\n"
    "Unopened products can be returned within **30 days**."
)


def test_editor_adds_a_page_to_the_footer_and_a_reader_opens_it(
    demo, editor_user, new_page, watch, screenshot, admin_login
):
    # A reader has the post page (it is now in the page cache).
    reader = new_page()
    reader.goto(POST_URL)
    footer = reader.get_by_role("navigation", name="Site pages")
    expect(footer.get_by_role("link")).to_have_text(["Privacy policy"])

    # The editor writes the page in the admin.
    editor = admin_login(new_page(viewport={"width": 1280, "height": 900}), editor_user)
    editor.get_by_role("link", name="Pages", exact=True).click()
    expect(editor.get_by_role("heading", level=1)).to_have_text("Select page to change")
    screenshot(editor, "page-admin-list")
    editor.get_by_role("link", name="Add page").click()
    editor.locator("#id_title").press_sequentially("Shipping and returns")
    expect(editor.locator("#id_slug")).to_have_value("shipping-and-returns")
    editor.locator("#id_body").fill(BODY)
    editor.locator("#id_place").select_option("footer")
    editor.locator("#id_order").fill("1")
    # First as a draft: "View on site" previews it; readers see nothing.
    editor.get_by_role("button", name="Save and continue editing").first.click()
    expect(editor.locator(".messagelist .success")).to_contain_text("was added successfully")
    editor.get_by_role("link", name="View on site").click()
    expect(editor).to_have_url(re.compile(r"/pages/shipping-and-returns/$"))
    expect(editor.get_by_role("note")).to_contain_text("This page is a draft")
    expect(editor.get_by_role("main").get_by_role("heading", level=2)).to_have_text("Returns")
    screenshot(editor, "page-preview")
    editor.go_back()
    reader.reload()
    expect(footer.get_by_role("link")).to_have_text(["Privacy policy"])

    # Published: in the footer of every page at once, before the policy (order 1 < 10).
    editor.locator("#id_status").select_option("published")
    screenshot(editor, "page-admin-change", readme=True, full_page=True)
    editor.get_by_role("button", name="Save", exact=True).first.click()
    row = editor.locator("#result_list tr", has_text="Shipping and returns")
    expect(row).to_contain_text("Footer")
    expect(row).to_contain_text("Published")
    assert Page.objects.published().get(slug="shipping-and-returns").place == "footer"

    reader.reload()
    expect(footer.get_by_role("link")).to_have_text(["Shipping and returns", "Privacy policy"])
    footer.get_by_role("link", name="Shipping and returns").click()
    expect(reader).to_have_url(re.compile(r"/pages/shipping-and-returns/$"))
    expect(reader.get_by_role("heading", level=1)).to_have_text("Shipping and returns")
    expect(reader.locator(".page-body strong")).to_have_text("30 days")
    expect(footer.get_by_role("link", name="Shipping and returns")).to_have_attribute(
        "aria-current", "page"
    )
    screenshot(reader, "page-shipping", full_page=True)

    # The page's history keeps both saves (django-reversion).
    editor.goto(f"/admin/pages/page/{Page.objects.get(slug='shipping-and-returns').pk}/history/")
    expect(editor.locator("#change-history tbody tr")).to_have_count(2)
    screenshot(editor, "page-admin-history")

    watch.assert_clean()


def test_reader_follows_the_consent_link_to_the_privacy_policy(demo, new_page, watch, screenshot):
    reader = new_page(viewport={"width": 1280, "height": 900})
    reader.goto(POST_URL)
    form = reader.locator("#comment-form")
    consent = form.get_by_role("checkbox", name=re.compile("I agree that this site stores"))
    # The line under the box describes it to screen readers too.
    expect(consent).to_have_accessible_description(re.compile("seen by the moderators only"))
    line = reader.locator("#id_consent_helptext")
    line.scroll_into_view_if_needed()
    screenshot(reader, "consent-line")

    line.get_by_role("link", name="Privacy policy").click()

    expect(reader).to_have_url(re.compile(r"/pages/privacy/$"))
    expect(reader.get_by_role("heading", level=1)).to_have_text("Privacy policy")
    body = reader.locator(".page-body")
    for heading in ("What the comment form stores", "Who sees it", "How long we keep it"):
        expect(body.get_by_role("heading", name=heading)).to_be_visible()
    expect(body).to_contain_text("days after you sent it")
    expect(body.get_by_role("link", name="Delete my comments")).to_have_attribute(
        "href", "/comments/delete/"
    )
    screenshot(reader, "privacy-policy", readme=True, full_page=True)
    watch.assert_clean()


def test_the_navigation_works_on_a_phone(demo, new_page, watch, screenshot):
    phone = new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    phone.goto(POST_URL)
    about = phone.get_by_role("navigation", name="Main").get_by_role("link", name="About")
    expect(about).to_be_hidden()  # folded away behind the menu button

    toggle = phone.get_by_role("button", name="Toggle navigation")
    toggle.tap()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(about).to_be_visible()
    screenshot(phone, "phone-navigation-open")
    about.tap()

    expect(phone).to_have_url(re.compile(r"/pages/about/$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("About")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width}px wide on a 360px screen"
    screenshot(phone, "phone-about", full_page=True)
    watch.assert_clean()


def _after(page, selector):
    """The ::after content of each element matching ``selector``."""
    return page.eval_on_selector_all(
        selector, "els => els.map(e => getComputedStyle(e, '::after').content)"
    )


@pytest.fixture
def post_with_sources(demo):
    """A post citing a study by DOI and PubMed ID and a web page by its URL."""
    post = PostFactory(
        title="Sleep and Muscle Recovery",
        slug="sleep-and-muscle-recovery",
        body=(
            "Sleep is when muscles rebuild after training.[1] Guidelines agree.[2] [**]\n\n"
            "See also [the NHS page](https://www.nhs.uk/live-well/sleep-and-tiredness/) "
            "and [our glutamine post](/blog/glutamine-and-gut-health/)."
        ),
    )
    ReferenceFactory(
        post=post,
        order=1,
        authors="Dattilo M, Antunes HK",
        title="Sleep and muscle recovery",
        journal="Med Hypotheses",
        year=2011,
        doi="10.1016/j.mehy.2011.04.017",
        pmid="21550729",
    )
    ReferenceFactory(
        post=post,
        order=2,
        authors="Sleep Foundation",
        title="How much sleep do we really need?",
        journal="sleepfoundation.org",
        year=2024,
        url="https://www.sleepfoundation.org/how-sleep-works/how-much-sleep-do-we-really-need",
    )
    PostDisclaimerFactory(post=post, disclaimer=Disclaimer.objects.get(marker="**"))
    return Post.objects.get(pk=post.pk)


def test_a_post_prints_its_text_and_sources_without_the_screen_parts(
    post_with_sources, new_page, watch, screenshot
):
    page = new_page(viewport={"width": 900, "height": 1200})
    page.goto(post_with_sources.get_absolute_url())
    page.emulate_media(media="print")

    for hidden in (
        ".skip-link",
        ".site-header",
        ".site-footer-nav",
        "#comments",
        "#comment-form",
        ".back-link",
        ".reference-downloads",
    ):
        expect(page.locator(hidden).first).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator(".references")).to_be_visible()
    expect(page.locator(".disclaimers")).to_be_visible()
    # The references' DOI and PubMed links write their address out; a plain
    # URL is its own text already, so it is not written twice.
    assert _after(page, ".references a") == [
        '" (https://doi.org/10.1016/j.mehy.2011.04.017)"',
        '" (https://pubmed.ncbi.nlm.nih.gov/21550729/)"',
        "none",
    ]
    # Links in the body to other sites too; links within the site and the
    # citations [1] stay as they are.
    assert _after(page, ".post-body a") == [
        "none",
        "none",
        "none",
        '" (https://www.nhs.uk/live-well/sleep-and-tiredness/)"',
        "none",
    ]
    screenshot(page, "print-post", full_page=True)
    page.pdf(path=ARTIFACTS / "print-post.pdf", format="A4")

    # On screen nothing changed.
    page.emulate_media(media="screen")
    expect(page.locator(".site-header")).to_be_visible()
    assert set(_after(page, ".references a")) == {"none"}
    watch.assert_clean()


def test_a_site_page_prints_with_its_outside_links_written_out(demo, new_page, watch, screenshot):
    policy = Page.objects.get(slug="privacy")
    policy.body += "\n\nRead the regulator's guidance at [ico.org.uk](https://ico.org.uk/)."
    policy.save()
    page = new_page(viewport={"width": 900, "height": 1200})
    page.goto("/pages/privacy/")
    page.emulate_media(media="print")

    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".site-footer-nav")).to_be_hidden()
    outside = _after(page, '.page-body a[href^="https://"]')
    assert outside == ['" (https://ico.org.uk/)"'], outside
    inside = _after(page, '.page-body a[href^="/"]')
    assert set(inside) <= {"none", "normal"}, inside
    screenshot(page, "print-privacy-policy", full_page=True)
    watch.assert_clean()
