"""The XSS corpus in the real browser: a post whose Markdown body holds every
vector, and every vector as an approved comment (in its name and text). Each
payload is replaced by a marker (``window.__xss += 1``): after loading the
page and scrolling through it, no script ran and no dialog opened."""

import pytest

from comments.models import Comment
from tests.articles.factories import PostFactory
from tests.security.xss import vectors_calling

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MARKER = "window.__xss = (window.__xss||0)+1"
VECTORS = vectors_calling(MARKER)


@pytest.fixture
def attacked_post(moderator_user):
    post = PostFactory(
        title="Every vector",
        slug="every-vector",
        body="\n\n".join(f"Vector {n}: {vector}" for n, vector in enumerate(VECTORS)),
    )
    comments = Comment.objects.bulk_create(
        Comment(
            post=post,
            name=vector[:80],
            email="attacker@example.com",
            text=vector,
            ip_address="192.0.2.66",
        )
        for vector in VECTORS
    )
    assert Comment.objects.filter(post=post).approve(by=moderator_user) == len(comments)
    return post


def test_no_vector_runs_in_the_browser(attacked_post, new_page, watch, screenshot):
    page = new_page(viewport={"width": 1280, "height": 1400})
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    page.goto(attacked_post.get_absolute_url(), wait_until="load")
    assert page.locator("#comments .comment").count() == len(VECTORS)
    # Through the page (the body's vectors, the comments, the foot), so
    # anything on scroll or in view gets its chance; then timers' turn.
    screenshot(page, "xss-body")
    for where in ["#comments", "#comments .comment:nth-child(70)", "footer, body > :last-child"]:
        page.locator(where).last.scroll_into_view_if_needed()
    page.locator("#comments").scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    screenshot(page, "xss")

    ran = page.evaluate("typeof window.__xss === 'undefined' ? null : window.__xss")
    assert ran is None, f"{ran} injected script(s) ran"
    assert dialogs == [], f"dialogs opened: {dialogs}"
    # The vectors are on the page as text, and nothing was even blocked by the
    # Content-Security-Policy: they never reached the page as code.
    comments = page.locator("#comments")
    assert comments.get_by_text(f"<script>{MARKER}</script>", exact=True).count() >= 1
    assert page.locator("article").first.get_by_text(MARKER).count() >= 1
    assert not watch.csp_problems(), watch.csp_problems()
    assert not watch.page_errors, f"uncaught errors: {watch.page_errors}"
    assert not watch.foreign_requests(), watch.foreign_requests()
    # What loads: the body's images with relative addresses (<img src=x ...>,
    # kept by the Markdown cleaner without their handlers), 404 on this site.
    own = f"{watch.origin}{attacked_post.get_absolute_url()}"
    errors = [m for m in watch.console if m.startswith("error:")]
    assert all("404 (Not Found) (" + own in m for m in errors), errors
