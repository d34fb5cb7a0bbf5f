"""What an author's and a reviewer's public profile do alike.

Both are a person readers can look up (name, credentials, a short bio, a
profile link) with a page of their own, shown on the pages of the posts they
wrote or reviewed. Their fields are declared on each model (the help texts
speak of bylines or of reviews); what they do with them is here, once. A
deleted profile changes those pages too, by whatever path it goes (its own
delete page, the admin's bulk action, its account deleted): a receiver of
``post_delete`` does it (articles/signals.py), since a queryset's delete calls
no model's ``delete()``.
"""

from django.db import models


class PublicProfile(models.Model):
    class Meta:
        abstract = True
        ordering = ["name", "pk"]

    def __str__(self):
        return self.display_name

    def save(self, *args, **kwargs):
        """The name, credentials and page link are on the pages, lists and
        feeds of the posts that show them: those posts are changed, in one
        UPDATE."""
        super().save(*args, **kwargs)
        self.shown_on().mark_pages_changed()

    @property
    def display_name(self):
        """Jane Doe, MS, RD"""
        return f"{self.name}, {self.credentials}" if self.credentials else self.name

    def shown_on(self):
        """The posts whose pages show this profile (drafts too)."""
        raise NotImplementedError
