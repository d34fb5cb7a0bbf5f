"""A moderator's journey, in Chromium, through the real admin.

Readers have left comments on "Glutamine and Gut Health". Morgan opens the
queue from the admin's front page, approves, rejects and marks spam with the
bulk actions, approves one more in its own form and answers it as staff. A
reader with the post open sees each decision on their next reload, and every
decision is recorded with who made it and when. Morgan may read posts but not
change them: not through the form, not with a forged POST, not with an action.

The readers' comments are set up through the same model method the public
form calls (``Comment.objects.receive``, spam rules included): the readers'
side is the comment journey's (test_comments.py). Everything Morgan does is
done in the browser.
"""

import re

import pytest
from django.contrib.admin.models import LogEntry
from playwright.sync_api import expect

from articles.models import Post
from comments.models import Comment
from core.client_ip import Client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POST_URL = "/blog/glutamine-and-gut-health/"
READERS = [
    ("Alex", "How much glutamine is too much in one day?"),
    ("Robin", "You people are shills for the supplement industry, all of you."),
    ("Best Deals", "Cheap glutamine, 70% off today only at https://bulk-deals.example"),
    ("Kai", "Can I stir it into my morning coffee, or does heat break it down?"),
]
REPLY = "Heat does not matter much at coffee temperature; stir it in once it has cooled a little."


@pytest.fixture
def queue(demo):
    post = Post.objects.get(slug="glutamine-and-gut-health")
    comments = {}
    for n, (name, text) in enumerate(READERS, start=10):
        comments[name] = Comment.objects.receive(
            post,
            name=name,
            email=f"{name.split()[0].lower()}@example.com",
            text=text,
            client=Client.at(f"203.0.113.{n}"),
            user_agent="Mozilla/5.0",
        )
    assert all(c.status == Comment.Status.PENDING for c in comments.values())
    comments["Sam"] = Comment.objects.get(name="Sam")  # the demo's pending comment
    return comments


def comment_count(page):
    return int(re.match(r"\d+", page.locator("#comments-title").inner_text())[0])


def tick(page, *texts):
    for text in texts:
        page.locator("#result_list tbody tr", has_text=text).get_by_role("checkbox").check()


def bulk(page, action_label):
    page.locator("select[name=action]").select_option(label=action_label)
    page.get_by_role("button", name="Go").click()


def test_moderator_works_the_queue_and_every_decision_shows_and_is_recorded(
    queue, moderator_user, new_page, watch, screenshot, admin_login
):
    reader = new_page()
    reader.goto(POST_URL)
    before = comment_count(reader)
    for name, _ in READERS:
        expect(reader.get_by_label(f"Comment by {name}")).to_have_count(0)

    # The admin's front page says how many wait, and opens the queue.
    moderator = admin_login(new_page(viewport={"width": 1280, "height": 900}), moderator_user)
    notice = moderator.locator(".pending-comments-notice")
    expect(notice).to_have_text("5 comments awaiting approval")
    screenshot(moderator, "moderator-front-page")
    notice.get_by_role("link").click()
    rows = moderator.locator("#result_list tbody tr")
    expect(rows).to_have_count(5)
    expect(moderator.locator("#changelist-filter li.selected", has_text="Pending")).to_be_visible()

    # Bulk approve two: the reader sees both on their next reload.
    assert moderator.evaluate(  # every column fits a 1280-pixel laptop
        "(() => { const r = document.querySelector('.results');"
        " return r.scrollWidth <= r.clientWidth; })()"
    )
    tick(moderator, "too much in one day", "interact with any medication")
    screenshot(moderator, "moderator-queue")
    bulk(moderator, "Approve selected comments")
    expect(moderator.locator(".messagelist .success")).to_have_text("2 comments approved.")
    expect(rows).to_have_count(3)
    reader.reload()
    assert comment_count(reader) == before + 2
    expect(reader.get_by_label("Comment by Alex")).to_contain_text("too much in one day")
    expect(reader.get_by_label("Comment by Sam")).to_be_visible()

    # Reject one, mark one as spam: the reader never sees either.
    tick(moderator, "shills")
    bulk(moderator, "Reject selected comments")
    expect(moderator.locator(".messagelist .success")).to_have_text("1 comment rejected.")
    tick(moderator, "70% off")
    bulk(moderator, "Mark selected comments as spam")
    expect(moderator.locator(".messagelist .success")).to_have_text("1 comment marked as spam.")
    expect(rows).to_have_count(1)
    reader.reload()
    assert comment_count(reader) == before + 2
    expect(reader.get_by_text("shills")).to_have_count(0)
    expect(reader.get_by_text("bulk-deals")).to_have_count(0)

    # The last one, in its own form: status Approved, Save.
    moderator.get_by_role("link", name=re.compile("morning coffee")).click()
    expect(moderator.locator(".field-post_link")).to_contain_text("Glutamine and Gut Health")
    moderator.get_by_label("Status:").select_option(label="Approved")
    moderator.get_by_role("button", name="Save and continue editing").click()
    expect(moderator.locator(".messagelist .success")).to_contain_text("was changed successfully")
    expect(moderator.locator(".field-decided_by .readonly")).to_have_text(
        "Morgan Browser (browser-moderator)"
    )
    reader.reload()
    assert comment_count(reader) == before + 3
    expect(reader.get_by_label("Comment by Kai")).to_be_visible()

    # ... and answers it as staff.
    moderator.get_by_label("Reply as staff:").fill(REPLY)
    screenshot(moderator, "moderator-reply", full_page=True)
    moderator.get_by_role("button", name="Save and continue editing").click()
    expect(moderator.locator(".messagelist .success").first).to_contain_text(
        "was changed successfully"
    )
    expect(moderator.locator(".messagelist")).to_contain_text(
        "Your reply is published under the comment."
    )
    expect(moderator.locator(".field-replies")).to_contain_text(REPLY[:40])
    reader.reload()
    assert comment_count(reader) == before + 4
    reply = reader.locator(".comment-staff-reply", has_text=REPLY)
    expect(reply).to_contain_text("Staff reply")
    expect(reply).to_contain_text("Morgan Browser")
    kai = reader.locator("li.comment", has=reader.get_by_label("Comment by Kai"))
    expect(kai.locator(".comment-replies")).to_contain_text(REPLY)
    reply.scroll_into_view_if_needed()
    screenshot(reader, "moderator-decisions-reader", full_page=True)

    # Every decision is recorded with who and when: on the comment's page...
    moderator.goto("/admin/comments/comment/?status=rejected")
    moderator.get_by_role("link", name=re.compile("shills")).click()
    expect(moderator.locator(".field-status .readonly, #id_status option:checked")).to_have_text(
        "Rejected"
    )
    expect(moderator.locator(".field-decided_by .readonly")).to_have_text(
        "Morgan Browser (browser-moderator)"
    )
    expect(moderator.locator(".field-status_changed_at .readonly")).not_to_have_text("-")
    # ... and in its History.
    moderator.get_by_role("link", name="History").click()
    history = moderator.locator("#change-history tbody tr")
    expect(history).to_have_count(1)
    expect(history).to_contain_text(moderator_user.get_username())
    expect(history).to_contain_text("Status changed to Rejected.")
    screenshot(moderator, "moderator-history")

    for name, status in [
        ("Alex", Comment.Status.APPROVED),
        ("Sam", Comment.Status.APPROVED),
        ("Robin", Comment.Status.REJECTED),
        ("Best Deals", Comment.Status.SPAM),
        ("Kai", Comment.Status.APPROVED),
    ]:
        comment = Comment.objects.get(pk=queue[name].pk)
        assert (comment.status, comment.status_changed_by) == (status, moderator_user), name
        assert comment.status_changed_at is not None
        assert LogEntry.objects.filter(object_id=str(comment.pk), user=moderator_user).exists()

    watch.assert_clean()


