"""Error pages that say what happened and what to do next; robots.txt; media
in development."""

import sys

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import patch_cache_control
from django.views.static import serve

from .methods import SAFE, allow
from .middleware import bad_request_response, busy_response, database_busy

# Uploaded images are public, the same for every reader, and meant to be shown
# elsewhere too: in feed readers and mail (full-content feeds and newsletters
# show them from their own origin, where same-site would block them). Saying
# so explicitly lets a cross-origin-isolated page (COEP) embed them.
MEDIA_RESOURCE_POLICY = "cross-origin"

# What each admin page of a model needs, by the end of its URL name.
ADMIN_ACTIONS = {
    "changelist": ("view", "change"),
    "change": ("view", "change"),
    "history": ("view", "change"),
    "add": ("add",),
    "delete": ("delete",),
}


def _admin_model_page(request):
    """(model, action) for an admin page of a model, or None."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    if match.namespace != admin.site.name or not match.url_name:
        return None
    prefix, _, action = match.url_name.rpartition("_")
    if action not in ADMIN_ACTIONS:
        return None
    for model in apps.get_models():
        if f"{model._meta.app_label}_{model._meta.model_name}" == prefix:
            return model, action
    return None


def missing_permissions(request):
    """The permissions this admin page needs and the user lacks, with the
    groups that have them: [(Permission, [group names])]."""
    found = _admin_model_page(request)
    if found is None:
        return []
    model, action = found
    needed = ADMIN_ACTIONS[action]
    if action in ("change",) and request.method == "POST":
        needed = ("change",)
    codenames = [f"{verb}_{model._meta.model_name}" for verb in needed]
    permissions = Permission.objects.filter(
        content_type__app_label=model._meta.app_label, codename__in=codenames
    )
    return [
        (
            permission,
            list(Group.objects.filter(permissions=permission).values_list("name", flat=True)),
        )
        for permission in sorted(permissions, key=lambda p: codenames.index(p.codename))
    ]


def permission_denied(request, exception=None):
    """403: in the admin's own look for staff in the admin, naming what is missing."""
    user = getattr(request, "user", None)
    in_admin = request.path_info.startswith(reverse("admin:index"))
    if in_admin and user is not None and user.is_active and user.is_staff:
        context = {
            **admin.site.each_context(request),
            "title": "You may not open this page",
            "missing": missing_permissions(request),
            "reason": str(exception) if isinstance(exception, PermissionDenied) else "",
        }
        return render(request, "admin/403.html", context, status=403)
    return render(request, "403.html", status=403)


def csrf_failure(request, reason=""):
    """403 for a form Django's CSRF check refused (settings.CSRF_FAILURE_VIEW):
    the site's page, saying what to do next, instead of Django's bare one. A
    reader meets it when the form's cookie is gone (cleared or blocked, or the
    page was open very long); a forged cross-site post gets the same answer.
    The reason (Django's words, for developers) is not shown."""
    return render(request, "403.html", {"form_not_checked": True}, status=403)


@allow(*SAFE)
def robots_txt(request):
    """``/robots.txt``: what crawlers may fetch, and where the sitemap's index
    is (by its absolute address, from SITE_URL). Plain text, no database;
    shared caches and crawlers may keep it a day."""
    sitemap = settings.SITE_URL + reverse("sitemap_index")
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in settings.ROBOTS_DISALLOW), ""]
    lines.append(f"Sitemap: {sitemap}")
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    patch_cache_control(response, public=True, max_age=60 * 60 * 24)
    return response


def media(request, path, document_root=None):
    """Uploaded media in development (``static()`` in the URLconf; production
    serves them from nginx or object storage): Django's ``serve``, with the
    Cross-Origin-Resource-Policy nginx sends too (deploy/nginx)."""
    response = serve(request, path, document_root=document_root)
    response["Cross-Origin-Resource-Policy"] = MEDIA_RESOURCE_POLICY
    return response


def bad_request(request, exception=None):
    """400 (settings' handler400) in the site's look. Unlike Django's own, it
    reads nothing of the request's body: the body may be what could not be
    read (a malformed multipart form, too many fields), and Django's view
    reads it again through the CSRF check."""
    return bad_request_response(request)


def server_error(request):
    """500 (handler500): Django's page (templates/500.html, rendered with no
    request and no context), unless the error is the database being busy
    somewhere outside a view (a session saved by its middleware), which gets
    the 503 "try again" page like a busy view (core.middleware)."""
    error = sys.exc_info()[1]
    if database_busy(error):
        return busy_response(request, after_view=True)
    return HttpResponseServerError(render_to_string("500.html"))
