"""Form machinery several apps share."""

from django import forms
from django.core.exceptions import ValidationError


class RowIdField(forms.ModelChoiceField):
    """The hidden id of an existing inline row, checked against the rows its
    formset already read (one query for all of them, not one per row)."""

    def __init__(self, rows, *args, **kwargs):
        self.rows = rows
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            key = self.queryset.model._meta.pk.to_python(value)
        except ValidationError:
            key = None
        if key not in self.rows:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return self.rows[key]


class OneQueryInlineFormSet(forms.BaseInlineFormSet):
    """An inline formset that validates in a fixed number of queries however
    many rows it has, and says plainly when a row it shows was deleted
    meanwhile (in another tab, by someone else)."""

    deleted_row_message = (
        "“%(row)s” was deleted after this page was opened (in another tab, or by "
        "someone else), so it cannot be saved and is no longer shown below. Nothing "
        "was saved. Copy what you need, reload the page, and add it again if you "
        "still want it."
    )

    def rows(self):
        if not hasattr(self, "_rows"):
            self._rows = {row.pk: row for row in self.get_queryset()}
        return self._rows

    def add_fields(self, form, index):
        super().add_fields(form, index)
        name = self.model._meta.pk.name
        field = form.fields.get(name)
        if isinstance(field, forms.ModelChoiceField) and not isinstance(field, RowIdField):
            form.fields[name] = RowIdField(
                self.rows(),
                field.queryset,
                initial=field.initial,
                required=False,
                widget=field.widget,
                error_messages={"invalid_choice": "deleted meanwhile"},
            )

    def describe_row(self, form):
        """How a row is named in messages: its first text values as typed."""
        values = [str(form[name].value() or "") for name in form.fields if name != "id"]
        return ". ".join(value for value in values if value and not value.isdigit())[:120]

    def clean(self):
        # Django's admin does not show a row whose object is gone, nor the
        # error on its hidden id: say it above the rows, naming the row.
        name = self.model._meta.pk.name
        deleted = [
            ValidationError(
                self.deleted_row_message,
                code="deleted_meanwhile",
                params={"row": self.describe_row(form)},
            )
            for form in self.forms
            if name in form.errors and "deleted meanwhile" in form.errors[name]
        ]
        if deleted:
            raise ValidationError(deleted)
        super().clean()
