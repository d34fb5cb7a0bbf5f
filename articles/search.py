"""Full-text search over published posts: ``Post.objects.search(query)``.

One interface, two engines, chosen by the database in use:

- **PostgreSQL**: a stored ``tsvector`` per post (table
  ``articles_post_search``: ``rowid`` = the post's id, ``search_vector``
  with a GIN index) built with weights, title A, summary B, body C,
  reference titles D, in the ``english`` configuration (stemming, stop
  words); the reader's text goes through ``websearch_to_tsquery``, so
  quotes, ``or`` and ``-word`` work and nothing typed is a syntax error;
  ranked by ``ts_rank`` among candidates (the newest posts holding the
  wanted words: candidates()); snippets by ``ts_headline``. The vectors live in
  their own narrow table, not on the post: ranking the matches reads narrow
  vectors, not wide post rows (docs/performance.md).
- **SQLite**: an FTS5 table of the same name (porter tokenizer, rowid = the
  post's id); ranked by ``bm25`` with the same order of column weights;
  snippets by FTS5 ``snippet``/``highlight``. The reader's text is never
  passed as FTS5 syntax: it is read here (quoted phrases, ``or``,
  ``-word``, the same rules as websearch) and every word is written back as
  a quoted FTS5 string.

Both tables are made by migration 0008 and read through one unmanaged model,
``PostSearchDocument`` (articles.models.search_document). Both are kept up to
date by ``Post.index_for_search()``, which ``Post.save`` and
``Post.rerender_body`` call (the one path every change of a post's text, its
references or its rendering takes); ``PostQuerySet.reindex()`` rebuilds many
at once (``generate_data``, ``rebuild_search_index``).

A plain service module: the models call it, and it imports none of them.

The index holds every post, drafts included: what is public is decided when
searching, by ``Post.objects.published()``, so publishing, unpublishing and a
scheduled post coming due need no index change.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from html import escape, unescape
from html.parser import HTMLParser

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.core.paginator import Paginator
from django.db import connections, models
from django.db.models import F, FloatField, Func, OuterRef, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Concat
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe

MAX_QUERY_LENGTH = 200  # characters of the reader's text that are searched
CONFIG = "english"  # PostgreSQL text search configuration
TABLE = "articles_post_search"
# PostgreSQL's document: title, summary, body (plain text), then the
# reference titles read from the table (parameters: the three texts, the id).
PG_VECTOR = (
    "setweight(to_tsvector('english', %s), 'A') || setweight(to_tsvector('english', %s), 'B')"
    " || setweight(to_tsvector('english', %s), 'C') || setweight(to_tsvector('english',"
    " COALESCE((SELECT string_agg(title, ' ') FROM articles_reference WHERE post_id = %s), '')),"
    " 'D')"
)


# Column weights, best first: title, summary, body, reference titles.
PG_WEIGHTS = [0.05, 0.2, 0.4, 1.0]  # ts_rank's order: D, C, B, A
BM25_WEIGHTS = (10.0, 4.0, 1.0, 0.5)  # FTS5 columns' order: title, summary, body, refs
# Private-use characters mark the matched words in the engines' output; the
# text is escaped and the marks become <mark> afterwards (see marked()).
START, STOP = "\ue000", "\ue001"
SNIPPET_WORDS = 30


def rank_candidates():
    """PostgreSQL looks for the results among the newest this many posts
    holding the reader's wanted words (SEARCH_RANK_CANDIDATES), and ranks
    those that match for the best max_results(): a word on every post costs
    reading and ranking that many vectors, whatever the number of posts
    (docs/scaling.md)."""
    return settings.SEARCH_RANK_CANDIDATES


def newest_window():
    """The newest posts read first, newest first, when looking for the
    candidates: four times rank_candidates(). Matches older than these are
    looked up through the GIN index, and only when these held too few."""
    return 4 * rank_candidates()


def max_results():
    """At most this many results are counted and shown (SEARCH_MAX_RESULTS,
    20 pages of 10): a word on every post costs one ranking of the matches
    and reading that many posts, never more."""
    return settings.SEARCH_MAX_RESULTS


# --- the reader's text -------------------------------------------------------


@dataclass
class Query:
    """The reader's text, cleaned, and what of it is searched.

    ``text`` is what is searched and shown back (at most MAX_QUERY_LENGTH
    characters, no control characters); ``shortened`` says the reader typed
    more; ``groups`` is the query read the websearch way: a list of
    alternatives (``or``), each a list of (negated, words) items, where words
    of a quoted phrase stay together."""

    raw: str
    text: str = ""
    shortened: bool = False
    groups: list = field(default_factory=list)
    left_out: bool = False  # characters that cannot be searched were removed

    @property
    def searchable(self):
        """Whether there is a word to look for (a query of only ``-words``
        or punctuation finds nothing, on both databases)."""
        return any(not negated for group in self.groups for negated, _ in group)


_DROPPED = {"Cs", "Co", "Cn"}  # lone surrogates, private use (our marks), unassigned
_TOKEN = re.compile(r'-?"[^"]*"?|\S+')
_WORD = re.compile(r"[^\W_]+")


def clean_query(raw):
    """The reader's text as a Query: control characters become spaces, lone
    surrogates, private-use and unassigned characters go, spaces are
    collapsed, and at most MAX_QUERY_LENGTH characters are kept."""
    raw = raw if isinstance(raw, str) else ""
    chars, left_out = [], False
    for char in raw:
        category = unicodedata.category(char)
        if category in _DROPPED or (category == "Cc" and not char.isspace()):
            left_out = True
        if category in _DROPPED:
            continue
        chars.append(" " if category == "Cc" else char)
    text = " ".join("".join(chars).split())
    shortened = len(text) > MAX_QUERY_LENGTH
    if shortened:
        text = text[:MAX_QUERY_LENGTH].rstrip()
    return Query(raw=raw, text=text, shortened=shortened, groups=_parse(text), left_out=left_out)


def _parse(text):
    """websearch_to_tsquery's reading: words, "quoted phrases", ``-`` before
    a word or phrase to exclude it, ``or`` between alternatives."""
    groups, current = [], []
    for token in _TOKEN.findall(text):
        negated = token.startswith("-") and len(token) > 1
        body = token[1:] if negated else token
        if body.lower() == "or" and not negated:
            if current:
                groups.append(current)
                current = []
            continue
        words = _WORD.findall(body)
        if words:
            current.append((negated, tuple(words)))
    if current:
        groups.append(current)
    return groups


def wanted_text(query):
    """The reader's text with only the words they want, as websearch text:
    a quoted phrase's words loose (a ``-`` inside it dropped), each ``-word``
    or ``-"phrase"`` left out, ``or`` kept. Every post the query matches
    holds these words (a phrase's words are in the post, a left-out word
    only narrows), so PostgreSQL finds its candidates with them through the
    index alone, with no phrase to check position by position."""
    pieces = []
    for token in _TOKEN.findall(query.text):
        if token.startswith("-") and len(token) > 1:
            continue
        pieces += [piece.lstrip("-") for piece in token.replace('"', " ").split()]
    return " ".join(piece for piece in pieces if piece)


def words_alone(query):
    """Whether the query is words only: no phrase (a quoted one, or words
    joined by a hyphen or an apostrophe, which PostgreSQL also reads as a
    phrase) and no left-out word. Such a query is answered by the index
    alone, with no check of positions."""
    return all(
        not negated and len(words) == 1 for group in query.groups for negated, words in group
    )


def fts5_expression(query):
    """The Query as an FTS5 MATCH expression made only of quoted strings and
    the operators written here: nothing the reader typed is FTS5 syntax."""

    def phrase(words):
        return '"' + " ".join(w.replace('"', '""') for w in words) + '"'

    alternatives = []
    for group in query.groups:
        wanted = [phrase(words) for negated, words in group if not negated]
        unwanted = [phrase(words) for negated, words in group if negated]
        if not wanted:
            continue  # FTS5's NOT needs something on its left
        expression = " AND ".join(wanted)
        if unwanted:
            expression = f"({expression}) NOT ({' OR '.join(unwanted)})"
        alternatives.append(f"({expression})")
    return " OR ".join(alternatives)


# --- the documents -----------------------------------------------------------


class _TextOf(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def plain_text(html):
    """The words of rendered (sanitised) HTML, tags dropped, entities decoded."""
    parser = _TextOf()
    parser.feed(html or "")
    parser.close()
    return _clean_text(" ".join(parser.parts))


def _clean_text(text):
    return " ".join((text or "").replace(START, " ").replace(STOP, " ").split())


def vendor(using=None):
    return connections[using or "default"].vendor


def _related(model, name):
    """The model at the other end of ``model``'s relation ``name``: the models
    import this module (to write their documents), so it imports none of
    them and reaches them through the posts it is given."""
    return model._meta.get_field(name).related_model


def _reference_titles(post_model, outer="pk"):
    return (
        _related(post_model, "references")
        .objects.filter(post=OuterRef(outer))
        .order_by()
        .values("post")
        .annotate(titles=_StringAgg("title"))
        .values("titles")
    )


class _StringAgg(models.Aggregate):
    """PostgreSQL's string_agg: the titles of a post's references, one text
    (for ts_headline)."""

    function = "string_agg"
    template = "%(function)s(%(expressions)s, ' ')"
    output_field = models.TextField()


def index_posts(posts, using=None):
    """Write the search documents of ``posts`` (Post instances with their
    current title, summary and body_html): one statement per post, sent
    together (``executemany``: psycopg pipelines them).

    PostgreSQL: upsert the post's vector; SQLite: INSERT OR REPLACE its FTS5
    row. The reference titles are read by the same statement."""
    using = using or "default"
    rows = [
        [
            post.pk,
            _clean_text(post.title),
            _clean_text(post.summary),
            plain_text(post.body_html),
            post.pk,
        ]
        for post in posts
    ]
    if not rows:
        return
    if vendor(using) == "postgresql":
        statement = (
            f"INSERT INTO {TABLE} (rowid, search_vector) VALUES (%s, {PG_VECTOR}) "
            "ON CONFLICT (rowid) DO UPDATE SET search_vector = EXCLUDED.search_vector"
        )
    elif vendor(using) == "sqlite":
        statement = (
            f"INSERT OR REPLACE INTO {TABLE} (rowid, title, summary, body, refs) "
            "VALUES (%s, %s, %s, %s, COALESCE((SELECT group_concat(title, ' ') "
            "FROM articles_reference WHERE post_id = %s), ''))"
        )
    else:
        return
    with connections[using].cursor() as cursor:
        cursor.executemany(statement, rows)


def forget_posts(pks, using=None):
    """Remove deleted posts' search documents."""
    using = using or "default"
    if pks:
        placeholders = ", ".join(["%s"] * len(pks))
        with connections[using].cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE rowid IN ({placeholders})", list(pks))


