"""The XSS corpus through the editors' Markdown: nothing executable survives."""

import pytest

from core import markup

from .xss import XSS_VECTORS, assert_inert, executable_parts, vector_id, vectors_calling


def test_the_corpus_is_large_enough():
    assert len(XSS_VECTORS) >= 80


@pytest.mark.parametrize(
    "dangerous",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        '<a href="&#106;avascript:alert(1)">x</a>',
        '<a href="java\tscript:alert(1)">x</a>',
        '<iframe srcdoc="x"></iframe>',
        '<svg><a xlink:href="javascript:alert(1)">x</a></svg>',
        '<img srcset="https://ok.example/a.png 1x, javascript:alert(1) 2x">',
        '<div style="background:url(javascript:alert(1))">',
    ],
)
def test_the_checker_sees_what_a_browser_would_run(dangerous):
    assert executable_parts(dangerous)


@pytest.mark.parametrize(
    "harmless",
    [
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>",
        '<a href="https://ok.example/?q=javascript:alert(1)" rel="noopener">x</a>',
        '<a href="#ref-1">[1]</a>',
        '<a href="mailto:editor@example.com">mail</a>',
        '<img src="/media/a.png" alt="onerror=alert(1)">',
    ],
)
def test_the_checker_lets_escaped_text_and_safe_links_pass(harmless):
    assert executable_parts(harmless) == []


@pytest.mark.parametrize("vector", XSS_VECTORS, ids=vector_id)
def test_markdown_body_renders_nothing_executable(vector):
    # Alone, and inside ordinary content, as an editor might paste it.
    assert_inert(markup.render(vector).html, vector)
    body = f"Intro with a citation [1].\n\n{vector}\n\n* a list item {vector}\n"
    assert_inert(markup.render(body, reference_count=1, markers=["**"]).html, vector)


@pytest.mark.parametrize("vector", XSS_VECTORS, ids=vector_id)
def test_markdown_inline_context_renders_nothing_executable(vector):
    body = f"Some **bold** text {vector} and [a link](https://ok.example/ '{vector}')."
    assert_inert(markup.render(body, reference_count=None, markers=None).html, vector)


def test_browser_vectors_carry_the_marker_instead_of_alert():
    marked = vectors_calling("window.__xss=1")
    assert len(marked) == len(XSS_VECTORS)
    assert "<script>window.__xss=1</script>" in marked
    assert "<img src=x onerror=window.__xss=1>" in marked
    assert not any("alert(" in vector for vector in marked)
