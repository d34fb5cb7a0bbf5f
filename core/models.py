"""What core keeps in the database: stamps of site-wide changes."""

from django.db import connections, models
from django.utils import timezone


class SiteStampQuerySet(models.QuerySet):
    def current(self):
        """The time of the latest site-wide change, as text ("-" if none): part
        of every cached page's version (core.page_cache).

        Read on every cached page's hit, so it is the one plain SQL statement
        it amounts to: building ``aggregate(Max("changed_at"))`` through the
        ORM took longer than running it (``make bench``,
        docs/performance.md). The text is only compared with itself."""
        with connections[self.db].cursor() as cursor:
            cursor.execute(f"SELECT MAX(changed_at) FROM {self.model._meta.db_table}")
            (latest,) = cursor.fetchone()
        return "-" if latest is None else str(latest)


class SiteStamp(models.Model):
    """When something shown on every page last changed (the navigation, the
    footer, the topics in the menu). Apps ``touch`` their stamp; every
    cached page then renders again."""

    name = models.CharField(max_length=50, primary_key=True)
    changed_at = models.DateTimeField()

    objects = SiteStampQuerySet.as_manager()

    def __str__(self):
        return f"{self.name} changed {self.changed_at:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def touch(cls, name):
        """Say that ``name`` changed (in the same transaction as the change)."""
        cls.objects.update_or_create(name=name, defaults={"changed_at": timezone.now()})

    @classmethod
    def current(cls):
        return cls.objects.current()

    @classmethod
    def current_for(cls, request):
        """``current()``, read once per request: the page cache's version and
        the site's menus rendered into that page agree, read once."""
        if request is None:
            return cls.current()
        stamp = getattr(request, "site_stamp", None)
        if stamp is None:
            stamp = request.site_stamp = cls.current()
        return stamp
