"""Mounted at admin/two-factor/ by the project (glutablog/urls.py)."""

from django.urls import path

from accounts import views

app_name = "two_factor"

urlpatterns = [
    path("", views.factors_page, name="factors"),
    path("verify/", views.verify, name="verify"),
    path("app/add/", views.add_authenticator, name="add_authenticator"),
    path("recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("<slug:kind>/<int:pk>/rename/", views.rename, name="rename"),
    path("<slug:kind>/<int:pk>/remove/", views.remove, name="remove"),
    # Takes the place of django-otp-webauthn's own (same address, which the
    # project mounts after this): a first passkey ends password-only sessions.
    path(
        "passkeys/registration/complete/",
        views.CompletePasskeyRegistration.as_view(),
        name="passkey_registration_complete",
    ),
]
