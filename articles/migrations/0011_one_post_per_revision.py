"""Revisions that hold several posts (the demo's load and the bulk actions
used to record one for all the posts they touched) are split, one per post:
a revert brings back everything in its revision."""

from django.db import migrations

from core.revision_split import split_shared_revisions


def split(apps, schema_editor):
    split_shared_revisions(
        apps, "articles", "post", follows={"reference": "post", "postdisclaimer": "post"}
    )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0010_author_profiles"),
        ("reversion", "0002_add_index_on_version_for_content_type_and_db"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(split, migrations.RunPython.noop)]
