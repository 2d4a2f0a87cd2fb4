"""Input shapes of the review pages; the services decide what is allowed."""

from django import forms

from designer.models import Share
from reviews.models import ChecklistItem, Reviewer

ROLE_CHOICES = Share.Role.choices


class CommentForm(forms.Form):
    body = forms.CharField(max_length=20_000, required=False)  # the service says what is wrong, in words
    element = forms.CharField(max_length=64, required=False)
    version = forms.IntegerField(min_value=1, required=False)
    parent = forms.IntegerField(min_value=1, required=False)


class ShareTeamForm(forms.Form):
    team = forms.IntegerField(min_value=1)
    role = forms.ChoiceField(choices=ROLE_CHOICES)


class ShareLinkForm(forms.Form):
    role = forms.ChoiceField(choices=ROLE_CHOICES)


class ReviewRequestForm(forms.Form):
    version = forms.IntegerField(min_value=1)
    reviewers = forms.TypedMultipleChoiceField(coerce=int)
    note = forms.CharField(max_length=2000, required=False, widget=forms.Textarea)

    def __init__(self, *args, candidates=(), **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].choices = [(u.pk, u.get_username()) for u in candidates]


class ItemForm(forms.Form):
    status = forms.ChoiceField(choices=ChecklistItem.Status.choices)
    reason = forms.CharField(max_length=2000, required=False)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[(Reviewer.Decision.APPROVED, "Approve"), (Reviewer.Decision.CHANGES_REQUESTED, "Request changes")]
    )
    note = forms.CharField(max_length=5000, required=False)
