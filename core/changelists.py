"""Admin changelists that take any query string: a value out of range is the
admin's own "invalid filter" answer (Django's ``IncorrectLookupParameters``:
a redirect to ``?e=1``), never a server error.

Django's ChangeList turns a date hierarchy's ``?publish_at__year=99999999999``
into ``datetime(99999999999, 1, 1)`` (an ``OverflowError``, not the
``ValueError`` it catches; ``?…__year=9999`` overflows a line later), and a
filter's value reaches the database as given (an ``OverflowError`` binding a
20-digit number on SQLite, a ``DataError`` on PostgreSQL).

The project's admin site (``CheckedAdminSite``, made the default site by
``core.admin_config.AdminConfig`` in INSTALLED_APPS, Django's documented way)
gives every ModelAdmin registered on it, ours and third-party ones (axes,
django-tasks), ``CheckedLookupsMixin`` as it is registered, so an admin added
later is covered without anyone remembering. Kept so because Django has no
site-wide hook for the changelist class: ``AdminSite.register`` is the one
documented door every ModelAdmin passes, and the mixin overrides only the
documented ``ModelAdmin.get_changelist``. Filters of our own check their
values with ``database_integer``. What is left (a view, not a changelist) is answered 400
by ``core.middleware.QueryErrorMiddleware``.
"""

from django.contrib.admin import AdminSite, ModelAdmin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.db import DataError

BIGINT_MAX = 2**63 - 1


def database_integer(value, low=-BIGINT_MAX - 1, high=BIGINT_MAX):
    """``value`` (text from a URL) as an int the database can store, or raise
    ValueError: not a number, digits of another script, or out of range."""
    text = str(value).strip()
    if not text or len(text) > 20 or not text.lstrip("-").isascii():
        raise ValueError(f"not a number in range: {text[:30]!r}")
    number = int(text)
    if not low <= number <= high:
        raise ValueError(f"out of range: {text[:30]!r}")
    return number


class CheckedChangeList(ChangeList):
    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (OverflowError, ValueError) as error:  # a date hierarchy's year, say
            raise IncorrectLookupParameters(error) from error

    def get_results(self, request):
        try:
            super().get_results(request)
        except (OverflowError, DataError) as error:  # a value beyond the column's range
            raise IncorrectLookupParameters(error) from error


class CheckedLookupsMixin:
    """For a ModelAdmin: its changelist answers values out of range with the
    admin's invalid-filter redirect (``?e=1``)."""

    def get_changelist(self, request, **kwargs):
        changelist = super().get_changelist(request, **kwargs)
        if issubclass(changelist, CheckedChangeList):
            return changelist
        return type(f"Checked{changelist.__name__}", (CheckedChangeList, changelist), {})


class CheckedAdminSite(AdminSite):
    """The project's admin site (``core.admin_config.AdminConfig.default_site``):
    every ModelAdmin registered on it, ours and third-party ones, gets
    ``CheckedLookupsMixin`` as it is registered."""

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or ModelAdmin
        if not issubclass(admin_class, CheckedLookupsMixin):
            checked = type(admin_class.__name__, (CheckedLookupsMixin, admin_class), {})
            checked.__module__ = admin_class.__module__
            checked.__qualname__ = admin_class.__qualname__
            admin_class = checked
        super().register(model_or_iterable, admin_class, **options)