def forget_orphans(using=None, **kwargs):
    """Remove the search documents of posts that are gone without a signal:
    a ``flush`` (the test runner's between tests, ``manage.py flush``) or
    rows deleted in SQL. Connected to post_migrate, which ``flush`` sends
    too; the counts of results read the documents alone, so an orphan would
    count as a result. Nothing to do before the table exists."""
    connection = connections[using or "default"]
    if TABLE not in connection.introspection.table_names():
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE rowid NOT IN (SELECT id FROM articles_post)")


# --- searching ---------------------------------------------------------------


class FTS5Match(models.Lookup):
    """``document__match``: the FTS5 table's hidden column MATCH a query."""

    lookup_name = "match"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} MATCH {rhs}", [*lhs_params, *rhs_params]


class FTS5TableColumn(models.TextField):
    """The FTS5 table's hidden column named like the table: the first
    argument of its auxiliary functions (bm25, snippet, highlight) and the
    left side of MATCH."""


FTS5TableColumn.register_lookup(FTS5Match)


def candidates(query):
    """PostgreSQL: SQL and its parameters for the newest rank_candidates()
    search documents (``rowid``, ``search_vector``) holding the query's
    wanted words (wanted_text). Results are looked for among these only, so
    what a search costs does not grow with the posts.

    The newest newest_window() documents are read first, newest first, and
    the reading stops as soon as enough hold the words (a common word: a few
    thousand rows). Only when they hold too few are the older ones looked up
    through the GIN index (a rare word: a few rows), their ids sorted, then
    each one's vector read (the vectors are wide: sorting them went to disk);
    with fewer posts than that, the index is not read at all.
    Both ways are written out, as a UNION ALL under one LIMIT (PostgreSQL
    runs the second part only if the first gave too few): left to choose,
    the planner judged words that always come together ("roles in health
    and disease") rare, taking them for independent, and read every match
    through the index to keep a few thousand (docs/scaling.md has the
    figures)."""
    words = [CONFIG, wanted_text(query)]
    # The id of the oldest post read first; NULL when there are fewer posts
    # (then "IS NOT NULL" skips the index altogether, checked once).
    boundary = f"(SELECT rowid FROM {TABLE} ORDER BY rowid DESC OFFSET %s LIMIT 1)"
    sql = (
        "SELECT rowid, search_vector FROM ("
        f"(SELECT rowid, search_vector FROM (SELECT rowid, search_vector FROM {TABLE} "
        "ORDER BY rowid DESC LIMIT %s) AS newest "
        "WHERE search_vector @@ websearch_to_tsquery(%s::regconfig, %s)) "
        "UNION ALL (SELECT older.rowid, vector.search_vector "
        f"FROM (SELECT rowid FROM {TABLE} "
        "WHERE search_vector @@ websearch_to_tsquery(%s::regconfig, %s) "
        f"AND rowid < {boundary} ORDER BY rowid DESC) AS older "
        f"CROSS JOIN LATERAL (SELECT search_vector FROM {TABLE} AS document "
        f"WHERE document.rowid = older.rowid OFFSET 0) AS vector WHERE {boundary} IS NOT NULL)"
        ") AS candidates LIMIT %s"
    )
    return sql, [
        newest_window(), *words,
        *words, newest_window() - 1, newest_window() - 1,
        rank_candidates(),
    ]  # fmt: skip


