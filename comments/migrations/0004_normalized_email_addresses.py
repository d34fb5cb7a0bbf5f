"""Readers' addresses in one normal form (core.emails), looked up by exact
equality through a plain index instead of the index on lower(email).

The data step stores the normal form of every existing comment's address. An
address that has none (Django's check let through local parts such as
``alİce`` that mail cannot deliver) is kept as it was: it matches no lookup,
so no deletion link or trust goes to it, and a moderator can still read it.
"""

from django.db import migrations, models

import core.emails


def normalize_addresses(apps, schema_editor):
    Comment = apps.get_model("comments", "Comment")
    changed = []
    for pk, email in list(Comment.objects.exclude(email="").values_list("pk", "email")):
        try:
            normal = core.emails.normalize_email(email)
        except core.emails.InvalidEmail:
            continue
        if normal != email:
            changed.append(Comment(pk=pk, email=normal))
    Comment.objects.bulk_update(changed, ["email"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0003_readers_rights"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="comment",
            name="comment_email_idx",
        ),
        migrations.AlterField(
            model_name="comment",
            name="email",
            field=models.EmailField(
                help_text="Never shown publicly. Stored in its normal form (core.emails).",
                max_length=254,
                validators=[core.emails.validate_email_address],
            ),
        ),
        migrations.RunPython(normalize_addresses, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(fields=["email"], name="comment_email_idx"),
        ),
    ]
