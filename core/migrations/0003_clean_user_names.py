"""Users' names on one line, without control characters (core.text): they are
cleaned as they are saved from now on; the names stored before, here, once."""

from django.conf import settings
from django.db import migrations

from core import text


def clean(apps, schema_editor):
    app_label, model_name = settings.AUTH_USER_MODEL.split(".")
    users = apps.get_model(app_label, model_name)._default_manager.db_manager(
        schema_editor.connection.alias
    )
    text.clean_rows(users.all(), dict.fromkeys(text.USER_NAME_FIELDS, text.one_line))


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_staff_for_project_groups"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(clean, migrations.RunPython.noop)]
