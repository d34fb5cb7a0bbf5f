"""The freshness contract, walked in Chromium through the production stack.

Editors, moderators and readers use the site as production serves it: nginx
with its page cache in front of gunicorn, the task worker sending the mail,
PostgreSQL and Redis (conftest.stack). After each change, the question is
what the NEXT anonymous reader gets through nginx: the change, within two
seconds, however long the page was quiet.

Each journey first lets an anonymous reader put the page in nginx's cache,
then lets the page go quiet (nginx's clock moved ten minutes on: the copy is
far older than its one-second shared lifetime, as on a quiet page of a real
site), then changes something through the real forms, and reads the page as
the first anonymous reader after the change. Where the change is made while
the copy is still fresh, nginx's clock is moved two seconds on: the promise
is "within two seconds".
"""

import base64
import re
import time

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect, sync_playwright

from tests.browser.support import (
    ARTIFACTS,
    TIMEOUT_MS,
    Watch,
    launch_chromium,
    screenshot_failed_pages,
)

from .stack import link_in, text_of

pytestmark = pytest.mark.browser

QUIET_SECONDS = 600  # ten quiet minutes: the age of the stale copies readers got
PROMISE_SECONDS = 2


# --- readers, staff and nginx ---------------------------------------------


@pytest.fixture(scope="module")
def chromium():
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture
def watch(stack):
    return Watch(stack.origin)


