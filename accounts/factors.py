"""The rules of the second step, in one place (docs/security.md#two-factor-sign-in).

Views, the middleware and the admin call these; none decides on its own who
must give a second factor, what counts as one or what a reset does.
"""

import base64

import segno
from axes.utils import reset as reset_axes_attempts
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.signals import user_login_failed
from django.contrib.sessions.backends.base import SessionBase
from django.core import signing
from django.db import transaction
from django.utils.crypto import constant_time_compare
from django.utils.module_loading import import_string
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts.models import RecoveryCodes, StaffSession
from core.client_ip import client_ip

REQUIRED = "required"
OPTIONAL = "optional"
POLICIES = (REQUIRED, OPTIONAL)

# The factors a person signs in with; recovery codes only stand in for them.
PRIMARY_KINDS = (TOTPDevice, WebAuthnCredential)
KIND_NAMES = {
    TOTPDevice: "Authenticator app",
    WebAuthnCredential: "Passkey",
    RecoveryCodes: "Recovery codes",
}


def policy():
    return settings.STAFF_TWO_FACTOR


def is_required():
    return policy() == REQUIRED


def has_factor(user):
    """Has the person a confirmed passkey or authenticator app?"""
    return any(
        model.objects.devices_for_user(user, confirmed=True).exists() for model in PRIMARY_KINDS
    )


# Whether the person had a factor when this session signed in (set at sign-in
# and whenever this session adds or removes one): with STAFF_TWO_FACTOR
# optional, a password-only session then costs no query per request. Adding a
# first factor ends the person's other sessions, so none keeps a stale answer.
ENROLLED_KEY = "two_factor_enrolled"


def must_verify(user, session=None):
    """Must this signed-in person pass the second step before anything else?

    Staff only. With STAFF_TWO_FACTOR=required always (enrolling first when
    they have no factor yet); with optional, only those who enrolled.
    """
    if not (user.is_authenticated and user.is_staff):
        return False
    if user.is_verified():
        return False
    if is_required():
        return True
    if session is None:
        return user_has_device(user)
    if ENROLLED_KEY not in session:
        session[ENROLLED_KEY] = user_has_device(user)
    return session[ENROLLED_KEY]


def note_enrolment(request, user=None):
    """This session signed in, or added or removed a factor: remember whether
    the person has any."""
    request.session[ENROLLED_KEY] = user_has_device(user or request.user)


def first_factor_added(request):
    """A first factor was just added: sessions that signed in with the password
    alone before it (elsewhere) end, and this one knows it is enrolled."""
    note_enrolment(request)
    if len(primary_factors(request.user)) == 1:
        end_sessions(request.user, keep=request.session.session_key)


def may_manage(user):
    """May this session add, rename or remove factors? Verified, or with none
    yet (enrolment): a session that passed only the password step of an
    enrolled person cannot add a factor."""
    return user.is_authenticated and user.is_staff and (user.is_verified() or not has_factor(user))


def primary_factors(user):
    return [
        device
        for device in devices_for_user(user, confirmed=True)
        if type(device) in PRIMARY_KINDS
    ]


def kind_of(device):
    return KIND_NAMES.get(type(device), type(device)._meta.verbose_name)


def recovery_codes_of(user):
    return RecoveryCodes.objects.devices_for_user(user, confirmed=True).first()


def make_recovery_codes(user):
    """Replace the person's recovery codes with ten new ones; returns them (shown once)."""
    device = recovery_codes_of(user)
    if device is None:
        device = RecoveryCodes.objects.create(user=user, name="Recovery codes", confirmed=True)
    return device.replace_codes()


def may_remove(user, device):
    """A factor may go unless it is the last one while factors are required."""
    if type(device) not in PRIMARY_KINDS:
        return False
    return not is_required() or len(primary_factors(user)) > 1


def remove_factor(request, device):
    """Remove one of the signed-in person's own factors, and end their other sessions."""
    user = request.user
    with transaction.atomic():
        device.delete()
        if not primary_factors(user):
            RecoveryCodes.objects.filter(user=user).delete()
    note_enrolment(request)
    end_sessions(user, keep=request.session.session_key)


def reset_factors(user, *, by):
    """An administrator's reset: every factor of ``user`` goes, a line goes into
    the admin's history and every session of theirs ends. They enrol afresh
    after their next password step."""
    with transaction.atomic():
        for device in list(devices_for_user(user, confirmed=None)):
            device.delete()
        LogEntry.objects.log_actions(
            user_id=by.pk,
            queryset=[user],
            action_flag=CHANGE,
            change_message="Reset two-factor sign-in: every passkey, authenticator app and "
            "recovery code removed; signed out everywhere.",
            single_object=True,
        )
    end_sessions(user)


