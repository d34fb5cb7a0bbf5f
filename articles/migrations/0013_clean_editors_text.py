"""Editors' text on one rule (core.text): the fields keep their columns and
are cleaned by their new classes from now on; the rows stored before are
cleaned here, once. Stored HTML is sanitised again by today's rules
(core.markup: no id, no class but ours), control characters out."""

import articles.models
import django.core.validators
from django.db import migrations

from core import markup, text


def html(value):
    return markup.sanitize(text.plain_text(value))


def clean(apps, schema_editor):
    alias = schema_editor.connection.alias
    one, plain, markdown = text.one_line, text.plain_text, text.markdown
    references = (
        "authors", "title", "journal", "editors", "book_title", "edition", "publisher",
        "report_number", "volume", "issue", "pages", "doi", "pmid", "url",
    )  # fmt: skip
    rows = {
        "Post": (
            {"title": one, "summary": plain, "body": markdown, "body_html": html},
            ("updated_at", "page_changed_at"),
        ),
        "Reference": (dict.fromkeys(references, one), ()),
        "Disclaimer": ({"name": one, "marker": one, "text": plain}, ("updated_at",)),
        "Reviewer": (
            {"name": one, "credentials": one, "bio": plain, "profile_url": one},
            ("updated_at",),
        ),
        "Author": (
            {"name": one, "credentials": one, "bio": plain, "profile_url": one},
            ("updated_at",),
        ),
        "Topic": (
            {"name": one, "description": markdown, "description_html": html},
            ("changed_at",),
        ),
    }
    for model, (cleaners, stamps) in rows.items():
        text.clean_rows(apps.get_model("articles", model).objects.using(alias), cleaners, stamps)


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0012_reference_types'),
    ]

    operations = [
        migrations.AlterField(
            model_name='disclaimer',
            name='marker',
            field=text.OneLineField(help_text='The symbol that links body text to this note: ** or † or ‡.', max_length=4, validators=[articles.models.validate_marker]),
        ),
        migrations.AlterField(
            model_name='disclaimer',
            name='name',
            field=text.OneLineField(help_text="For editors only, e.g. 'FDA statement'.", max_length=100, unique=True),
        ),
        migrations.AlterField(
            model_name='disclaimer',
            name='text',
            field=text.PlainTextField(help_text='Plain text, shown at the foot of the post.'),
        ),
        migrations.AlterField(
            model_name='post',
            name='body',
            field=text.MarkdownField(help_text='Markdown. Cite references by number: [1], [1, 3] or [2-4]. Point at a disclaimer by its marker in brackets: [**] or [†].'),
        ),
        migrations.AlterField(
            model_name='post',
            name='summary',
            field=text.PlainTextField(help_text='One or two sentences for the blog index, feeds and search engines.', max_length=500),
        ),
        migrations.AlterField(
            model_name='post',
            name='title',
            field=text.OneLineField(max_length=200),
        ),
        migrations.AlterField(
            model_name='reference',
            name='authors',
            field=text.OneLineField(help_text='AMA style: Surname Initials, comma separated: Kim MH, Kim H', max_length=500),
        ),
        migrations.AlterField(
            model_name='reference',
            name='doi',
            field=text.OneLineField(blank=True, max_length=200, validators=[django.core.validators.RegexValidator('^10\\.\\d{4,9}/\\S+$', 'Enter a DOI such as 10.3390/ijms18051051 (without https://doi.org/).', code='invalid_doi')], verbose_name='DOI'),
        ),
        migrations.AlterField(
            model_name='reference',
            name='issue',
            field=text.OneLineField(blank=True, max_length=20),
        ),
        migrations.AlterField(
            model_name='reference',
            name='journal',
            field=text.OneLineField(blank=True, help_text='Abbreviated journal name (Int J Mol Sci), publisher or website.', max_length=300, verbose_name='journal, publisher or website'),
        ),
        migrations.AlterField(
            model_name='reference',
            name='pages',
            field=text.OneLineField(blank=True, help_text='149-154, or an article number.', max_length=40),
        ),
        migrations.AlterField(
            model_name='reference',
            name='pmid',
            field=text.OneLineField(blank=True, max_length=20, validators=[django.core.validators.RegexValidator('^[1-9]\\d{0,8}$', 'Enter a PubMed ID: digits only, such as 28498331.', code='invalid_pmid')], verbose_name='PMID'),
        ),
        migrations.AlterField(
            model_name='reference',
            name='title',
            field=text.OneLineField(max_length=500),
        ),
        migrations.AlterField(
            model_name='reference',
            name='url',
            field=text.OneLineURLField(blank=True, max_length=500, verbose_name='URL'),
        ),
        migrations.AlterField(
            model_name='reference',
            name='volume',
            field=text.OneLineField(blank=True, max_length=20),
        ),
        migrations.AlterField(
            model_name='reviewer',
            name='bio',
            field=text.PlainTextField(help_text='A short biography for readers: training, experience, what they review. Plain text; a blank line starts a new paragraph.', max_length=1500),
        ),
        migrations.AlterField(
            model_name='reviewer',
            name='credentials',
            field=text.OneLineField(blank=True, help_text='Degrees and licences after the name, comma separated: RD, PhD.', max_length=80),
        ),
        migrations.AlterField(
            model_name='reviewer',
            name='name',
            field=text.OneLineField(help_text='As readers see it: Jane Doe.', max_length=120),
        ),
        migrations.AlterField(
            model_name='reviewer',
            name='profile_url',
            field=text.OneLineURLField(blank=True, help_text='Optional: a professional profile or registry entry (https://…).', max_length=500, validators=[django.core.validators.URLValidator(schemes=['http', 'https'])], verbose_name='profile link'),
        ),
        migrations.AlterField(
            model_name='topic',
            name='description',
            field=text.MarkdownField(blank=True, help_text="Markdown: shown at the top of the topic's page and in its feeds."),
        ),
        migrations.AlterField(
            model_name='topic',
            name='name',
            field=text.OneLineField(max_length=60, unique=True),
        ),
        migrations.RunPython(clean, migrations.RunPython.noop),
    ]
