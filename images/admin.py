from django import forms
from django.contrib import admin
from django.utils.html import format_html

from .models import Image


class ImageForm(forms.ModelForm):
    class Meta:
        model = Image
        fields = ["file", "alt", "caption", "credit", "is_share_default"]
        widgets = {
            # The browser's file picker offers images only (the server checks anyway).
            "file": forms.ClearableFileInput(
                attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}
            ),
            "alt": forms.TextInput(attrs={"class": "vTextField", "size": 80}),
            "caption": forms.TextInput(attrs={"class": "vTextField", "size": 80}),
            "credit": forms.TextInput(attrs={"class": "vTextField", "size": 60}),
        }


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
            return [(None, {"fields": ["file", "alt", "caption", "credit", "is_share_default"]})]
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
        return super().get_form(request, obj, **kwargs)

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
