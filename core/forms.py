"""Form machinery several apps share."""

from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import ValidationError
from django.forms.utils import pretty_name
from django.utils import timezone


class RowIdField(forms.ModelChoiceField):
    """The hidden id of an existing inline row, checked against the rows its
    formset already read (all of them at once, not one per row)."""

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


# --- names for screen readers where Django 5.2's admin gives none ------------------
# Found by the accessibility audit (tests/browser/axe_audit.py, axe's "label"
# rule: WCAG 1.3.1 and 4.1.2). Both are Django's own markup; these give the
# inputs a name through the widgets' public attributes, without copying its
# templates.


class NamedSplitDateTime(AdminSplitDateTime):
    """The admin's date and time inputs, each named "<label>: date" / "...: time".

    Django labels a split date-time field with a <label> that points at no
    input (a MultiWidget has no single input to point at) and writes "Date:"
    and "Time:" as plain text beside the two inputs
    (admin/widgets/split_datetime.html), so a screen reader announces two
    unnamed text boxes.
    """

    def __init__(self, label, attrs=None):
        self.label = label
        super().__init__(attrs)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        parts = (context["date_label"], context["time_label"])
        for subwidget, part in zip(context["widget"]["subwidgets"], parts, strict=True):
            subwidget["attrs"]["aria-label"] = f"{self.label}: {str(part).rstrip(':').lower()}"
        return context


def name_table_row(form, row):
    """Name each field of a tabular inline row "<column> (<row>)".

    Django's admin/edit_inline/tabular.html writes each field's label in the
    column's header cell only, which no <label> points to, so every input of
    the table (the *Delete?* box too) is unnamed for screen readers. Call it
    from the formset's ``add_fields(form, index)``; ``row`` names the row
    ("disclaimer 2").
    """
    for name, field in form.fields.items():
        if field.widget.is_hidden:
            continue
        # A relation's widget comes wrapped by the admin (the add/change
        # buttons beside it); the wrapped one draws the input. A new dict, not
        # an update: the wrapper shares its attrs with the form class's widget,
        # so an update would give every row the first row's name.
        widget = getattr(field.widget, "widget", field.widget)
        label = field.label or pretty_name(name)
        widget.attrs = {**widget.attrs, "aria-label": f"{label} ({row})"}


# --- a save from a form opened before someone else's ------------------------------


class UnchangedSinceOpenedForm(forms.ModelForm):
    """A model form that stops a save from a form opened before someone else
    saved the object (or the same person, in another tab): its hidden
    ``loaded_at`` holds the object's ``updated_at`` as the form was opened,
    and ``clean`` compares it with the object as stored. The editor's text
    stays in the form, with a message saying when the other save was;
    pressing Save again replaces that version, knowingly.

    The comparison and the save are one step only when the object was read
    under a row lock in the save's transaction: the admin's change form does
    that (``core.admin_locking.LockedChangeFormAdmin``), so two saves at the
    same moment are taken one after the other, and the second is told.
    List ``loaded_at`` in the admin's fieldsets (it renders hidden)."""

    loaded_at = forms.CharField(required=False, widget=forms.HiddenInput)

    saved_meanwhile_message = (
        "This %(what)s was saved again at %(time)s, by someone else or in another "
        "tab, while you were editing it. Your changes are below and are not "
        "saved. Open the %(what)s in a new tab to see that version; press Save "
        "again to replace it with yours."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "loaded_at" in self.fields:
            self.fields["loaded_at"].initial = self.instance.updated_at.isoformat()

    def clean(self):
        cleaned = super().clean()
        loaded_at = self.data.get(self.add_prefix("loaded_at"))
        stored = self.instance.updated_at if self.instance.pk else None
        if stored is not None and loaded_at and loaded_at != stored.isoformat():
            self.add_error(
                None,
                ValidationError(
                    self.saved_meanwhile_message,
                    code="saved_meanwhile",
                    params={
                        "what": self.instance._meta.verbose_name,
                        "time": timezone.localtime(stored).strftime("%H:%M:%S on %d %B %Y"),
                    },
                ),
            )
            # Saving this form again, knowingly, replaces that version.
            self.data = self.data.copy()
            self.data[self.add_prefix("loaded_at")] = stored.isoformat()
        return cleaned
