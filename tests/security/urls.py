"""The site's URLs plus one view that fails, to see what a 500 shows."""

from django.urls import path

from glutablog.urls import urlpatterns as site_urlpatterns

SECRET_IN_EXCEPTION = "db-password-hunter2-in-the-exception"


def broken(request):
    raise RuntimeError(f"connection to postgres://admin:{SECRET_IN_EXCEPTION}@db failed")


urlpatterns = [*site_urlpatterns, path("__broken__/", broken)]
