"""Every admin form, opened and saved unchanged, for every object of the demo content.

The models come from the admin site itself (``AdminSite.get_app_list``), so a
model registered later is covered without anyone remembering to add it here.
Each change form is read as a browser reads it and sent back as it is: the
answer must be the redirect of a successful save, never a form error or a
server error. Each add form must open. The superuser does this for every
model; each demo role does it for the models it may change.
"""

import io

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

from tests.admin.forms import submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_content(db):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    call_command("load_demo_comments", stdout=out)
    call_command("load_demo_pages", stdout=out)


def registered_models(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return [
        model_entry["model"]
        for app in admin.site.get_app_list(request)
        for model_entry in app["models"]
    ]


def form_errors(response):
    context = response.context or {}
    errors = []
    adminform = context.get("adminform")
    if adminform is not None:
        errors += [f"{name}: {e}" for name, e in adminform.form.errors.items()]
    for inline in context.get("inline_admin_formsets", []):
        errors += [str(e) for e in inline.formset.errors if e]
        errors += [str(e) for e in inline.formset.non_form_errors()]
    return errors


def save_unchanged(client, url):
    page = client.get(url)
    assert page.status_code == 200, f"GET {url}: {page.status_code}"
    data = submitted(page.content.decode(), form_id=None if "/add/" in url else _form_id(page))
    data["_save"] = ["Save"]
    response = client.post(url, data)
    assert response.status_code == 302, (
        f"saving {url} unchanged answered {response.status_code}: {form_errors(response)}"
    )
    return response


def _form_id(page):
    opts = page.context["opts"]
    return f"{opts.model_name}_form"


def _round_trip(client, user):
    checked = []
    for model in registered_models(user):
        model_admin = admin.site.get_model_admin(model)
        opts = model._meta
        request = RequestFactory().get("/admin/")
        request.user = user
        if model_admin.has_add_permission(request):
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
            assert client.get(url).status_code == 200, url
            checked.append(url)
        if not model_admin.has_change_permission(request):
            continue
        for obj in model_admin.get_queryset(request):
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
            save_unchanged(client, url)
            checked.append(url)
    return checked


def test_the_superuser_saves_every_admin_form_unchanged(client, demo_content):
    admin_user = get_user_model().objects.get(username="admin")
    client.force_login(admin_user)

    checked = _round_trip(client, admin_user)

    glutamine = reverse(
        "admin:articles_post_change",
        args=[
            __import__("articles.models")
            .models.Post.objects.get(slug="glutamine-and-gut-health")
            .pk
        ],
    )
    assert glutamine in checked
    # Models registered by later apps are covered too: the demo's site pages.
    assert reverse("admin:pages_page_add") in checked
    assert sum("/admin/pages/page/" in url and "/change/" in url for url in checked) == 2
    assert len(checked) > 20


@pytest.mark.parametrize("username", ["editor", "moderator"])
def test_each_role_saves_the_forms_it_may_change(client, demo_content, username):
    user = get_user_model().objects.get(username=username)
    client.force_login(user)

    checked = _round_trip(client, user)

    assert checked, f"{username} may change nothing in the admin"
