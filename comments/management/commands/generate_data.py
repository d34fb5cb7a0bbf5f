"""A large data set for the benchmark and for trying the admin at scale."""

import contextlib
import math
import random
import time
from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from articles import publishing, search
from articles.models import (
    POSTS_STAMP,
    Disclaimer,
    Post,
    PostDisclaimer,
    Reference,
    Topic,
    reading_minutes,
)
from core import markup
from core.models import SiteStamp

WORDS = (
    "glutamine gut barrier protein amino acid muscle recovery immune cells intestine "
    "study trial dose supplement evidence athletes nutrition diet fibre microbiome "
    "inflammation sleep stress hydration vitamin mineral zinc magnesium omega fatty"
).split()
SENTENCES = [
    "Thanks for the clear explanation.",
    "I have been taking this for a month and sleep better.",
    "Is there a study on people over sixty?",
    "My doctor said the same thing about the dose.",
    "Could you write about magnesium next?",
    "The second reference was very useful.",
    "Does it matter if I take it with food?",
    "Great article, shared it with my running club.",
    "I noticed no difference, but I will keep trying.",
    "What about interactions with other supplements?",
    "This finally made the gut barrier make sense to me.",
    "How long before the effects show?",
    "A table of doses per body weight would help.",
    "Lovely writing, easy to follow.",
    "I would like to see more human trials cited.",
    "My stomach feels calmer since I started.",
]
FIRST_NAMES = ["Ana", "Ben", "Chloe", "Dev", "Eva", "Femi", "Gus", "Hana", "Ivo", "Jo", "Kai"]
LAST_NAMES = ["Silva", "Okafor", "Nguyen", "Smith", "Kowalski", "Haddad", "Ito", "Berg"]
AGENT = "Mozilla/5.0 (X11; Linux x86_64) generate_data"

STATUS_WEIGHTS = [("approved", 90), ("pending", 7), ("rejected", 1), ("spam", 2)]


class Progress:
    def __init__(self, write, label, total, every):
        self.write, self.label, self.total, self.every = write, label, total, every
        self.start = time.monotonic()
        self.done = 0
        self.next_report = every

    def add(self, count):
        self.done += count
        if self.done >= self.next_report or self.done >= self.total:
            elapsed = time.monotonic() - self.start
            rate = self.done / elapsed if elapsed else 0
            self.write(
                f"  {self.label}: {self.done:,} / {self.total:,} "
                f"({100 * self.done / max(self.total, 1):.0f}%), {elapsed:.1f} s, {rate:,.0f}/s"
            )
            while self.next_report <= self.done:
                self.next_report += self.every


