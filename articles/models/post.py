"""Posts: the queryset that defines what is public, the post itself and the
library images its body places. Its review fields are in .review, its
references and disclaimers in their own modules (docs/editors.md)."""

import dataclasses
import datetime as dt

import reversion
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import connections, models, transaction
from django.db.models import Count, Max
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import slugify

from articles import search
from core import markup
from core.models import SiteStamp
from core.text import MarkdownField, OneLineField, PlainTextField
from core.versions import version
from images.models import sync_placed_images

from ..events import announce
from .disclaimers import PostDisclaimer
from .references import Reference
from .review import ReviewFields, ReviewState, review_due_cutoff, review_required
from .topics import Topic


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


# Related posts are looked for among this many of the newest posts sharing a
# topic (PostQuerySet.related_to).
RELATED_CANDIDATES = 200

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
        """When the next scheduled post comes due, or None."""
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
            # COUNT(*), not of the id: status, publish_at and updated_at are
            # all in post_sitemap_idx, so PostgreSQL reads the index alone
            # (100,000 posts: 120 ms, where reading their rows took 450 ms).
            .annotate(total=Count("*"), updated=Max("updated_at"))
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
            batch = []
            for post in posts.iterator(chunk_size=batch_size):
                batch.append(post)
                if len(batch) == batch_size:
                    search.index_posts(batch, using=self.db)
                    count, batch = count + len(batch), []
            search.index_posts(batch, using=self.db)
        return count + len(batch)

    def page_version(self):
        """The version of the one post page in this queryset, or None: its id and
        the last change of anything its page shows."""
        row = self.values_list("pk", "page_changed_at").first()
        return None if row is None else version(*row)

    def related_to(self, post, limit=3):
        """Up to ``limit`` public posts for the foot of ``post``'s page: those
        sharing most of its topics first, then the newest; never ``post``.

        A fixed number of queries whatever the number of topics: the posts
        sharing topics (grouped in the database, the post's topics read in a
        subquery), then the newest others to fill the list. The posts sharing
        topics are looked for among the newest RELATED_CANDIDATES public posts
        filed under any of its topics, read newest first from the index: a
        topic of 50,000 posts is not grouped whole (620 ms on 100,000 posts;
        docs/scaling.md)."""
        fields = ("pk", "title", "slug", "publish_at", "reading_minutes")
        public = self.published().exclude(pk=post.pk)
        its_topics = Post.topics.through.objects.filter(post_id=post.pk).values("topic_id")
        filed = Post.topics.through.objects.filter(topic_id__in=its_topics).values("post_id")
        candidates = (public.filter(pk__in=filed).order_by("-publish_at", "-pk").values("pk"))[
            :RELATED_CANDIDATES
        ]
        sharing = list(
            public.filter(pk__in=candidates, topics__in=its_topics)
            .annotate(shared_topics=models.Count("pk"))
            .order_by("-shared_topics", "-publish_at", "-pk")
            .only(*fields)[:limit]
        )
        newest = public.exclude(pk__in=[p.pk for p in sharing]).order_by("-publish_at", "-pk")
        return sharing + list(newest.only(*fields)[: limit - len(sharing)])

    def mark_pages_changed(self):
        """Mark these posts' pages changed (``page_changed_at``), in one UPDATE.

        Other apps call this when what they show on a post page changes (the
        comments app, when a comment is approved or withdrawn): cached pages
        and conditional GET answers of these posts are then stale at once.
        """
        return self.update(page_changed_at=timezone.now())


