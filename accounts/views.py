"""The second step and the person's own factors, in the admin's look.

Thin: the rules are in accounts.factors; the gate is accounts.middleware.
Every page here is never cached, and codes are sensitive POST parameters
(kept out of error reports); django-axes masks them too (AXES_SENSITIVE_PARAMETERS).
"""

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential
from django_otp_webauthn.views import CompleteCredentialRegistrationView

from accounts import factors
from accounts.forms import AddAuthenticatorForm, CodeForm, RenameForm

KINDS = {"app": TOTPDevice, "passkey": WebAuthnCredential}
SESSION_NEW_TOTP = "two_factor_new_totp"


def _context(request, **extra):
    return {**admin.site.each_context(request), **extra}


def _next_url(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("admin:index")


def _staff_only(request):
    if not (request.user.is_authenticated and request.user.is_staff):
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    return None


def _manager_only(request):
    """The person's own factor pages: verified, or enrolling their first factor."""
    refused = _staff_only(request)
    if refused:
        return refused
    if not factors.may_manage(request.user):
        return redirect(f"{reverse('two_factor:verify')}?next={request.path}")
    return None


@never_cache
@sensitive_post_parameters("code")
def verify(request):
    """The second step: a code from the app or a recovery code, or a passkey."""
    refused = _staff_only(request)
    if refused:
        return refused
    user = request.user
    next_url = _next_url(request)
    if user.is_verified():
        return redirect(next_url)
    if not factors.has_factor(user):
        return redirect(f"{reverse('two_factor:factors')}?next={next_url}")
    credentials = {getattr(settings, "AXES_USERNAME_FORM_FIELD", "username"): user.get_username()}
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        if AxesProxyHandler.is_locked(request, credentials):
            logout(request)
            return get_lockout_response(request, None, credentials)
        if form.is_valid():
            device = factors.verify_code(user, form.cleaned_data["code"])
            if device is not None:
                factors.verified(request, device)
                response = redirect(next_url)
                if form.cleaned_data["remember"] and type(device) in factors.PRIMARY_KINDS:
                    factors.remember_browser(response, user, device)
                return response
            factors.count_failure(request, user)
            if getattr(request, "axes_locked_out", False):
                # AxesMiddleware answers with the lockout page.
                logout(request)
            form.add_error("code", "That code is not right, or was used already. Try again.")
    has_passkey = WebAuthnCredential.objects.devices_for_user(user, confirmed=True).exists()
    return render(
        request,
        "accounts/verify.html",
        _context(
            request,
            title="Second step",
            form=form,
            next=next_url,
            has_passkey=has_passkey,
            remember_days=factors.remember_days(),
        ),
    )


@never_cache
def factors_page(request):
    """The person's own factors: kind, name, added, last used; add, rename, remove."""
    refused = _manager_only(request)
    if refused:
        return refused
    user = request.user
    devices = [
        {
            "device": device,
            "kind": factors.kind_of(device),
            "slug": next(slug for slug, model in KINDS.items() if isinstance(device, model)),
            "removable": factors.may_remove(user, device),
        }
        for device in factors.primary_factors(user)
    ]
    return render(
        request,
        "accounts/factors.html",
        _context(
            request,
            title="Two-factor sign-in",
            devices=devices,
            recovery=factors.recovery_codes_of(user),
            required=factors.is_required(),
            next=_next_url(request),
        ),
    )


@never_cache
@sensitive_post_parameters("code")
def add_authenticator(request):
    """Add an authenticator app: scan the code, type the first six digits."""
    refused = _manager_only(request)
    if refused:
        return refused
    user = request.user
    device = None
    device_id = request.session.get(SESSION_NEW_TOTP)
    if device_id:
        device = TOTPDevice.objects.filter(pk=device_id, user=user, confirmed=False).first()
    if device is None:
        device = factors.new_totp_device(user)
        request.session[SESSION_NEW_TOTP] = device.pk
    form = AddAuthenticatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
            if locked.verify_token(form.cleaned_data["code"]):
                locked.name = form.cleaned_data["name"]
                locked.confirmed = True
                locked.save()
                del request.session[SESSION_NEW_TOTP]
                if not user.is_verified():
                    factors.verified(request, locked)
                factors.first_factor_added(request)
                return _after_first_factor(request, f"{locked.name} added.")
        factors.count_failure(request, user)
        form.add_error("code", "That code is not right. Check the phone's clock and try again.")
    return render(
        request,
        "accounts/add_authenticator.html",
        _context(
            request,
            title="Add an authenticator app",
            form=form,
            qr=factors.totp_qr_data_uri(device),
            secret=factors.totp_secret(device),
        ),
    )


def _after_first_factor(request, message):
    messages.success(request, message)
    if factors.recovery_codes_of(request.user) is None:
        return _show_codes(request, factors.make_recovery_codes(request.user))
    return redirect("two_factor:factors")


def _show_codes(request, codes):
    return render(
        request,
        "accounts/recovery_codes.html",
        _context(request, title="Your recovery codes", codes=codes, next=_next_url(request)),
    )


@never_cache
@require_POST
def recovery_codes(request):
    """Make ten new recovery codes (the old ones stop working); shown this once."""
    refused = _manager_only(request)
    if refused:
        return refused
    if not factors.primary_factors(request.user):
        raise PermissionDenied("Add a passkey or an authenticator app first.")
    return _show_codes(request, factors.make_recovery_codes(request.user))


def _own_device(request, kind, pk):
    model = KINDS.get(kind)
    if model is None:
        raise Http404
    device = model.objects.devices_for_user(request.user, confirmed=True).filter(pk=pk).first()
    if device is None:
        raise Http404
    return device


@never_cache
def rename(request, kind, pk):
    refused = _manager_only(request)
    if refused:
        return refused
    device = _own_device(request, kind, pk)
    form = RenameForm(request.POST or None, initial={"name": device.name})
    if request.method == "POST" and form.is_valid():
        device.name = form.cleaned_data["name"]
        device.save(update_fields=["name"])
        messages.success(request, f"Renamed to {device.name}.")
        return redirect("two_factor:factors")
    return render(
        request,
        "accounts/rename.html",
        _context(request, title=f"Rename {device.name}", form=form, device=device),
    )


@never_cache
def remove(request, kind, pk):
    refused = _manager_only(request)
    if refused:
        return refused
    device = _own_device(request, kind, pk)
    if not factors.may_remove(request.user, device):
        messages.error(
            request,
            "This is your last passkey or authenticator app, and staff must have one: "
            "add another before removing it.",
        )
        return redirect("two_factor:factors")
    if request.method == "POST":
        factors.remove_factor(request, device)
        messages.success(request, f"{device.name} removed; your other sessions were signed out.")
        return redirect("two_factor:factors")
    return render(
        request,
        "accounts/remove.html",
        _context(request, title=f"Remove {device.name}", device=device),
    )


class CompletePasskeyRegistration(CompleteCredentialRegistrationView):
    """django-otp-webauthn's last registration step, then the same bookkeeping
    as an authenticator app's: a first factor ends password-only sessions elsewhere."""

    def post(self, *args, **kwargs):
        response = super().post(*args, **kwargs)
        if response.status_code == 200:
            factors.first_factor_added(self.request)
        return response