@pytest.fixture
def visitor(chromium, stack, watch, request):
    """visitor(): a new browser (its own cookies) on the stack's https address."""
    contexts = []

    def make():
        context = chromium.new_context(
            base_url=stack.origin,
            ignore_https_errors=True,  # the stack's self-signed certificate
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        watch.attach(context)
        contexts.append(context)
        return context.new_page()

    yield make
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        screenshot_failed_pages(contexts, request.node.name)
    for context in contexts:
        context.close()


# The authenticator apps staff enrolled in this module's stack: user name ->
# [secret key as the enrolment page shows it, last time step used].
APPS = {}


def app_code(username):
    """The code the person's authenticator app shows, never one used before
    (the site refuses a code a second time within its window)."""
    secret, last_step = APPS[username]
    totp = TOTP(base64.b32decode(secret))
    totp.time = time.time()
    step = max(totp.t(), last_step + 1)
    totp.time = step * totp.step
    APPS[username][1] = step
    return f"{totp.token():06d}"


def second_step(page, username):
    """Production asks staff for a second factor (STAFF_TWO_FACTOR is required
    with DEBUG off): enrol an authenticator app the first time, as a person
    would (the key the page shows), then give its code."""
    if re.search(r"/admin/two-factor/\?", page.url):
        page.get_by_role("link", name="Add an authenticator app").click()
        APPS[username] = [page.locator(".two-factor-secret").inner_text().strip(), 0]
        page.get_by_label("Code from the app").fill(app_code(username))
        page.get_by_role("button", name="Add the app").click()
        page.get_by_role("link", name="I wrote them down").click()
        page.goto("/admin/")
    elif "/admin/two-factor/verify/" in page.url:
        page.get_by_label("Code").fill(app_code(username))
        page.get_by_role("button", name="Verify").click()


@pytest.fixture
def staff(visitor, stack):
    """staff(username): a browser logged in to the admin through its form and
    the second step."""

    def login(username):
        page = visitor()
        page.goto("/admin/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(stack.password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        second_step(page, username)
        assert username in APPS, "production let staff in with a password alone"
        expect(page).to_have_url(re.compile(r"/admin/$"))
        return page

    return login


def anonymous(stack, path):
    """(status, X-Cache, text) of one anonymous request through nginx: no
    cookie, no session, what any reader arriving from a link gets."""
    response, body = stack.get(path)
    return response.status, response.headers.get("X-Cache"), body.decode()


def cached_then_quiet(stack, path):
    """A reader reads the page (at least two seconds after whatever was done
    before: the promise), nginx keeps it, and the page goes quiet."""
    stack.clock.advance(PROMISE_SECONDS)
    status, _, _ = anonymous(stack, path)
    assert status == 200
    _, cache, text = anonymous(stack, path)
    assert cache == "HIT", f"nginx did not keep {path}"
    stack.clock.advance(QUIET_SECONDS)
    return text


def first_reader_after_the_change(stack, path):
    """What the next anonymous reader gets, and that nginx did not hand out an
    old copy to get it."""
    status, cache, text = anonymous(stack, path)
    assert cache not in {"STALE", "UPDATING"}, f"nginx served an old copy ({cache})"
    return status, text


def post_admin(page, title):
    """The post's change form, found the way an editor finds it: the list's search."""
    page.goto("/admin/articles/post/")
    page.locator("#searchbar").fill(title)
    page.locator("#searchbar").press("Enter")
    page.locator("#result_list").get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Change post")


def saved(page):
    expect(page.locator(".messagelist .success").first).to_be_visible()


def bulk(page, row_text, action_label):
    page.locator("#result_list tbody tr", has_text=row_text).locator(
        "input[name=_selected_action]"
    ).check()
    page.locator("select[name=action]").select_option(label=action_label)
    page.get_by_role("button", name="Go").click()
    saved(page)


# --- the journeys -----------------------------------------------------------


def test_an_edit_then_an_unpublish_reach_the_next_reader_at_once(stack, staff, watch):
    path = "/blog/hydration-basics-for-active-people/"
    title = "Hydration Basics for Active People"
    old_page = cached_then_quiet(stack, path)
    editor = staff("editor")

    # The editor corrects the post while the page sits in nginx's cache.
    post_admin(editor, title)
    body = editor.locator("#id_body")
    corrected = "Corrected while nginx held the page: drink to thirst, not by the clock."
    body.fill(f"{corrected}\n\n{body.input_value()}")
    editor.get_by_role("button", name="Save and continue editing").first.click()
    saved(editor)

    status, text = first_reader_after_the_change(stack, path)
    assert status == 200
    assert corrected in text and corrected not in old_page

    # A second correction while the copy is still fresh: within two seconds.
    anonymous(stack, path)
    body.fill(body.input_value().replace("drink to thirst", "sip steadily"))
    editor.get_by_role("button", name="Save and continue editing").first.click()
    saved(editor)
    stack.clock.advance(PROMISE_SECONDS)
    assert "sip steadily" in first_reader_after_the_change(stack, path)[1]

    # Then the post is taken off the site with the bulk action.
    cached_then_quiet(stack, path)
    editor.goto("/admin/articles/post/")
    bulk(editor, title, "Unpublish selected posts (back to draft)")
    status, text = first_reader_after_the_change(stack, path)
    assert status == 404
    assert corrected not in text
    # Nor is it in the index, the feed or the sitemap any more.
    for listing in ("/blog/", "/blog/feed/", "/sitemap.xml"):
        assert path not in anonymous(stack, listing)[2], listing
    watch.assert_clean()


def test_an_approved_comment_is_on_the_page_the_approval_email_links_to(
    stack, visitor, staff, watch
):
    path = "/blog/glutamine-and-gut-health/"
    words = "Approved through the whole stack: 5 g in water after training suits me."
    reader = visitor()
    reader.goto(path)
    form = reader.locator("#comment-form")
    form.get_by_role("textbox", name=re.compile(r"^Name")).fill("Rowan Tier")
    form.get_by_role("textbox", name=re.compile(r"^Email")).fill("rowan@readers.example.org")
    form.get_by_role("textbox", name=re.compile(r"^Comment")).fill(words)
    form.get_by_role("checkbox", name="Email me when my comment is approved").check()
    form.get_by_role("checkbox", name=re.compile("I agree that this site stores")).check()
    form.get_by_role("button", name="Post comment").click()
    expect(reader.locator(".comment", has_text=words)).to_contain_text("Awaiting moderation")

    # The moderators are told, by the worker, through the mail server.
    notice = stack.sink.wait_for("moderator@staff.example.com", "awaits approval")
    assert "Rowan Tier" in text_of(notice) or "comment" in text_of(notice)

    before = cached_then_quiet(stack, path)
    assert words not in before

    moderator = staff("moderator")
    moderator.goto("/admin/comments/comment/?status__exact=pending")
    bulk(moderator, "5 g in water after training", "Approve selected comments")

    # The reader's email, sent by the worker: its link opens the page with the comment.
    approval = stack.sink.wait_for("rowan@readers.example.org", "published")
    link = link_in(approval, path)
    assert re.search(r"#comment-\d+$", link), link
    status, text = first_reader_after_the_change(stack, link.split("#")[0])
    assert status == 200 and words in text
    follower = visitor()
    follower.goto(link)
    comment = follower.locator(f"#{link.split('#')[1]}")
    expect(comment).to_contain_text(words)
    expect(comment).not_to_contain_text("Awaiting moderation")
    watch.assert_clean()


def test_a_readers_confirmed_deletion_takes_their_comments_off_the_page(
    stack, visitor, staff, watch
):
    path = "/blog/protein-powders-whey-casein-or-plant/"
    words = "Plant protein with a little vanilla is what I drink; please delete me later."
    address = "morgan.delete@readers.example.org"
    reader = visitor()
    reader.goto(path)
    form = reader.locator("#comment-form")
    form.get_by_role("textbox", name=re.compile(r"^Name")).fill("Morgan Tier")
    form.get_by_role("textbox", name=re.compile(r"^Email")).fill(address)
    form.get_by_role("textbox", name=re.compile(r"^Comment")).fill(words)
    form.get_by_role("checkbox", name=re.compile("I agree that this site stores")).check()
    form.get_by_role("button", name="Post comment").click()
    expect(reader.locator(".comment", has_text=words)).to_be_visible()
    moderator = staff("moderator")
    moderator.goto("/admin/comments/comment/?status__exact=pending")
    bulk(moderator, "Plant protein with a little vanilla", "Approve selected comments")

    shown = cached_then_quiet(stack, path)
    assert words in shown and "Morgan Tier" in shown

    # The reader asks for deletion and confirms from the emailed link.
    reader.goto("/comments/delete/")
    reader.get_by_label("Your email address").fill(address)
    reader.get_by_role("button", name="Send me the link").click()
    expect(reader.get_by_role("status")).to_contain_text("an email with a link")
    message = stack.sink.wait_for(address, "")
    reader.goto(link_in(message, "/comments/delete/confirm/"))
    reader.get_by_role("button", name=re.compile(r"^Delete my \d+ comments?$")).click()
    expect(reader.get_by_role("heading", level=1)).to_have_text("Your comments are deleted")

    status, text = first_reader_after_the_change(stack, path)
    assert status == 200
    assert words not in text and "Morgan Tier" not in text
    watch.assert_clean()


def test_a_revert_shows_the_older_text_to_the_next_reader(stack, staff, watch):
    path = "/blog/fiber-why-your-gut-needs-more/"
    title = "Fiber: Why Your Gut Needs More of It"
    editor = staff("editor")
    post_admin(editor, title)
    body = editor.locator("#id_body")
    original = body.input_value()
    mistake = "A mistaken line that the editor takes back with a revert."
    body.fill(f"{mistake}\n\n{original}")
    editor.get_by_role("button", name="Save and continue editing").first.click()
    saved(editor)

    assert mistake in cached_then_quiet(stack, path)

    # History: the newest revision is the mistake; the one before it is reverted to.
    editor.get_by_role("link", name="History").click()
    rows = editor.locator("#change-history tbody tr")
    rows.nth(1).get_by_role("link").first.click()
    expect(editor.locator("#id_body")).not_to_have_value(re.compile(re.escape(mistake)))
    editor.get_by_role("button", name="Save", exact=True).first.click()
    saved(editor)

    status, text = first_reader_after_the_change(stack, path)
    assert status == 200
    assert mistake not in text
    watch.assert_clean()


def test_a_footer_page_unpublished_is_gone_from_its_address_and_every_footer(stack, staff, watch):
    page_path, post_path = "/pages/privacy/", "/blog/reading-a-supplement-label/"
    cached_then_quiet(stack, page_path)
    assert page_path in cached_then_quiet(stack, post_path)

    editor = staff("editor")
    editor.goto("/admin/pages/page/")
    bulk(editor, "Privacy policy", "Unpublish selected pages (back to draft)")

    assert first_reader_after_the_change(stack, page_path)[0] == 404
    status, text = first_reader_after_the_change(stack, post_path)
    assert status == 200
    assert f'href="{page_path}"' not in text

    # Published again, it is back for the next reader.
    bulk(editor, "Privacy policy", "Publish selected pages")
    assert first_reader_after_the_change(stack, page_path)[0] == 200
    watch.assert_clean()


RETITLE = """
from articles.models import Post
post = Post.objects.get(slug="reading-a-supplement-label")
post.title = {title!r}
post.save()
"""


def test_a_restart_of_the_stack_never_brings_back_an_old_page(stack):
    """nginx keeps its cache on disk across restarts: a copy from before the
    restart is revalidated like any other, never handed out as it was."""
    path = "/blog/reading-a-supplement-label/"
    _, _, before = anonymous(stack, path)
    assert anonymous(stack, path)[1] == "HIT"
    stack.stop()
    title = "Reading a Supplement Label, Retitled While the Site Was Down"
    result = stack.manage("shell", "-c", RETITLE.format(title=title))
    assert result.returncode == 0, result.stderr
    stack.start_again()
    status, text = first_reader_after_the_change(stack, path)
    assert status == 200
    assert title in text and title not in before


# --- following by email -------------------------------------------------------

NEWSLETTER_DRAFT = """
from articles.models import Post
from tests.articles.factories import PostFactory
source = Post.objects.get(slug="glutamine-and-gut-health")
topic = source.topics.order_by("name").first()
post = PostFactory(draft=True, title={title!r}, slug={slug!r}, author=source.author,
                   summary="How glutamine is taken around training.", email_on_publish=True)
post.topics.add(topic)
print(topic.name)
"""


def shot(page, name):
    """A screenshot for a person to look at (artifacts/screenshots/)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"newsletter-{name}.png", full_page=True)


def test_a_reader_follows_a_topic_receives_the_post_and_leaves_in_one_click(
    stack, visitor, staff, watch
):
    mark = f"{time.time_ns() % 10**8}"
    title = f"Glutamine Timing Around Training {mark}"
    address = f"robin.follows.{mark}@readers.example.org"
    result = stack.manage(
        "shell", "-c", NEWSLETTER_DRAFT.format(title=title, slug=f"glutamine-timing-{mark}")
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    topic = result.stdout.strip().splitlines()[-1]

    # A reader subscribes from the form at the end of a post, to its topic.
    reader = visitor()
    reader.goto("/blog/glutamine-and-gut-health/")
    form = reader.locator("#subscribe-page-form")
    form.get_by_label("Email address for new posts").fill(address)
    form.get_by_role("checkbox", name=topic, exact=True).check()
    form.get_by_role("checkbox", name=re.compile("I agree that this site stores")).check()
    shot(reader, "1-subscribe-form")
    form.get_by_role("button", name="Subscribe").click()
    expect(reader.get_by_role("heading", level=1)).to_have_text("Check your email")

    # The confirmation, mailed by the worker; its link and its one button.
    confirmation = stack.sink.wait_for(address, "Confirm your subscription")
    reader.goto(link_in(confirmation, "/newsletter/confirm/"))
    reader.get_by_role("button", name="Confirm my subscription").click()
    expect(reader.get_by_role("heading", level=1)).to_have_text("You are subscribed")
    shot(reader, "2-confirmed")

    # An editor publishes a post on that topic; the worker mails it.
    editor = staff("editor")
    editor.goto("/admin/articles/post/?status__exact=draft")
    bulk(editor, title, "Publish selected posts")
    email = stack.sink.wait_for(address, title, timeout=60)
    assert "How glutamine is taken around training." in text_of(email)
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    one_click = re.search(
        r"<https://[^/>]+(/newsletter/unsubscribe/[^>]+)>", email["List-Unsubscribe"]
    )
    assert one_click, email["List-Unsubscribe"]

    # The preferences page, from the email's signed link: another topic instead.
    reader.goto(link_in(email, "/newsletter/preferences/"))
    boxes = reader.locator("#preferences-form").get_by_role("checkbox")
    expect(
        reader.locator("#preferences-form").get_by_role("checkbox", name=topic, exact=True)
    ).to_be_checked()
    other = next(
        name
        for name in boxes.evaluate_all("els => els.map(e => e.labels[0].innerText)")
        if name not in (topic, "Pause: send me nothing until I come back here")
    )
    reader.locator("#preferences-form").get_by_role("checkbox", name=topic, exact=True).uncheck()
    reader.locator("#preferences-form").get_by_role("checkbox", name=other, exact=True).check()
    reader.get_by_role("button", name="Save").click()
    expect(reader.get_by_role("status")).to_have_text("Saved.")
    reader.reload()
    prefs = reader.locator("#preferences-form")
    expect(prefs.get_by_role("checkbox", name=other, exact=True)).to_be_checked()
    expect(prefs.get_by_role("checkbox", name=topic, exact=True)).not_to_be_checked()
    shot(reader, "3-preferences")

    # The mail client's one-click POST (RFC 8058): no cookie, no CSRF token.
    response, _ = stack.get(
        one_click.group(1),
        method="POST",
        body="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status == 200
    reader.goto(link_in(email, "/newsletter/preferences/"))
    expect(reader.locator("main")).to_contain_text("You are unsubscribed")
    shot(reader, "4-unsubscribed")
    watch.assert_clean()


def test_a_reader_subscribes_from_the_footer_and_later_has_the_address_deleted(
    stack, visitor, watch
):
    address = f"sam.footer.{time.time_ns() % 10**8}@readers.example.org"
    reader = visitor()
    reader.goto("/blog/")
    footer = reader.locator("#subscribe-footer-form")
    footer.get_by_label("Email address for new posts").fill(address)
    footer.get_by_role("checkbox", name=re.compile("I agree that this site stores")).check()
    footer.get_by_role("button", name="Subscribe").click()
    expect(reader.get_by_role("heading", level=1)).to_have_text("Check your email")
    reader.goto(
        link_in(stack.sink.wait_for(address, "Confirm your subscription"), "/newsletter/confirm/")
    )
    reader.get_by_role("button", name="Confirm my subscription").click()
    expect(reader.get_by_role("heading", level=1)).to_have_text("You are subscribed")

    # The deletion request by address reaches the subscription, and says so.
    reader.goto("/comments/delete/")
    reader.get_by_label("Your email address").fill(address)
    reader.get_by_role("button", name="Send me the link").click()
    expect(reader.get_by_role("status")).to_contain_text("a newsletter subscription")
    message = stack.sink.wait_for(address, "Confirm the deletion")
    reader.goto(link_in(message, "/comments/delete/confirm/"))
    expect(reader.locator("#deletion-what")).to_contain_text(
        "Your newsletter subscription (active)"
    )
    shot(reader, "5-deletion-confirm")
    reader.get_by_role("button", name="Delete my newsletter subscription").click()
    expect(reader.get_by_role("status")).to_contain_text("Your newsletter subscription is deleted")
    shot(reader, "6-deleted")
    watch.assert_clean()
