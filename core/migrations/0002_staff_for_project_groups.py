"""Members of Editors, Moderators or Reviewers made before staff status followed
the groups (core.roles) get it now: until then they could not log in."""

from django.conf import settings
from django.db import migrations

PROJECT_GROUPS = ("Editors", "Moderators", "Reviewers")


def give_staff_to_members(apps, schema_editor):
    app_label, model_name = settings.AUTH_USER_MODEL.split(".")
    users = apps.get_model(app_label, model_name)._default_manager.db_manager(
        schema_editor.connection.alias
    )
    members = users.filter(groups__name__in=PROJECT_GROUPS).values("pk")
    users.filter(pk__in=members, is_staff=False).update(is_staff=True)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_site_stamp"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(give_staff_to_members, migrations.RunPython.noop)]
