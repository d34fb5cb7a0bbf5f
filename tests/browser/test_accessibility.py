"""Accessibility, measured in Chromium (docs/accessibility.md).

- The audit: axe-core (tests/browser/axe_audit.py: WCAG 2.0 and 2.1, levels A
  and AA, plus axe's best practices) on every kind of page the site has, each
  opened as a reader (or an editor, a moderator) reaches it. One test per page
  kind, zero violations each. A new kind of page is one line in PAGE_KINDS.
- The keyboard alone: from the skip link to the comment form, filled in and
  sent, the focus landing on the notice that the comment awaits approval.
- The comment form's errors: summarised, linked to their fields, announced;
  looked at on a laptop, at 200% zoom and on a 360-pixel phone.
- A visible focus ring on every Tab stop; the phone menu from the keyboard.
"""

import re
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from articles.models import Post
from comments.models import Comment
from images.models import Image
from newsletter.models import Mailing

from .axe_audit import assert_accessible
from .conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POST_URL = "/blog/glutamine-and-gut-health/"


# --- the page kinds ------------------------------------------------------------


def _with_body_image():
    """The glutamine post as the audit wants it: references, a disclaimer, the
    demo comments (three approved, a staff reply) and the featured image come
    with the demo; a picture in the body is added here."""
    post = Post.objects.get(slug="glutamine-and-gut-health")
    image = Image.objects.get(pk=post.featured_image_id)
    post.body += f'\n\n![A scoop of glutamine powder](image:{image.pk} "Two scoops a day")\n'
    post.save()
    post.sync_body_images()
    post.rerender_body()


def _comment_form_with_errors(page, env):
    page.goto(POST_URL)
    form = page.locator("#comment-form")
    form.get_by_role("textbox", name=re.compile(r"^Email")).fill("not an address")
    form.get_by_role("button", name="Post comment").click()
    expect(page.locator("#comment-form .invalid-feedback").first).to_be_visible()


def _forbidden(page, env):
    """A form whose CSRF cookie is gone (cookies cleared while it was open)."""
    env.watch.expect_status(403, "/comments/delete/")
    page.goto("/comments/delete/")
    page.context.clear_cookies()
    page.get_by_label("Your email address").fill("reader@example.com")
    page.get_by_role("button", name="Send me the link").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def _server_error(page, env):
    env.watch.expect_status(500, "/__tests__/server-error/")
    page.goto("/__tests__/server-error/")


def _bad_request(page, env):
    env.watch.expect_status(400, "/__tests__/bad-request/")
    page.goto("/__tests__/bad-request/")


def _busy(page, env):
    env.watch.expect_status(503, "/__tests__/busy/")
    page.goto("/__tests__/busy/")


def _post_admin(page, env):
    env.admin_login(page, env.editor_user)
    post = Post.objects.get(slug="glutamine-and-gut-health")
    page.goto(f"/admin/articles/post/{post.pk}/change/")


def _reference_import(page, env):
    env.admin_login(page, env.editor_user)
    post = Post.objects.get(slug="glutamine-and-gut-health")
    page.goto(f"/admin/articles/post/{post.pk}/references/import/")


def _post_review(page, env):
    """The review page of a post as a medical editor (Editors and Reviewers)
    sees it: the note, the buttons, the history."""
    env.editor_user.groups.add(Group.objects.get(name="Reviewers"))
    env.admin_login(page, env.editor_user)
    post = Post.objects.get(slug="glutamine-and-gut-health")
    page.goto(f"/admin/articles/post/{post.pk}/review/")
    expect(page.locator("table.review-history")).to_be_visible()


def _email_preview(page, env):
    """The post's email as subscribers get it, previewed from its admin page."""
    env.admin_login(page, env.editor_user)
    post = Post.objects.get(slug="glutamine-and-gut-health")
    page.goto(f"/admin/articles/post/{post.pk}/change/")
    page.get_by_role("link", name="Preview email").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(post.title)


def _send_again(page, env):
    """A sent post's "Send again…" confirmation."""
    post = Post.objects.get(slug="glutamine-and-gut-health")
    mailing = Mailing.objects.create(post=post)
    env.admin_login(page, env.editor_user)
    page.goto(f"/admin/newsletter/mailing/{mailing.pk}/send-again/")
    expect(page.get_by_role("button", name="Yes, send it again")).to_be_visible()


def _comment_queue(page, env):
    env.admin_login(page, env.moderator_user)
    page.goto("/admin/comments/comment/")
    expect(page.locator("#result_list")).to_be_visible()


@dataclass(frozen=True)
class Kind:
    """A kind of page: where it is (a path) or how to open it (a function of
    the page and the test's fixtures), the status it answers with, and what
    must be true before it is audited."""

    open: object
    status: int = 200
    prepare: object = None
    exclude: tuple = field(default=())


