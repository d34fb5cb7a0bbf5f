"""The search document of a post: the table articles/search.py writes and reads."""

from django.contrib.postgres.search import SearchVectorField
from django.db import models

from articles import search

from .post import Post


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