def _matching_candidates(query, then="", then_params=()):
    """The ids of the candidates() the query matches, followed by ``then``
    (an ORDER BY and LIMIT). A query of words alone matches every candidate;
    any other is checked on each (a phrase's words in order, no left-out
    word)."""
    sql, params = candidates(query)
    if words_alone(query):
        return RawSQL(f"SELECT rowid FROM ({sql}) AS candidates {then}", [*params, *then_params])
    return RawSQL(
        f"SELECT rowid FROM ({sql}) AS candidates "
        f"WHERE search_vector @@ websearch_to_tsquery(%s::regconfig, %s) {then}",
        [*params, CONFIG, query.text, *then_params],
    )


def matches(queryset, query, using=None):
    """The search documents of the published posts of ``queryset`` (a
    PostQuerySet) that match ``query`` (a Query), unranked: what is
    counted. On PostgreSQL, among the candidates() as search() ranks: a
    query with a phrase or a left-out word is checked on them only; one of
    words alone is counted through the GIN index, which stops at the
    max_results() + 1 wanted (its candidates are the newest of its matches,
    more than that many whenever it has more)."""
    using = using or queryset.db
    documents = _related(queryset.model, "search_document").objects.using(using)
    if not query.searchable:
        return documents.none()
    if vendor(using) == "postgresql":
        published = documents.filter(post__in=queryset.published().order_by().values("pk"))
        if not words_alone(query):
            return published.filter(pk__in=_matching_candidates(query))
        tsquery = SearchQuery(query.text, search_type="websearch", config=CONFIG)
        return published.filter(search_vector=tsquery)
    # SQLite: the posts' rows are not read to check which are public (their
    # long bodies come first on disk: checking every match read every body;
    # docs/performance.md). The few posts that are not public are read from
    # the index on (status, publish_at) and left out.
    return documents.filter(document__match=fts5_expression(query)).exclude(
        post__in=queryset.not_published().order_by().values("pk")
    )


