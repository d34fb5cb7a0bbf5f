"""An editor imports references into a post through the admin: paste,
preview, confirm. Nothing is added before the confirmation, nothing at all
when an entry is wrong, and only by those who may change posts."""

import logging
import time

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.urls import reverse

from articles.models import Post, Reference
from tests.articles.factories import PostFactory, ReferenceFactory

from .test_bibliography import THREE_BIBTEX

pytestmark = pytest.mark.django_db


def import_url(post):
    return reverse("admin:articles_post_import_references", args=[post.pk])


@pytest.fixture
def post():
    post = PostFactory(body="Glutamine [1] helps [2], [3] and [4].")
    ReferenceFactory(post=post, authors="Doe J", title="An earlier study")
    return post


def test_the_change_form_links_to_the_import(editor_client, post):
    html = editor_client.get(reverse("admin:articles_post_change", args=[post.pk])).text

    assert f'href="{import_url(post)}"' in html
    assert "Import references" in html


def test_preview_shows_what_will_be_added_and_adds_nothing(editor_client, post):
    response = editor_client.post(import_url(post), {"text": THREE_BIBTEX, "preview": "Preview"})

    assert response.status_code == 200
    html = response.text
    assert "3 references to add" in html
    assert '<ol start="2">' in html  # after the post's one reference
    assert "Kim MH, Kim H. The roles of glutamine" in html
    assert 'doi:<a href="https://doi.org/10.3390/ijms18051051">' in html
    assert 'value="Import 3 references"' in html
    assert post.references.count() == 1


