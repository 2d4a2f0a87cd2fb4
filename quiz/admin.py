"""Admin: edit questions (as YAML, checked like the bank files), look at attempts and review cards."""

from typing import Any

import yaml
from django import forms
from django.contrib import admin
from django.db.models import Count
from django.http import HttpRequest

from quiz.banks import check_question
from quiz.models import Attempt, Bank, Card, Question
from quiz.services import question_data_save


@admin.register(Bank)
class BankAdmin(admin.ModelAdmin):
    list_display = ("slug", "title", "question_count", "source", "updated_at")
    readonly_fields = ("slug", "source", "updated_at")

    def get_queryset(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).annotate(question_count=Count("questions"))

    @admin.display(description="Questions", ordering="question_count")
    def question_count(self, bank: Any) -> int:
        return bank.question_count


class QuestionForm(forms.ModelForm):
    text = forms.CharField(
        label="Question (YAML)",
        widget=forms.Textarea(attrs={"rows": 40, "cols": 120, "style": "font-family: monospace"}),
        help_text=(
            "The question exactly as in its bank file (quiz-format.md). It is checked before saving. "
            "load_content keeps this edit until the question changes in its file (or runs with --force)."
        ),
    )

    class Meta:
        model = Question
        fields = ("retired",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["text"].initial = yaml.safe_dump(
                self.instance.data, sort_keys=False, allow_unicode=True, width=110
            )

    def clean_text(self) -> dict[str, Any]:
        try:
            data = yaml.safe_load(self.cleaned_data["text"])
        except yaml.YAMLError as exc:
            raise forms.ValidationError(f"Not valid YAML: {exc}") from None
        problems = check_question(data)
        if not problems and self.instance.pk and data["id"] != self.instance.qid:
            problems.append(f"id: is {self.instance.qid!r}; a question's id cannot change (attempts refer to it)")
        if problems:
            raise forms.ValidationError(problems)
        return data


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = QuestionForm
    list_display = ("qid", "title", "bank", "section", "retired", "updated_at")
    list_filter = ("bank", "section", "retired")
    search_fields = ("qid", "title", "section")
    readonly_fields = ("qid", "bank", "section", "title", "position", "updated_at")
    fields = ("qid", "bank", "section", "title", "position", "retired", "text", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # questions come from bank files (load_content) or Moodle XML (import_bank)

    def save_model(self, request: HttpRequest, obj: Question, form: Any, change: bool) -> None:
        obj.retired = form.cleaned_data["retired"]
        question_data_save(question=obj, data=form.cleaned_data["text"])


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ("question", "score", "user", "session_key", "created_at")
    list_filter = ("question__bank",)
    search_fields = ("question__qid", "user__username")
    readonly_fields = ("question", "user", "session_key", "score", "responses", "grade", "created_at")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Card)
class CardAdmin(admin.ModelAdmin):
    list_display = ("question", "part_id", "concept_id", "user", "due", "reviews", "lapses")
    list_filter = ("question__bank",)
    search_fields = ("question__qid", "concept_id", "user__username")
    readonly_fields = [f.name for f in Card._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
