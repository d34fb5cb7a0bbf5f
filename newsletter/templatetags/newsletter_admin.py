"""The newsletter in other apps' admin pages.

``{% load newsletter_admin %}{% newsletter_notice %}`` for the admin index:
the number of active subscribers and the last post sent, for those who may
follow mailings (editors, administrators). Counts only: no address.

``{% newsletter_post_tools original %}`` on a post's change page (its
``newsletter_tools`` block, templates/admin/articles/post/change_form.html):
the links to the post's email (preview, plain text, a test to me) for those
who may change the post, and "Send again…" once it was sent, for those who
may change mailings (newsletter.admin).
"""

from django import template
from django.contrib import admin
from django.urls import reverse

from articles.models import Post

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


@register.inclusion_tag("newsletter/admin/post_tools.html", takes_context=True)
def newsletter_post_tools(context, post):
    request = context.get("request")
    if request is None or post is None or post.pk is None:
        return {}
    site = admin.site

    def url(name, pk):
        return reverse(f"{site.name}:newsletter_mailing_{name}", args=[pk])

    tools = {}
    if site.get_model_admin(Post).has_change_permission(request, post):
        tools = {
            "may_preview": True,
            "preview_url": url("preview", post.pk),
            "text_url": url("preview_text", post.pk),
            "test_url": url("send_test", post.pk),
        }
    mailing = Mailing.objects.filter(post=post).first()
    if mailing is not None and site.get_model_admin(Mailing).has_change_permission(
        request, mailing
    ):
        tools["again_url"] = url("send_again", mailing.pk)
    return tools
