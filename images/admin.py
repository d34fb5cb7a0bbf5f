from django import forms
from django.contrib import admin
from django.db import transaction
from django.utils.html import format_html

from . import pending
from .models import Image


class KeptUploadInput(forms.FileInput):
    """The file input, with the picture kept from the last try (``kept``, an
    images.pending.KeptUpload) shown above it by its thumbnail and its name;
    the input is then not required."""

    template_name = "images/widgets/kept_upload.html"
    kept = None

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["kept"] = self.kept
        return context

    def use_required_attribute(self, initial):
        return super().use_required_attribute(initial) and self.kept is None


class ImageForm(forms.ModelForm):
    """The image form; its add form keeps a valid chosen file through an error
    in the other fields (images.pending: ``kept_upload`` names it)."""

    kept_upload = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Image
        fields = ["file", "alt", "caption", "credit", "is_share_default"]
        widgets = {
            # The browser's file picker offers images only (the server checks anyway).
            "file": KeptUploadInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
            "alt": forms.TextInput(attrs={"class": "vTextField", "size": 80}),
            "caption": forms.TextInput(attrs={"class": "vTextField", "size": 80}),
            "credit": forms.TextInput(attrs={"class": "vTextField", "size": 60}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.kept = None
        self.uses_kept = False  # no new file chosen: the kept one is the upload
        if self.is_bound and "file" in self.fields:
            self.kept = pending.find(self.data.get(self.add_prefix("kept_upload")), user)
            if self.kept is not None:
                self.fields["file"].widget.kept = self.kept
                if not self.files.get(self.add_prefix("file")):
                    self.files = self.files.copy()
                    self.files[self.add_prefix("file")] = self.kept.open()
                    self.uses_kept = True

    def keep_upload(self):
        """After an error: keep the chosen picture if it passed its own checks,
        and name it in the form shown again (a new file replaces the one kept
        before, whatever becomes of it)."""
        if not self.errors:
            return
        if self.uses_kept:
            self._show_kept()
            return
        if self.kept is not None:
            pending.forget(self.kept)
            self.kept = None
        token = ""
        prepared = self.instance.checked_upload
        uploaded = self.files.get(self.add_prefix("file"))
        if "file" not in self.errors and prepared and uploaded and self.user is not None:
            token = pending.keep(prepared.content, prepared.extension, uploaded.name, self.user)
            self.kept = pending.find(token, self.user)
        self.data = self.data.copy()
        self.data[self.add_prefix("kept_upload")] = token
        self._show_kept()

    def _show_kept(self):
        """The form shown again: the kept picture above the file input."""
        self.fields["file"].widget.kept = self.kept

    def forget_kept_upload(self):
        """The image is saved: its kept copy goes."""
        if self.kept is not None:
            pending.forget(self.kept)
            self.kept = None


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    form = ImageForm
    list_display = [
        "thumbnail", "alt", "caption", "credit", "size", "is_share_default", "uploaded_at",
        "uploader",
    ]  # fmt: skip
    list_filter = ["is_share_default"]
    list_display_links = ["thumbnail", "alt"]
    list_select_related = ["uploaded_by"]
    search_fields = ["alt", "caption", "credit"]
    date_hierarchy = "uploaded_at"
    list_per_page = 50
    readonly_fields = ["preview", "place_in_body", "size", "uploader", "uploaded_at"]

    class Media:
        css = {"all": ["images/admin.css"]}

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [
                (
                    None,
                    {
                        "fields": [
                            "file",
                            "kept_upload",
                            "alt",
                            "caption",
                            "credit",
                            "is_share_default",
                        ]
                    },
                )
            ]
        return [
            (None, {"fields": ["preview", "alt", "caption", "credit"]}),
            ("Use", {"fields": ["place_in_body", "is_share_default"]}),
            ("File", {"fields": ["size", "uploader", "uploaded_at"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        # The file never changes after upload: pages and renditions rely on it.
        return self.readonly_fields

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None:
            kwargs["fields"] = ["alt", "caption", "credit", "is_share_default"]
        form = super().get_form(request, obj, **kwargs)
        user = request.user

        class ImageFormForUser(form):
            # A kept file is its uploader's only (images.pending).
            def __init__(self, *args, **kwargs):
                kwargs.setdefault("user", user)
                super().__init__(*args, **kwargs)

        return ImageFormForUser

    def render_change_form(self, request, context, add=False, change=False, **kwargs):
        form = context["adminform"].form
        if add and form.is_bound and form.errors:
            form.keep_upload()
        return super().render_change_form(request, context, add, change, **kwargs)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if protected:
            # Refused because posts show the image: list them, rather than
            # "you may not delete posts" (deleting an image never deletes a post).
            perms_needed = set()
        return deleted, counts, perms_needed, protected

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)
        if not change:
            transaction.on_commit(form.forget_kept_upload)

    @admin.display(description="image")
    def thumbnail(self, image):
        return image.thumbnail_tag()

    @admin.display(description="preview")
    def preview(self, image):
        return image.thumbnail_tag(height=240)

    @admin.display(description="place it in a post body")
    def place_in_body(self, image):
        return format_html(
            '<code class="image-markdown">{}</code><p class="image-markdown-help">Copy '
            "this into the body where the image belongs, on a line of its own for a "
            "figure with its caption. Add a caption for this post only: {}</p>",
            image.markdown,
            format_html('<code>{} "Caption")</code>', image.markdown[:-1]),
        )

    @admin.display(description="size (pixels)")
    def size(self, image):
        return f"{image.width} × {image.height}"

    @admin.display(description="uploaded by", ordering="uploaded_by__username")
    def uploader(self, image):
        user = image.uploaded_by
        if user is None:
            return "—"
        return user.get_full_name() or user.get_username()
