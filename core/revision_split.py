"""One object per revision, for revisions recorded with several.

A django-reversion revision is reverted whole: every object in it goes back.
A revision must therefore hold one object of an admin's model (with the rows
that follow it, a post's references say). Revisions recorded before that
rule with several (one for every post a bulk action published) are split by
``split_shared_revisions``, called from a data migration of the owning app:
each object after the first gets a revision of its own, with the same time,
user and comment, and the versions of its following rows move with it.
"""

import json

from django.db.models import Count


def split_shared_revisions(apps, app_label, model_name, follows=None):
    """Split every revision holding several ``app_label.model_name`` objects.

    ``follows`` maps a following model of the same app to the name of its
    foreign key to the object (``{"reference": "post"}``): those versions go
    with the object they name. Safe to run again: a split revision has one.
    """
    ContentType = apps.get_model("contenttypes", "ContentType")
    Revision = apps.get_model("reversion", "Revision")
    Version = apps.get_model("reversion", "Version")
    types = dict(ContentType.objects.filter(app_label=app_label).values_list("model", "pk"))
    if model_name not in types:
        return
    owner_type = types[model_name]
    follow_types = {
        types[model]: field for model, field in (follows or {}).items() if model in types
    }
    shared = (
        Version.objects.filter(content_type_id=owner_type)
        .values("revision_id")
        .annotate(owners=Count("pk"))
        .filter(owners__gt=1)
        .values_list("revision_id", flat=True)
    )
    for revision in Revision.objects.filter(pk__in=list(shared)):
        versions = list(Version.objects.filter(revision_id=revision.pk).order_by("pk"))
        owners = [v for v in versions if v.content_type_id == owner_type]
        for owner in owners[1:]:
            copy = Revision.objects.create(
                date_created=revision.date_created,
                comment=revision.comment,
                user_id=revision.user_id,
            )
            moving = [owner.pk] + [
                v.pk
                for v in versions
                if v.content_type_id in follow_types
                and _points_to(v, follow_types[v.content_type_id]) == owner.object_id
            ]
            Version.objects.filter(pk__in=moving).update(revision_id=copy.pk)


def _points_to(version, field):
    """The object id a following row's version names in ``field``, as text."""
    if version.format != "json":
        return None
    try:
        value = json.loads(version.serialized_data)[0]["fields"].get(field)
    except (ValueError, LookupError, TypeError):
        return None
    return None if value is None else str(value)
