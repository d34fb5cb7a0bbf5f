"""The admin's change form, saved under a row lock.

Django's ``ModelAdmin.changeform_view`` runs in a transaction, but reads the
object with a plain SELECT: two people pressing Save at the same moment both
read it as it was, both pass the form's "nobody saved it since you opened
it" check (``core.forms.UnchangedSinceOpenedForm``), and the second save
silently replaces the first (seen on PostgreSQL; SQLite's IMMEDIATE
transactions already take one writer at a time).

``LockedChangeFormAdmin.get_object`` reads the row ``SELECT ... FOR UPDATE``
first when it is called inside that transaction for a POST: the second save
waits for the first to commit, then reads the object as the first saved it,
and its form says so. Reverting to a revision (django-reversion's
``revision_view``, which calls ``changeform_view`` inside its own
transaction) takes the same path. On SQLite ``select_for_update`` is a no-op
and IMMEDIATE transactions give the same order.
"""

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import router, transaction


class LockedChangeFormAdmin:
    """ModelAdmin mixin: a change form's POST reads its object under a row lock."""

    def get_object(self, request, object_id, from_field=None):
        if request.method == "POST":
            self.lock_object(object_id, from_field)
        return super().get_object(request, object_id, from_field)

    def lock_object(self, object_id, from_field=None):
        """Lock the object's row until the transaction ends (nothing outside one)."""
        using = router.db_for_write(self.model)
        if not transaction.get_connection(using).in_atomic_block:
            return
        opts = self.model._meta
        try:
            field = opts.pk if from_field is None else opts.get_field(from_field)
            key = field.to_python(object_id)
        except (FieldDoesNotExist, ValidationError, ValueError):
            return  # no such object: get_object answers
        # A query of its own: the admin's queryset may carry annotations
        # (counts, subqueries) that FOR UPDATE cannot go with.
        rows = self.model._default_manager.using(using).select_for_update()
        list(rows.filter(**{field.name: key}).values_list("pk", flat=True))