class Command(BaseCommand):
    help = (
        "Generate a large data set fast: published posts (some with references and a "
        "disclaimer) and comments (mostly approved, some pending, a few rejected or "
        "spam) spread over every published post. Prints its progress. Example: "
        "generate_data --posts 10000 --comments 1000000. With --bulk (100,000 posts "
        "and 10,000,000 comments in minutes): posts are published in bulk under the "
        "same rules, without a revision each, and on PostgreSQL the comments' "
        "indexes are built once after the rows are in."
    )

    def add_arguments(self, parser):
        parser.add_argument("--posts", type=int, default=1000)
        parser.add_argument("--comments", type=int, default=100000)
        parser.add_argument("--batch-size", type=int, default=20000)
        parser.add_argument("--seed", type=int, default=4, help="Same seed, same data.")
        parser.add_argument(
            "--bulk",
            action="store_true",
            help=(
                "Publish the posts in bulk (the rules of publishing apply, the "
                "post_published signal is sent, no revision is recorded: about "
                "5 ms a post saved) and, on PostgreSQL, drop the comments' "
                "secondary indexes while loading and build them again after; "
                "VACUUM ANALYZE at the end, as a settled site would have."
            ),
        )

    def handle(self, *args, posts, comments, batch_size, seed, bulk, **options):
        if posts < 0 or comments < 0 or batch_size < 1:
            raise CommandError("--posts and --comments must be >= 0, --batch-size >= 1.")
        self.random = random.Random(seed)
        self.now = timezone.now()
        self.bulk = bulk
        started = time.monotonic()
        author = self.author()
        if posts:
            self.generate_posts(posts, author, min(batch_size, 5000 if bulk else 2000))
        if comments:
            self.generate_comments(comments, author, batch_size)
        if bulk:
            self.settle()
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {posts:,} posts and {comments:,} comments "
                f"in {time.monotonic() - started:.1f} s."
            )
        )

    def progress(self, message):
        self.stdout.write(message)
        self.stdout.flush()

    def author(self):
        user, _ = get_user_model().objects.get_or_create(
            username="generated-author",
            defaults={"first_name": "Generated", "last_name": "Author", "is_active": False},
        )
        return user

    # --- posts -----------------------------------------------------------
    def generate_posts(self, count, author, batch_size):
        self.progress(f"Posts: {count:,}{' (bulk)' if self.bulk else ''}")
        disclaimer = Disclaimer.objects.order_by("-is_default", "pk").first()
        if disclaimer is None:
            disclaimer = Disclaimer.objects.create(
                name="Generated note",
                marker="**",
                text="These statements have not been evaluated by the Food and Drug "
                "Administration.",
            )
        # Filed under the site's topics in turn (a published post has one,
        # once the site has any), then published by the one path every door
        # takes (articles.publishing): its rules, a revision of each post.
        # In bulk the same rules (publishing.refusals) decide, and the posts
        # are stored published, without a revision.
        topics = list(Topic.objects.order_by("pk"))
        held_back = {}  # post number -> the first reason the rules gave
        first = Post.objects.filter(slug__startswith="generated-").count()
        bodies = {}  # (references, disclaimer) -> (body, body_html, reading minutes)
        progress = Progress(self.progress, "posts", count, max(count // 10, 1))
        for start in range(0, count, batch_size):
            numbers = range(first + start, first + min(start + batch_size, count))
            batch, shapes = [], []
            for n in numbers:
                references = 3 if n % 3 == 0 else 0
                with_disclaimer = n % 2 == 0
                if (references, with_disclaimer) not in bodies:
                    bodies[references, with_disclaimer] = self.body(
                        references, disclaimer.marker if with_disclaimer else None
                    )
                body, body_html, minutes = bodies[references, with_disclaimer]
                title = f"{self.title()} ({n + 1})"
                published = self.now - timedelta(minutes=10 + n * 37)
                post = Post(
                    title=title,
                    slug=f"generated-{n + 1:06d}",
                    summary=f"{title}: what the evidence says, in plain words.",
                    body=body,
                    body_html=body_html,
                    reading_minutes=minutes,
                    author=author,
                    status=Post.Status.DRAFT,
                    email_on_publish=False,  # made-up posts are mailed to no one
                    publish_at=published,
                    created_at=published,
                    updated_at=published,
                    page_changed_at=self.now,
                )
                topic = topics[n % len(topics)] if topics else None
                if self.bulk:
                    found = publishing.refusals(
                        post,
                        status=Post.Status.PUBLISHED,
                        topics=[topic] if topic else [],
                        site_has_topics=bool(topics),
                    )
                    if found:
                        held_back.setdefault(n, found[0].reason)
                    else:
                        post.status = Post.Status.PUBLISHED
                batch.append(post)
                shapes.append((references, with_disclaimer, topic))
            with transaction.atomic():
                created = Post.objects.bulk_create(batch)
                if any(post.pk is None for post in created):  # no RETURNING: read them back
                    pks = dict(
                        Post.objects.filter(slug__in=[p.slug for p in batch]).values_list(
                            "slug", "pk"
                        )
                    )
                    for post in created:
                        post.pk = pks[post.slug]
                references, links, filed = [], [], []
                for post, (ref_count, with_disclaimer, topic) in zip(created, shapes, strict=True):
                    references += [self.reference(post, order) for order in range(ref_count)]
                    if with_disclaimer:
                        links.append(PostDisclaimer(post=post, disclaimer=disclaimer, order=0))
                    if topic is not None:
                        filed.append(Post.topics.through(post_id=post.pk, topic_id=topic.pk))
                Reference.objects.bulk_create(references)
                PostDisclaimer.objects.bulk_create(links)
                Post.topics.through.objects.bulk_create(filed)
                # bulk_create skips Post.save: write their search documents.
                Post.objects.filter(pk__in=[post.pk for post in created]).reindex()
                if self.bulk:
                    publishing.announce([p for p in created if p.status == Post.Status.PUBLISHED])
                else:
                    outcome = publishing.publish(
                        Post.objects.filter(pk__in=[post.pk for post in created]),
                        comment="Generated (generate_data).",
                    )
                    for refusal in outcome.refused:
                        held_back.setdefault(refusal.post.pk, refusal.reason)
            progress.add(len(batch))
        if self.bulk:
            SiteStamp.touch(POSTS_STAMP)  # what publishing.publish does once per batch
        if held_back:
            self.stdout.write(
                self.style.WARNING(
                    f"  {len(held_back):,} posts stay drafts, held back by the rules of "
                    f"publishing: {next(iter(held_back.values()))}"
                )
            )

    def title(self):
        a, b = self.random.sample(WORDS, 2)
        return f"{a.capitalize()} and {b}"

    def body(self, references, marker):
        paragraphs = []
        for i in range(4):
            words = " ".join(self.random.choice(WORDS) for _ in range(60))
            cite = f" [{i % references + 1}]" if references else ""
            paragraphs.append(f"{words.capitalize()}.{cite}")
        paragraphs.insert(1, "## What the studies say")
        if marker:
            paragraphs[-1] += f" [{marker}]"
        body = "\n\n".join(paragraphs)
        html = markup.render(body, references, [marker] if marker else []).html
        return body, html, reading_minutes(html)

    def reference(self, post, order):
        return Reference(
            post=post,
            order=order,
            authors="Kim MH, Kim H",
            title=f"The roles of {self.random.choice(WORDS)} in health and disease",
            journal="Int J Mol Sci",
            year=2010 + order,
            volume=str(10 + order),
            issue=str(order + 1),
            pages=f"{100 + order}-{110 + order}",
            doi=f"10.3390/ijms{post.pk}{order}",
        )

    # --- comments --------------------------------------------------------
    def generate_comments(self, count, moderator, batch_size):
        try:
            from comments.models import Comment, fingerprint
        except ImportError as exc:
            raise CommandError(f"The comments app is not ready: {exc}") from exc

        posts = list(Post.objects.published().order_by("pk").values_list("pk", "publish_at"))
        if not posts:
            raise CommandError("No published posts to comment on: add posts first (--posts).")
        self.progress(f"Comments: {count:,} over {len(posts):,} published posts")

        # Every column from a default Comment, then the few that vary per row.
        template = Comment(post_id=posts[0][0], name="x", email="x@example.com", text="x")
        fields = [f for f in Comment._meta.concrete_fields if not f.primary_key]
        attnames = [f.attname for f in fields]
        base = [f.get_db_prep_save(getattr(template, f.attname), connection) for f in fields]
        at = {name: attnames.index(name) for name in attnames}
        postgresql = connection.vendor == "postgresql"
        adapt_time = (
            (lambda value: value) if postgresql else connection.ops.adapt_datetimefield_value
        )
        texts = self.comment_texts()
        fingerprints = [fingerprint(text) for text in texts]
        statuses = [s for s, weight in STATUS_WEIGHTS for _ in range(weight)]
        names = [(f"{a} {b}", a.lower()) for a in FIRST_NAMES for b in LAST_NAMES]
        # Each post's comments in one block of consecutive rows, posted one
        # after another between its publish time and a minute ago: no comment
        # is older than its post, none is from the future.
        per_post = count / len(posts)
        latest = (self.now - timedelta(minutes=1)).timestamp()
        starts = [math.ceil(k * per_post) for k in range(len(posts) + 1)]
        starts[-1] = count
        decided_after = 2 * 3600  # a moderator decides two hours later (or now)

        def rows(first, last):
            k = min(int(first / per_post), len(posts) - 1)
            while starts[k + 1] <= first:
                k += 1
            for i in range(first, last):
                while starts[k + 1] <= i:
                    k += 1
                post_id, published = posts[k]
                begin = published.timestamp()
                step = (latest - begin) / (starts[k + 1] - starts[k] + 1)
                posted_at = begin + step * (i - starts[k] + 1)
                status = statuses[i % len(statuses)]
                name, login = names[i % len(names)]
                text = i % len(texts)
                row = base.copy()
                row[at["post_id"]] = post_id
                row[at["name"]] = name
                row[at["email"]] = f"{login}{i}@example.com"
                row[at["text"]] = texts[text]
                row[at["fingerprint"]] = fingerprints[text]
                row[at["status"]] = status
                row[at["ip_address"]] = f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}"
                row[at["user_agent"]] = AGENT
                row[at["created_at"]] = adapt_time(datetime.fromtimestamp(posted_at, UTC))
                if status != "pending":
                    decided = min(posted_at + decided_after, latest)
                    row[at["status_changed_at"]] = adapt_time(datetime.fromtimestamp(decided, UTC))
                    row[at["status_changed_by_id"]] = moderator.pk
                if status == "spam":
                    row[at["held_reason"]] = "generated spam"
                yield row

        table = connection.ops.quote_name(Comment._meta.db_table)
        quoted = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        progress = Progress(self.progress, "comments", count, max(count // 10, 1))
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size=-131072")  # 128 MB for the index updates
        dropped = self.drop_indexes(Comment) if self.bulk and postgresql else []
        try:
            for start in range(0, count, batch_size):
                last = min(start + batch_size, count)
                with transaction.atomic():
                    if postgresql:
                        self.copy_rows(table, quoted, rows(start, last))
                    else:
                        placeholders = ", ".join(["%s"] * len(fields))
                        with connection.cursor() as cursor:
                            cursor.executemany(
                                f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})",
                                list(rows(start, last)),
                            )
                progress.add(last - start)
        finally:
            self.build_indexes(dropped)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}" if postgresql else "ANALYZE")
        # Cached pages of the posts that received comments are stale now.
        Post.objects.filter(pk__in=[pk for pk, _ in posts]).mark_pages_changed()

    @staticmethod
    def copy_rows(table, quoted, rows):
        """PostgreSQL: COPY is several times faster than INSERT. Django has no
        COPY, so psycopg's own cursor does it, on Django's connection (the
        DB-API connection, ``connection.connection``), in its transaction."""
        with (
            connection.connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)

    def drop_indexes(self, model):
        """PostgreSQL, --bulk: drop the table's indexes that back no
        constraint (its primary key and unique constraints stay) and return
        their definitions. Built once after the rows are in, an index costs
        a sort; kept while loading, one random insert a row each."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                "AND tablename = %s AND indexname NOT IN "
                "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
                [model._meta.db_table, model._meta.db_table],
            )
            indexes = cursor.fetchall()
            for name, _ in indexes:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        if indexes:
            self.progress(
                f"  {len(indexes)} indexes of {model._meta.db_table} dropped for the load"
            )
        return indexes

    def build_indexes(self, indexes):
        """Create again the indexes ``drop_indexes`` dropped, as they were."""
        if not indexes:
            return
        started = time.monotonic()
        # Inside an outer transaction (a test's) the rows' deferred foreign
        # key checks are still pending, and PostgreSQL builds no index then.
        if connection.in_atomic_block:
            connection.check_constraints()
        with connection.cursor() as cursor, self.unhurried(cursor):
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for _name, definition in indexes:
                cursor.execute(definition)
            cursor.execute("RESET maintenance_work_mem")
        self.progress(
            f"  {len(indexes)} indexes built again in {time.monotonic() - started:.1f} s"
        )

    @staticmethod
    @contextlib.contextmanager
    def unhurried(cursor):
        """PostgreSQL: no statement timeout (DATABASE_STATEMENT_TIMEOUT, 20 s,
        is for requests) for this command's own index builds and VACUUM,
        which take minutes on 10,000,000 rows; the session's limit after."""
        cursor.execute("SET statement_timeout = 0")
        try:
            yield
        finally:
            cursor.execute("RESET statement_timeout")

    def settle(self):
        """--bulk: what a site that has been running a while has and a bulk
        load has not: every table written vacuumed (the visibility map that
        index-only scans read) and analysed (the planner's statistics), the
        search table's GIN index merged."""
        started = time.monotonic()
        from comments.models import Comment

        models = [Post, Post.topics.through, Reference, PostDisclaimer, Comment]
        tables = [m._meta.db_table for m in models] + [search.TABLE]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # VACUUM cannot run in a transaction (a test's): ANALYZE then.
                command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
                with self.unhurried(cursor):
                    for table in tables:
                        cursor.execute(f"{command} {connection.ops.quote_name(table)}")
            else:
                cursor.execute("ANALYZE")
        self.progress(f"Vacuumed and analysed in {time.monotonic() - started:.1f} s")

    def comment_texts(self):
        texts = []
        for i in range(400):
            picked = self.random.sample(SENTENCES, 1 + i % 3)
            texts.append(" ".join(picked))
        return list(dict.fromkeys(texts))
