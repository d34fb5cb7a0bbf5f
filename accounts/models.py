"""What the second step of a staff sign-in needs besides django-otp's own devices.

- ``RecoveryCodes``: ten single-use codes, a django-otp device of our own
  because django-otp's static tokens are stored as they are: we keep only a
  SHA-256 digest of each (the codes are random, 80 bits each, so a digest
  cannot be reversed by guessing), and show the codes once, when made.
- ``StaffSession``: the sessions a person signed in with, so a reset or a
  removed factor can end them whatever the session engine.
"""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models, transaction
from django.utils import timezone
from django_otp.models import Device, ThrottlingMixin, TimestampMixin

RECOVERY_CODE_COUNT = 10
# Crockford-like alphabet without 0/O and 1/I/L: read off paper without doubt.
RECOVERY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RECOVERY_CODE_LENGTH = 16


def normalise_recovery_code(code):
    """A code as typed (any case, spaces or dashes between groups) as generated."""
    return "".join(ch for ch in str(code).upper() if ch.isalnum())


def recovery_digest(code):
    return hashlib.sha256(normalise_recovery_code(code).encode()).hexdigest()


def new_recovery_code():
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, RECOVERY_CODE_LENGTH, 4))


class RecoveryCodes(TimestampMixin, ThrottlingMixin, Device):
    """A person's set of recovery codes: each one works once."""

    class Meta(Device.Meta):
        verbose_name = "recovery codes"
        verbose_name_plural = "recovery codes"

    def get_throttle_factor(self):
        return getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1)

    def remaining(self):
        return self.codes.filter(used_at__isnull=True).count()

    def replace_codes(self):
        """Forget every code and make ten new ones; the codes themselves are
        returned here only, for the person to write down."""
        codes = [new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
        with transaction.atomic():
            self.codes.all().delete()
            RecoveryCode.objects.bulk_create(
                RecoveryCode(device=self, digest=recovery_digest(code)) for code in codes
            )
        return codes

    def verify_token(self, token):
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        normalised = normalise_recovery_code(token)
        used = 0
        if len(normalised) == RECOVERY_CODE_LENGTH:
            used = self.codes.filter(
                digest=recovery_digest(normalised), used_at__isnull=True
            ).update(used_at=timezone.now())
        if used:
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save()
            return True
        self.throttle_increment(commit=True)
        return False


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodes, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64, db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return "used recovery code" if self.used_at else "recovery code"


class StaffSession(models.Model):
    """A session a person signed in with (recorded at sign-in)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    started_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"session of {self.user_id} from {self.started_at:%Y-%m-%d %H:%M}"


class StaffMember(User):
    """Staff as the two-factor admin page lists them (a proxy: no table)."""

    class Meta:
        proxy = True
        verbose_name = "two-factor sign-in"
        verbose_name_plural = "two-factor sign-in"
