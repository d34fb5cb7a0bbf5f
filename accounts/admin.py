"""Administrators see who has which kind of factor and reset a person's factors.

django-otp's and django-otp-webauthn's own admin pages (which show a TOTP
secret and would let anyone who may change devices add one for someone
else) are taken off the site: factors are added by their owner only, on the
two-factor pages, and removed by their owner or by a reset here.
"""

from django.contrib import admin, messages
from django.db.models import Count, Exists, OuterRef, Subquery
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnAttestation, WebAuthnCredential

from accounts import factors
from accounts.models import RecoveryCode, StaffMember

for _model in (TOTPDevice, WebAuthnCredential, WebAuthnAttestation):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


def _has(model):
    return Exists(model.objects.filter(user=OuterRef("pk"), confirmed=True))


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ["username", "full_name", "has_passkey", "has_app", "recovery_left"]
    search_fields = ["username", "first_name", "last_name", "email"]
    actions = ["reset_factors"]
    ordering = ["username"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(is_staff=True)
            .annotate(
                passkey_present=_has(WebAuthnCredential),
                app_present=_has(TOTPDevice),
                recovery_remaining=Subquery(
                    RecoveryCode.objects.filter(device__user=OuterRef("pk"), used_at__isnull=True)
                    .values("device__user")
                    .annotate(total=Count("pk"))
                    .values("total")[:1]
                ),
            )
        )

    @admin.display(description="Name", ordering="last_name")
    def full_name(self, obj):
        return obj.get_full_name()

    @admin.display(description="Passkey", boolean=True, ordering="passkey_present")
    def has_passkey(self, obj):
        return obj.passkey_present

    @admin.display(description="Authenticator app", boolean=True, ordering="app_present")
    def has_app(self, obj):
        return obj.app_present

    @admin.display(description="Recovery codes left")
    def recovery_left(self, obj):
        return obj.recovery_remaining if obj.recovery_remaining is not None else "—"

    @admin.action(description="Reset two-factor sign-in (remove every factor, sign out)")
    def reset_factors(self, request, queryset):
        count = 0
        for user in queryset:
            factors.reset_factors(user, by=request.user)
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d person's factors were reset and their sessions ended.",
                "%(count)d people's factors were reset and their sessions ended.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    # Who may reset: those who may manage users (Administrators, superusers).
    def has_module_permission(self, request):
        return request.user.has_perm("auth.change_user")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("auth.change_user")

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("auth.change_user")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return ["username", "first_name", "last_name", "email", "last_login"]

    fields = ["username", "first_name", "last_name", "email", "last_login"]
