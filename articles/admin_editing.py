"""Two editing aids of the post admin, kept out of admin.py:

* **Import references** (``/admin/articles/post/<id>/references/import/``):
  paste BibTeX or RIS, see what will be added, confirm. The references are
  read and checked by ``Reference.read_entries`` and added by
  ``Post.append_references`` (the body rendered once, the post's
  ``updated_at`` moved, so an editor's open form of the post is told it
  changed). Each preview or import parses the text: an editor gets
  REFERENCE_IMPORT_RATE_LIMIT_PER_MINUTE of them a minute (core.ratelimit),
  then a 429 page with the text kept.
* **Live preview** (``POST /admin/articles/post/preview/``): the body
  rendered by the same pipeline as a saved post, against the references and
  disclaimers in the form as it is, with the errors a save would report.
  Nothing is saved. Called by ``articles/admin/preview.js``.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.utils import quote, unquote
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from core.ratelimit import rate_limited

from . import bibliography, revisions
from .models import Disclaimer, Post, Reference

# The live preview: a body longer than this is not previewed (saving still
# works); each editor gets one preview at a time and this many a minute.
PREVIEW_MAX_CHARS = 100_000
PREVIEW_PER_MINUTE = 60
PREVIEW_MAX_DISCLAIMERS = 50


class ReferenceImportForm(forms.Form):
    text = forms.CharField(
        label="BibTeX or RIS",
        max_length=bibliography.MAX_TEXT_LENGTH,
        strip=False,  # line numbers in the messages count from the text's first line
        widget=forms.Textarea(attrs={"rows": 14, "class": "vLargeTextField import-text"}),
        help_text=(
            "Paste one or more entries, as exported by Zotero, Mendeley, EndNote, "
            "PubMed or a journal's “Cite” button."
        ),
    )
    # When the post was last saved, as the preview was shown: the numbers the
    # preview gave hold only for that version.
    seen_at = forms.CharField(required=False, widget=forms.HiddenInput)


class PostEditingMixin:
    """``get_urls`` and the views of the reference import and the live preview."""

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "preview/",
                require_POST(csrf_protect(never_cache(self.body_preview_view))),
                name=f"{prefix}_preview",
            ),
            path(
                "<path:object_id>/references/import/",
                self.admin_site.admin_view(self.import_references_view),
                name=f"{prefix}_import_references",
            ),
            *super().get_urls(),
        ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "body" and field is not None:
            field.widget.attrs["data-preview-url"] = reverse(
                f"{self.admin_site.name}:articles_post_preview"
            )
        return field

    # --- import -------------------------------------------------------------
    def import_references_view(self, request, object_id):
        post = self.get_object(request, unquote(object_id))
        if post is None:
            raise Http404("No such post.")
        if not self.has_change_permission(request, post):
            raise PermissionDenied
        change_url = reverse(f"{self.admin_site.name}:articles_post_change", args=[quote(post.pk)])
        form = ReferenceImportForm(request.POST or None)
        references, problems, notice = [], [], ""
        if request.method == "POST" and _import_limited(request.user):
            # The text stays in the box (the bound form); nothing is parsed.
            return self._import_page(
                request, post, form, change_url, status=429, refused=True, references=[]
            )
        if request.method == "POST" and form.is_valid():
            references, problems = Reference.read_entries(form.cleaned_data["text"])
            if references and "import" in request.POST:
                if form.cleaned_data["seen_at"] == post.updated_at.isoformat():
                    return self._append(request, post, references, change_url)
                notice = (
                    "The post was saved by someone else (or in another tab) since this "
                    "preview, so the numbers may have moved. Check them below and import again."
                )
            form = ReferenceImportForm(
                initial={
                    "text": form.cleaned_data["text"],
                    "seen_at": post.updated_at.isoformat(),
                }
            )
        return self._import_page(
            request,
            post,
            form,
            change_url,
            references=references,
            problems=problems,
            notice=notice,
        )

    def _import_page(self, request, post, form, change_url, status=200, **context):
        context = {
            **self.admin_site.each_context(request),
            "title": f"Import references into “{post}”",
            "opts": self.opts,
            "original": post,
            "form": form,
            "first_number": post.references.count() + 1,
            "change_url": change_url,
            "limit": settings.REFERENCE_IMPORT_RATE_LIMIT_PER_MINUTE,
            **context,
        }
        response = TemplateResponse(
            request, "admin/articles/post/import_references.html", context, status=status
        )
        if status == 429:
            response["Retry-After"] = "60"
        return response

    def _append(self, request, post, references, change_url):
        # The references and the revision that records them, together. An
        # approved post goes back to review (MEDICAL_REVIEW_REQUIRED), in the
        # importer's name.
        with transaction.atomic():
            first, last = post.append_references(references, by=request.user)
            message = _imported_message(references, first, last)
            revisions.record(post, request.user, message)
        self.log_change(request, post, message)
        self.message_user(request, message, messages.SUCCESS)
        return redirect(change_url)

    # --- live preview -------------------------------------------------------
    def may_preview(self, request):
        user = request.user
        return (
            user.is_active
            and user.is_staff
            and (self.has_add_permission(request) or self.has_change_permission(request))
        )

    def body_preview_view(self, request):
        """POST body, reference_count, disclaimer (ids, repeated, in order) ->
        {"html": sanitised HTML, "errors": [messages]}."""
        if not self.may_preview(request):
            return JsonResponse({"errors": ["You may not preview posts."]}, status=403)
        body = request.POST.get("body", "")
        if len(body) > PREVIEW_MAX_CHARS:
            return JsonResponse(
                {
                    "errors": [
                        f"The body is {len(body):,} characters long; the live preview "
                        f"stops at {PREVIEW_MAX_CHARS:,}. Save to see the post."
                    ]
                },
                status=413,
            )
        reference_count = _number(request.POST.get("reference_count"), limit=10_000)
        ids = [_number(value) for value in request.POST.getlist("disclaimer")]
        ids = [pk for pk in ids if pk][:PREVIEW_MAX_DISCLAIMERS]
        busy_key = _preview_busy_key(request.user.pk)
        if not _take_turn(busy_key, request.user.pk):
            return JsonResponse(
                {"errors": ["The preview is busy; it shows your text again in a moment."]},
                status=429,
            )
        try:
            markers_by_id = dict(Disclaimer.objects.filter(pk__in=ids).values_list("pk", "marker"))
            markers = [markers_by_id[pk] for pk in ids if pk in markers_by_id]
            html, errors = Post(body=body).preview(reference_count, markers)
        finally:
            _release(busy_key)
        return JsonResponse({"html": html, "errors": errors})


def _import_limited(user):
    """One more preview or import by this editor: over
    REFERENCE_IMPORT_RATE_LIMIT_PER_MINUTE in the last minute? (Each one
    parses the pasted text; core.ratelimit counts in the shared cache.)"""
    return rate_limited(
        "reference-import", f"user:{user.pk}", settings.REFERENCE_IMPORT_RATE_LIMIT_PER_MINUTE
    )


def _imported_message(references, first, last):
    numbers = f"[{first}]" if first == last else f"[{first}]–[{last}]"
    count = len(references)
    return ngettext(
        "Imported %(count)d reference as %(numbers)s.",
        "Imported %(count)d references as %(numbers)s.",
        count,
    ) % {"count": count, "numbers": numbers}


def _number(value, limit=2**31):
    """A small non-negative integer from a form value; 0 for anything else."""
    value = (value or "").strip()
    if not value.isdigit() or len(value) > 10:
        return 0
    return min(int(value), limit)


def _preview_busy_key(user_pk):
    return f"articles:preview:busy:{user_pk}"


def _release(busy_key):
    try:
        cache.delete(busy_key)
    except Exception:  # noqa: BLE001 (the cache down: nothing to release)
        pass


def _take_turn(busy_key, user_pk):
    """One preview at a time for each editor (a lock in the cache), and
    PREVIEW_PER_MINUTE a minute (core.ratelimit)."""
    try:
        if not cache.add(busy_key, 1, timeout=30):
            return False
    except Exception:  # noqa: BLE001 (the cache down: preview anyway)
        return True
    if rate_limited("articles-preview", f"user:{user_pk}", PREVIEW_PER_MINUTE):
        _release(busy_key)
        return False
    return True
