"""A reader in Chromium: the blog index, the glutamine post, its references
and disclaimer, in-page links, the Content-Security-Policy, and a phone."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DETERS = (
    "Deters BJ, Saleem M. The role of glutamine in supporting gut health and "
    "neuropsychiatric factors. Food Science and Human Wellness. 2021;10(2):149-154. "
    "doi:10.1016/j.fshw.2021.02.003"
)
KIM = (
    "Kim MH, Kim H. The roles of glutamine in the intestine and its implications "
    "in intestinal disease. Int J Mol Sci. 2017;18(5):1051. doi:10.3390/ijms18051051 "
    "PMID: 28498331"
)
FDA = (
    "** These statements have not been evaluated by the Food and Drug Administration. "
    "This product is not intended to diagnose, treat, cure, or prevent any disease."
)


def target_id(page):
    return page.evaluate("document.querySelector(':target')?.id ?? null")


def test_reader_follows_the_glutamine_post_its_references_and_disclaimer(
    demo, page, watch, screenshot
):
    page.goto("/")
    expect(page).to_have_url("/blog/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Blog")
    screenshot(page, "index", full_page=True)

    page.get_by_role("link", name="Glutamine and Gut Health").click()

    expect(page).to_have_url("/blog/glutamine-and-gut-health/")
    expect(page).to_have_title("Glutamine and Gut Health · glutablog")
    expect(page.get_by_role("heading", level=1)).to_have_text("Glutamine and Gut Health")
    expect(page.get_by_role("heading", name="What is glutamine?")).to_be_visible()

    references = page.locator("section.references li")
    expect(references).to_have_text([DETERS, KIM])
    expect(page.locator("#ref-1")).to_be_visible()
    expect(page.locator("#ref-2")).to_be_visible()
    disclaimer = page.locator("#disclaimer-1")
    expect(disclaimer).to_have_text(FDA)
    expect(disclaimer).to_be_visible()
    expect(page.get_by_role("link", name="Back to blog")).to_have_attribute("href", "/blog/")
    # For the README: the page as a reader first sees it (nothing highlighted yet).
    screenshot(page, "post", readme=True, full_page=True)

    # The citation [1] jumps down to the first reference.
    reference = page.locator("#ref-1")
    expect(reference).not_to_be_in_viewport()
    page.locator("sup.citation a", has_text="[1]").click()
    page.wait_for_url("**/#ref-1")
    assert target_id(page) == "ref-1"
    expect(reference).to_be_in_viewport()
    assert page.evaluate("window.scrollY") > 0

    # The ** after the last paragraph jumps to the FDA statement.
    page.evaluate("window.scrollTo(0, 0)")
    expect(disclaimer).not_to_be_in_viewport()
    marker = page.locator("sup.disclaimer-marker a")
    expect(marker).to_have_text("**")
    marker.click()
    page.wait_for_url("**/#disclaimer-1")
    assert target_id(page) == "disclaimer-1"
    expect(disclaimer).to_be_in_viewport()
    watch.assert_clean()


@pytest.mark.parametrize(
    "path", ["/blog/", "/blog/glutamine-and-gut-health/"], ids=["index", "post"]
)
def test_pages_fit_a_phone(demo, new_page, watch, screenshot, path):
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    size = page.evaluate(
        "({scroll: document.scrollingElement.scrollWidth, inner: window.innerWidth})"
    )
    assert size["scroll"] <= size["inner"], f"horizontal scroll on a phone: {size}"
    screenshot(page, f"phone-{'index' if path == '/blog/' else 'post'}", full_page=True)

    # The menu folds into a button that opens it (Bootstrap's script, under the CSP).
    feed = page.get_by_role("navigation", name="Main").get_by_role("link", name="Feed")
    expect(feed).to_be_hidden()
    page.get_by_role("button", name="Toggle navigation").click()
    expect(feed).to_be_visible()
    watch.assert_clean()


def test_the_watch_sees_a_csp_violation(demo, page, watch):
    """The CSP check above would notice: an inline script is refused and reported."""
    page.goto("/blog/")
    page.evaluate(
        """() => {
          const s = document.createElement("script");
          s.textContent = "window.inlineRan = true";
          document.body.append(s);
        }"""
    )
    assert page.evaluate("window.inlineRan === undefined"), "an inline script ran"
    for _ in range(20):  # the report arrives through Playwright's event loop
        if watch.csp_problems():
            break
        page.wait_for_timeout(50)
    assert watch.csp_problems(), "the refused inline script went unreported"
    with pytest.raises(AssertionError, match="Content-Security-Policy"):
        watch.assert_clean()
