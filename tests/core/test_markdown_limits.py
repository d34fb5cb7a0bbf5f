"""Editors' Markdown shaped so that Python-Markdown would take seconds or
minutes (16,000 characters of nested brackets took 66 s) is refused before it
is rendered, with the reason on the body field; everything else renders, and
no 100 KB body of any shape takes a worker for long.

The bounds are on this process's CPU time (time.process_time), not the wall
clock: what a body costs the worker, whatever else the machine is running.
They are far above what a body takes and far below what the refused shapes
took, so they tell a pathological shape from a busy machine.
"""

import time

import pytest
from django.urls import reverse

from articles.demo import GLUTAMINE_BODY
from articles.models import Post
from core.markup import MARKDOWN_LIMITS, complexity_problems, render
from pages.models import Page
from tests.admin.forms import submitted
from tests.articles.factories import PostFactory
from tests.pages.factories import PageFactory

KB100 = 100_000
NESTING = MARKDOWN_LIMITS["nesting"]


def repeat(piece, size=KB100):
    return (piece * (size // len(piece) + 1))[:size]


# Shapes that were slow (seconds for 100 KB or less), each to be refused.
HOSTILE = {
    "nested brackets": "[" * 8000 + "]" * 8000,
    "unclosed brackets": repeat("["),
    "image brackets": repeat("!["),
    "links never closed": repeat("[a]("),
    "nested parentheses": "(" * 40 + "x" + ")" * 40,
    "unclosed tags on lines": repeat("<a\n"),
    "unclosed tags": repeat("<a"),
    "emphasis marks": repeat("*a"),
    "backticks": repeat("`a"),
    "backslashes": repeat("\\"),
    "lists 1000 deep": "".join("    " * i + "- x\n" for i in range(1000)),
    "quotes 1000 deep": "".join(">" * i + " x\n" for i in range(1000)),
    "table rows": "|a|b|\n|-|-|\n" + repeat("|x|y|\n"),
    "HTML tags": repeat("<b>x</b> "),
}
# Shapes at (or near) the limits, and ordinary text, all 100 KB: rendered.
ACCEPTED = {
    "brackets 32 deep": repeat("[" * NESTING + "x" + "]" * NESTING + " "),
    "parentheses 32 deep": repeat("(" * NESTING + "x" + ")" * NESTING + " "),
    "lists 32 deep": repeat("".join("    " * i + "- x\n" for i in range(NESTING)) + "\n"),
    "quotes 32 deep": repeat("".join(">" * i + " x\n" for i in range(1, NESTING + 1)) + "\n"),
    "HTML tags, at the limit": repeat("<b>x</b> ", 9 * 1000),
    "a < b in prose": repeat("a < b and c > d, "),
    "stars in a run": repeat("*" * 19_000 + "\n\n", 19_002),
    "underscores": repeat("_a"),
    "ampersands": repeat("&"),
    "the demo post, repeated": repeat(GLUTAMINE_BODY + "\n\n"),
    "citations": repeat("Glutamine [1] helps [2, 3] the gut [4-6]. "),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_a_pathological_body_is_refused_in_milliseconds(name, input_cases):
    body = HOSTILE[name]
    started = time.process_time()
    result = render(body, None, None)
    took = time.process_time() - started
    input_cases(1)
    assert result.too_complex, name
    assert took < 0.5, f"{name}: {took:.2f} s"
    # Shown, if it ever was saved before the limits, as escaped text.
    assert result.html.startswith("<p>") and "<a" not in result.html[3:].replace("&lt;a", "")


@pytest.mark.parametrize("name", ACCEPTED)
def test_any_other_100_kb_body_renders_within_a_generous_bound(name, input_cases):
    body = ACCEPTED[name]
    assert complexity_problems(body) == [], name
    started = time.process_time()
    result = render(body, None, None)
    took = time.process_time() - started
    input_cases(1)
    assert not result.too_complex
    assert took < 2, f"{name}: {took:.2f} s for {len(body):,} characters"


def test_the_guard_itself_takes_milliseconds():
    started = time.process_time()
    for body in [*HOSTILE.values(), *ACCEPTED.values()]:
        complexity_problems(body)
    assert time.process_time() - started < 1  # 24 bodies of up to 100 KB


def test_the_nesting_limit_is_exact():
    assert complexity_problems("[" * NESTING + "]" * NESTING) == []
    assert complexity_problems("[" * (NESTING + 1) + "]" * (NESTING + 1))
    # Escaped brackets are characters, not nesting.
    assert complexity_problems("\\[" * 100) == []


@pytest.mark.django_db
def test_the_editor_sees_why_on_the_body_field(editor_client):
    post = Post.objects.get(pk=PostFactory(body="Short and fine.").pk)
    url = reverse("admin:articles_post_change", args=[post.pk])
    data = submitted(editor_client.get(url).content.decode(), form_id="post_form")
    data["body"] = ["[" * 8000 + "]" * 8000]
    data["_save"] = ["Save"]

    started = time.process_time()
    response = editor_client.post(url, data)
    took = time.process_time() - started

    assert response.status_code == 200  # the form again, nothing saved
    errors = response.context["adminform"].form.errors
    assert "body" in errors, errors
    assert "would take the site too long to show" in errors["body"][0]
    assert "opened 8000 times before being closed (at most 32)" in errors["body"][0]
    assert took < 5, f"{took:.1f} s"  # it was 66 s of rendering
    post.refresh_from_db()
    assert post.body == "Short and fine."


@pytest.mark.django_db
def test_a_site_page_body_is_guarded_too():
    page = PageFactory.build(body="(" * 100 + ")" * 100)
    with pytest.raises(Exception) as caught:
        page.full_clean()
    assert "would take the site too long to show" in str(caught.value)
    assert Page.objects.count() == 0
