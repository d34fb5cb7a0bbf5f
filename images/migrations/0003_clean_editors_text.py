"""Editors' text on one rule (core.text): the fields keep their columns and
are cleaned by their new classes from now on; the rows stored before are
cleaned here, once."""

import images.models
from django.db import migrations

from core import text


def clean(apps, schema_editor):
    images = apps.get_model("images", "Image").objects.using(schema_editor.connection.alias)
    text.clean_rows(images, dict.fromkeys(("alt", "caption", "credit"), text.one_line))


class Migration(migrations.Migration):

    dependencies = [
        ('images', '0002_share_crops_and_default'),
    ]

    operations = [
        migrations.AlterField(
            model_name='image',
            name='alt',
            field=text.OneLineField(help_text='What the picture shows, for readers who cannot see it (screen readers, images that did not load). One sentence; no “image of”.', max_length=250, validators=[images.models.validate_alt], verbose_name='alt text'),
        ),
        migrations.AlterField(
            model_name='image',
            name='caption',
            field=text.OneLineField(blank=True, help_text='Shown under the image. Optional.', max_length=300),
        ),
        migrations.AlterField(
            model_name='image',
            name='credit',
            field=text.OneLineField(blank=True, help_text='Who made it, shown beside the caption: “Photo: Jane Doe”. Optional.', max_length=200),
        ),
        migrations.RunPython(clean, migrations.RunPython.noop),
    ]
