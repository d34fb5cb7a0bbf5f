"""A commenter's name is one line of plain text (comments.models.validate_one_line).

The data step makes the names already stored one line: each run of line
breaks, tabs, other control characters and bidirectional overrides becomes
one space (what the reader meant by them), so no stored name can break a
mail header or pass for more than a name.
"""

from django.db import migrations, models

import comments.models
import core.mail


def names_on_one_line(apps, schema_editor):
    Comment = apps.get_model("comments", "Comment")
    changed = []
    for pk, name in list(Comment.objects.values_list("pk", "name")):
        if any(core.mail.breaks_the_line(c) for c in name):
            spaced = "".join(" " if core.mail.breaks_the_line(c) else c for c in name)
            changed.append(Comment(pk=pk, name=" ".join(spaced.split()) or "?"))
    Comment.objects.bulk_update(changed, ["name"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0004_normalized_email_addresses"),
    ]

    operations = [
        migrations.RunPython(names_on_one_line, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="comment",
            name="name",
            field=models.CharField(max_length=80, validators=[comments.models.validate_one_line]),
        ),
    ]
