"""The methods a page takes, and the 405 for the others.

A read-only page answers GET and HEAD. Any other method (POST, PUT, DELETE...)
is answered "405 Method Not Allowed" with the ``Allow`` header naming the
methods it does take (RFC 9110), on the site's page (templates/405.html).

Which methods a view takes is read from the view itself: a class-based view
says it with its handlers (``get``, ``post``...), a function or any other
callable (a feed) with ``allow("GET", "HEAD")``, which marks it and refuses
the rest. ``AllowedMethodsMiddleware`` asks before the CSRF check runs:
without it, a POST to a read-only page was refused by that check ("403 Not
allowed") before the view could say 405. It also gives the site's page to a
bare 405 from elsewhere (Django's ``require_POST``).
"""

import functools

from django.shortcuts import render

SAFE = ("GET", "HEAD")


def not_allowed(request, methods):
    """The site's 405 page, naming ``methods`` in its Allow header."""
    methods = tuple(methods)
    response = render(request, "405.html", {"allowed": methods}, status=405)
    response["Allow"] = ", ".join(methods)
    return response


def allow(*methods):
    """Decorate a view (a function, or any callable such as a ``Feed``) that
    takes only ``methods``: the others get ``not_allowed``."""
    methods = tuple(method.upper() for method in methods)

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method not in methods:
                return not_allowed(request, methods)
            return view(request, *args, **kwargs)

        wrapped.allowed_methods = methods
        return wrapped

    return decorator


def allowed_methods(view):
    """The methods ``view`` takes, or None when it does not say."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:  # View.as_view(): the handlers it has
        names = [name for name in view_class.http_method_names if hasattr(view_class, name)]
        if "get" in names and "head" not in names:
            names.append("head")  # View.setup answers HEAD with get()
        order = {name: index for index, name in enumerate(view_class.http_method_names)}
        return tuple(name.upper() for name in sorted(names, key=order.get))
    return getattr(view, "allowed_methods", None)


class AllowedMethodsMiddleware:
    """A method the view does not take: the 405, before the CSRF check.

    Placed before ``CsrfViewMiddleware`` (its ``process_view`` runs first)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.streaming and not response.content:
            # Django's own bare answer (require_POST, View.http_method_not_allowed).
            allowed = [m.strip() for m in response.get("Allow", "").split(",") if m.strip()]
            return not_allowed(request, allowed)
        return response

    def process_view(self, request, view, args, kwargs):
        allowed = allowed_methods(view)
        if allowed is not None and request.method not in allowed:
            return not_allowed(request, allowed)
        return None
