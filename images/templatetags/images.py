from django import template

register = template.Library()


@register.simple_tag
def responsive_image(image, loading=None, **attributes):
    """``{% responsive_image post.featured_image loading="lazy" class="…" %}``:
    an <img> with srcset, sizes, width, height and alt, from the row alone."""
    if image is None:
        return ""
    return image.img_tag(loading=loading, **attributes)
