"""django.contrib.admin with the project's site as ``admin.site`` (Django's
documented way of overriding the default site): every changelist takes any
query string (core.changelists.CheckedAdminSite). Listed in INSTALLED_APPS in
place of "django.contrib.admin"."""

from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    default_site = "core.changelists.CheckedAdminSite"
