import dataclasses
import datetime as dt
import re

import reversion
from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import connections, models, transaction
from django.db.models import Count, Max
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import slugify

from core import markup
from core.models import SiteStamp
from core.text import MarkdownField, OneLineField, OneLineURLField, PlainTextField, one_line

from . import bibliography, citations, search
from .authors import Author  # noqa: F401 (an author's profile belongs to this app's models)
from .review import (  # noqa: F401 (the review models belong to this app's models)
    PostReview,
    Reviewer,
    ReviewEvent,
    ReviewState,
    review_due_cutoff,
    review_required,
)

# The DOI handbook's characters (articles/citations.py).
validate_doi = citations.validate_doi
validate_pmid = RegexValidator(
    r"^[1-9]\d{0,8}$",
    "Enter a PubMed ID: digits only, such as 28498331.",
    code="invalid_pmid",
)


def validate_marker(value):
    if not markup.valid_marker(value):
        raise ValidationError(
            "A marker is one to four symbols such as ** or †, without letters, "
            "digits, spaces or brackets.",
            code="invalid_marker",
        )


def archive_bounds(year, month=None):
    """The start and end (excluded) of a year, or of a month of it, in the
    site's time zone (TIME_ZONE), as aware datetimes. ValueError for a year or
    month that has none (month 13, year 10000)."""
    zone = timezone.get_default_timezone()
    if month is None:
        start, end = dt.datetime(year, 1, 1), dt.datetime(year + 1, 1, 1)
    else:
        start = dt.datetime(year, month, 1)
        end = dt.datetime(year + month // 12, month % 12 + 1, 1)
    return timezone.make_aware(start, zone), timezone.make_aware(end, zone)


def slug_is_free_of_archives(slug):
    """A post's slug may not be digits only: /blog/2026/ is the year archive
    (articles/urls.py puts the archives before the posts)."""
    return not slug.isascii() or not slug.isdigit()


@dataclasses.dataclass(frozen=True)
class ArchiveMonth:
    """A month of the archive: its first day (in the site's time zone), how
    many posts it has and the newest change of one of them."""

    start: dt.date
    total: int
    updated: dt.datetime

    @property
    def year(self):
        return self.start.year

    def get_absolute_url(self):
        return reverse(
            "articles:archive_month", kwargs={"year": self.start.year, "month": self.start.month}
        )


# The stamp of the set of posts and what other pages show of them (the
# related posts at the foot of each post): touched when a post is saved,
# published, unpublished, deleted or filed under other topics.
POSTS_STAMP = "posts"


class PostQuerySet(models.QuerySet):
    @staticmethod
    def _public(now=None):
        """The one definition of a public post: published and due."""
        return models.Q(status=Post.Status.PUBLISHED, publish_at__lte=now or timezone.now())

    def published(self, now=None):
        return self.filter(self._public(now))

    def not_published(self, now=None):
        """Every post ``published()`` leaves out: drafts, scheduled posts."""
        return self.exclude(self._public(now))

    def scheduled(self):
        return self.filter(status=Post.Status.PUBLISHED, publish_at__gt=timezone.now())

    def next_due(self):
        """When the next scheduled post comes due, or None. One query."""
        return self.scheduled().aggregate(first=models.Min("publish_at"))["first"]

    def drafts(self):
        return self.filter(status=Post.Status.DRAFT)

    def visible_to(self, user):
        """What a user may read: staff who may see posts preview everything."""
        if user.is_active and user.is_staff and user.has_perm("articles.view_post"):
            return self.all()
        return self.published()

    def for_page(self):
        """Everything the post page shows, in a fixed number of queries."""
        return self.select_related(
            "author__author_profile", "featured_image", "reviewer"
        ).prefetch_related(
            "references",
            models.Prefetch("topics", queryset=Topic.objects.order_by("order", "name")),
            models.Prefetch(
                "post_disclaimers",
                queryset=PostDisclaimer.objects.select_related("disclaimer"),
            ),
        )

    def dated(self, year, month=None):
        """The posts published in a year, or in a month of it, as the site's time
        zone counts them: a post published at 23:30 UTC on 31 March is in April
        where TIME_ZONE is Europe/Berlin. An indexed range on ``publish_at``.
        ValueError for a year or month that does not exist."""
        start, end = archive_bounds(year, month)
        return self.filter(publish_at__gte=start, publish_at__lt=end)

    def archive_months(self):
        """The months that have posts here, newest first, each with its count
        (``ArchiveMonth``), months as the site's time zone counts them. One
        grouped query."""
        months = (
            self.order_by()
            .annotate(month=TruncMonth("publish_at", tzinfo=timezone.get_default_timezone()))
            .values("month")
            .annotate(total=Count("pk"), updated=Max("updated_at"))
            .order_by("-month")
        )
        return [ArchiveMonth(row["month"].date(), row["total"], row["updated"]) for row in months]

    def review_due(self, today=None):
        """Posts never medically reviewed, or last reviewed longer ago than
        MEDICAL_REVIEW_MONTHS."""
        cutoff = review_due_cutoff(today)
        return self.filter(models.Q(reviewed_at__isnull=True) | models.Q(reviewed_at__lt=cutoff))

    def awaiting_approval(self):
        """Drafts that may not be published yet: with MEDICAL_REVIEW_REQUIRED,
        those without an approved review (none otherwise)."""
        if not review_required():
            return self.none()
        return self.filter(status=Post.Status.DRAFT).exclude(review_state=ReviewState.APPROVED)

    def search(self, query):
        """Published posts matching the reader's ``query`` (a str), best first,
        each with ``search_rank``: full-text search on PostgreSQL (weighted
        tsvector, websearch_to_tsquery) and SQLite (FTS5, bm25). Nothing the
        reader types is an error; an empty query finds nothing. See
        articles/search.py."""
        return search.search(self, query, using=self.db)

    def reindex(self, batch_size=500):
        """Write the search documents of these posts again (after a bulk
        change that bypassed ``save``: generated data, SQL). Returns
        how many."""
        count = 0
        posts = self.order_by("pk").only("pk", "title", "summary", "body_html")
        with transaction.atomic(using=self.db):
            for post in posts.iterator(chunk_size=batch_size):
                search.index_posts([post], using=self.db)
                count += 1
        return count

    def page_version(self):
        """The version of the one post page in this queryset, or None: its id and
        the last change of anything its page shows."""
        row = self.values_list("pk", "page_changed_at").first()
        return None if row is None else f"{row[0]}:{row[1].timestamp():.6f}"

    def listing_version(self, now=None):
        """A version of the set of public posts that changes whenever the set
        or anything shown about its posts does: a post published, edited,
        unpublished, renamed by its author, or a scheduled post coming due.

        Any change shown about a post moves its ``page_changed_at``, taken
        over all posts, drafts included, so a post leaving the set changes it
        too; a post coming due is the newest due ``publish_at``. (Deleting a
        post touches the site-wide stamp: core.models.SiteStamp.) Two
        aggregates, each read from one end of an index."""
        changed = self.aggregate(latest=Max("page_changed_at"))["latest"]
        due = self.published(now).aggregate(latest=Max("publish_at"))["latest"]
        return ":".join(
            f"{moment.timestamp():.6f}" if moment else "-" for moment in (changed, due)
        )

    def related_to(self, post, limit=3):
        """Up to ``limit`` public posts for the foot of ``post``'s page: those
        sharing most of its topics first, then the newest; never ``post``.

        Two queries whatever the number of topics: the posts sharing topics
        (grouped in the database, the post's topics read in a subquery), then
        the newest others to fill the list."""
        fields = ("pk", "title", "slug", "publish_at", "reading_minutes")
        public = self.published().exclude(pk=post.pk)
        its_topics = Post.topics.through.objects.filter(post_id=post.pk).values("topic_id")
        sharing = list(
            public.filter(topics__in=its_topics)
            .annotate(shared_topics=models.Count("pk"))
            .order_by("-shared_topics", "-publish_at", "-pk")
            .only(*fields)[:limit]
        )
        newest = public.exclude(pk__in=[p.pk for p in sharing]).order_by("-publish_at", "-pk")
        return sharing + list(newest.only(*fields)[: limit - len(sharing)])

    def page_changed(self):
        """Say that something shown on these posts' pages changed.

        Other apps call this when what they show on a post page changes (the
        comments app, when a comment is approved or withdrawn): cached pages
        and conditional GET answers of these posts are then stale at once.
        """
        return self.update(page_changed_at=timezone.now())


class PostManager(models.Manager.from_queryset(PostQuerySet)):
    """``Post.objects``: the queryset's methods, and the page cache's two
    questions about all posts, asked on every cached hit.

    Those two are the plain SQL statements they amount to. Built through the
    ORM they took longer to build than to run: a cached post page cost
    0.55 ms in one process, 0.18 ms like this (docs/performance.md). They
    follow ``PostQuerySet.published()`` (published, due), and a test holds
    them to it (tests/articles/test_page_versions.py). Times are compared as
    naive UTC, which is how Django stores them on SQLite and what PostgreSQL
    reads in the connection's UTC time zone.
    """

    def public_page_version(self, slug, now=None):
        """The version of the public post ``slug``'s page (its id and last
        change), or None when no public post has that slug."""
        with connections[self.db].cursor() as cursor:
            cursor.execute(
                f"SELECT id, page_changed_at FROM {self.model._meta.db_table} "
                "WHERE slug = %s AND status = %s AND publish_at <= %s",
                [slug, self.model.Status.PUBLISHED, _utc_naive(now)],
            )
            row = cursor.fetchone()
        return None if row is None else f"{row[0]}:{row[1]}"

    def listing_version(self, now=None):
        """``PostQuerySet.listing_version`` for all posts, in one statement:
        the newest change of any post and the newest due publish time."""
        table = self.model._meta.db_table
        with connections[self.db].cursor() as cursor:
            cursor.execute(
                f"SELECT (SELECT MAX(page_changed_at) FROM {table}), "
                f"(SELECT MAX(publish_at) FROM {table} WHERE status = %s AND publish_at <= %s)",
                [self.model.Status.PUBLISHED, _utc_naive(now)],
            )
            changed, due = cursor.fetchone()
        return f"{changed or '-'}:{due or '-'}"


def _utc_naive(moment=None):
    return (moment or timezone.now()).astimezone(dt.UTC).replace(tzinfo=None)


# Revisions (django-reversion; articles.revisions records them): a post's
# version holds its references and disclaimers on the post, so reverting
# brings those back too (and removes the ones added since). The medical
# review is not part of it: only a review step moves it (a revert must not
# bring back an old review date or approval).
@reversion.register(
    follow=("references", "post_disclaimers"),
    exclude=PostReview.REVIEW_FIELDS,
)
class Post(PostReview, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = OneLineField(max_length=200)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        help_text="The last part of the post's address (/blog/your-slug/). Filled from the title.",
    )
    summary = PlainTextField(
        max_length=500,
        help_text="One or two sentences for the blog index, feeds and search engines.",
    )
    body = MarkdownField(
        help_text=(
            "Markdown. Cite references by number: [1], [1, 3] or [2-4]. "
            "Point at a disclaimer by its marker in brackets: [**] or [†]."
        )
    )
    body_html = models.TextField(editable=False, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="posts",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    publish_at = models.DateTimeField(
        "publish time",
        null=True,
        blank=True,
        db_index=True,
        help_text=(
            "Leave empty to publish at the moment the post is published. A future "
            "time schedules the post; a past time backdates it on purpose."
        ),
    )
    comments_enabled = models.BooleanField(
        "comments open",
        default=True,
        help_text="Untick to close comments on this post (existing comments stay).",
    )
    disclaimers = models.ManyToManyField(
        "Disclaimer", through="PostDisclaimer", related_name="posts", blank=True
    )
    # The image at the top of the post and on its card (images app). PROTECT:
    # deleting an image a post shows is refused with the list of posts, rather
    # than a published page silently losing its picture.
    featured_image = models.ForeignKey(
        "images.Image",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=(
            "Shown at the top of the post and on its card in the blog index, with the "
            "image's alt text, caption and credit from the image library."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    topics = models.ManyToManyField(
        "Topic",
        related_name="posts",
        blank=True,
        help_text="One or more: the post is listed on their pages and their feeds.",
    )
    # Minutes to read the body, counted when the post is saved (the index
    # shows it without loading bodies).
    reading_minutes = models.PositiveSmallIntegerField(default=1, editable=False)
    # The last change of anything on the post's page (body, references,
    # disclaimers, approved comments): the version of its cached rendering.
    page_changed_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = PostManager()

    class Meta:
        ordering = ["-publish_at", "-pk"]
        get_latest_by = "publish_at"
        indexes = [
            models.Index(fields=["status", "-publish_at"], name="post_public_idx"),
            # Which posts are public and their last change, read from the index
            # alone (the sitemap's version, articles.sitemaps).
            models.Index(fields=["status", "publish_at", "updated_at"], name="post_sitemap_idx"),
            # The newest change of any post (PostQuerySet.listing_version).
            models.Index(fields=["page_changed_at"], name="post_page_changed_idx"),
        ]
        permissions = [
            ("review_post", "Can record medical reviews (approve, send back)"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self.unique_slug(self.title)
        if self.status == self.Status.PUBLISHED and self.publish_at is None:
            self.publish_at = timezone.now()
        self.body_html = self.render().html
        self.reading_minutes = reading_minutes(self.body_html)
        self.page_changed_at = timezone.now()
        with transaction.atomic():
            super().save(*args, **kwargs)
            # Other posts' pages list it (related posts).
            SiteStamp.touch(POSTS_STAMP)
            self.review_after_save(by=self.edited_by)
            self.index_for_search()

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    @property
    def author_profile(self):
        """The author's public profile (``Author``: a page, credentials), or None.
        Select ``author__author_profile`` with the post to read it without a query."""
        try:
            return self.author.author_profile
        except Author.DoesNotExist:
            return None

    @property
    def author_name(self):
        """The name bylines show: the profile's, else the account's full name."""
        profile = self.author_profile
        if profile is not None:
            return profile.name
        return self.author.get_full_name() or self.author.get_username()

    @property
    def is_public(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at <= timezone.now()
        )

    @property
    def is_scheduled(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at > timezone.now()
        )

    @property
    def state_label(self):
        if self.status == self.Status.DRAFT:
            return "Draft"
        return "Scheduled" if self.is_scheduled else "Published"

    @classmethod
    def unique_slug(cls, title):
        base = slugify(title)[:190] or "post"
        if not slug_is_free_of_archives(base):
            base = f"post-{base}"[:190]
        slug, n = base, 2
        while cls.objects.filter(slug=slug).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug

    # --- rendering -------------------------------------------------------
    def stored_reference_count(self):
        return self.references.count() if self.pk else 0

    def stored_markers(self):
        if not self.pk:
            return []
        return [pd.disclaimer.marker for pd in self.post_disclaimers.select_related("disclaimer")]

    def render(self):
        """The body rendered against this post's stored references and disclaimers."""
        return markup.render(self.body, self.stored_reference_count(), self.stored_markers())

    def clean(self):
        result = markup.render(self.body)
        errors = []
        removed = result.removed_elements
        if removed:
            errors.append(
                ValidationError(
                    "The body contains a %(tags)s element. Scripts and styles are "
                    "removed when the post is shown, with everything inside them "
                    "(all the text after an unclosed one). Remove the tag, or put "
                    "it in `backticks` to show it as code.",
                    code="removed_element",
                    params={"tags": " and ".join(f"<{t}>" for t in removed)},
                )
            )
        # Images without alt text, not in the library or from other sites.
        errors.extend(result.image_errors())
        # Text shaped so that Markdown would take too long (not rendered).
        errors.extend(result.complexity_errors())
        field_errors = {"body": errors} if errors else {}
        if self.slug and not slug_is_free_of_archives(self.slug):
            field_errors["slug"] = ValidationError(
                "A slug of digits only would be the address of a date archive "
                "(/blog/2026/ lists the posts of 2026). Add a word: %(suggestion)s.",
                code="numeric_slug",
                params={"suggestion": f"post-{self.slug}"},
            )
        if field_errors:
            raise ValidationError(field_errors)

    def check_body(self, reference_count=None, markers=None):
        """Raise ValidationError for citations or markers that point at nothing,
        or for two disclaimers sharing a marker.

        The admin checks the references and the disclaimers being submitted,
        each in its own formset; None leaves that side unchecked.
        """
        errors = []
        duplicates = sorted({m for m in markers or [] if markers.count(m) > 1})
        if duplicates:
            raise ValidationError(
                "Two disclaimers on this post use the marker %(markers)s; readers "
                "could not tell them apart. Choose disclaimers with different markers.",
                code="duplicate_marker",
                params={"markers": ", ".join(duplicates)},
            )
        result = markup.render(self.body, reference_count, markers)
        if result.unknown_citations:
            numbers = sorted(set(result.unknown_citations))
            errors.append(
                ValidationError(
                    "The body cites %(numbers)s but the post has %(count)s. "
                    "Add the reference or correct the number.",
                    code="unknown_citation",
                    params={
                        "numbers": ", ".join(f"[{n}]" for n in numbers),
                        "count": (
                            "no references"
                            if reference_count == 0
                            else f"only {reference_count} reference"
                            + ("s" if reference_count != 1 else "")
                        ),
                    },
                )
            )
        if result.unknown_markers:
            errors.append(
                ValidationError(
                    "The body points at the disclaimer marker %(markers)s but no "
                    "disclaimer with that marker is attached to the post.",
                    code="unknown_marker",
                    params={
                        "markers": ", ".join(
                            f"[{m}]" for m in dict.fromkeys(result.unknown_markers)
                        )
                    },
                )
            )
        if errors:
            raise ValidationError(errors)

    def refresh_rendering(self):
        """Re-render after the references or disclaimers changed: the body's
        citations and markers are checked against them. Whoever changes them
        calls this once (the admin's save_related, a revert, an import), not
        once per row. Four queries (the last writes the search document)."""
        now = timezone.now()
        self.body_html = self.render().html
        Post.objects.filter(pk=self.pk).update(
            body_html=self.body_html, updated_at=now, page_changed_at=now
        )
        self.index_for_search()

    def index_for_search(self):
        """Write this post's search document (its title, summary, rendered
        body and reference titles): one query. Called by ``save`` and
        ``refresh_rendering``, the paths every change of them takes."""
        search.index_posts([self], using=self._state.db)

    def preview(self, reference_count, markers):
        """What the post page would show for this body with that many
        references and these disclaimer markers, and every mistake saving it
        would report: (sanitised HTML, [messages]). Nothing is saved (the
        editor's live preview)."""
        messages = []
        checks = (self.clean, lambda: self.check_body(reference_count, markers))
        for check in checks:
            try:
                check()
            except ValidationError as error:
                messages.extend(error.messages)
        html = markup.render(self.body, reference_count, markers).html
        return html, list(dict.fromkeys(messages))

    def append_references(self, references, by=None):
        """Add checked, unsaved references after the post's own, in their
        order, and render the body once: the one path for an import. Returns
        the numbers they got (first, last). Five queries however many (an
        approved post going back to review: four more)."""
        references = list(references)
        if not references:
            return None
        with transaction.atomic():
            stored = self.references.aggregate(count=models.Count("pk"), last=Max("order"))
            start = 0 if stored["last"] is None else stored["last"] + 1
            for position, reference in enumerate(references):
                reference.post = self
                reference.order = start + position
            Reference.objects.bulk_create(references)
            self.refresh_rendering()
            self.content_changed("references", by)
        first = stored["count"] + 1
        return first, first + len(references) - 1

    def sync_body_images(self):
        """Record which library images the body places (see PostBodyImage)."""
        from images.models import sync_placed_images

        sync_placed_images(self, self.body_images, "post")

    @property
    def ordered_disclaimers(self):
        """(position, disclaimer) pairs in the post's chosen order."""
        return [
            (position, pd.disclaimer)
            for position, pd in enumerate(self.post_disclaimers.all(), start=1)
        ]

    def numbered_references(self):
        return list(enumerate(self.references.all(), start=1))


WORDS_PER_MINUTE = 200


def reading_minutes(html):
    """Minutes an adult takes to read this rendered body, at least one."""
    words = len(strip_tags(html).split())
    return max(1, round(words / WORDS_PER_MINUTE))


class PostSearchDocument(models.Model):
    """A post's search document (articles/search.py), in the table
    ``articles_post_search`` that migration 0008 makes for the database in
    use: on PostgreSQL a table of weighted ``search_vector`` values with a
    GIN index, on SQLite an FTS5 table whose hidden column named like the
    table is ``document``. Each database has only its own column. Not
    managed by Django; written by ``search.index_posts`` alone."""

    post = models.OneToOneField(
        Post,
        primary_key=True,
        db_column="rowid",
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="search_document",
    )
    search_vector = SearchVectorField(null=True)  # PostgreSQL
    document = search.FTS5TableColumn(db_column=search.TABLE)  # SQLite

    class Meta:
        managed = False
        db_table = search.TABLE

    def __str__(self):
        return str(self.post_id)


def refresh_post(post_id):
    """A single reference or disclaimer row saved or deleted: its post's body is
    rendered again. (The post admin saves all the rows of a form at once, in
    bulk, and renders the body once: PostAdmin.save_related.)"""
    post = Post.objects.filter(pk=post_id).first()
    if post is not None:
        post.refresh_rendering()


@reversion.register()
class Reference(models.Model):
    """A scientific reference of a post: a journal article, a book, a chapter,
    a report or a web page (``kind``), each with the fields its type uses
    and written in its own AMA form (articles/citations.py)."""

    Kind = citations.Kind

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="references")
    order = models.PositiveSmallIntegerField(
        default=0, help_text="References are numbered in this order."
    )
    kind = models.CharField(
        "type",
        max_length=10,
        choices=Kind.choices,
        default=Kind.ARTICLE,
        help_text="Each type is written in its own AMA form and exported as its own "
        "BibTeX and RIS type; the form shows the fields it uses.",
    )
    authors = OneLineField(
        max_length=500,
        blank=True,
        help_text="AMA style: Surname Initials, comma separated: Kim MH, Kim H. "
        "An organisation as it names itself: World Health Organization.",
    )
    title = OneLineField(max_length=500)
    journal = OneLineField(
        "journal or website",
        max_length=300,
        blank=True,
        help_text="Journal articles: the abbreviated journal name (Int J Mol Sci). "
        "Web pages: the website's name (CDC WONDER).",
    )
    editors = OneLineField(
        max_length=500,
        blank=True,
        help_text="Books and chapters, AMA style as the authors: Lockey P, Ledford DK.",
    )
    book_title = OneLineField(
        "title of the book", max_length=500, blank=True, help_text="The book the chapter is in."
    )
    edition = OneLineField(
        max_length=40,
        blank=True,
        help_text="2nd, 3rd… (written “2nd ed.”); leave it empty for a first edition.",
    )
    publisher = OneLineField(
        "publisher or institution",
        max_length=300,
        blank=True,
        help_text="Books and chapters: the publisher (Wolters Kluwer). Reports: the agency "
        "or institution that issued it.",
    )
    report_number = OneLineField(
        "report number",
        max_length=100,
        blank=True,
        help_text="As the report gives it: AHRQ Publication No. 13-0016.",
    )
    year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1500), MaxValueValidator(2200)],
    )
    volume = OneLineField(max_length=20, blank=True)
    issue = OneLineField(max_length=20, blank=True)
    pages = OneLineField(max_length=40, blank=True, help_text="149-154, or an article number.")
    doi = OneLineField("DOI", max_length=200, blank=True, validators=[validate_doi])
    pmid = OneLineField("PMID", max_length=20, blank=True, validators=[validate_pmid])
    url = OneLineURLField("URL", max_length=500, blank=True)
    accessed = models.DateField(
        null=True,
        blank=True,
        help_text="Web pages and reports: the day you read it (AMA asks for it with the URL).",
    )

    # One line of text each (core.text.one_line, the field class), and runs of
    # spaces as one (bibliography.one_line), as the exports write them.
    ONE_LINE_FIELDS = (
        "authors", "title", "journal", "editors", "book_title", "edition", "publisher",
        "report_number", "volume", "issue", "pages", "doi", "pmid",
    )  # fmt: skip

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return f"{self.authors or self.editors}. {self.title}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        refresh_post(self.post_id)

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        refresh_post(self.post_id)
        return result

    def clean_fields(self, exclude=None):
        # Accept what editors paste ("https://doi.org/10...", "doi:10...",
        # "PMID: 123", a title in two lines) and validate what remains.
        for name in self.ONE_LINE_FIELDS:
            setattr(self, name, bibliography.one_line(getattr(self, name)))
        self.doi = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", "", self.doi, flags=re.I)
        self.pmid = re.sub(r"^pmid:?\s*", "", self.pmid, flags=re.I)
        # One dash for page ranges, as AMA writes them: 149–154, 149--154 -> 149-154.
        self.pages = bibliography.DASHES_RE.sub("-", self.pages)
        self.edition = citations.edition(self.edition)
        # Control characters out (the one rule of core.text), then what an
        # address may not hold as it is, hex-encoded.
        self.url = bibliography.safe_url(one_line(self.url))
        super().clean_fields(exclude=exclude)

    def clean(self):
        """Each type keeps only the fields it uses (the form shows no others)
        and has what it cannot do without."""
        super().clean()
        if self.kind not in self.Kind.values:
            return  # refused by clean_fields
        for name in citations.unused_fields(self.kind):
            setattr(self, name, None if name in ("year", "accessed") else "")
        errors = citations.missing(self)
        if errors:
            raise ValidationError(errors)

    @classmethod
    def read_entries(cls, text):
        """Unsaved references from pasted BibTeX or RIS, each checked as a typed
        one is (full_clean: DOIs and PubMed IDs normalised and validated),
        and the messages: one for each entry that cannot be a reference
        (its number and what is wrong), and any about the text as a whole.
        With any message there are no references: all or nothing. Past
        ``bibliography.MAX_MESSAGES`` entries with problems, one message
        counts the rest."""
        parsed = bibliography.parse(text)
        messages = list(parsed.errors)
        references, faulty = [], 0
        for entry in parsed.entries:
            problems = list(entry.errors)
            if not problems:
                reference = cls(**entry.fields)
                try:
                    reference.full_clean(exclude=["post", "order"])
                except ValidationError as error:
                    problems.extend(cls._described(error))
                references.append(reference)
            if problems:
                faulty += 1
                if faulty <= bibliography.MAX_MESSAGES:
                    messages.append(
                        f"{entry.describe()}: {' '.join(_sentence(p) for p in problems)}"
                    )
        if faulty > bibliography.MAX_MESSAGES:
            more = faulty - bibliography.MAX_MESSAGES
            messages.append(
                f"… and {more} more entr{'y' if more == 1 else 'ies'} with problems "
                "like these: fix the ones above and preview again."
            )
        bibliography.log_import(parsed, faulty)
        return ([] if messages else references), messages

    @classmethod
    def _described(cls, error):
        for name, field_errors in error.error_dict.items():
            label = cls._meta.get_field(name).verbose_name if name != "__all__" else ""
            for field_error in field_errors:
                message = " ".join(field_error.messages)
                if field_error.code in ("blank", "missing") and label:
                    yield f"it has no {label}."
                else:
                    yield f"{label}: {message}" if label else message

    @property
    def doi_url(self):
        return citations.doi_url(self.doi)

    @property
    def pmid_url(self):
        return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/" if self.pmid else ""

    def ama(self):
        """The reference in AMA style, as safe HTML (every field escaped)."""
        return citations.ama_html(self)

    def ama_text(self):
        """The reference in AMA style, as plain text."""
        return citations.ama_text(self)


def _sentence(text):
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


class Disclaimer(models.Model):
    name = OneLineField(
        max_length=100, unique=True, help_text="For editors only, e.g. 'FDA statement'."
    )
    marker = OneLineField(
        max_length=4,
        validators=[validate_marker],
        help_text="The symbol that links body text to this note: ** or † or ‡.",
    )
    text = PlainTextField(help_text="Plain text, shown at the foot of the post.")
    is_default = models.BooleanField(
        "default for new posts",
        default=False,
        help_text="New posts start with this disclaimer attached.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.marker} {self.name}"

    def save(self, *args, **kwargs):
        """A changed marker re-renders the bodies of the posts that show this
        disclaimer (their [**] links point at it); changed text only marks
        their pages changed, in one UPDATE (the text is shown from here)."""
        marker_before = None
        if self.pk:
            marker_before = (
                Disclaimer.objects.filter(pk=self.pk).values_list("marker", flat=True).first()
            )
        super().save(*args, **kwargs)
        posts = Post.objects.filter(disclaimers=self)
        if marker_before is not None and marker_before != self.marker:
            for post in posts:
                post.refresh_rendering()
        else:
            posts.page_changed()

    @classmethod
    def defaults(cls):
        return cls.objects.filter(is_default=True).order_by("name")


@reversion.register()
class PostDisclaimer(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="post_disclaimers")
    disclaimer = models.ForeignKey(
        Disclaimer, on_delete=models.PROTECT, related_name="post_disclaimers"
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["post", "disclaimer"], name="unique_post_disclaimer")
        ]
        verbose_name = "disclaimer on the post"
        verbose_name_plural = "disclaimers on the post"

    def __str__(self):
        return str(self.disclaimer)

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        refresh_post(self.post_id)

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        refresh_post(self.post_id)
        return result


class PostBodyImage(models.Model):
    """A library image placed in a post's body (``![alt](image:42)``).

    Kept in step by ``Post.sync_body_images`` after each save. It protects the
    image from deletion while a body shows it (the stored rendering holds its
    addresses), and tells which bodies to render again when the image's alt
    text, caption or credit change (articles.signals).
    """

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="body_images")
    image = models.ForeignKey("images.Image", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "image"], name="unique_post_body_image")
        ]
        verbose_name = "image in a post's body"
        verbose_name_plural = "images in posts' bodies"

    def __str__(self):
        return f"{self.post} (in its body)"


