# Full-text search (articles/search.py): PostgreSQL's stored search vector with
# its GIN index, SQLite's FTS5 table, and the documents of existing posts.

import articles.search
import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models


FTS_TABLE = "articles_post_search"
TOKENIZER = "porter unicode61 remove_diacritics 2"
PG_VECTOR = (
    "setweight(to_tsvector('english', %s), 'A') || setweight(to_tsvector('english', %s), 'B')"
    " || setweight(to_tsvector('english', %s), 'C') || setweight(to_tsvector('english',"
    " COALESCE((SELECT string_agg(title, ' ') FROM articles_reference WHERE post_id = %s), '')),"
    " 'D')"
)


def create_fts_table(apps, schema_editor):
    """SQLite only: PostgreSQL keeps the document on the post."""
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
            f"title, summary, body, refs, tokenize='{TOKENIZER}')"
        )


def drop_fts_table(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


def index_existing_posts(apps, schema_editor):
    """The search documents of the posts already there (as search.index_posts
    writes them; written out here so that later changes to it do not change
    this migration's meaning, except for the plain text of the body)."""
    from articles.search import plain_text

    connection = schema_editor.connection
    Post = apps.get_model("articles", "Post")
    posts = Post.objects.using(connection.alias).only("pk", "title", "summary", "body_html")
    with connection.cursor() as cursor:
        for post in posts.order_by("pk").iterator(chunk_size=500):
            words = [" ".join(post.title.split()), " ".join(post.summary.split())]
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"UPDATE articles_post SET search_vector = {PG_VECTOR} WHERE id = %s",
                    [*words, plain_text(post.body_html), post.pk, post.pk],
                )
            elif connection.vendor == "sqlite":
                cursor.execute(
                    f"INSERT OR REPLACE INTO {FTS_TABLE} (rowid, title, summary, body, refs) "
                    "VALUES (%s, %s, %s, %s, COALESCE((SELECT group_concat(title, ' ') "
                    "FROM articles_reference WHERE post_id = %s), ''))",
                    [post.pk, *words, plain_text(post.body_html), post.pk],
                )


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0006_post_featured_image_postbodyimage'),
    ]

    operations = [
        migrations.CreateModel(
            name='PostSearchDocument',
            fields=[
                ('post', models.OneToOneField(db_column='rowid', db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='search_document', serialize=False, to='articles.post')),
                ('document', articles.search.FTS5TableColumn(db_column='articles_post_search')),
            ],
            options={
                'db_table': 'articles_post_search',
                'managed': False,
            },
        ),
        migrations.AddField(
            model_name='post',
            name='search_vector',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name='post',
            index=articles.search.SearchVectorIndex(fields=['search_vector'], name='post_search_idx'),
        ),
        migrations.RunPython(create_fts_table, drop_fts_table),
        migrations.RunPython(index_existing_posts, migrations.RunPython.noop),
    ]
