"""Revisions of posts, kept by django-reversion.

A post's revision holds the post as stored, its references and its
disclaimers on the post (``Post`` is registered with ``follow`` on both, in
articles.models), who saved it and when. Every change goes through here:

* ``add(posts)`` puts posts, as they are stored now, into the revision being
  made: the post admin's save does it once everything is saved (the inlines
  are saved in bulk, which no signal sees), so the revision holds the
  references as saved;
* ``record(posts, user, comment)`` makes a revision of each post's own, for a
  change made outside the change form: publishing and unpublishing
  (articles.publishing), the reference import, a review recorded. One post per revision:
  a revert brings back everything in its revision, and must bring back that
  post alone.

``Comparison`` says what changed between two revisions of a post, for the
admin's compare page: the fields, the body line by line and word by word
(difflib), the references and the disclaimers.
"""

import dataclasses
import difflib
import re

import reversion
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from reversion.models import Version

from .models import Disclaimer, Post, PostDisclaimer, Reference

# --- recording ---------------------------------------------------------------


def _stored(posts):
    """The posts as stored now, with their references and disclaimers, in a
    fixed number of queries however many posts and rows."""
    if isinstance(posts, Post):
        posts = Post.objects.filter(pk=posts.pk)
    elif not isinstance(posts, QuerySet):
        posts = Post.objects.filter(pk__in=[post.pk for post in posts])
    return posts.order_by().prefetch_related(
        Prefetch("references", queryset=Reference.objects.all()),
        Prefetch("post_disclaimers", queryset=PostDisclaimer.objects.select_related("disclaimer")),
    )


def add(posts):
    """Add the posts (a post, a list or a queryset), as stored now, each with
    its references and disclaimers, to the revision being made. The rows go
    in first and explicitly, so a copy taken earlier in the same revision
    (before the inlines were saved) is replaced by the stored one."""
    for post in _stored(posts):
        _add_one(post)


def _add_one(post):
    for row in [*post.references.all(), *post.post_disclaimers.all()]:
        reversion.add_to_revision(row)
    reversion.add_to_revision(post)


def record(posts, user, comment):
    """A revision of each of these posts as it is now, saved by ``user`` (None
    for a command), with ``comment`` saying what happened: one revision per
    post, since a revert brings back everything in a revision. Inside a
    revision already being made (the post's own change form), the post joins
    it."""
    for post in _stored(posts):
        with reversion.create_revision(manage_manually=True):
            reversion.set_user(user)
            reversion.set_comment(comment)
            _add_one(post)


def versions_of(post):
    """The post's own versions (one a revision), oldest first."""
    return Version.objects.get_for_object(post).order_by("pk")


# --- comparing ---------------------------------------------------------------

FIELDS = [
    ("title", "Title"),
    ("slug", "Slug"),
    ("summary", "Summary"),
    ("status", "Status"),
    ("publish_at", "Publish time"),
    ("author_id", "Author"),
    ("comments_enabled", "Comments open"),
    ("featured_image_id", "Featured image"),
]


@dataclasses.dataclass
class Snapshot:
    """A post as one revision kept it: its fields, its references and its
    disclaimers (as lines of text, in the post's order)."""

    version: Version
    fields: dict
    references: list
    disclaimer_ids: list

    @property
    def revision(self):
        return self.version.revision


def _reference_line(fields):
    """A reference as a revision kept it, in AMA style as plain text (fields a
    revision made before they existed read as empty: a journal article)."""
    known = {field.attname for field in Reference._meta.concrete_fields}
    return Reference(**{k: v for k, v in fields.items() if k in known}).ama_text()


def snapshots(post, version_ids):
    """{version id: Snapshot} for those of ``version_ids`` that are versions
    of ``post`` (others are left out)."""
    versions = list(
        versions_of(post).filter(pk__in=version_ids).select_related("revision", "revision__user")
    )
    kinds = ContentType.objects.get_for_models(Reference, PostDisclaimer)
    rows = Version.objects.filter(
        revision__in=[version.revision_id for version in versions],
        content_type__in=kinds.values(),
    )
    by_revision = {}
    for row in rows.order_by("pk"):
        by_revision.setdefault(row.revision_id, []).append(row)
    result = {}
    for version in versions:
        references, disclaimers = [], []
        for row in by_revision.get(version.revision_id, []):
            data = row.field_dict
            if data.get("post_id") != post.pk:
                continue  # another post of the same revision (a bulk action)
            if row.content_type_id == kinds[Reference].pk:
                references.append((data["order"], int(row.object_id), data))
            else:
                disclaimers.append((data["order"], int(row.object_id), data["disclaimer_id"]))
        result[version.pk] = Snapshot(
            version=version,
            fields=version.field_dict,
            references=[_reference_line(data) for *_, data in sorted(references)],
            disclaimer_ids=[pk for *_, pk in sorted(disclaimers)],
        )
    return result


# Lines longer than this many words are marked changed whole, not word by
# word (difflib's matching grows with the square of the length).
WORD_DIFF_LIMIT = 3000

