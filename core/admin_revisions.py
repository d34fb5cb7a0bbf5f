"""django-reversion's VersionAdmin, held to versions of its own model, one
object per revision.

Stock ``VersionAdmin.revision_view`` finds a version by its id and the
object's id only, and ``recover_view`` by its id only: a version of another
model whose object id matches (a post numbered like a page) would open, and
on Save revert its whole revision, through the wrong admin. These two views
first check that the version belongs to this admin's model (and, for a
revision, to this very object); anything else is a 404.

A revision is reverted whole, so it holds one object: ``OnePerRevisionList``
keeps the change list out of the one revision VersionAdmin opens around it,
and bulk actions record a revision per object they change.
"""

from django.contrib import admin
from django.http import Http404
from reversion.admin import VersionAdmin
from reversion.models import Version

MAX_ID = 2**31 - 1


def version_id(value):
    """A version id from the address, or None for anything that cannot be one."""
    value = str(value or "").strip()
    if not value.isascii() or not value.isdigit() or len(value) > 10 or int(value) > MAX_ID:
        return None
    return int(value)


class OnePerRevisionList:
    """The change list outside any revision. VersionAdmin.changelist_view
    wraps the whole list (for list_editable, which our admins do not use) in
    one revision, so a bulk action's objects would share it and a revert of
    any one would bring back all; each action records a revision per object.
    Django's own changelist_view is called with the context VersionAdmin adds:
    no public hook leaves that one revision out."""

    def changelist_view(self, request, extra_context=None):
        context = {"has_change_permission": self.has_change_permission(request)}
        context.update(extra_context or {})
        return admin.ModelAdmin.changelist_view(self, request, context)


class OwnVersionsAdmin(OnePerRevisionList, VersionAdmin):
    def revision_view(self, request, object_id, version_id_text, extra_context=None):
        pk = version_id(version_id_text)
        obj = self.get_object(request, object_id)
        if (
            pk is None
            or obj is None
            or not Version.objects.get_for_object(obj).filter(pk=pk).exists()
        ):
            raise Http404("No such revision of this object.")
        return super().revision_view(request, object_id, pk, extra_context)

    def recover_view(self, request, version_id_text, extra_context=None):
        pk = version_id(version_id_text)
        if pk is None or not Version.objects.get_deleted(self.model).filter(pk=pk).exists():
            raise Http404("No such deleted object.")
        return super().recover_view(request, pk, extra_context)