def test_moderator_may_read_posts_but_not_change_them(
    demo, moderator_user, new_page, watch, screenshot, admin_login
):
    post = Post.objects.get(slug="glutamine-and-gut-health")
    moderator = admin_login(new_page(viewport={"width": 1280, "height": 900}), moderator_user)

    # The post list offers no action (no publish, no unpublish) and no Add.
    moderator.get_by_role("link", name="Posts", exact=True).click()
    expect(moderator.get_by_role("heading", level=1)).to_have_text("Select post to view")
    expect(moderator.locator("select[name=action]")).to_have_count(0)
    expect(moderator.get_by_role("link", name="Add post")).to_have_count(0)

    # The post opens read-only: text, no fields, no Save.
    moderator.get_by_role("link", name="Glutamine and Gut Health").click()
    expect(moderator.get_by_role("heading", level=1)).to_have_text("View post")
    expect(moderator.locator("fieldset").first.locator(".field-title .readonly")).to_have_text(
        "Glutamine and Gut Health"
    )
    # ... with what readers see with it: its references and disclaimer, its author.
    expect(moderator.locator(".references-inline")).to_contain_text("Deters BJ, Saleem M")
    expect(moderator.locator(".field-author_name .readonly")).to_have_text("Erin Editor")
    expect(moderator.locator("#id_title")).to_have_count(0)
    expect(moderator.get_by_role("button", name=re.compile("^Save"))).to_have_count(0)
    screenshot(moderator, "moderator-post-read-only", full_page=True)

    # A forged POST of the form (fields added by hand) is refused, in the admin's look.
    change_url = f"/admin/articles/post/{post.pk}/change/"
    watch.expect_status(403, change_url)
    moderator.evaluate(
        """() => {
          const form = document.querySelector("#post_form");
          const fields = {title: "Hacked", slug: "hacked", summary: "x", body: "x",
                          status: "draft", author: "1", "references-TOTAL_FORMS": "0",
                          "references-INITIAL_FORMS": "0",
                          "post_disclaimers-TOTAL_FORMS": "0",
                          "post_disclaimers-INITIAL_FORMS": "0", _save: "Save"};
          for (const [name, value] of Object.entries(fields)) {
            const input = document.createElement("input");
            input.type = "hidden"; input.name = name; input.value = value;
            form.append(input);
          }
          form.submit();
        }"""
    )
    moderator.wait_for_load_state()
    expect(moderator.locator(".errornote")).to_have_text(
        f"Your account ({moderator_user.get_username()}) may not open this page."
    )
    expect(moderator.locator("#content-main")).to_contain_text("Can change post")
    expect(moderator.locator("#content-main")).to_contain_text("the Editors group has it")
    screenshot(moderator, "moderator-post-refused")

    # An action sent by hand (the list offers none) changes nothing either.
    moderator.goto("/admin/articles/post/")
    token = next(c["value"] for c in moderator.context.cookies() if c["name"] == "csrftoken")
    answer = moderator.request.post(
        "/admin/articles/post/",
        form={"action": "unpublish", "_selected_action": str(post.pk), "index": "0"},
        headers={"X-CSRFToken": token, "Referer": moderator.url},
    )
    assert answer.status in (200, 302, 403)
    post.refresh_from_db()
    assert (post.title, post.status) == ("Glutamine and Gut Health", Post.Status.PUBLISHED)

    watch.assert_clean()