# A word, or the spaces between words, or one sign: the units changes are marked in.
_WORDS = re.compile(r"\s+|\w+|[^\w\s]")


@dataclasses.dataclass
class Row:
    """One line of a side-by-side diff: its numbers and its text on each side,
    each a list of (text, changed) pieces; None where the side has no line."""

    kind: str  # "same", "changed", "removed" or "added"
    old_number: int | None
    old: list | None
    new_number: int | None
    new: list | None


def word_diff(old, new):
    """(old pieces, new pieces): each text cut into (text, changed) pieces,
    the words one has and the other has not marked changed."""
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    if len(a) > WORD_DIFF_LIMIT or len(b) > WORD_DIFF_LIMIT:
        return [(old, True)], [(new, True)]  # a huge paragraph: marked whole
    old_pieces, new_pieces = [], []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if i2 > i1:
            old_pieces.append(("".join(a[i1:i2]), tag != "equal"))
        if j2 > j1:
            new_pieces.append(("".join(b[j1:j2]), tag != "equal"))
    return _joined(old_pieces), _joined(new_pieces)


def _joined(pieces):
    """Changed words separated by nothing but spaces read as one change."""
    result = []
    for text, changed in pieces:
        if (
            changed
            and len(result) >= 2
            and result[-2][1]
            and not result[-1][1]
            and result[-1][0].isspace()
        ):
            spaces, _ = result.pop()
            result[-1] = (result[-1][0] + spaces + text, True)
        elif changed and result and result[-1][1]:
            result[-1] = (result[-1][0] + text, True)
        else:
            result.append((text, changed))
    return result


def line_diff(old_lines, new_lines, context=3):
    """Hunks of Rows: the lines that differ, ``context`` unchanged lines
    around them (None: every line). A replaced line is paired with its
    replacement and its changed words marked."""
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    if context is None:
        groups = [matcher.get_opcodes()] if old_lines or new_lines else []
    else:
        groups = list(matcher.get_grouped_opcodes(context))
    hunks = []
    for group in groups:
        rows = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                for offset in range(i2 - i1):
                    text = [(old_lines[i1 + offset], False)]
                    rows.append(Row("same", i1 + offset + 1, text, j1 + offset + 1, text))
                continue
            for offset in range(max(i2 - i1, j2 - j1)):
                i, j = i1 + offset, j1 + offset
                if i < i2 and j < j2:
                    old, new = word_diff(old_lines[i], new_lines[j])
                    rows.append(Row("changed", i + 1, old, j + 1, new))
                elif i < i2:
                    rows.append(Row("removed", i + 1, [(old_lines[i], True)], None, None))
                else:
                    rows.append(Row("added", None, None, j + 1, [(new_lines[j], True)]))
        if any(row.kind != "same" for row in rows):
            hunks.append(rows)
    return hunks


@dataclasses.dataclass
class FieldChange:
    label: str
    old: list
    new: list


class Comparison:
    """What changed from ``older`` to ``newer`` (Snapshots of one post)."""

    def __init__(self, older, newer):
        self.older, self.newer = older, newer
        self.fields = self._fields()
        self.body = line_diff(older.fields["body"].splitlines(), newer.fields["body"].splitlines())
        self.references = line_diff(older.references, newer.references, context=None)
        self.disclaimers = line_diff(
            self._disclaimer_lines(older), self._disclaimer_lines(newer), context=None
        )
        self.changed = bool(
            self.fields
            or self.body
            or self.references
            or older.disclaimer_ids != newer.disclaimer_ids
        )

    def _fields(self):
        changed = [
            (name, label)
            for name, label in FIELDS
            if self.older.fields.get(name) != self.newer.fields.get(name)
        ]
        users = {}
        if any(name == "author_id" for name, _ in changed):
            ids = [snap.fields.get("author_id") for snap in (self.older, self.newer)]
            users = get_user_model().objects.in_bulk([pk for pk in ids if pk])
        result = []
        for name, label in changed:
            old, new = (
                self._shown(name, snap.fields.get(name), users)
                for snap in (self.older, self.newer)
            )
            result.append(FieldChange(label, *word_diff(old, new)))
        return result

    @staticmethod
    def _shown(name, value, users):
        if value is None or value == "":
            return "(none)"
        if name == "status":
            return Post.Status(value).label if value in Post.Status.values else str(value)
        if name == "publish_at":
            return timezone.localtime(value).strftime("%d %B %Y, %H:%M")
        if name == "author_id":
            user = users.get(value)
            return (user.get_full_name() or user.get_username()) if user else f"user {value}"
        if name == "comments_enabled":
            return "yes" if value else "no"
        if name == "featured_image_id":
            return f"image {value}"
        return str(value)

    def _disclaimer_lines(self, snapshot):
        if not hasattr(self, "_disclaimers"):
            ids = {*self.older.disclaimer_ids, *self.newer.disclaimer_ids}
            self._disclaimers = Disclaimer.objects.in_bulk(ids) if ids else {}
        return [
            str(self._disclaimers[pk]) if pk in self._disclaimers else f"disclaimer {pk} (deleted)"
            for pk in snapshot.disclaimer_ids
        ]
