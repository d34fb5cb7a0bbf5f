"""Search: Post.objects.search() and the results page, on SQLite (FTS5) and
PostgreSQL (tsvector): run with DATABASE_URL=postgres://... for the second."""

import io
import re

import factory
import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles import publishing, search
from articles.models import Post
from tests.articles.factories import PostFactory, ReferenceFactory

pytestmark = pytest.mark.django_db

URL = reverse("articles:search")

HOSTILE = [
    '"',
    '"unclosed phrase',
    "'",
    "-",
    "--",
    "*",
    "glut*",
    "^gut",
    "OR",
    "AND",
    "NOT",
    "gut OR",
    "OR gut",
    "gut AND NOT barrier",
    "NEAR(gut barrier, 2)",
    "title:gut",
    "gut + barrier",
    "(gut",
    "gut)",
    "'; DROP TABLE articles_post; --",
    "1 OR 1=1",
    "' OR ''='",
    "\\",
    "%",
    "_",
    "&|!:<->",
    "gut & !barrier",
    "gut <-> barrier",
    "x" * 1000,
    "gut " * 400,
    "gut\x00barrier",
    "gut\x01\x02\x1b[31mbarrier",
    "gut\ud800barrier",
    "\ufeffgut\u200b",
    "<script>alert(1)</script>",
    "\U0001f600 gut",
]


def titles(queryset):
    return [post.title for post in queryset]


def found(query):
    return titles(Post.objects.search(query))


