"""``{% load topics %}{% main_topics as topics %}``: the main topics' links
(``title``, ``url``) for the navigation, in the editors' order
(articles.navigation: cached, one reading per request)."""

from django import template

from .. import navigation

register = template.Library()


@register.simple_tag(takes_context=True)
def main_topics(context):
    return navigation.main_topics(context.get("request"))
