"""Forms of the workshop pages: they check the shape of what was sent; the services decide."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from quiz.models import Question
from workshops import codes
from workshops.services import TIME_LIMITS


class WorkshopForm(forms.Form):
    MODES = [("all", "All questions of the bank"), ("section", "One section"), ("pick", "Questions I pick")]

    title = forms.CharField(max_length=200, required=False, help_text="Shown on the projector; default: the bank's.")
    mode = forms.ChoiceField(choices=MODES, initial="all", widget=forms.RadioSelect, label="Questions")
    section = forms.ChoiceField(required=False, choices=())
    picked = forms.MultipleChoiceField(required=False, choices=(), widget=forms.CheckboxSelectMultiple)
    time_limit = forms.IntegerField(
        required=False,
        min_value=TIME_LIMITS[0],
        max_value=TIME_LIMITS[1],
        label="Timer per question (seconds)",
        help_text="Empty: no timer, you close each question yourself. You can change it for each question.",
    )
    speed_bonus = forms.BooleanField(
        required=False,
        label="Speed bonus",
        help_text="A fast answer adds up to half of its own score (a perfect answer sent at once earns 150).",
    )
    teams = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional: team names separated by commas; participants pick one when they join.",
    )

    def __init__(self, *args: Any, questions: Sequence[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sections = dict.fromkeys((q.section_slug, q.section) for q in questions)
        self.fields["section"].choices = list(sections)
        self.fields["picked"].choices = [(q.qid, f"{q.qid} {q.title}") for q in questions]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("mode") == "section" and not data.get("section"):
            self.add_error("section", "Choose a section.")
        if data.get("mode") == "pick" and not data.get("picked"):
            self.add_error("picked", "Tick at least one question.")
        return data


class CodeForm(forms.Form):
    code = forms.CharField(
        max_length=20,
        label="Workshop code",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false", "inputmode": "text"}
        ),
    )

    def clean_code(self) -> str:
        try:
            return codes.clean_code(self.cleaned_data["code"])
        except codes.CodeError as exc:
            raise forms.ValidationError(str(exc)) from None


class JoinForm(forms.Form):
    nickname = forms.CharField(
        max_length=200,  # the service trims first, then allows 24; a longer paste gets its own clear message
        widget=forms.TextInput(attrs={"autocomplete": "nickname", "spellcheck": "false", "maxlength": 40}),
    )
    team = forms.ChoiceField(required=False, choices=())

    def __init__(self, *args: Any, teams: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if teams:
            self.fields["team"].choices = [("", "Choose your team"), *((t, t) for t in teams)]
            self.fields["team"].required = True
        else:
            del self.fields["team"]


class OpenForm(forms.Form):
    time_limit = forms.IntegerField(required=False, min_value=TIME_LIMITS[0], max_value=TIME_LIMITS[1])
    item = forms.IntegerField(required=False, min_value=1)
    version = forms.IntegerField(required=False, min_value=1)
