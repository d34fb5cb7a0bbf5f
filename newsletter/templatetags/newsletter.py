"""``{% load newsletter %}{% subscribe_form post %}``: the subscribe form.

At the end of a post it offers that post's topics; in the footer
(``{% subscribe_form place="footer" %}``) it takes the address alone (every
post). The form is part of pages the page cache shares between readers, so
it holds nothing personal and no token; its consent line links to the
site's privacy policy through core.site_links (whose provider changes the
site-wide stamp when the policy changes).
"""

from django import template

from core import site_links

from ..forms import SubscribeForm

register = template.Library()


@register.inclusion_tag("newsletter/form.html", takes_context=True)
def subscribe_form(context, post=None, place="page"):
    request = context.get("request")
    topics = list(post.topics.all()) if post is not None else []
    form = SubscribeForm(
        place=place,
        topics=topics,
        privacy_policy=site_links.find(site_links.PRIVACY_POLICY, request),
    )
    return {"form": form, "place": place, "with_topics": bool(topics)}