PAGE_KINDS = {
    "blog index": Kind("/blog/"),
    # The demo's posts run from November 2025 to March 2026 (articles/demo.py).
    "year archive": Kind("/blog/2026/"),
    "month archive": Kind("/blog/2026/03/"),
    "post with references, disclaimer, images and comments": Kind(
        POST_URL, prepare=_with_body_image
    ),
    "comment form with errors": Kind(_comment_form_with_errors),
    "topic page": Kind("/blog/topics/gut-health/"),
    "site page": Kind("/pages/about/"),
    "privacy policy": Kind("/pages/privacy/"),
    "comment deletion request": Kind("/comments/delete/"),
    "newsletter subscribe page": Kind("/newsletter/subscribe/"),
    "newsletter check your email": Kind("/newsletter/subscribe/sent/"),
    "search results": Kind("/blog/search/?q=glutamine"),
    "search, nothing found": Kind("/blog/search/?q=xylophone"),
    "404 page": Kind("/blog/no-such-post/", status=404),
    "403 page": Kind(_forbidden),
    "500 page": Kind(_server_error),
    "400 page": Kind(_bad_request),
    "503 page (the database busy)": Kind(_busy),
    "admin login": Kind("/admin/login/"),
    # Django 5.2's tabular inline (the disclaimers) has an empty first header
    # cell over the column of each row's hidden ids (admin/edit_inline/
    # tabular.html: <th class="original"></th>); axe's best-practice rule
    # empty-table-header flags it. It is Django's markup, fixable only by
    # copying its template; only that cell is left out, every rule still runs
    # on the rest of the table (docs/accessibility.md, Django's admin).
    "post admin change form": Kind(_post_admin, exclude=(".tabular thead th.original",)),
    "reference import (admin)": Kind(_reference_import),
    "reviewer bio": Kind("/blog/reviewers/jane-doe/"),
    "author page": Kind("/blog/authors/erin-editor/"),
    "medical review (admin)": Kind(_post_review),
    "post's email preview (admin)": Kind(_email_preview),
    "send again confirmation (admin)": Kind(_send_again),
    "comment queue (moderators)": Kind(_comment_queue),
}


@dataclass
class Env:
    watch: object
    admin_login: object
    editor_user: object
    moderator_user: object


@pytest.mark.parametrize("name", list(PAGE_KINDS))
def test_page_kind_has_no_accessibility_violation(
    name, demo, page, watch, admin_login, editor_user, moderator_user, screenshot
):
    kind = PAGE_KINDS[name]
    if kind.prepare:
        kind.prepare()
    if callable(kind.open):
        kind.open(page, Env(watch, admin_login, editor_user, moderator_user))
    else:
        if kind.status != 200:
            watch.expect_status(kind.status, kind.open)
        response = page.goto(kind.open)
        assert response.status == kind.status
    assert_accessible(page, name, exclude=kind.exclude)
    screenshot(page, "audit-" + re.sub(r"\W+", "-", name))
    watch.assert_clean()


# --- the keyboard alone ----------------------------------------------------------

NOTICE = "Please note, comments need to be approved before they are published."

# Marks, in document order, every element of <main> the Tab key should stop
# at (links, buttons and form fields that are shown and not taken out of the
# tab order), each with data-tab-stop="<n>", and returns how many.
MARK_TAB_STOPS = """() => {
  const candidates = document.querySelectorAll(
    "main a[href], main button, main input, main select, main textarea, main [tabindex]"
  );
  let n = 0;
  for (const element of candidates) {
    const hidden = element.closest("[aria-hidden=true], [hidden]")
      || element.getClientRects().length === 0
      || getComputedStyle(element).visibility === "hidden";
    if (hidden || element.disabled || element.type === "hidden" || element.tabIndex < 0) continue;
    element.dataset.tabStop = String(n++);
  }
  return n;
}"""

FOCUSED = """() => {
  const e = document.activeElement;
  return {
    tag: e.tagName.toLowerCase(), id: e.id, stop: e.dataset.tabStop ?? null,
    text: (e.innerText || e.value || "").trim().slice(0, 80),
  };
}"""


def focused(page):
    return page.evaluate(FOCUSED)


def tab(page, **expected):
    """Press Tab once and check where the focus went (each key is value of
    document.activeElement's description: tag, id, stop, text)."""
    page.keyboard.press("Tab")
    now = focused(page)
    for key, value in expected.items():
        assert now[key] == value, f"after Tab the focus is on {now}, expected {key}={value!r}"
    return now


