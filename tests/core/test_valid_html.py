"""Every kind of page is valid HTML, as the W3C Nu Html Checker reads it.

The content is made the way people make it, not with round demo times: an
editor publishes a post through the admin's form without setting a time (it
is dated now, to the microsecond), a reader comments through the post's form
and a moderator approves the comment in the admin, an editor saves a site
page. Then every kind of page is fetched as a reader (or staff) gets it, and
the checker reads them all in one run (tests/html_checker.py).

Zero errors, and no warning but those listed in ALLOWED_WARNINGS, each with
its reason.
"""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from articles.models import Author, Post, Reviewer, Topic
from comments import deletion
from comments.models import Comment
from core.middleware import busy_response
from core.views import permission_denied
from newsletter import links
from newsletter.models import Subscriber
from pages.models import Page
from tests import html_checker
from tests.admin.forms import submitted
from tests.articles.factories import PostFactory
from tests.comments.factories import form_data
from tests.pages.factories import PageFactory

pytestmark = pytest.mark.django_db

# Warnings the checker may give, each with why it is right as it is. Keep
# this empty unless a warning is the checker's opinion, not a fault.
ALLOWED_WARNINGS = {}

# What the checker must catch (the fault this test was written for): a time
# with six digits of a second, as isoformat() writes it.
BROKEN = (
    '<!doctype html><html lang="en"><head><title>x</title></head><body>'
    '<time datetime="2026-12-06T00:32:50.052151+00:00">December 6, 2026</time></body></html>'
)


@pytest.fixture
def never_round_clock(monkeypatch):
    """``timezone.now()`` as it is, but never on a whole second: what "now"
    is on a real site nearly always."""
    real_now = timezone.now

    def now():
        moment = real_now()
        return moment if moment.microsecond else moment.replace(microsecond=52151)

    monkeypatch.setattr(timezone, "now", now)


