// The two-factor pages (accounts/): when django-otp-webauthn has added a
// passkey, show the factors page again (the new passkey, the recovery codes).
document.addEventListener("otp_webauthn.register_complete", () => {
  window.location.assign(window.location.pathname);
});
