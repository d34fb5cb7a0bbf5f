"""The users admin: Django's, with a form that says how staff status follows
the project's groups (core.roles).

An administrator puts a new person in Editors, Moderators or Reviewers and
that is enough for them to log in: staff status is given with the group and
taken away when they leave the last one. The form says so beside *Staff
status* and *Groups*, and refuses, with the reason, to untick *Staff status*
for someone it would leave in such a group (they would keep it anyway):
*Active* is the box that stops a person logging in.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import ValidationError

from .roles import PROJECT_GROUPS

GROUP_NAMES = ", ".join(PROJECT_GROUPS[:-1]) + f" and {PROJECT_GROUPS[-1]}"


class ProjectUserChangeForm(UserChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "is_staff" in self.fields:
            self.fields["is_staff"].help_text = (
                "Lets the user log into this admin site. Members of "
                f"{GROUP_NAMES} have it without this box: it is ticked when they join "
                "one of those groups and unticked when they leave the last one. To stop "
                "someone logging in, untick Active."
            )
        if "groups" in self.fields:
            self.fields["groups"].help_text = (
                f"{GROUP_NAMES} are the site's roles: a member may log into the admin "
                "and gets the group's permissions (Staff status follows). "
                + str(self.fields["groups"].help_text)
            )

    def clean(self):
        cleaned = super().clean()
        groups = cleaned.get("groups")
        roles = [group.name for group in groups or [] if group.name in PROJECT_GROUPS]
        unticked = "is_staff" in self.changed_data and not cleaned.get("is_staff")
        if unticked and roles:
            self.add_error(
                "is_staff",
                ValidationError(
                    "%(user)s is in %(groups)s: members of that group log into the admin, "
                    "so Staff status stays ticked. To stop them logging in, untick "
                    "Active; to take the role away, remove them from %(groups)s.",
                    code="staff_follows_groups",
                    params={
                        "user": self.instance.get_username(),
                        "groups": " and ".join(roles),
                    },
                ),
            )
        return cleaned


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class ProjectUserAdmin(UserAdmin):
    form = ProjectUserChangeForm
