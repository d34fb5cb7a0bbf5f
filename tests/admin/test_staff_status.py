"""Issue 15, "Staff status": a new member of Editors could not log in until
*Staff status* was ticked, nothing said so, and the login form blamed the
password (and counted the try towards the lockout). Membership of a project
group is now enough: staff status follows Editors, Moderators and Reviewers
(core.roles), whichever way the membership changes, and the user form says
so. Tried as the administrator does it, through the admin's user forms."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from tests.admin.forms import submitted
from tests.articles.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Winter-oats-and-47-lanterns"
LOGIN = reverse("admin:login") + "?next=/admin/"


@pytest.fixture
def administrator(client):
    admin = get_user_model().objects.create_superuser("ada", "ada@example.com", "x-long-secret")
    client.force_login(admin)
    return client


def group(name):
    return Group.objects.get(name=name)


def user_form(client, user):
    url = reverse("admin:auth_user_change", args=[user.pk])
    response = client.get(url)
    assert response.status_code == 200
    data = submitted(response.text, "user_form")
    data["_save"] = ["Save"]
    return url, data, response.text


def add_user(client, username):
    """The administrator's first step: Django's add-user form."""
    data = submitted(client.get(reverse("admin:auth_user_add")).text, "user_form")
    data.update(
        username=[username], usable_password=["true"], password1=[PASSWORD], password2=[PASSWORD]
    )
    data["_save"] = ["Save"]
    response = client.post(reverse("admin:auth_user_add"), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    return get_user_model().objects.get(username=username)


def logs_in(username):
    reader = Client()
    response = reader.post(LOGIN, {"username": username, "password": PASSWORD})
    return response.status_code == 302 and response["Location"] == "/admin/", reader


@pytest.mark.parametrize("role", ["Editors", "Moderators", "Reviewers"])
def test_a_new_member_of_a_project_group_logs_in_without_ticking_staff(administrator, role):
    noor = add_user(administrator, "noor")
    url, data, page = user_form(administrator, noor)
    # The form says how it works, beside the box.
    assert "Members of Editors, Moderators and Reviewers have it without this box" in page
    assert "is_staff" not in data  # unticked, and left so
    data["groups"] = [str(group(role).pk)]

    assert administrator.post(url, data).status_code == 302

    noor.refresh_from_db()
    assert noor.is_staff and not noor.is_superuser
    logged_in, _ = logs_in("noor")
    assert logged_in
    assert not AccessAttempt.objects.exists()  # nothing counted towards a lockout


def test_removed_from_every_project_group_they_lose_access(administrator):
    noor = add_user(administrator, "noor")
    url, data, _ = user_form(administrator, noor)
    data["groups"] = [str(group("Editors").pk), str(group("Reviewers").pk)]
    administrator.post(url, data)
    _, noors_browser = logs_in("noor")
    assert noors_browser.get("/admin/").status_code == 200

    url, data, _ = user_form(administrator, noor)
    data["groups"] = [str(group("Reviewers").pk)]  # one role left: still in
    assert administrator.post(url, data).status_code == 302
    noor.refresh_from_db()
    assert noor.is_staff
    url, data, _ = user_form(administrator, noor)
    del data["groups"]  # none left
    assert administrator.post(url, data).status_code == 302

    noor.refresh_from_db()
    assert not noor.is_staff
    assert noors_browser.get("/admin/").status_code == 302  # her open session too
    assert not logs_in("noor")[0]


def test_unticking_staff_for_a_member_is_refused_with_the_reason(administrator):
    noor = add_user(administrator, "noor")
    url, data, _ = user_form(administrator, noor)
    data["groups"] = [str(group("Editors").pk)]
    administrator.post(url, data)
    url, data, _ = user_form(administrator, noor)
    assert data["is_staff"] == ["on"]
    del data["is_staff"]

    refused = administrator.post(url, data)

    assert refused.status_code == 200
    assert "noor is in Editors: members of that group log into the admin" in refused.text
    assert "To stop them logging in, untick Active" in refused.text
    # As the message says: Active unticked, she cannot log in.
    data["is_staff"] = ["on"]
    del data["is_active"]
    assert administrator.post(url, data).status_code == 302
    assert not logs_in("noor")[0]


def test_the_user_form_saved_unchanged_keeps_a_staff_user_without_roles(administrator):
    """Staff status given by hand (a user with permissions of their own) is
    not taken away by a save that changes no group."""
    helper = UserFactory(username="helper", is_staff=True)
    url, data, _ = user_form(administrator, helper)
    assert administrator.post(url, data).status_code == 302
    helper.refresh_from_db()
    assert helper.is_staff


def test_every_other_path_obeys_too():
    """The shell or a command: either side of the membership, clear, save."""
    editors, moderators = group("Editors"), group("Moderators")
    noor = UserFactory(username="noor", is_staff=False)
    sam = UserFactory(username="sam", is_staff=False)
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    helper = UserFactory(username="helper", is_staff=True)
    shop = Group.objects.create(name="Shop")

    def staff():
        return set(
            get_user_model().objects.filter(is_staff=True).values_list("username", flat=True)
        )

    noor.groups.add(editors)
    moderators.user_set.add(sam, root)
    assert noor.is_staff  # the instance in hand too
    assert staff() == {"noor", "sam", "root", "helper"}

    moderators.user_set.remove(sam)
    noor.groups.add(moderators)
    noor.groups.remove(editors)  # still a moderator
    assert staff() == {"noor", "root", "helper"}

    noor.is_staff = False
    noor.save()  # a member keeps it
    assert staff() == {"noor", "root", "helper"}

    helper.groups.add(shop)
    helper.groups.clear()  # never in a project group: untouched
    moderators.user_set.clear()  # noor leaves her last role; root is a superuser
    assert staff() == {"root", "helper"}

    noor.groups.add(editors)
    noor.groups.clear()
    assert staff() == {"root", "helper"} and not noor.is_staff


def test_members_from_before_get_staff_status_when_migrating():
    import importlib
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    migration = importlib.import_module("core.migrations.0002_staff_for_project_groups")
    noor = UserFactory(username="noor", is_staff=False)
    other = UserFactory(username="other", is_staff=False)
    get_user_model().groups.through.objects.create(user=noor, group=group("Reviewers"))
    assert not get_user_model().objects.get(pk=noor.pk).is_staff  # as before this version

    migration.give_staff_to_members(apps, SimpleNamespace(connection=connection))

    assert get_user_model().objects.get(pk=noor.pk).is_staff
    assert not get_user_model().objects.get(pk=other.pk).is_staff
