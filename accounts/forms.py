from django import forms
from django.contrib.auth.forms import UserCreationForm

from accounts.models import Membership


class SignUpForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = ("username", "email")
        help_texts = {"email": "Optional. Needed only to reset your password by e-mail."}


class TeamForm(forms.Form):
    name = forms.CharField(max_length=100, label="Team name")

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the team a name.")
        return name


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)
