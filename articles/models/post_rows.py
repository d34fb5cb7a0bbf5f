"""What a reference and a disclaimer on a post have in common: each is a row
of its post's page that the body points at ([1], [**]). Saving or deleting
one row renders its post's body again. (The post admin saves all the rows of
a form at once, in bulk, and renders the body once: PostAdmin.save_related.)
"""

from django.db import models


class PostRow(models.Model):
    """A row the post's body points at (``post`` is its foreign key)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self.rerender_post_body()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        self.rerender_post_body()
        return result

    def rerender_post_body(self):
        """Render this row's post's body again, if the post still exists."""
        posts = self._meta.get_field("post").related_model.objects
        post = posts.filter(pk=self.post_id).first()
        if post is not None:
            post.rerender_body()
