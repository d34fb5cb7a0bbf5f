"""The editor's Markdown: structure kept, citations and markers linked, HTML made safe."""

from html.parser import HTMLParser

import pytest

from core import markup
from core.markup import parse_numbers, render


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def parse(html):
    collector = _Collector()
    collector.feed(html)
    return collector.tags


def test_headings_nested_ordered_lists_emphasis_links_quotes_images():
    body = (
        "## What is it?\n\n"
        "Some *emphasis* and **strong** text with [a link](https://example.com).\n\n"
        "> A quote\n\n"
        "![A powder in a glass](/static/powder.png)\n\n"
        "1. First\n    1. Nested\n2. Second\n"
    )
    html = render(body).html
    tags = [tag for tag, _ in parse(html)]

    assert "<h2>What is it?</h2>" in html
    assert "<em>emphasis</em>" in html and "<strong>strong</strong>" in html
    assert "<blockquote>" in html
    assert tags.count("ol") == 2  # the nested list survives
    assert ("img", {"src": "/static/powder.png", "alt": "A powder in a glass"}) in parse(html)
    assert ("a", {"href": "https://example.com", "rel": "noopener noreferrer"}) in parse(html)


def test_citation_becomes_a_link_to_the_numbered_reference():
    html = render("Glutamine helps.[2]", reference_count=2).html

    assert parse(html)[1:] == [
        ("sup", {"class": "citation"}),
        ("a", {"href": "#ref-2", "title": "Reference 2", "rel": "noopener noreferrer"}),
    ]
    assert ">[2]</a>" in html


@pytest.mark.parametrize(
    ("text", "numbers"),
    [("1", [1]), ("1, 3", [1, 3]), ("2-4", [2, 3, 4]), ("1,3–4", [1, 3, 4])],
)
def test_several_citations(text, numbers):
    assert parse_numbers(text) == numbers
    result = render(f"Text [{text}].", reference_count=5)
    hrefs = [attrs["href"] for tag, attrs in parse(result.html) if tag == "a"]
    assert hrefs == [f"#ref-{n}" for n in numbers]


def test_citation_of_a_missing_reference_is_reported_not_linked():
    result = render("Cited [1] and [3].", reference_count=2)

    assert result.unknown_citations == [3]
    assert "#ref-3" not in result.html
    assert "[3]" in result.html  # the editor's text stays as written


def test_markdown_links_and_code_are_not_citations():
    result = render("[1](https://example.com) `[7]` \\[8]", reference_count=0)

    assert result.unknown_citations == []
    assert "<code>[7]</code>" in result.html


def test_disclaimer_marker_links_to_the_disclaimer_at_the_foot():
    result = render("Take after exercise. [**] Also this. [†]", markers=["†", "**"])

    hrefs = [attrs["href"] for tag, attrs in parse(result.html) if tag == "a"]
    assert hrefs == ["#disclaimer-2", "#disclaimer-1"]
    assert result.unknown_markers == []


def test_marker_without_disclaimer_is_reported():
    result = render("Bold claim. [‡]", markers=["**"])

    assert result.unknown_markers == ["‡"]
    assert "#disclaimer" not in result.html


def test_bold_text_is_not_mistaken_for_a_marker():
    result = render("This is **bold** text.", markers=["**"])

    assert "<strong>bold</strong>" in result.html
    assert result.markers == []


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        '<img src=x onerror="alert(1)">',
        '<a href="#" onclick="alert(1)">click</a>',
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        '<a href="javascript&colon;alert(1)">x</a>',
        "![x](javascript:alert(1))",
        '<svg onload="alert(1)"></svg>',
        '<iframe src="https://evil.example"></iframe>',
        '<div style="background:url(javascript:alert(1))">x</div>',
        '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
        "<object data=x></object><embed src=x>",
        '<form action="https://evil.example"><input name=x></form>',
    ],
)
def test_nothing_executable_survives(attack):
    html = render(f"Before\n\n{attack}\n\nAfter").html

    for tag, attrs in parse(html):
        assert tag not in {"script", "iframe", "svg", "object", "embed", "form", "input"}
        for name, value in attrs.items():
            assert not name.startswith("on"), html
            assert name != "style", html
            if name in {"href", "src"}:
                assert not value.strip().lower().startswith(("javascript", "data", "vbscript")), (
                    html
                )
    assert "alert(1)</script>" not in html


def test_with_absolute_urls_for_feed_readers():
    html = (
        '<p><a href="#ref-1">[1]</a> <a href="/blog/other/">other</a> '
        '<a href="https://example.org/x">out</a></p>'
        '<img src="/media/a.jpg" srcset="/media/a-480.jpg 480w, /media/a-960.jpg 960w" alt="A">'
    )

    result = markup.with_absolute_urls(html, "https://blog.example.com/blog/post/")

    assert 'href="https://blog.example.com/blog/post/#ref-1"' in result
    assert 'href="https://blog.example.com/blog/other/"' in result
    assert 'href="https://example.org/x"' in result
    assert 'src="https://blog.example.com/media/a.jpg"' in result
    assert (
        'srcset="https://blog.example.com/media/a-480.jpg 480w, '
        'https://blog.example.com/media/a-960.jpg 960w"'
    ) in result


def test_with_absolute_urls_keeps_the_html_sanitised():
    result = markup.with_absolute_urls(
        '<a href="javascript:alert(1)">x</a><script>alert(2)</script>', "https://b.example/p/"
    )

    assert "javascript:" not in result and "<script" not in result