def search(queryset, query, using=None):
    """The published posts of ``queryset`` (a PostQuerySet) matching
    ``query`` (a str or a Query), best first (ties: the newer post), each
    annotated with ``search_rank`` (higher is better)."""
    if not isinstance(query, Query):
        query = clean_query(query)
    if not query.searchable:
        return queryset.none()
    using = using or queryset.db
    if vendor(using) == "postgresql":
        tsquery = SearchQuery(query.text, search_type="websearch", config=CONFIG)

        def rank(vector):
            return SearchRank(F(vector), tsquery, weights=PG_WEIGHTS)

        # Ranked in the narrow table, the best max_results() kept; only those
        # posts' rows are read, and the ones not public are left out there
        # (reading which of all the matching posts are public cost more than ranking
        # them: the ids are in no index with the status). A draft among the
        # best takes a place from the last public result, no more.
        # Only the candidates (the newest rank_candidates() posts holding the
        # wanted words) are checked against the query (a phrase, a left-out
        # word) and ranked: ranking every match, or checking a phrase of two
        # common words on every post holding both, grew with the posts
        # (docs/scaling.md).
        best = _matching_candidates(
            query,
            "ORDER BY ts_rank(%s::float4[], search_vector, "
            "websearch_to_tsquery(%s::regconfig, %s)) DESC, rowid DESC LIMIT %s",
            [PG_WEIGHTS, CONFIG, query.text, max_results()],
        )
        return (
            queryset.published()
            .filter(pk__in=best)
            .annotate(search_rank=rank("search_document__search_vector"))
            .order_by("-search_rank", "-pk")
        )
    column = "search_document__document"
    bm25 = Func(
        F(column),
        *(Value(weight) for weight in BM25_WEIGHTS),
        function="bm25",
        output_field=FloatField(),
    )
    # The posts that are not public left out as in matches(): from the index.
    return (
        queryset.exclude(pk__in=queryset.not_published().order_by().values("pk"))
        .filter(**{f"{column}__match": fts5_expression(query)})
        .annotate(search_rank=-bm25)
        .order_by("-search_rank", "-pk")
    )