def end_sessions(user, keep=None):
    """End every session ``user`` signed in with, except ``keep`` (a session key)."""
    engine = import_string(settings.SESSION_ENGINE + ".SessionStore")
    for record in StaffSession.objects.filter(user=user).exclude(session_key=keep or ""):
        store: SessionBase = engine(session_key=record.session_key)
        store.delete(record.session_key)
        record.delete()


def record_session(request, user):
    """Note the session ``user`` signed in with; forget their sessions that ended."""
    if request is not None and getattr(request, "session", None) is not None:
        key = request.session.session_key
        if key:
            StaffSession.objects.update_or_create(session_key=key, defaults={"user": user})
        store = import_string(settings.SESSION_ENGINE + ".SessionStore")()
        for record in StaffSession.objects.filter(user=user).exclude(session_key=key or ""):
            if not store.exists(record.session_key):
                record.delete()


def forget_session(request):
    if request is not None and getattr(request, "session", None) is not None:
        key = request.session.session_key
        if key:
            StaffSession.objects.filter(session_key=key).delete()


def password_is_enough(user):
    """Does a password alone sign this person in (no second step to come)?"""
    return not (user.is_staff and (is_required() or user_has_device(user)))


def signed_in_fully(request, user):
    """The person passed every step they need: django-axes' count of wrong
    passwords and codes for their name from this client starts again. Only
    then: a correct password alone must not wipe the wrong codes that followed
    it (AXES_RESET_ON_SUCCESS is off), or whoever has the password could guess
    codes for ever, a few between sign-ins."""
    reset_axes_attempts(ip=client_ip(request), username=user.get_username())


def verified(request, device):
    """This session passed the second step with ``device`` (django-otp's login)."""
    otp_login(request, device)
    signed_in_fully(request, request.user)


def count_failure(request, user):
    """A wrong code counts towards the same lockout as a wrong password (django-axes),
    for this user name and this client. The code itself is never passed on."""
    user_login_failed.send(
        sender=__name__,
        credentials={
            getattr(settings, "AXES_USERNAME_FORM_FIELD", "username"): user.get_username()
        },
        request=request,
    )


def verify_code(user, code):
    """The device of ``user`` that takes ``code`` (an app's digits, or a recovery
    code), or None. Each device is locked while it checks (no code counts
    twice, even from two requests at once) and throttles its own failures."""
    code = "".join(str(code).split())
    model = TOTPDevice if code.isdigit() else RecoveryCodes
    with transaction.atomic():
        for device in model.objects.devices_for_user(user, confirmed=True).select_for_update():
            if device.verify_token(code):
                return device
    return None


def new_totp_device(user):
    """An authenticator app being added: unconfirmed until its first code."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def totp_secret(device):
    return base64.b32encode(device.bin_key).decode()


def totp_qr_data_uri(device):
    """The device's otpauth:// address as an SVG QR code in a data: URI (the
    site's CSP allows data: images; no script draws it)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


# --- remembered browsers -----------------------------------------------------
# With STAFF_TWO_FACTOR_REMEMBER_DAYS, a browser that gave a code may skip the
# second step for that many days: a signed cookie names the user, the device
# that verified them and their session auth hash (an HMAC of their password
# hash). A password change, a removed device or a reset ends it.

REMEMBER_COOKIE = "staff_second_step"
REMEMBER_SALT = "accounts.remembered-browser"


def remember_days():
    return settings.STAFF_TWO_FACTOR_REMEMBER_DAYS


def remember_browser(response, user, device):
    days = remember_days()
    if days <= 0:
        return
    value = signing.dumps(
        {"user": user.pk, "device": device.persistent_id, "auth": user.get_session_auth_hash()},
        salt=REMEMBER_SALT,
        compress=True,
    )
    response.set_cookie(
        REMEMBER_COOKIE,
        value,
        max_age=days * 24 * 3600,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def remembered_device(request, user):
    """The device a remembered browser verified ``user`` with, or None."""
    days = remember_days()
    value = request.COOKIES.get(REMEMBER_COOKIE)
    if days <= 0 or not value:
        return None
    try:
        data = signing.loads(value, salt=REMEMBER_SALT, max_age=days * 24 * 3600)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("user") != user.pk:
        return None
    if not constant_time_compare(str(data.get("auth", "")), user.get_session_auth_hash()):
        return None
    device = Device.from_persistent_id(str(data.get("device", "")))
    if device is None or device.user_id != user.pk or not device.confirmed:
        return None
    if type(device) not in PRIMARY_KINDS:
        return None
    return device
