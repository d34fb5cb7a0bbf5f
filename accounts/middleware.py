"""One gate for the second step (docs/security.md#two-factor-sign-in).

A staff member who must give a second factor (accounts.factors.must_verify)
and has given only a password reaches the second step and nothing else: every
other address of the site (every admin page, its JSON endpoints, the preview
and import pages, drafts shown to staff on the public site) answers a GET or
HEAD with a redirect to the second step, or to enrolment when they have no
factor yet, and any other method with 403. Only the two-factor pages
themselves, the passkey ceremonies and the admin's log in and log out pass.

A browser remembered for STAFF_TWO_FACTOR_REMEMBER_DAYS (accounts.factors)
is verified here with the device it was remembered for.

Installed after django-otp's OTPMiddleware, which tells whether the session
was verified with a device that still exists.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode

from accounts import factors

OPEN_NAMESPACES = {"two_factor", "otp_webauthn"}
OPEN_VIEWS = {"admin:login", "admin:logout"}


def is_open(path):
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return bool(OPEN_NAMESPACES & set(match.namespaces)) or match.view_name in OPEN_VIEWS


class StaffTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return self.get_response(request)  # no one signed in: leave the session unread
        user = getattr(request, "user", None)
        if user is None or not factors.must_verify(user, request.session):
            return self.get_response(request)
        device = factors.remembered_device(request, user)
        if device is not None:
            factors.verified(request, device)
        elif not is_open(request.path_info):
            if request.method not in ("GET", "HEAD"):
                raise PermissionDenied("Give your second factor first.")
            step = "two_factor:verify" if factors.has_factor(user) else "two_factor:factors"
            return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
