"""The staff roles (groups), created by the project itself.

Each app declares what its models grant to each role and calls
``grant(app_label, role_permissions)`` after migrate; running it again changes
nothing (idempotent). A group gets exactly what the apps declare for it: a
permission added by hand in the admin stays, nothing is removed.
"""

from django.contrib.auth.models import Group, Permission

EDITORS = "Editors"
MODERATORS = "Moderators"
REVIEWERS = "Reviewers"


def grant(app_label, role_permissions, using="default"):
    for role, codenames in role_permissions.items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        permissions = Permission.objects.using(using).filter(
            content_type__app_label=app_label, codename__in=codenames
        )
        missing = set(codenames) - {p.codename for p in permissions}
        if missing:
            raise RuntimeError(f"Unknown permissions for {role}: {sorted(missing)}")
        group.permissions.add(*permissions)