def test_a_reader_comments_with_the_keyboard_alone(demo, page, watch, screenshot):
    page.goto(POST_URL)

    # The first Tab shows the skip link; Enter skips the header and menus.
    tab(page, tag="a", text="Skip to content")
    expect(page.get_by_role("link", name="Skip to content")).to_be_visible()
    screenshot(page, "keyboard-skip-link")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    assert focused(page)["id"] == "main"

    # From there Tab walks the post (review line, citations, references, the thread) in
    # document order, every link and field in turn, to the comment form.
    stops = page.evaluate(MARK_TAB_STOPS)
    name_stop = int(page.locator("#id_name").get_attribute("data-tab-stop"))
    assert 0 < name_stop < stops
    walked = [tab(page, stop=str(n)) for n in range(name_stop + 1)]
    # The author's page in the byline, the post's topics under its title, the
    # reviewer's bio, then the first citation in the body.
    assert [w["text"] for w in walked[:5]] == [
        "Erin Editor", "Gut health", "Supplements", "Jane Doe, RD", "[1]",
    ]  # fmt: skip
    assert "← Back to blog" in [w["text"] for w in walked]
    assert walked[-1]["id"] == "id_name"

    # Filling it in: typing, Tab to the next field, Space ticks a box.
    page.keyboard.type("Jordan")
    tab(page, id="id_email")
    page.keyboard.type("jordan@example.com")
    tab(page, id="id_text")
    page.keyboard.type("I read it with the keyboard alone.")
    tab(page, id="id_notify_on_approval")
    tab(page, id="id_consent")
    page.keyboard.press("Space")
    expect(page.locator("#id_consent")).to_be_checked()
    tab(page, tag="a", text="Privacy policy")  # the consent line's link
    # The honeypot is skipped: the next stop is the button.
    tab(page, tag="input", id="submit-id-submit")
    screenshot(page, "keyboard-send-button")
    page.keyboard.press("Enter")

    # The page comes back at the reader's comment, and the focus is on the
    # notice that it awaits approval (read out by a screen reader).
    expect(page).to_have_url(re.compile(r"/blog/glutamine-and-gut-health/#comment-\d+$"))
    notice = page.locator("#messages")
    expect(notice).to_be_focused()
    expect(notice).to_have_text(NOTICE)
    expect(notice).to_have_attribute("role", "status")
    expect(notice).to_be_in_viewport()
    comment = Comment.objects.get(name="Jordan")
    assert comment.status == Comment.Status.PENDING
    expect(page.locator(f"#comment-{comment.pk}")).to_be_in_viewport()
    screenshot(page, "keyboard-comment-awaits-approval")
    # The keyboard goes on from the notice: the next Tab is in the form again.
    tab(page, id="id_name")
    # The page as the sender sees it (their comment marked, faded, with its
    # note; the notice) passes the audit too.
    assert_accessible(page, "the post page after sending a comment")
    watch.assert_clean()


# --- form errors -------------------------------------------------------------------

ERRORS = [
    "Please give a name (any name you like).",
    "Enter a valid email address, such as you@example.com.",
    "Please write a comment (spaces alone do not count).",
    "Please tick the box: we cannot keep a comment without your consent.",
]
FIELDS = ["id_name", "id_email", "id_text", "id_consent"]