class ResultsPaginator(Paginator):
    """Pages of search results. The results are counted from the search
    documents alone, up to max_results() ("more than 200 posts"), and at
    most that many are shown."""

    def __init__(self, results, per_page, matches, **kwargs):
        super().__init__(results, per_page, **kwargs)
        self.matches = matches
        self.count_label = ""

    @cached_property
    def count(self):
        most = max_results()
        counted = self.matches.order_by().values("pk")[: most + 1].count()
        if counted > most:
            self.count_label = f"more than {most:,}"
            return most
        return counted


def results_page(queryset, query, number, per_page):
    """One page of results for the reader's ``query`` (a Query) among the
    published posts of ``queryset``: ranked, counted, the matched words
    marked (``highlight``), in a fixed number of queries whatever the data."""
    paginator = ResultsPaginator(search(queryset, query), per_page, matches(queryset, query))
    page = paginator.get_page(number)
    highlight(page.object_list, query, using=queryset.db)
    return page


def highlight(posts, query, using=None):
    """Set ``search_title`` and ``search_snippet`` (safe HTML: the text
    escaped, the matched words in <mark>) on each of ``posts`` (one page of
    results), in one statement."""
    posts = list(posts)
    if not isinstance(query, Query):
        query = clean_query(query)
    if not posts:
        return posts
    using = using or "default"
    pks = [post.pk for post in posts]
    if vendor(using) == "postgresql":
        tsquery = SearchQuery(query.text, search_type="websearch", config=CONFIG)
        text = Concat(
            "summary",
            Value(" "),
            Func(
                "body_html",
                Value("<[^>]*>"),
                Value(" "),
                Value("g"),
                function="regexp_replace",
                output_field=models.TextField(),
            ),
            Value(" "),
            Coalesce(
                Subquery(_reference_titles(type(posts[0]))),
                Value(""),
                output_field=models.TextField(),
            ),
            output_field=models.TextField(),
        )
        marks = {"start_sel": START, "stop_sel": STOP, "config": CONFIG}
        rows = (
            type(posts[0])
            .objects.using(using)
            .filter(pk__in=pks)
            .annotate(
                headline_title=SearchHeadline("title", tsquery, highlight_all=True, **marks),
                headline_text=SearchHeadline(
                    text,
                    tsquery,
                    max_words=SNIPPET_WORDS,
                    min_words=SNIPPET_WORDS // 2,
                    max_fragments=2,
                    fragment_delimiter=" … ",
                    **marks,
                ),
            )
            .values_list("pk", "headline_title", "headline_text")
        )
        found = {pk: (title, _unescape(text)) for pk, title, text in rows}
    else:
        placeholders = ", ".join(["%s"] * len(pks))
        snippet = "snippet({table}, {column}, %s, %s, '…', {words})"
        with connections[using].cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, highlight({TABLE}, 0, %s, %s), "
                + ", ".join(
                    snippet.format(table=TABLE, column=column, words=SNIPPET_WORDS // 2)
                    for column in (2, 1, 3)
                )
                + f" FROM {TABLE} WHERE {TABLE} MATCH %s AND rowid IN ({placeholders})",
                [START, STOP, *[START, STOP] * 3, fts5_expression(query), *pks],
            )
            found = {}
            for pk, title, body, summary, refs in cursor.fetchall():
                # The body's best passage; else the summary's; else a reference's.
                text = next((t for t in (body, summary, refs) if t and START in t), summary)
                found[pk] = (title, text)
    for post in posts:
        title, text = found.get(post.pk, (post.title, post.summary))
        post.search_title = marked(title or post.title)
        post.search_snippet = marked(text or post.summary)
    return posts


def _unescape(text):
    """ts_headline over body_html with its tags removed: decode its entities."""
    return " ".join(unescape(text or "").split())


def marked(text):
    """Safe HTML from an engine's output: every piece of text escaped, the
    START/STOP marks turned into balanced <mark> elements (stray or nested
    marks, which a post's own text might hold, are dropped)."""
    out, inside = [], False
    for piece in re.split(f"([{START}{STOP}])", text or ""):
        if piece == START:
            if not inside:
                out.append("<mark>")
                inside = True
        elif piece == STOP:
            if inside:
                out.append("</mark>")
                inside = False
        elif piece:
            out.append(escape(piece))
    if inside:
        out.append("</mark>")
    return mark_safe("".join(out))  # noqa: S308 (escaped above)


class SearchDocumentsRouter:
    """Leaves the search documents out of ``dumpdata`` (and any migration
    operation on their model): they are derived from the posts (``manage.py
    rebuild_search_index`` writes them again) and their columns differ by
    database. Listed in settings.DATABASE_ROUTERS."""

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label == "articles" and model_name == "postsearchdocument":
            return False
        return None
