"""Authors: the public profile of a person who writes posts.

A post's author is a user account (``Post.author``). Readers, and search
engines judging who stands behind health writing, want more than a name: an
``Author`` gives the account a public page, ``/blog/authors/<slug>/``, with
the name as bylines show it, credentials, a short biography and a
professional profile link, and the author's published posts. The post's
byline and its JSON-LD ``author`` (with ``url``, ``honorificSuffix`` and
``sameAs``) link to it. An account without a profile is named by its full
name, without a page.
"""

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.urls import reverse

from core.text import OneLineField, OneLineURLField, PlainTextField

from .post import Post
from .profiles import PublicProfile

# The newest posts an author's page lists; older ones are in the archive.
AUTHOR_PAGE_POSTS = 50


class Author(PublicProfile):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="author_profile",
        help_text="The account that writes the posts (a post's author).",
    )
    name = OneLineField(max_length=120, help_text="As bylines show it: Jane Doe.")
    credentials = OneLineField(
        max_length=80,
        blank=True,
        help_text="Degrees and licences after the name, comma separated: MS, RD.",
    )
    slug = models.SlugField(
        max_length=120,
        unique=True,
        help_text="The end of the author's page address: /blog/authors/your-slug/.",
    )
    bio = PlainTextField(
        max_length=1500,
        help_text="A short biography for readers: training, experience, what they write "
        "about. Plain text; a blank line starts a new paragraph.",
    )
    profile_url = OneLineURLField(
        "profile link",
        max_length=500,
        blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="Optional: a professional profile or registry entry (https://…).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(PublicProfile.Meta):
        pass

    def get_absolute_url(self):
        return reverse("articles:author", kwargs={"slug": self.slug})

    def shown_on(self):
        return self.posts()

    def posts(self):
        """Every post this person wrote (drafts too: for marking pages changed)."""
        return Post.objects.filter(author_id=self.user_id)

    def public_posts(self):
        """Their public posts, newest first."""
        return self.posts().published().defer("body", "body_html").order_by("-publish_at", "-pk")