# --- topics -------------------------------------------------------------------

# The stamp of the main topics in the navigation (core.models.SiteStamp).
TOPICS_STAMP = "topics"


class TopicQuerySet(models.QuerySet):
    def in_navigation(self):
        """The main topics, as the navigation lists them."""
        return self.filter(is_main=True).order_by("order", "name", "pk")

    def page_version(self, now=None):
        """The version of the one topic page (and its feeds) in this queryset,
        or None: the topic's own last change and its posts' listing version
        (any of them changed, published, unpublished, or coming due; drafts
        count, so a post unpublished leaves the page). Three queries, each
        read through an index."""
        topic = self.values_list("pk", "changed_at").first()
        if topic is None:
            return None
        posts = Post.objects.filter(topics=topic[0]).listing_version(now)
        return f"{topic[0]}:{topic[1].timestamp():.6f}:{posts}"


class Topic(models.Model):
    """A topic editors keep: a small, curated set, not free tags (docs/editors.md)."""

    name = OneLineField(max_length=60, unique=True)
    slug = models.SlugField(
        max_length=60,
        unique=True,
        help_text="The last part of the topic's address (/blog/topics/your-slug/).",
    )
    description = MarkdownField(
        blank=True,
        help_text="Markdown: shown at the top of the topic's page and in its feeds.",
    )
    description_html = models.TextField(editable=False, blank=True)
    is_main = models.BooleanField(
        "main topic",
        default=False,
        help_text="Main topics are linked from the navigation at the top of every page.",
    )
    order = models.PositiveSmallIntegerField(
        default=0, help_text="Position in the navigation and lists: lower numbers come first."
    )
    # The last change of the topic or of the posts it lists (a post added or
    # taken out): part of its page's version.
    changed_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        """The description is rendered once, here; the navigation (main
        topics, on every page) is told in the same transaction."""
        self.description_html = markup.render(self.description).html
        self.changed_at = timezone.now()
        with transaction.atomic():
            super().save(*args, **kwargs)
            SiteStamp.touch(TOPICS_STAMP)

    def get_absolute_url(self):
        return reverse("articles:topic", kwargs={"slug": self.slug})

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            result = super().delete(*args, **kwargs)
            SiteStamp.touch(TOPICS_STAMP)
        return result

    def clean(self):
        result = markup.render(self.description)
        errors = []
        if result.removed_elements:
            errors.append(
                ValidationError(
                    "The description contains a %(tags)s element; it would be "
                    "removed with everything inside it.",
                    code="removed_element",
                    params={"tags": " and ".join(f"<{t}>" for t in result.removed_elements)},
                )
            )
        # Images without alt text, not in the library or from other sites.
        errors.extend(result.image_errors())
        if errors:
            raise ValidationError({"description": errors})
