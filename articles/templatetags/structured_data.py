"""``{% load structured_data %}{% post_json_ld post %}``: a public post's JSON-LD
(articles.structured_data); nothing for a draft or a scheduled post."""

from django import template

from .. import structured_data

register = template.Library()


@register.simple_tag(takes_context=True)
def post_json_ld(context, post):
    if not post.is_public:
        return ""
    return structured_data.script(structured_data.post_json_ld(post, context.get("request")))
