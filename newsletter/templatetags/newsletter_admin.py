"""``{% load newsletter_admin %}{% newsletter_notice %}`` for the admin index:
the number of active subscribers and the last post sent, for those who may
follow mailings (editors, administrators). Counts only: no address."""

from django import template
from django.urls import reverse

from ..models import Mailing, Subscriber

register = template.Library()


@register.inclusion_tag("newsletter/admin/notice.html", takes_context=True)
def newsletter_notice(context):
    request = context.get("request")
    if request is None or not request.user.has_perm("newsletter.view_mailing"):
        return {"show": False}
    return {
        "show": True,
        "active": Subscriber.objects.active().count(),
        "last": Mailing.objects.last(),
        "url": reverse("admin:newsletter_mailing_changelist"),
    }