class PostManager(models.Manager.from_queryset(PostQuerySet)):
    """``Post.objects``: the queryset's methods, and the page cache's two
    questions about posts, asked on every cached hit.

    Those two are written as the plain SQL statements they amount to: built
    through the ORM they took longer to build than to run (docs/performance.md).
    They follow ``PostQuerySet.published()`` (published, due), and a test
    holds them to it (tests/articles/test_page_versions.py). They read the
    whole table (or a topic's posts), whatever a related manager filters.
    Times are compared as naive UTC, which is how Django stores them on
    SQLite and what PostgreSQL reads in the connection's UTC time zone.
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
        return None if row is None else version(*row)

    def listing_version(self, now=None, topic=None):
        """A version of the set of public posts (of all, or those filed under
        the topic with id ``topic``) that changes whenever the set or anything
        shown about its posts does: a post published, edited, unpublished,
        renamed by its author, or a scheduled post coming due.

        Any change shown about a post moves its ``page_changed_at``, taken
        over all the posts, drafts included, so a post leaving the set changes
        it too; a post coming due is the newest due ``publish_at``. (Deleting
        a post touches the site-wide stamp: core.models.SiteStamp.) One
        statement, each half read from one end of an index."""
        table = self.model._meta.db_table
        source, params = table, []
        if topic is not None:
            through = self.model.topics.through._meta.db_table
            source = f"{table} JOIN {through} ON {through}.post_id = {table}.id AND {through}.topic_id = %s"
            params = [topic]
        with connections[self.db].cursor() as cursor:
            cursor.execute(
                f"SELECT (SELECT MAX(page_changed_at) FROM {source}), "
                f"(SELECT MAX(publish_at) FROM {source} WHERE status = %s AND publish_at <= %s)",
                [*params, *params, self.model.Status.PUBLISHED, _utc_naive(now)],
            )
            return version(*cursor.fetchone())


def _utc_naive(moment=None):
    return (moment or timezone.now()).astimezone(dt.UTC).replace(tzinfo=None)


def email_on_publish_default():
    """Whether a new post is emailed to subscribers when published, unless
    its editor unticks it (NEWSLETTER_SEND_ON_PUBLISH, docs/settings.md)."""
    return getattr(settings, "NEWSLETTER_SEND_ON_PUBLISH", True)


# Revisions (django-reversion; articles.revisions records them): a post's
# version holds its references and disclaimers on the post, so reverting
# brings those back too (and removes the ones added since). The medical
# review is not part of it: only a review step moves it (a revert must not
# bring back an old review date or approval).
@reversion.register(
    follow=("references", "post_disclaimers"),
    exclude=ReviewFields.REVIEW_FIELDS,
)
class Post(ReviewFields, models.Model):
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
    # Read by whichever app mails posts (the newsletter); articles only
    # stores the editor's choice. Its default is NEWSLETTER_SEND_ON_PUBLISH.
    email_on_publish = models.BooleanField(
        "email to subscribers",
        default=email_on_publish_default,
        help_text="Send this post to the blog's email subscribers when it is published "
        "(once: a post published again is not sent again).",
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
        self.date_if_published()
        self.body_html = self.render().html
        self.reading_minutes = reading_minutes(self.body_html)
        self.page_changed_at = timezone.now()
        published = self.becomes_published  # judged before the save forgets the row read
        with transaction.atomic():
            super().save(*args, **kwargs)
            # Other posts' pages list it (related posts).
            SiteStamp.touch(POSTS_STAMP)
            self.clear_or_reopen_review(by=self.edited_by)
            self.index_for_search()
            if published:
                announce([self])

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    @property
    def becomes_published(self):
        """Is this save publishing the post: new and published, or read as a
        draft and published now (at once or at a future time)? Saved again
        while published, or read without its status, it is not."""
        if self.status != self.Status.PUBLISHED:
            return False
        return self._state.adding or self.loaded_status == self.Status.DRAFT

    def date_if_published(self, now=None):
        """A published post without a publish time is dated ``now``; one whose
        editor set a time keeps it (a future time schedules it), and so does
        one published before: published again, a post keeps its date. Every
        save asks this, and so does ``articles.publishing.publish``."""
        if self.status == self.Status.PUBLISHED and self.publish_at is None:
            self.publish_at = now or timezone.now()

    @property
    def author_profile(self):
        """The author's public profile (``Author``: a page, credentials), or None.
        Select ``author__author_profile`` with the post to read it without a query."""
        try:
            return self.author.author_profile
        except ObjectDoesNotExist:  # the account has no profile (Author)
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

    def rerender_body(self):
        """Render the body again and store it, after the references or
        disclaimers changed (the body's citations and markers are checked
        against them) or an image it places did; the page is marked changed
        and the search document written again. Whoever changes them calls
        this once (the admin's save_related, a revert, an import), not once
        per row."""
        now = timezone.now()
        self.body_html = self.render().html
        Post.objects.filter(pk=self.pk).update(
            body_html=self.body_html, updated_at=now, page_changed_at=now
        )
        self.index_for_search()

    def index_for_search(self):
        """Write this post's search document (its title, summary, rendered
        body and reference titles). Called by ``save`` and
        ``rerender_body``, the paths every change of them takes."""
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
        the numbers they got (first, last), in a fixed number of queries
        however many there are."""
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
            self.rerender_body()
            self.reopen_review("references", by)
        first = stored["count"] + 1
        return first, first + len(references) - 1

    def sync_body_images(self):
        """Record which library images the body places (see PostBodyImage)."""
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