def words(response):
    """The page's text as a reader sees it (the <mark> tags gone)."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.text).split())


# --- what is searched, and what never is -------------------------------------


def test_only_published_posts_are_found_and_shown():
    PostFactory(title="Glutamine basics", body="Glutamine feeds the gut.")
    PostFactory(title="Draft glutamine", body="Secret glutamine draft text.", draft=True)
    PostFactory(title="Future glutamine", body="Scheduled glutamine words.", scheduled=True)

    assert found("glutamine") == ["Glutamine basics"]
    page = words(Client().get(URL, {"q": "glutamine"}))
    assert "Glutamine basics" in page
    for leak in ("Draft glutamine", "Secret", "Future glutamine", "Scheduled"):
        assert leak not in page


def test_unpublishing_takes_a_post_out_of_the_results_at_once():
    post = PostFactory(title="Magnesium and sleep")
    assert found("magnesium") == ["Magnesium and sleep"]

    publishing.unpublish(Post.objects.filter(pk=post.pk))

    assert found("magnesium") == []


def test_title_summary_body_and_reference_titles_are_searched():
    PostFactory(title="Zinc facts", summary="s", body="b")
    PostFactory(title="t1", summary="About selenium.", body="b")
    PostFactory(title="t2", summary="s", body="Iodine is in salt.")
    ReferenceFactory(post=PostFactory(title="t3"), title="Boron in the diet")

    assert (found("zinc"), found("selenium"), found("iodine"), found("boron")) == (
        ["Zinc facts"],
        ["t1"],
        ["t2"],
        ["t3"],
    )


def test_a_title_match_ranks_above_a_body_match():
    PostFactory(
        title="Sleep and stress",
        body="Glutamine " * 20 + "is mentioned a lot here, and glutamine again.",
    )
    PostFactory(title="Glutamine explained", body="An amino acid.")
    PostFactory(title="Fibre", body="Nothing about it.")

    assert found("glutamine") == ["Glutamine explained", "Sleep and stress"]


def test_words_are_stemmed():
    PostFactory(title="Protein", body="Glutamine is an amino acid that holds tight junctions.")

    assert found("amino acids") == ["Protein"]
    assert found("tight junction") == ["Protein"]
    assert found("holding") == ["Protein"]


def test_quotes_minus_and_or_work_as_on_a_search_engine():
    PostFactory(title="One", body="The gut barrier is a wall.")
    PostFactory(title="Two", body="A barrier around the gut.")
    PostFactory(title="Three", body="Zinc for the gut.")

    assert sorted(found('"gut barrier"')) == ["One"]
    assert sorted(found("gut barrier")) == ["One", "Two"]
    assert sorted(found("gut -barrier")) == ["Three"]
    assert sorted(found("wall or zinc")) == ["One", "Three"]


def test_a_query_without_a_word_to_look_for_finds_nothing():
    PostFactory(title="Anything")

    for query in ("", "   ", "-anything", '""', "* - ' !"):
        assert found(query) == []


# --- kept up to date -----------------------------------------------------------


def test_editing_a_post_updates_its_results():
    post = PostFactory(title="Old title", body="Old words.")

    post.title = "Vitamin D in winter"
    post.body = "Sunlight and vitamin D."
    post.save()

    assert found("winter") == ["Vitamin D in winter"]
    assert found("old") == []


def test_adding_changing_and_deleting_a_reference_updates_results():
    post = PostFactory(title="Post with sources")
    reference = ReferenceFactory(post=post, title="Curcumin trials in adults")
    assert found("curcumin") == ["Post with sources"]

    reference.title = "Ginger trials in adults"
    reference.save()
    assert (found("curcumin"), found("ginger")) == ([], ["Post with sources"])

    reference.delete()
    assert found("ginger") == []


def test_imported_references_are_searchable():
    post = PostFactory(title="Imported")
    new = ReferenceFactory.build(title="Quercetin and allergies")

    post.append_references([new])

    assert found("quercetin") == ["Imported"]


def test_a_deleted_post_is_gone_from_search_and_a_new_post_is_not_haunted():
    post = PostFactory(title="Chromium facts")
    post.delete()

    assert found("chromium") == []
    PostFactory(title="Something else")
    assert found("chromium") == []


def test_reindex_writes_documents_of_posts_saved_in_bulk():
    post = PostFactory(title="Saved one")
    Post.objects.bulk_create(
        [Post(title="Bulk lutein", slug="bulk", summary="s", body="b", body_html="<p>b</p>",
              author=post.author, status="published", publish_at=post.publish_at)]
    )  # fmt: skip
    assert found("lutein") == []

    assert Post.objects.reindex() == 2

    assert found("lutein") == ["Bulk lutein"]


# --- hostile input --------------------------------------------------------------


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_are_answered_cleanly(query):
    PostFactory(title="Gut barrier", body="The gut barrier and glutamine.")

    list(Post.objects.search(query))  # no error from the database
    # (A lone surrogate cannot be sent in a URL: the page gets its UTF-8 bytes.)
    response = Client().get(URL, {"q": query.encode("utf-8", "surrogatepass")})

    assert response.status_code == 200
    assert "<script>alert" not in response.text


def test_the_fts5_expression_is_made_only_of_quoted_strings():
    for query in HOSTILE:
        expression = search.fts5_expression(search.clean_query(query))
        without_strings = re.sub(r'"(?:[^"]|"")*"', "S", expression)
        assert re.fullmatch(r"[S()\s]*|[S()\s]*(?:(?:AND|OR|NOT)[S()\s]+)*", without_strings), (
            query,
            expression,
        )


def test_a_long_query_is_shortened_and_the_reader_told():
    PostFactory(title="Gut barrier")

    response = Client().get(URL, {"q": "gut " + "x" * 1000})

    assert response.status_code == 200
    assert "only its first 200 characters were used" in response.text
    assert 'maxlength="200"' in response.text


def test_control_characters_and_nul_bytes_are_spaces():
    PostFactory(title="Gut barrier")

    assert found("gut\x00barrier") == ["Gut barrier"]
    response = Client().get("/blog/search/?q=gut%00barrier%01%ED%A0%80")
    plain = Client().get("/blog/search/?q=gut%09barrier")
    assert response.status_code == plain.status_code == 200
    assert "Gut barrier" in words(response) and "Gut barrier" in words(plain)
    assert "were left out" in response.text and "were left out" not in plain.text


@pytest.mark.parametrize("page", ["99999999999999999999", "-1", "0", "junk", "1e400", "2.5", ""])
def test_odd_page_numbers_are_answered(page):
    PostFactory(title="Gut barrier")

    response = Client().get(URL, {"q": "gut", "page": page})

    assert response.status_code == 200
    assert "Gut barrier" in words(response)


# --- the page -----------------------------------------------------------------


def test_results_mark_the_matched_words_in_title_and_snippet():
    PostFactory(
        title="Tight junctions",
        summary="Short.",
        body="Glutamine promotes **tight junction** expression, the glue between cells.",
    )

    page = Client().get(URL, {"q": "tight junctions"}).text

    assert "<mark>Tight</mark> <mark>junctions</mark>" in page
    assert "<mark>tight</mark> <mark>junction</mark> expression" in page


def test_snippets_titles_and_the_query_are_escaped():
    PostFactory(
        title="Scripts <b>bold</b>",
        body="Write `<script>alert(1)</script>` to show gut code.",
    )
    client = Client()

    page = client.get(URL, {"q": "gut"}).text
    echoed = client.get(URL, {"q": 'gut "><img src=x onerror=alert(3)>'}).text

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Scripts &lt;b&gt;bold&lt;/b&gt;" in page
    assert "<script>alert" not in page and "<b>bold" not in page
    assert "<img src=x" not in echoed and '"><img' not in echoed
    assert "&quot;&gt;&lt;img src=x onerror=alert(3)&gt;" in echoed


def test_empty_and_no_results_states():
    PostFactory(title="Gut barrier")
    client = Client()

    empty = client.get(URL)
    nothing = client.get(URL, {"q": "xylophone"})

    assert empty.status_code == nothing.status_code == 200
    assert "Type a word or two" in empty.text
    assert "No posts found" in nothing.text and "xylophone" in nothing.text
    assert "<title>Search: xylophone · glutablog</title>" in nothing.text
    assert '<meta name="robots" content="noindex">' in nothing.text
    assert "no-cache" in nothing["Cache-Control"] or "no-store" in nothing["Cache-Control"]


def test_results_are_paginated_and_keep_the_query(settings):
    settings.SEARCH_RESULTS_PER_PAGE = 2
    for n in range(5):
        PostFactory(title=f"Gut note {n}")

    page3 = Client().get(URL, {"q": "gut note", "page": 3}).text

    assert "5 posts found; page 3 of 3" in page3
    assert 'href="?q=gut%20note&amp;page=2"' in page3


def test_the_results_page_costs_a_fixed_number_of_queries(settings, django_assert_num_queries):
    settings.SEARCH_RESULTS_PER_PAGE = 10
    PostFactory(title="Gut one")
    client = Client()
    client.get(URL, {"q": "gut"})  # the site's menus are cached from here on
    with CaptureQueriesContext(connection) as one:
        client.get(URL, {"q": "gut"})
    expected = len(one)  # read now: the next request clears Django's query log
    for post in PostFactory.create_batch(15):
        ReferenceFactory(post=post, title="Gut study")
    # Saving posts touches the site-wide stamp: the menus are built again once.
    client.get(URL, {"q": "warm"})

    with django_assert_num_queries(expected) as many:
        response = client.get(URL, {"q": "gut"})

    assert "16 posts found" in response.text
    # The count, the site-wide stamp of the cached menus, the page of posts,
    # their titles and snippets.
    assert len(many) == 4


def test_the_header_has_a_search_box_on_every_page():
    post = PostFactory(title="Gut barrier")
    client = Client()

    for address in (reverse("articles:index"), post.get_absolute_url(), URL):
        page = client.get(address).text
        assert f'action="{URL}"' in page and 'id="site-search-q"' in page


# --- the rate limit ---------------------------------------------------------------


def test_searches_are_rate_limited_per_client(settings):
    settings.SEARCH_RATE_LIMIT_PER_MINUTE = 2
    PostFactory(title="Gut barrier")
    reader = Client(REMOTE_ADDR="198.51.100.7")
    reader.get(URL)  # the empty search page is not a search

    answers = [reader.get(URL, {"q": "gut"}).status_code for _ in range(3)]
    other = Client(REMOTE_ADDR="198.51.100.8").get(URL, {"q": "gut"})

    assert answers == [200, 200, 429]
    refused = reader.get(URL, {"q": "gut"})
    assert refused["Retry-After"] == "60"
    assert "Please wait a minute" in refused.text and "Gut barrier" not in words(refused)
    assert other.status_code == 200


def test_at_most_max_results_are_counted_and_shown(settings):
    settings.SEARCH_RESULTS_PER_PAGE = 2
    settings.SEARCH_MAX_RESULTS = 4
    PostFactory.create_batch(7, title="Gut note")

    first = Client().get(URL, {"q": "gut"})
    last = Client().get(URL, {"q": "gut", "page": 99})

    assert "More than 4 posts found; page 1 of 2." in first.text
    assert "page 2 of 2." in last.text
    assert len(re.findall(r"<li class=\"mb-4\">", last.text)) == 2


def test_dumpdata_leaves_the_derived_search_documents_out():
    PostFactory(title="Gut barrier")
    out = io.StringIO()

    call_command("dumpdata", "articles", stdout=out)

    assert '"articles.post"' in out.getvalue()
    assert "postsearchdocument" not in out.getvalue()


def test_generated_posts_are_searchable():
    call_command("generate_data", posts=3, comments=0, stdout=io.StringIO())

    assert len(found("what the evidence says")) == 3
    assert len(found('"in health and disease"')) == 1  # the first has references


def orphans():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM articles_post_search "
            "WHERE rowid NOT IN (SELECT id FROM articles_post)"
        )
        return cursor.fetchone()[0]


def test_a_post_gone_without_a_signal_is_no_result_after_a_flush_or_migrate():
    """Rows deleted in SQL (or by ``flush``, as between browser tests) send no
    signal: their documents would count as results. post_migrate, which
    ``flush`` sends too, forgets them."""
    post = PostFactory(title="Zanzibar lentils")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM articles_post WHERE id = %s", [post.pk])
    assert orphans() == 1

    call_command("migrate", verbosity=0)

    assert orphans() == 0
    assert "No posts found" in Client().get(URL, {"q": "zanzibar"}).text


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the bound on ranked matches is PostgreSQL's"
)
def test_postgresql_ranks_the_newest_matches_only(settings):
    """A word on every post: only the newest SEARCH_RANK_CANDIDATES matches
    are ranked, so its cost does not grow with the posts (docs/scaling.md);
    the best of them come first, and the query count stays the same."""
    best = PostFactory(title="Gut gut gut", summary="Gut.", body="Gut gut gut gut.")
    newer = [PostFactory(title=f"Note {i}", body="A word on the gut.") for i in range(3)]
    assert found("gut")[0] == best.title
    Client().get(URL, {"q": "barrier"})  # the site's menus cached
    with CaptureQueriesContext(connection) as unbounded:
        Client().get(URL, {"q": "gut"})

    settings.SEARCH_RANK_CANDIDATES = 3
    assert found("gut") == titles(sorted(newer, key=lambda p: -p.pk))
    with CaptureQueriesContext(connection) as bounded:
        page = Client().get(URL, {"q": "gut"})
    assert page.status_code == 200 and best.title not in words(page)
    assert len(bounded) == len(unbounded)


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("gut barrier", "gut barrier"),
        ('"immune cells" zinc', "immune cells zinc"),
        ('"gut -barrier"', "gut barrier"),
        ('zinc -magnesium -"immune cells"', "zinc"),
        ('omega or "fatty acids"', "omega or fatty acids"),
        ('"1.5 g" dose', "1.5 g dose"),
        ('-"only left out"', ""),
    ],
)
def test_the_wanted_words_keep_every_word_a_match_must_hold(text, wanted):
    """PostgreSQL finds its candidates with these words: every post the query
    matches holds them (a phrase's words loose, left-out words dropped)."""
    assert search.wanted_text(search.clean_query(text)) == wanted


@pytest.mark.parametrize(
    ("text", "alone"),
    [
        ("gut barrier", True),
        ('"gut" or zinc', True),
        ('"gut barrier"', False),
        ("e-mail", False),
        ("zinc -magnesium", False),
    ],
)
def test_words_alone_are_told_from_phrases_and_left_out_words(text, alone):
    assert search.words_alone(search.clean_query(text)) is alone


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's candidates"
)


