"""``{% load pages %}{% site_menus as menus %}``: the navigation and footer links.

``menus.navigation`` and ``menus.footer`` are lists of links (``title``,
``url``) in the editors' order; ``menus.privacy_policy`` is the privacy
policy's link or None. One reading per request, shared by the header, the
footer and the comment form (pages.menus).
"""

from django import template

from .. import menus

register = template.Library()


@register.simple_tag(takes_context=True)
def site_menus(context):
    return menus.site_menus(context.get("request"))
