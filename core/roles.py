"""The staff roles (groups), created by the project itself, and the staff
status that follows them (``groups_changed``, ``user_saved``).

Each app declares what its models grant to each role and calls
``grant(app_label, role_permissions)`` after migrate; running it again changes
nothing (idempotent). A group gets exactly what the apps declare for it: a
permission added by hand in the admin stays, nothing is removed.
"""

from django.contrib.auth import get_user_model
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


# --- staff status follows the project's groups ------------------------------------
#
# Django lets into the admin only users with ``is_staff``; a member of Editors
# without it could not log in, and the login form blamed the password. Joining
# a project group gives staff status; leaving the last one takes it away
# (unless the user is a superuser). Kept here, on group membership and on the
# user's save, so every path obeys: the admin's user form, a group's users,
# the shell, a command (wired in CoreConfig.ready).

PROJECT_GROUPS = (EDITORS, MODERATORS, REVIEWERS)


def _users(using):
    return get_user_model()._default_manager.db_manager(using)


def give_staff_to_members(user_ids, using="default"):
    """Members of a project group among ``user_ids`` get staff status."""
    members = _users(using).filter(pk__in=user_ids, groups__name__in=PROJECT_GROUPS)
    return _users(using).filter(pk__in=members.values("pk"), is_staff=False).update(is_staff=True)


def take_staff_from_leavers(user_ids, using="default"):
    """Those of ``user_ids`` who are in no project group any more, and not
    superusers, lose staff status."""
    members = _users(using).filter(pk__in=user_ids, groups__name__in=PROJECT_GROUPS)
    return (
        _users(using)
        .filter(pk__in=user_ids, is_staff=True, is_superuser=False)
        .exclude(pk__in=members.values("pk"))
        .update(is_staff=False)
    )


def _project_groups(pks, using):
    return Group.objects.using(using).filter(pk__in=pks, name__in=PROJECT_GROUPS).exists()


def groups_changed(sender, instance, action, reverse, pk_set, using, **kwargs):
    """``m2m_changed`` of the users' groups, from either side."""
    if action == "pre_clear":  # the rows are still there: who loses what
        if reverse:
            instance._users_leaving = list(instance.user_set.values_list("pk", flat=True))
        else:
            instance._leaving_project_group = instance.groups.filter(
                name__in=PROJECT_GROUPS
            ).exists()
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse:  # a group's users changed
        if instance.name not in PROJECT_GROUPS:
            return
        users = getattr(instance, "_users_leaving", []) if action == "post_clear" else pk_set
        if action == "post_add":
            give_staff_to_members(users, using)
        else:
            take_staff_from_leavers(users, using)
        return
    # A user's groups changed.
    if action == "post_add" and _project_groups(pk_set, using):
        give_staff_to_members([instance.pk], using)
        instance.is_staff = True
    elif (action == "post_remove" and _project_groups(pk_set, using)) or (
        action == "post_clear" and getattr(instance, "_leaving_project_group", False)
    ):
        if take_staff_from_leavers([instance.pk], using):
            instance.is_staff = False


def user_saved(sender, instance, created=False, raw=False, using="default", **kwargs):
    """A member of a project group saved without staff status gets it back
    (the admin's user form says so before it comes to that)."""
    update_fields = kwargs.get("update_fields")
    if raw or created or instance.is_staff:
        return
    if update_fields is not None and "is_staff" not in update_fields:
        return  # a login's last_login, a password change
    if give_staff_to_members([instance.pk], using):
        instance.is_staff = True
