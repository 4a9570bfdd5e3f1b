from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model, password_validation
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .selectors import organisations_invitable_by

User = get_user_model()


class EmailAuthenticationForm(auth_forms.AuthenticationForm):
    """Sign in with an email address; the address is compared in lower case, as it is stored."""

    username = forms.CharField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": _("Please enter a correct email address and password."),
        "inactive": _("This account is inactive."),
    }

    def clean_username(self):
        return self.cleaned_data["username"].strip().lower()


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Send the reset link in the language the person chose in their profile."""

    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        with translation.override(getattr(context.get("user"), "preferred_language", None) or settings.LANGUAGE_CODE):
            super().send_mail(subject_template_name, email_template_name, context, from_email, to_email,
                              html_email_template_name=html_email_template_name)


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "preferred_language"]
        widgets = {"full_name": forms.TextInput(attrs={"autocomplete": "name"})}


class InvitationForm(forms.Form):
    """Invite a partner representative for one of the organisations the inviter may invite for."""

    email = forms.EmailField(label=_("Email"), max_length=254)
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=None,
        error_messages={"invalid_choice": _("Choose one of the organisations in your partnerships.")},
    )
    language = forms.ChoiceField(
        label=_("Language of the invitation"),
        choices=settings.LANGUAGES,
        initial="id",
        help_text=_("The email and the new account use this language."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["organisation"].queryset = organisations_invitable_by(user)

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        email, organisation = cleaned.get("email"), cleaned.get("organisation")
        if email and organisation and organisation.representatives.filter(email__iexact=email).exists():
            self.add_error("email", _("This person already represents %(organisation)s.") % {"organisation": organisation})
        return cleaned


class InvitationAcceptForm(forms.Form):
    """Choose a full name and a password for the invited person's new account."""

    full_name = forms.CharField(label=_("Full name"), max_length=200,
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password confirmation"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, invitation, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation
        self.fields["full_name"].initial = invitation.full_name

    def clean_password2(self):
        password1 = self.cleaned_data.get("password1")
        password2 = self.cleaned_data.get("password2")
        if password1 and password2 and password1 != password2:
            raise forms.ValidationError(_("The two password fields didn't match."), code="password_mismatch")
        return password2

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password2")
        if password:
            provisional = User(email=self.invitation.email, full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(password, provisional)
            except forms.ValidationError as error:
                self.add_error("password2", error)
        return cleaned


class ConfirmForm(forms.Form):
    """An empty form: a POST that only confirms an action."""