# How the comment form's errors are looked at: as on a laptop (1280 CSS
# pixels); at 200% browser zoom, which halves the CSS pixels of the same
# window (640 of them, each drawn as 2 device pixels: device_scale_factor=2
# is what browser zoom does, media queries and all, where CSS `zoom` would
# only magnify a 1280-pixel layout); and on a 360-pixel phone.
SCREENS = {
    "laptop": {"viewport": {"width": 1280, "height": 800}},
    "zoom-200": {"viewport": {"width": 640, "height": 400}, "device_scale_factor": 2},
    "phone-360": {
        "viewport": {"width": 360, "height": 740},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}


def send_with_mistakes(page):
    """A reader sends the form with a bad address and nothing else."""
    page.goto(POST_URL)
    page.locator("#id_email").fill("jordan at example")
    page.get_by_role("button", name="Post comment").click()
    expect(page).to_have_url(re.compile(r"/comments/post/\d+/$"))


def assert_no_sideways_scroll(page, what):
    width = page.evaluate("document.documentElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    assert width <= inner, f"{what}: the page is {width}px wide in a {inner}px window"


def test_comment_form_errors_are_summarised_linked_and_announced(
    demo, new_page, watch, screenshot
):
    page = new_page(reduced_motion="reduce")
    send_with_mistakes(page)

    # A summary at the top of the form, focused (so read out), lists every
    # error, each a link to its field.
    summary = page.locator("#comment-form #error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("alert")).to_contain_text("Nothing was sent yet")
    links = summary.get_by_role("link")
    expect(links).to_have_text(ERRORS)
    assert [links.nth(i).get_attribute("href") for i in range(4)] == [f"#{f}" for f in FIELDS]
    assert (
        page.evaluate("document.querySelector('#comment-form').firstElementChild.id")
        == "error-summary"
    )

    # Each field says it is invalid and is described by its own error; what
    # was typed is kept.
    for field_id, error in zip(FIELDS, ERRORS, strict=True):
        field = page.locator(f"#{field_id}")
        expect(field).to_have_attribute("aria-invalid", "true")
        described = field.get_attribute("aria-describedby").split()
        texts = [page.locator(f"#{i}").inner_text() for i in described]
        assert error in " ".join(texts), (field_id, described, texts)
    expect(page.locator("#id_email")).to_have_value("jordan at example")
    # The consent line still links to the privacy policy (it lost the link
    # on this page once).
    consent_help = page.locator("#id_consent_helptext")
    expect(consent_help.get_by_role("link", name="Privacy policy")).to_be_visible()
    assert "id_consent_helptext" in page.locator("#id_consent").get_attribute("aria-describedby")
    screenshot(page, "comment-errors-laptop")

    # Following a link of the summary puts the focus in that field, its label
    # in view above it.
    links.nth(2).press("Enter")
    expect(page.locator("#id_text")).to_be_focused()
    expect(page.locator("label[for=id_text]")).to_be_in_viewport()

    # Zoomed to 200% and on a phone: nothing wider than the window, the
    # summary and every field in reach.
    for name, options in SCREENS.items():
        if name == "laptop":
            continue
        small = new_page(reduced_motion="reduce", **options)
        send_with_mistakes(small)
        expect(small.locator("#error-summary")).to_be_focused()
        expect(small.locator("#error-summary")).to_be_in_viewport()
        assert_no_sideways_scroll(small, name)
        screenshot(small, f"comment-errors-{name}", readme=name == "zoom-200")
        small.locator("#comment-form").screenshot(
            path=ARTIFACTS / f"comment-errors-{name}-form.png", animations="disabled"
        )
    watch.assert_clean()


# --- focus you can see, a menu you can open ----------------------------------------

RING = """() => {
  const e = document.activeElement, style = getComputedStyle(e), box = e.getBoundingClientRect();
  return {
    what: `${e.tagName.toLowerCase()}#${e.id} ${(e.innerText || e.value || "").trim().slice(0, 40)}`,
    outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
    visible: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
    inView: box.bottom > 0 && box.top < innerHeight && box.width > 0,
  };
}"""


def test_every_stop_of_the_tab_key_shows_a_focus_ring(demo, new_page, watch):
    # Without smooth scrolling (Bootstrap's), the focused element is in view
    # at once.
    page = new_page(reduced_motion="reduce")
    page.goto(POST_URL)
    stops = page.evaluate(
        """() => [...document.querySelectorAll("a[href], button, input, select, textarea")]
          .filter(e => e.tabIndex >= 0 && e.type !== "hidden" && e.getClientRects().length
                       && !e.closest("[aria-hidden=true]")).length"""
    )
    assert stops > 15
    seen = []
    for _ in range(stops):
        page.keyboard.press("Tab")
        ring = page.evaluate(RING)
        seen.append(ring["what"])
        assert ring["visible"], f"no visible focus ring on {ring['what']}: {ring['outline']}"
        assert ring["inView"], f"the focus is out of sight on {ring['what']}"
    # The walk went through the header, the post, the form and the footer.
    assert seen[0].startswith("a# Skip to content")
    assert any(s.startswith("input#id_consent") for s in seen)
    assert any(s.startswith("input#submit-id-submit") for s in seen)
    assert seen[-1].startswith("a# Privacy policy")  # the footer's link
    watch.assert_clean()


def test_the_phone_menu_opens_from_the_keyboard_and_says_so(demo, new_page, watch, screenshot):
    phone = new_page(
        viewport={"width": 360, "height": 740}, device_scale_factor=2, reduced_motion="reduce"
    )
    phone.goto(POST_URL)
    toggle = phone.get_by_role("button", name="Toggle navigation")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    controlled = toggle.get_attribute("aria-controls")
    menu = phone.locator(f"#{controlled}")
    expect(menu.get_by_role("link", name="About")).to_be_hidden()

    tab(phone, text="Skip to content")
    tab(phone, tag="a", text="glutablog")
    tab(phone, tag="button")
    phone.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(menu.get_by_role("link", name="About")).to_be_visible()
    tab(phone, tag="a", text="Blog")  # the menu's first link is next
    assert_no_sideways_scroll(phone, "phone with the menu open")
    screenshot(phone, "phone-menu-open-by-keyboard")
    phone.keyboard.press("Shift+Tab")
    phone.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    watch.assert_clean()
