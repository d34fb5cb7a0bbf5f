from django.conf import settings


def site(request):
    return {
        "blog_title": settings.BLOG_TITLE,
        "blog_description": settings.BLOG_DESCRIPTION,
        "site_url": settings.SITE_URL,
    }
