"""Sessions are recorded at sign-in so that a reset or a removed factor can end them."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from accounts import factors


@receiver(user_logged_in, dispatch_uid="accounts.record_session")
def _record_session(sender, request, user, **kwargs):
    if user.is_staff:
        factors.record_session(request, user)
        if request is not None and getattr(request, "session", None) is not None:
            factors.note_enrolment(request, user)
            if factors.password_is_enough(user):
                factors.signed_in_fully(request, user)


@receiver(user_logged_out, dispatch_uid="accounts.forget_session")
def _forget_session(sender, request, user, **kwargs):
    factors.forget_session(request)
