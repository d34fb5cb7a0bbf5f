"""Every kind of change the freshness contract names, through the production
stack (nginx's cache, gunicorn, PostgreSQL, Redis): after it is saved, the
next anonymous reader through nginx gets it, however long the page was quiet.

The journeys in Chromium (test_journeys.py) walk the changes people make in
the forms; here each other kind of change is made the way its one path makes
it (the model or queryset method the admin calls), in a `manage.py shell` of
the stack's own, and the page it shows on is read as the next reader would.
"""

import uuid

import pytest

QUIET_SECONDS = 600

SETUP = """
import datetime as dt
from django.contrib.auth import get_user_model
from django.utils import timezone
from articles.models import Post, Topic
from comments.models import Comment
from pages.models import Page
from articles.models import Reviewer
User = get_user_model()
staff, _ = User.objects.get_or_create(username="freshness-moderator")
"""

# (name, path of the page, what is made first, the change, words before, words after)
CHANGES = [
    (
        "a post deleted",
        "/blog/{mark}-deleted/",
        """Post.objects.create(title="Deleted {mark}", slug="{mark}-deleted", body="Soon gone.",
            summary="Soon gone.", author=User.objects.get(username="editor"),
            status=Post.Status.PUBLISHED, publish_at=timezone.now())""",
        """Post.objects.get(slug="{mark}-deleted").delete()""",
        "Soon gone.",
        None,  # a 404
    ),
    (
        "a scheduled post coming due",
        "/blog/",
        """Post.objects.create(title="Due {mark}", slug="{mark}-due", body="Due now.",
            summary="Due now.", author=User.objects.get(username="editor"),
            status=Post.Status.PUBLISHED, publish_at=timezone.now() + dt.timedelta(days=1))""",
        # Its time comes: nothing is saved, the clock passes publish_at.
        """Post.objects.filter(slug="{mark}-due").update(
            publish_at=timezone.now() - dt.timedelta(seconds=1))""",
        None,
        "Due {mark}",
    ),
    (
        "a comment rejected",
        "/blog/glutamine-and-gut-health/",
        """c = Comment.objects.create(post=Post.objects.get(slug="glutamine-and-gut-health"),
            name="Reader {mark}", email="{mark}@readers.example.org", text="Words {mark}")
Comment.objects.filter(pk=c.pk).approve(by=staff)""",
        """Comment.objects.filter(text="Words {mark}").reject(by=staff)""",
        "Words {mark}",
        "",
    ),
    (
        "a comment deleted in the admin",
        "/blog/glutamine-and-gut-health/",
        """c = Comment.objects.create(post=Post.objects.get(slug="glutamine-and-gut-health"),
            name="Reader {mark}", email="{mark}@readers.example.org", text="Words {mark}")
Comment.objects.filter(pk=c.pk).approve(by=staff)""",
        """Comment.objects.get(text="Words {mark}").delete()""",
        "Words {mark}",
        "",
    ),
    (
        "a main topic renamed",
        "/blog/fiber-why-your-gut-needs-more/",
        """t = Topic.objects.get(slug="gut-health"); t.is_main = True; t.save()""",
        """t = Topic.objects.get(slug="gut-health"); t.name = "Gut {mark}"; t.save()""",
        None,
        "Gut {mark}",
    ),
    (
        "a navigation page renamed",
        "/blog/fiber-why-your-gut-needs-more/",
        "",
        """p = Page.objects.get(slug="about"); p.title = "About {mark}"; p.save()""",
        None,
        "About {mark}",
    ),
    (
        "a reviewer renamed",
        "/blog/glutamine-and-gut-health/",
        "",
        """r = Reviewer.objects.get(slug="jane-doe"); r.name = "Jane {mark}"; r.save()""",
        None,
        "Jane {mark}",
    ),
    (
        "an author's byline renamed",
        "/blog/glutamine-and-gut-health/",
        "",
        """from articles.models import Author
a = Author.objects.get(user=Post.objects.get(slug="glutamine-and-gut-health").author)
a.name = "Author {mark}"; a.save()""",
        None,
        "Author {mark}",
    ),
    (
        "an author's account renamed (a post of an author without a page)",
        "/blog/{mark}-by-a-new-writer/",
        """w = User.objects.create(username="writer-{mark}", first_name="Writer")
Post.objects.create(title="By a new writer {mark}", slug="{mark}-by-a-new-writer",
    body="Words.", summary="Words.", author=w, status=Post.Status.PUBLISHED,
    publish_at=timezone.now())""",
        """u = User.objects.get(username="writer-{mark}"); u.first_name = "Renamed{mark}"; u.save()""",
        None,
        "Renamed{mark}",
    ),
]


def shell(stack, code):
    result = stack.manage("shell", "-c", SETUP + code)
    assert result.returncode == 0, result.stderr


def anonymous(stack, path):
    response, body = stack.get(path)
    return response.status, response.headers.get("X-Cache"), body.decode()


@pytest.mark.parametrize(
    ("path", "setup", "change", "before", "after"),
    [case[1:] for case in CHANGES],
    ids=[case[0] for case in CHANGES],
)
def test_the_next_reader_gets_the_change(stack, path, setup, change, before, after):
    mark = uuid.uuid4().hex[:8]
    path = path.format(mark=mark)
    if setup:
        shell(stack, setup.format(mark=mark))
    # Whatever was changed before reaches readers within two seconds.
    stack.clock.advance(2)
    status, _, shown = anonymous(stack, path)
    assert status == 200
    if before:
        assert before.format(mark=mark) in shown
    if after:
        assert after.format(mark=mark) not in shown
    assert anonymous(stack, path)[1] == "HIT"
    stack.clock.advance(QUIET_SECONDS)

    shell(stack, change.format(mark=mark))

    status, cache, shown = anonymous(stack, path)
    assert cache not in {"STALE", "UPDATING"}
    if after is None:
        assert status == 404
        return
    assert status == 200
    if before:
        assert before.format(mark=mark) not in shown
    if after:
        assert after.format(mark=mark) in shown
