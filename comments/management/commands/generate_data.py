"""A large data set for the benchmark and for trying the admin at scale."""

import random
import time
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from articles import publishing
from articles.models import Disclaimer, Post, PostDisclaimer, Reference, Topic
from core import markup

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
        "generate_data --posts 10000 --comments 1000000"
    )

    def add_arguments(self, parser):
        parser.add_argument("--posts", type=int, default=1000)
        parser.add_argument("--comments", type=int, default=100000)
        parser.add_argument("--batch-size", type=int, default=20000)
        parser.add_argument("--seed", type=int, default=4, help="Same seed, same data.")

    def handle(self, *args, posts, comments, batch_size, seed, **options):
        if posts < 0 or comments < 0 or batch_size < 1:
            raise CommandError("--posts and --comments must be >= 0, --batch-size >= 1.")
        self.random = random.Random(seed)
        self.now = timezone.now()
        started = time.monotonic()
        author = self.author()
        if posts:
            self.generate_posts(posts, author, min(batch_size, 2000))
        if comments:
            self.generate_comments(comments, author, batch_size)
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
        self.progress(f"Posts: {count:,}")
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
        topics = list(Topic.objects.order_by("pk"))
        held_back = {}  # post pk -> the first reason the rules gave
        first = Post.objects.filter(slug__startswith="generated-").count()
        bodies = {}  # (references, disclaimer) -> (body, body_html)
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
                body, body_html = bodies[references, with_disclaimer]
                title = f"{self.title()} ({n + 1})"
                published = self.now - timedelta(minutes=10 + n * 37)
                batch.append(
                    Post(
                        title=title,
                        slug=f"generated-{n + 1:06d}",
                        summary=f"{title}: what the evidence says, in plain words.",
                        body=body,
                        body_html=body_html,
                        author=author,
                        status=Post.Status.DRAFT,
                        email_on_publish=False,  # made-up posts are mailed to no one
                        publish_at=published,
                        created_at=published,
                        updated_at=published,
                        page_changed_at=self.now,
                    )
                )
                shapes.append((references, with_disclaimer))
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
                references, links = [], []
                for post, (ref_count, with_disclaimer) in zip(created, shapes, strict=True):
                    references += [self.reference(post, order) for order in range(ref_count)]
                    if with_disclaimer:
                        links.append(PostDisclaimer(post=post, disclaimer=disclaimer, order=0))
                Reference.objects.bulk_create(references)
                PostDisclaimer.objects.bulk_create(links)
                if topics:
                    Post.topics.through.objects.bulk_create(
                        Post.topics.through(post_id=post.pk, topic_id=topics[n % len(topics)].pk)
                        for n, post in enumerate(created)
                    )
                # bulk_create skips Post.save: write their search documents.
                Post.objects.filter(pk__in=[post.pk for post in created]).reindex()
                outcome = publishing.publish(
                    Post.objects.filter(pk__in=[post.pk for post in created]),
                    comment="Generated (generate_data).",
                )
                for refusal in outcome.refused:
                    held_back.setdefault(refusal.post.pk, refusal.reason)
            progress.add(len(batch))
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
        result = markup.render(body, references, [marker] if marker else [])
        return body, result.html

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

        post_ids = list(Post.objects.published().order_by("pk").values_list("pk", flat=True))
        if not post_ids:
            raise CommandError("No published posts to comment on: add posts first (--posts).")
        self.progress(f"Comments: {count:,} over {len(post_ids):,} published posts")

        # Every column from a default Comment, then the few that vary per row.
        template = Comment(post_id=post_ids[0], name="x", email="x@example.com", text="x")
        fields = [f for f in Comment._meta.concrete_fields if not f.primary_key]
        defaults = {
            f.attname: f.get_db_prep_save(getattr(template, f.attname), connection) for f in fields
        }
        columns = [f.column for f in fields]
        attnames = [f.attname for f in fields]
        adapt_time = (
            (lambda value: value)
            if connection.vendor == "postgresql"
            else connection.ops.adapt_datetimefield_value
        )
        texts = self.comment_texts()
        fingerprints = {text: fingerprint(text) for text in texts}
        statuses = [s for s, weight in STATUS_WEIGHTS for _ in range(weight)]

        def rows(first, last):
            per_post = count / len(post_ids)
            for i in range(first, last):
                post_id = post_ids[min(int(i / per_post), len(post_ids) - 1)]
                status = statuses[i % len(statuses)]
                posted = self.now - timedelta(seconds=(count - i) * 7)
                text = texts[i % len(texts)]
                first_name = FIRST_NAMES[i % len(FIRST_NAMES)]
                row = dict(defaults)
                row.update(
                    post_id=post_id,
                    name=f"{first_name} {LAST_NAMES[i % len(LAST_NAMES)]}",
                    email=f"{first_name.lower()}{i}@example.com",
                    text=text,
                    status=status,
                    fingerprint=fingerprints[text],
                    ip_address=f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}",
                    user_agent=AGENT,
                    created_at=adapt_time(posted),
                    status_changed_at=None
                    if status == "pending"
                    else adapt_time(posted + timedelta(hours=2)),
                    status_changed_by_id=None if status == "pending" else moderator.pk,
                    held_reason="" if status != "spam" else "generated spam",
                )
                yield tuple(row[name] for name in attnames)

        table = connection.ops.quote_name(Comment._meta.db_table)
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        progress = Progress(self.progress, "comments", count, max(count // 10, 1))
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size=-131072")  # 128 MB for the index updates
        for start in range(0, count, batch_size):
            last = min(start + batch_size, count)
            with transaction.atomic(), connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    self.copy_rows(cursor, table, quoted, rows(start, last))
                else:
                    placeholders = ", ".join(["%s"] * len(columns))
                    cursor.executemany(
                        f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})",
                        list(rows(start, last)),
                    )
            progress.add(last - start)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {table}")
        else:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        # Cached pages of the posts that received comments are stale now.
        Post.objects.filter(pk__in=post_ids).mark_pages_changed()

    @staticmethod
    def copy_rows(cursor, table, quoted, rows):
        """PostgreSQL: COPY is several times faster than INSERT."""
        raw = cursor.cursor  # psycopg's own cursor under Django's wrapper
        with raw.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def comment_texts(self):
        texts = []
        for i in range(400):
            picked = self.random.sample(SENTENCES, 1 + i % 3)
            texts.append(" ".join(picked))
        return list(dict.fromkeys(texts))
