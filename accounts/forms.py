from django import forms


class CodeForm(forms.Form):
    """A code from an authenticator app or a recovery code."""

    code = forms.CharField(
        label="Code",
        max_length=40,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}
        ),
        help_text="The six digits your authenticator app shows, or one of your recovery codes.",
    )
    remember = forms.BooleanField(label="Remember this browser", required=False)


class AddAuthenticatorForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=64,
        initial="Authenticator app",
        help_text="Say which phone or app.",
    )
    code = forms.CharField(
        label="Code from the app",
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class RenameForm(forms.Form):
    name = forms.CharField(label="Name", max_length=64)
