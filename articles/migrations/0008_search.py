# Full-text search (articles/search.py): the search documents' table for the
# database in use (PostgreSQL: weighted tsvectors with a GIN index; SQLite: an
# FTS5 table with the porter tokenizer), and the documents of existing posts.

import articles.search
import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models


TABLE = "articles_post_search"
TOKENIZER = "porter unicode61 remove_diacritics 2"
# As articles.search.PG_VECTOR, written out so that this migration keeps its meaning.
PG_VECTOR = (
    "setweight(to_tsvector('english', %s), 'A') || setweight(to_tsvector('english', %s), 'B')"
    " || setweight(to_tsvector('english', %s), 'C') || setweight(to_tsvector('english',"
    " COALESCE((SELECT string_agg(title, ' ') FROM articles_reference WHERE post_id = %s), '')),"
    " 'D')"
)


def create_table(apps, schema_editor):
    # No foreign key on PostgreSQL: a test database's flush truncates the
    # posts' table, and the documents of deleted posts are removed by
    # articles.signals (their ids are never used again).
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"CREATE TABLE {TABLE} (rowid bigint PRIMARY KEY, search_vector tsvector NOT NULL)"
        )
        schema_editor.execute(
            f"CREATE INDEX {TABLE}_gin ON {TABLE} USING gin (search_vector)"
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE {TABLE} USING fts5("
            f"title, summary, body, refs, tokenize='{TOKENIZER}')"
        )


def drop_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def index_existing_posts(apps, schema_editor):
    """The search documents of the posts already there, as
    articles.search.index_posts writes them."""
    from articles.search import plain_text

    connection = schema_editor.connection
    Post = apps.get_model("articles", "Post")
    posts = Post.objects.using(connection.alias).only("pk", "title", "summary", "body_html")
    with connection.cursor() as cursor:
        for post in posts.order_by("pk").iterator(chunk_size=500):
            texts = [
                " ".join(post.title.split()),
                " ".join(post.summary.split()),
                plain_text(post.body_html),
            ]
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"INSERT INTO {TABLE} (rowid, search_vector) VALUES (%s, {PG_VECTOR})",
                    [post.pk, *texts, post.pk],
                )
            elif connection.vendor == "sqlite":
                cursor.execute(
                    f"INSERT INTO {TABLE} (rowid, title, summary, body, refs) "
                    "VALUES (%s, %s, %s, %s, COALESCE((SELECT group_concat(title, ' ') "
                    "FROM articles_reference WHERE post_id = %s), ''))",
                    [post.pk, *texts, post.pk],
                )


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0007_topics'),
    ]

    operations = [
        migrations.CreateModel(
            name='PostSearchDocument',
            fields=[
                ('post', models.OneToOneField(db_column='rowid', db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='search_document', serialize=False, to='articles.post')),
                ('search_vector', django.contrib.postgres.search.SearchVectorField(null=True)),
                ('document', articles.search.FTS5TableColumn(db_column='articles_post_search')),
            ],
            options={
                'db_table': 'articles_post_search',
                'managed': False,
            },
        ),
        migrations.RunPython(create_table, drop_table),
        migrations.RunPython(index_existing_posts, migrations.RunPython.noop),
    ]
