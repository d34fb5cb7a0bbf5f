"""Editors' text on one rule (core.text): the fields keep their columns and
are cleaned by their new classes from now on; the rows stored before are
cleaned here, once. Stored HTML is sanitised again by today's rules
(core.markup: no id, no class but ours), control characters out."""

from django.db import migrations

from core import markup, text


def html(value):
    return markup.sanitize(text.plain_text(value))


def clean(apps, schema_editor):
    pages = apps.get_model("pages", "Page").objects.using(schema_editor.connection.alias)
    cleaners = {"title": text.one_line, "body": text.markdown, "body_html": html}
    text.clean_rows(pages, cleaners, ("updated_at",))


class Migration(migrations.Migration):

    dependencies = [
        ('pages', '0002_one_page_per_revision'),
    ]

    operations = [
        migrations.AlterField(
            model_name='page',
            name='body',
            field=text.MarkdownField(help_text='Markdown, as in posts: ## headings, *emphasis*, lists, [links](https://…).'),
        ),
        migrations.AlterField(
            model_name='page',
            name='title',
            field=text.OneLineField(help_text="Also the link's text in the menus.", max_length=120),
        ),
        migrations.RunPython(clean, migrations.RunPython.noop),
    ]
