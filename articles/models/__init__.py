"""The models of posts, split by concept (docs/editors.md):

* ``post``: the post, the queryset that defines what is public, the library
  images a body places;
* ``review``: the medical review's fields (``ReviewFields``, inherited by
  ``Post``), reviewers and the review's steps;
* ``references`` and ``disclaimers``: the rows of a post's page its body
  points at ([1], [**]), with what they share in ``post_rows``;
* ``topics``: the curated topics posts are filed under;
* ``authors``: the public profile of a person who writes posts;
* ``profiles``: what an author's and a reviewer's profile do alike;
* ``search_document``: a post's row in the search table (articles/search.py).

Imports go one way: ``post`` imports the others' models, and none of them
imports ``post`` except ``authors`` and ``search_document``, which nothing
here imports back.
"""

from .authors import Author
from .disclaimers import Disclaimer, PostDisclaimer, validate_marker
from .post import (
    POSTS_STAMP,
    ArchiveMonth,
    Post,
    PostBodyImage,
    PostManager,
    PostQuerySet,
    archive_bounds,
    reading_minutes,
    slug_is_free_of_archives,
)
from .post_rows import PostRow
from .references import Reference, validate_doi, validate_pmid
from .review import (
    REVIEW_PERMISSION,
    Reviewer,
    ReviewEvent,
    ReviewFields,
    ReviewRefused,
    ReviewState,
    months_before,
    review_due_cutoff,
    review_months,
    review_required,
)
from .search_document import PostSearchDocument
from .topics import TOPICS_STAMP, Topic, TopicQuerySet

__all__ = [
    "POSTS_STAMP",
    "REVIEW_PERMISSION",
    "TOPICS_STAMP",
    "ArchiveMonth",
    "Author",
    "Disclaimer",
    "Post",
    "PostBodyImage",
    "PostDisclaimer",
    "PostManager",
    "PostQuerySet",
    "PostRow",
    "PostSearchDocument",
    "Reference",
    "ReviewEvent",
    "ReviewFields",
    "ReviewRefused",
    "ReviewState",
    "Reviewer",
    "Topic",
    "TopicQuerySet",
    "archive_bounds",
    "months_before",
    "reading_minutes",
    "review_due_cutoff",
    "review_months",
    "review_required",
    "slug_is_free_of_archives",
    "validate_doi",
    "validate_marker",
    "validate_pmid",
]