def publish_through_the_admin(staff):
    """An editor writes a post in the admin and publishes it, leaving the time empty."""
    add = reverse("admin:articles_post_add")
    data = submitted(staff.get(add).text, "post_form")
    body = (
        "Magnesium takes part in hundreds of reactions.[1] It may help sleep.[**]\n\n"
        "## What the studies say\n\n1. Small trials\n2. Mixed results"
    )
    data.update(
        {
            "title": "Magnesium and Sleep",
            "slug": "magnesium-and-sleep",
            "summary": "What the studies say about magnesium before bed.",
            "body": body,
            "status": "published",
            "author": str(get_user_model().objects.get(username="editor").pk),
            "publish_at_0": "",
            "publish_at_1": "",
            "topics": [str(Topic.objects.get(slug="supplements").pk)],
            "references-TOTAL_FORMS": "1",
            "references-0-order": "1",
            "references-0-authors": "Abbasi B, Kimiagar M",
            "references-0-title": "The effect of magnesium supplementation on primary insomnia",
            "references-0-journal": "J Res Med Sci",
            "references-0-year": "2012",
            "references-0-volume": "17",
            "references-0-issue": "12",
            "references-0-pages": "1161-1169",
            "references-0-pmid": "23853635",
            "_save": "Save",
        }
    )
    response = staff.post(add, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return Post.objects.get(slug="magnesium-and-sleep")


def comment_and_approve(staff, post):
    """A reader comments through the form; a moderator approves it in the admin."""
    reader = Client()
    sent = reader.post(
        reverse("comments:post", args=[post.pk]),
        form_data(post, name="Dana Reader", text="Does the form matter?\nCitrate or glycinate?"),
    )
    assert sent.status_code == 302
    comment = Comment.objects.get(name="Dana Reader")
    approved = staff.post(
        reverse("admin:comments_comment_changelist"),
        {"action": "approve", "_selected_action": [comment.pk]},
    )
    assert approved.status_code == 302
    comment.refresh_from_db()
    assert comment.is_public
    return comment


def save_page_through_the_admin(staff, page):
    url = reverse("admin:pages_page_change", args=[page.pk])
    data = submitted(staff.get(url).text, "page_form")
    data["_save"] = "Save"
    assert staff.post(url, data).status_code == 302
    page.refresh_from_db()
    return page


def html_of(response, status=200):
    assert response.status_code == status, (response.status_code, response.get("Location"))
    assert response["Content-Type"].startswith("text/html")
    return response.content


def every_kind_of_page(staff, post, comment, page):
    reader = Client()
    documents = {}

    def get(name, path, status=200, client=reader, **extra):
        documents[name] = html_of(client.get(path, **extra), status)

    get("index", "/blog/")
    older = re.search(r'href="\?before=([^"]+)"', reader.get("/blog/").text)
    assert older, "the index has a page of older posts"
    get("index, older posts", f"/blog/?before={older[1]}")
    get("post: comments, references, disclaimers, image, review", post.get_absolute_url())
    demo = Post.objects.get(slug="glutamine-and-gut-health")
    get("demo post", demo.get_absolute_url())
    get("topic", reverse("articles:topic", kwargs={"slug": "supplements"}))
    when = timezone.localtime(post.publish_at)
    get("archive: year", reverse("articles:archive_year", kwargs={"year": when.year}))
    get(
        "archive: month",
        reverse("articles:archive_month", kwargs={"year": when.year, "month": when.month}),
    )
    get("reviewer", Reviewer.objects.first().get_absolute_url())
    get("author", Author.objects.get(user=post.author).get_absolute_url())
    get("search: empty", "/blog/search/")
    get("search: results", "/blog/search/?q=magnesium")
    get("search: nothing found", "/blog/search/?q=zzzzqqq")
    get("site page, updated now", page.get_absolute_url())
    get("privacy policy", Page.objects.get(is_privacy_policy=True).get_absolute_url())
    get("page preview (staff)", PageFactory(draft=True).get_absolute_url(), client=staff)
    get("post preview (staff)", PostFactory(draft=True).get_absolute_url(), client=staff)

    # The comment form with errors: the post page again, the text kept.
    invalid = form_data(post, name="", email="not an address", text="Kept <b>words</b>")
    documents["comment form with errors"] = html_of(
        reader.post(reverse("comments:post", args=[post.pk]), invalid)
    )
    documents["comment refused (cross-site)"] = html_of(
        reader.post(
            reverse("comments:post", args=[post.pk]),
            form_data(post),
            HTTP_SEC_FETCH_SITE="cross-site",
        ),
        403,
    )

    # Readers' rights: asking for the deletion of one's comments.
    asking = Client()
    get("deletion: request", reverse("comments:delete"), client=asking)
    documents["deletion: request with errors"] = html_of(
        asking.post(reverse("comments:delete"), {"email": "not an address"})
    )
    get("deletion: sent", reverse("comments:delete_sent"), client=asking)
    token = deletion.make_token(deletion.holdings(comment.email))
    confirm = reverse("comments:delete_confirm", args=[token])
    get("deletion: confirm", confirm, client=asking)
    get("deletion: bad link", reverse("comments:delete_confirm", args=["nonsense"]), status=400)
    documents["deletion: done"] = html_of(asking.post(confirm))

    # Following by email: the form's own page, its mistakes, the
    # confirmation page and its answers.
    following = Client()
    get("newsletter: subscribe", reverse("newsletter:subscribe"), client=following)
    documents["newsletter: subscribe with errors"] = html_of(
        following.post(reverse("newsletter:subscribe"), {"email": "not an address"}), 400
    )
    get("newsletter: sent", reverse("newsletter:sent"), client=following)
    subscriber = Subscriber.objects.create(
        email="follower@example.com", confirmation_sent_at=timezone.now()
    )
    confirm_link = reverse("newsletter:confirm", args=[links.confirmation_token(subscriber, None)])
    get("newsletter: confirm", confirm_link, client=following)
    documents["newsletter: confirmed"] = html_of(following.post(confirm_link))
    own = {
        name: reverse(f"newsletter:{name}", args=[links.subscriber_token(subscriber)])
        for name in ("unsubscribe", "preferences", "forget")
    }
    get("newsletter: preferences", own["preferences"], client=following)
    get("newsletter: unsubscribe", own["unsubscribe"], client=following)
    documents["newsletter: unsubscribed"] = html_of(following.post(own["unsubscribe"]))
    documents["newsletter: address deleted"] = html_of(following.post(own["forget"]))
    get(
        "newsletter: bad link",
        reverse("newsletter:confirm", args=["nonsense"]),
        status=400,
        client=following,
    )

    # Errors.
    get("404", "/blog/no-such-post/", status=404)
    csrf = Client(enforce_csrf_checks=True)
    documents["403: form not checked"] = html_of(
        csrf.post(reverse("comments:delete"), {"email": "a@example.com"}), 403
    )
    denied = RequestFactory().get("/blog/")
    documents["403"] = html_of(permission_denied(denied), 403)
    documents["400"] = html_of(
        reader.post(
            reverse("comments:delete"),
            "email=a",
            content_type="application/x-www-form-urlencoded; charset=latin-1",
        ),
        400,
    )
    documents["405"] = html_of(Client(enforce_csrf_checks=True).post("/blog/"), 405)
    documents["500"] = render_to_string("500.html").encode()
    documents["503"] = html_of(busy_response(RequestFactory().post("/")), 503)
    get("admin login", reverse("admin:login"))
    # The post's email (its HTML part), as its editor previews it in the admin.
    get(
        "newsletter email",
        reverse("admin:newsletter_mailing_preview", args=[demo.pk]),
        client=staff,
    )
    return documents


def test_every_kind_of_page_is_valid_html(never_round_clock, admin_client, admin_user):
    problem = html_checker.missing()
    assert not problem, problem
    out = io.StringIO()
    for command in ("load_demo", "load_demo_comments", "load_demo_pages"):
        call_command(command, stdout=out)
    post = publish_through_the_admin(admin_client)
    assert post.publish_at.microsecond, "dated now, to the microsecond"
    comment = comment_and_approve(admin_client, post)
    page = save_page_through_the_admin(admin_client, Page.objects.get(slug="about"))
    assert page.updated_at.microsecond

    documents = every_kind_of_page(admin_client, post, comment, page)
    documents["control: a six-digit fraction of a second"] = BROKEN
    report = html_checker.check(documents)

    control = report.pop("control: a six-digit fraction of a second")
    assert any("fraction of a second" in m.text for m in control), control
    faults = [
        f"{name}: {message}"
        for name, messages in report.items()
        for message in messages
        if message.kind == "error"
        or (message.kind == "warning" and message.text not in ALLOWED_WARNINGS)
    ]
    assert not faults, "\n".join(faults)
    assert len(report) >= 30