def test_confirming_appends_in_order_renders_once_and_records_it(editor_client, post, editor):
    preview = editor_client.post(import_url(post), {"text": THREE_BIBTEX, "preview": "Preview"})
    seen_at = preview.context["form"]["seen_at"].value()

    response = editor_client.post(
        import_url(post), {"text": THREE_BIBTEX, "seen_at": seen_at, "import": "Import"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:articles_post_change", args=[post.pk])
    assert list(post.references.values_list("authors", flat=True)) == [
        "Doe J",
        "Kim MH, Kim H",
        "Deters BJ, Saleem M",
        "World Health Organization",
    ]
    stored = Post.objects.get(pk=post.pk)
    assert stored.body_html.count('class="citation"') == 4
    assert stored.updated_at.isoformat() != seen_at  # an open form of the post is told
    entry = LogEntry.objects.get(object_id=str(post.pk))
    assert entry.user == editor
    assert entry.get_change_message() == "Imported 3 references as [2]–[4]."
    page = editor_client.get(response["Location"]).text
    assert "Imported 3 references as [2]–[4]." in page


def test_a_broken_entry_imports_nothing_and_names_each_problem(editor_client, post):
    # (A web page may have no authors: the journal article is the one without.)
    text = THREE_BIBTEX.replace("10.1016/j.fshw.2021.02.003", "not-a-doi").replace(
        "Kim, Min-Hyun and Kim, Hyeyoung", ""
    )
    seen_at = post.updated_at.isoformat()

    response = editor_client.post(
        import_url(post), {"text": text, "seen_at": seen_at, "import": "Import"}
    )

    assert response.status_code == 200
    html = response.text
    assert "Nothing was imported: 2 problems to fix first." in html
    assert "Entry 1 (line 3, kim2017): it has no authors." in html
    assert "Entry 2 (line 15, deters2021): DOI: Enter a DOI such as" in html
    assert "Import 3" not in html
    assert "deters2021" in response.context["form"]["text"].value()  # the text is kept
    assert post.references.count() == 1


def test_a_post_saved_since_the_preview_is_previewed_again(editor_client, post):
    stale = post.updated_at.isoformat()
    ReferenceFactory(post=post)  # someone else's save meanwhile
    post.rerender_body()

    response = editor_client.post(
        import_url(post), {"text": THREE_BIBTEX, "seen_at": stale, "import": "Import"}
    )

    assert response.status_code == 200
    assert "the numbers may have moved" in response.text
    assert '<ol start="3">' in response.text
    assert post.references.count() == 2


def test_an_empty_paste_is_an_error_on_the_field(editor_client, post):
    response = editor_client.post(import_url(post), {"text": "", "preview": "Preview"})

    assert response.status_code == 200
    assert "This field is required." in response.text


def test_the_import_needs_the_right_to_change_posts(moderator_client, post):
    assert moderator_client.get(import_url(post)).status_code == 403
    response = moderator_client.post(
        import_url(post),
        {"text": THREE_BIBTEX, "seen_at": post.updated_at.isoformat(), "import": "Import"},
    )
    assert response.status_code == 403
    assert post.references.count() == 1


def test_anonymous_readers_are_sent_to_the_login(client, post):
    response = client.get(import_url(post))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_an_unknown_post_is_a_404(editor_client):
    assert editor_client.get("/admin/articles/post/999999/references/import/").status_code == 404
    assert editor_client.get("/admin/articles/post/x%00y/references/import/").status_code == 404


def test_the_import_is_protected_by_csrf(client, editor, post):
    client.handler.enforce_csrf_checks = True
    client.force_login(editor)

    response = client.post(
        import_url(post),
        {"text": THREE_BIBTEX, "seen_at": post.updated_at.isoformat(), "import": "Import"},
    )

    assert response.status_code == 403
    assert post.references.count() == 1


def test_an_editor_with_the_form_open_during_an_import_is_told_on_saving(editor_client, editor):
    from tests.articles.test_admin import _change_data

    post = PostFactory(author=editor, body="No citations yet.")
    url = reverse("admin:articles_post_change", args=[post.pk])
    open_form = _change_data(editor, post, title="Edited in the open form")

    preview = editor_client.post(import_url(post), {"text": THREE_BIBTEX, "preview": "Preview"})
    seen_at = preview.context["form"]["seen_at"].value()
    editor_client.post(import_url(post), {"text": THREE_BIBTEX, "seen_at": seen_at, "import": "1"})
    refused = editor_client.post(url, open_form)

    assert refused.status_code == 200
    assert "was saved again at" in refused.text
    assert post.references.count() == 3  # the import is kept
    assert Post.objects.get(pk=post.pk).title == post.title


# --- costly pastes (issue 16): bounded, one message, a line of log ---------------------


def test_180_kb_of_entry_starts_is_one_message_and_one_line_of_log(
    editor_client, post, caplog, django_assert_max_num_queries
):
    """Issue 16: 180 KB of ``@a{`` pasted wrote 61,500 warning lines (24 MB of
    log) and listed 60,001 messages. Counted before parsing: refused unread."""
    text = ("@a{" * 60_000)[:180_000]
    caplog.set_level(logging.DEBUG)

    with django_assert_max_num_queries(12):
        response = editor_client.post(import_url(post), {"text": text, "preview": "Preview"})

    assert response.status_code == 200
    assert response.context["problems"] == [
        "The text has 60,000 entries; import at most 200 at a time."
    ]
    assert "Nothing was imported: one problem to fix first." in response.text
    assert len(caplog.records) <= 2, [r.getMessage()[:80] for r in caplog.records]
    assert response.context["form"]["text"].value() == text  # kept for the editor


def test_many_broken_entries_are_named_up_to_ten_then_counted(editor_client, post, caplog):
    text = "\n".join(f"@article{{k{n}, title = {{unclosed" for n in range(200))
    caplog.set_level(logging.DEBUG)

    response = editor_client.post(import_url(post), {"text": text, "preview": "Preview"})

    problems = response.context["problems"]
    assert len(problems) == 11
    assert problems[0].startswith("Entry 1 (line 1, k0): it is not complete BibTeX")
    assert problems[-1] == (
        "… and 190 more entries with problems like these: fix the ones above and preview again."
    )
    assert len(caplog.records) <= 2, [r.getMessage()[:80] for r in caplog.records]
    assert [r.getMessage() for r in caplog.records] == [
        "Reference import: BibTeX text, 200 entries, 200 with problems"
    ]


def test_a_paste_of_thousands_of_latex_commands_is_refused_unread():
    text = "@article{k, author={Doe, J}, title={" + '{\\"u}' * 6_000 + "}}"

    references, messages = Reference.read_entries(text)

    assert references == []
    assert messages == [
        "The text has 6,000 LaTeX commands (\\…); import at most 5,000 at a time: split it "
        "in parts."
    ]


def test_a_library_failure_is_a_message_not_a_500(editor_client, post, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("python-bibtexparser detected an invalid state")

    monkeypatch.setattr("articles.bibliography.bibtexparser.parse_string", broken)

    response = editor_client.post(import_url(post), {"text": THREE_BIBTEX, "preview": "Preview"})

    assert response.status_code == 200
    assert response.context["problems"] == [
        "This BibTeX could not be read: python-bibtexparser detected an invalid state"
    ]


# --- the rate limit -------------------------------------------------------------------


def test_an_editor_past_the_limit_is_told_to_wait_and_keeps_the_text(
    editor_client, post, settings, monkeypatch
):
    settings.REFERENCE_IMPORT_RATE_LIMIT_PER_MINUTE = 3
    now = time.time()
    monkeypatch.setattr("core.ratelimit.time.time", lambda: now)
    for _ in range(3):
        editor_client.post(import_url(post), {"text": THREE_BIBTEX, "preview": "Preview"})

    refused = editor_client.post(import_url(post), {"text": THREE_BIBTEX, "preview": "Preview"})

    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert "You have previewed or imported 3 times in the last minute" in refused.text
    assert "your text is kept below" in refused.text
    assert refused.context["form"]["text"].value() == THREE_BIBTEX
    assert "deters2021" in refused.text  # in the box
    assert post.references.count() == 1

    # A minute later (time moved, not waited), the preview works again.
    monkeypatch.setattr("core.ratelimit.time.time", lambda: now + 120)
    again = editor_client.post(import_url(post), {"text": THREE_BIBTEX, "preview": "Preview"})
    assert again.status_code == 200
    assert "3 references to add" in again.text


def test_the_limit_counts_each_editor_apart(
    client, editor_client, post, settings, django_user_model
):
    settings.REFERENCE_IMPORT_RATE_LIMIT_PER_MINUTE = 1
    editor_client.post(import_url(post), {"text": THREE_BIBTEX, "preview": "Preview"})
    assert (
        editor_client.post(import_url(post), {"text": THREE_BIBTEX, "preview": "Preview"})
    ).status_code == 429

    other = django_user_model.objects.create_user("other", is_staff=True)
    other.groups.add(Group.objects.get(name="Editors"))
    client.force_login(other)
    response = client.post(import_url(post), {"text": THREE_BIBTEX, "preview": "Preview"})

    assert response.status_code == 200


def test_opening_the_import_page_is_not_counted(editor_client, post, settings):
    settings.REFERENCE_IMPORT_RATE_LIMIT_PER_MINUTE = 1
    for _ in range(5):
        assert editor_client.get(import_url(post)).status_code == 200

    response = editor_client.post(import_url(post), {"text": THREE_BIBTEX, "preview": "Preview"})

    assert response.status_code == 200
