"""``{% load review_admin %}{% review_notice %}`` for the admin's front page:
what waits for this person in the medical review."""

from django import template
from django.urls import reverse

from ..models import REVIEW_PERMISSION, Post, Reviewer, ReviewState, review_months, review_required

register = template.Library()


@register.inclusion_tag("articles/admin/review_notice.html", takes_context=True)
def review_notice(context):
    """Published posts due for review (editors and reviewers); with
    MEDICAL_REVIEW_REQUIRED, posts awaiting review (reviewers: those submitted
    to them first) and posts sent back (editors). A few COUNTs."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not (
        user.has_perm("articles.change_post") or user.has_perm(REVIEW_PERMISSION)
    ):
        return {"lines": []}  # moderators: nothing to do here
    changelist = reverse("admin:articles_post_changelist")
    lines = []
    if review_required():
        if user.has_perm(REVIEW_PERMISSION):
            profile = Reviewer.objects.filter(user=user).first()
            if profile is not None:
                mine = Post.objects.filter(
                    review_state=ReviewState.SUBMITTED, reviewer=profile
                ).count()
                lines.append(
                    (
                        mine,
                        f"{mine} post{'s' if mine != 1 else ''} submitted to you for review",
                        f"{changelist}?review=submitted&reviewer__id__exact={profile.pk}",
                    )
                )
            waiting = Post.objects.filter(review_state=ReviewState.SUBMITTED).count()
            lines.append(
                (
                    waiting,
                    f"{waiting} post{'s' if waiting != 1 else ''} awaiting medical review",
                    f"{changelist}?review=submitted",
                )
            )
        if user.has_perm("articles.change_post"):
            returned = Post.objects.filter(review_state=ReviewState.RETURNED).count()
            lines.append(
                (
                    returned,
                    f"{returned} post{'s' if returned != 1 else ''} sent back by a reviewer",
                    f"{changelist}?review=returned",
                )
            )
    due = Post.objects.published().review_due().count()
    lines.append(
        (
            due,
            f"{due} published post{'s' if due != 1 else ''} due for medical review "
            f"(never reviewed, or over {review_months()} months ago)",
            f"{changelist}?review=due&status__exact=published",
        )
    )
    return {"lines": lines}