@postgresql_only
def test_postgresql_checks_phrases_among_the_newest_posts_holding_their_words(settings):
    """A phrase is checked only on the candidates (the newest posts holding its
    words): what it finds there is exact, and the count agrees; an older post
    with the phrase, past the newest SEARCH_RANK_CANDIDATES holding both
    words, is not looked at (docs/scaling.md)."""
    settings.SEARCH_RANK_CANDIDATES = 3
    old = PostFactory(title="Old", body="Immune cells at work.")
    apart = PostFactory(title="Apart", body="Cells of the immune system.")
    PostFactory.create_batch(
        2, title=factory.Iterator(["Recent 0", "Recent 1"]), body="Immune cells again."
    )

    assert found('"immune cells"') == ["Recent 1", "Recent 0"]
    page = Client().get(URL, {"q": '"immune cells"'})
    assert "2 posts found" in page.text and apart.title not in words(page)
    assert old.title not in words(page)

    settings.SEARCH_RANK_CANDIDATES = 4
    assert found('"immune cells"') == ["Recent 1", "Recent 0", "Old"]


@postgresql_only
def test_postgresql_finds_the_newest_matches_past_the_posts_it_reads_first(settings):
    """The newest 4 x SEARCH_RANK_CANDIDATES posts are read first; when they
    hold too few matches, the newest older ones come from the index: no
    recent match is missed, whichever way they are found."""
    settings.SEARCH_RANK_CANDIDATES = 2  # the newest 8 posts read first
    oldest = PostFactory(title="Zinc oldest", body="Zinc.")
    older = [PostFactory(title=f"Zinc {i}", body="Zinc.") for i in range(2)]
    PostFactory.create_batch(8, title="Other", body="Magnesium.")
    newest = PostFactory(title="Zinc newest", body="Zinc.")

    assert sorted(found("zinc")) == sorted([newest.title, older[1].title])
    assert oldest.title not in found("zinc")
    page = words(Client().get(URL, {"q": "zinc"}))
    assert newest.title in page and older[1].title in page and oldest.title not in page

    PostFactory.create_batch(3, title="Zinc many", body="Zinc zinc.")  # all in the first read
    assert found("zinc") == ["Zinc many", "Zinc many"]
