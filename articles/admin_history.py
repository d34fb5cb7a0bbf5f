"""The post admin's revisions (django-reversion's VersionAdmin), kept out of
admin.py:

* every save of the change form keeps a revision of the post *as saved*, with
  its references and disclaimers (``articles.revisions.add``, called by
  ``PostAdmin.save_related`` once the inlines are saved and the body rendered);
* **History** lists the revisions, who saved each and when, and compares any
  two (``/admin/articles/post/<id>/history/compare/?from=<version>&to=<version>``):
  the fields, the body and the references side by side, changed words marked;
* a revision opened from the history is the post's form as it was; pressing
  Save reverts to it (references and disclaimers too, the ones added since
  removed) and is itself a new revision. Only those who may change the post
  revert; those who may view it (moderators) see the history and compare.
  A revert is a save like any other (``Post.clean``, ``PostForm.clean``): a
  revision that was published does not publish a post that may not be
  published now (a review not approved, no topic); the editor chooses Draft
  to bring back its content unpublished, and a body reverted on an approved
  post sends it back for review.
"""

from contextlib import contextmanager

import reversion
from django.contrib import messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from core.admin_revisions import OwnVersionsAdmin
from core.admin_revisions import version_id as parse_version_id

from . import revisions


class PostRevisionsMixin(OwnVersionsAdmin):
    object_history_template = "admin/articles/post/object_history.html"
    revision_form_template = "admin/articles/post/revision_form.html"
    history_latest_first = True

    @contextmanager
    def create_revision(self, request):
        # Revisions of posts are put together by hand (articles.revisions.add,
        # from save_related), not from each row's post_save: the inlines are
        # saved in bulk, which sends no signals, and the post's own save comes
        # before them.
        with reversion.create_revision(manage_manually=True):
            reversion.set_user(request.user)
            yield

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "<path:object_id>/history/compare/",
                self.admin_site.admin_view(self.compare_view),
                name=f"{prefix}_compare",
            ),
            *super().get_urls(),
        ]

    def _post_or_404(self, request, object_id):
        post = self.get_object(request, unquote(object_id))
        if post is None:
            raise Http404("No such post.")
        return post

    # --- history ----------------------------------------------------------------
    def history_view(self, request, object_id, extra_context=None):
        post = self.get_object(request, unquote(object_id))
        if post is None or not self.has_view_or_change_permission(request, post):
            return super().history_view(request, object_id, extra_context)
        versions = list(
            revisions.versions_of(post)
            .select_related("revision", "revision__user")
            .order_by("-pk")
        )
        may_revert = self.has_change_permission(request, post)
        rows = [
            {
                "version": version,
                "revision": version.revision,
                "url": reverse(
                    f"{self.admin_site.name}:articles_post_revision",
                    args=[quote(post.pk), version.pk],
                )
                if may_revert
                else "",
                "number": len(versions) - index,
                "previous": versions[index + 1].pk if index + 1 < len(versions) else None,
            }
            for index, version in enumerate(versions)
        ]
        context = {
            "action_list": rows,
            "compare_url": reverse(
                f"{self.admin_site.name}:articles_post_compare", args=[quote(post.pk)]
            ),
            "may_revert": may_revert,
            **(extra_context or {}),
        }
        return super().history_view(request, object_id, context)

    def compare_view(self, request, object_id):
        post = self._post_or_404(request, object_id)
        if not self.has_view_or_change_permission(request, post):
            raise PermissionDenied
        history_url = reverse(
            f"{self.admin_site.name}:articles_post_history", args=[quote(post.pk)]
        )
        ids = [parse_version_id(request.GET.get(name)) for name in ("from", "to")]
        found = revisions.snapshots(post, [pk for pk in ids if pk]) if all(ids) else {}
        if len(found) != 2 or ids[0] == ids[1]:
            messages.error(
                request,
                "Choose two different revisions of this post to compare "
                "(one in the “from” column, one in the “to” column).",
            )
            return redirect(history_url)
        older, newer = sorted(found.values(), key=lambda snapshot: snapshot.version.pk)
        may_revert = self.has_change_permission(request, post)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Changes to “{post}”",
            "opts": self.opts,
            "original": post,
            "object": post,
            "older": older,
            "newer": newer,
            "comparison": revisions.Comparison(older, newer),
            "history_url": history_url,
            "revert_url": reverse(
                f"{self.admin_site.name}:articles_post_revision",
                args=[quote(post.pk), older.version.pk],
            )
            if may_revert
            else "",
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/articles/post/compare.html", context)

    # --- reverting --------------------------------------------------------------
    def revision_view(self, request, object_id, version_id, extra_context=None):
        """A revision opened to revert to it: only for those who may change the
        post, and only a version of this very post (not of another post, nor
        of one of its references, whose revision would be reverted too)."""
        post = self._post_or_404(request, object_id)
        if not self.has_change_permission(request, post):
            raise PermissionDenied
        version_pk = parse_version_id(version_id)
        version = (
            None
            if version_pk is None
            else revisions.versions_of(post)
            .filter(pk=version_pk)
            .select_related("revision")
            .first()
        )
        if version is None:
            raise Http404("No such revision of this post.")
        context = {"revision_date": version.revision.date_created, **(extra_context or {})}
        # django-reversion reverts the revision, then calls changeform_view in
        # its transaction, with no hook between: PostAdmin.get_object reads
        # the post before the revert from here (it judges the save from it,
        # and keeps its review, which no revision holds).
        request.post_before_revert = post
        return super().revision_view(request, str(post.pk), version_pk, context)
