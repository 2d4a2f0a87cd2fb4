"""The admin edits a question as YAML, checked like a bank file."""

import pytest
import yaml
from django.contrib.auth import get_user_model

from quiz.models import Question

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, loaded):
    user = get_user_model().objects.create_superuser(username="root", password="x-long-password-1", email="r@x.org")
    client.force_login(user)
    return client


def form_data(question, data):
    return {"text": yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "retired": ""}


def test_the_admin_lists_banks_questions_attempts_and_cards(admin_client):
    for url in ("/admin/quiz/bank/", "/admin/quiz/question/", "/admin/quiz/attempt/", "/admin/quiz/card/"):
        assert admin_client.get(url).status_code == 200
    question = Question.objects.get(qid="ws-17")
    page = admin_client.get(f"/admin/quiz/question/{question.pk}/change/").content.decode()
    assert "id: ws-17" in page


def test_a_valid_edit_is_saved(admin_client):
    question = Question.objects.get(qid="ws-17")
    data = {**question.data, "title": "Edited title", "section": "Messaging"}
    response = admin_client.post(f"/admin/quiz/question/{question.pk}/change/", form_data(question, data))
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.title, question.section, question.section_slug) == ("Edited title", "Messaging", "messaging")


def test_an_invalid_edit_is_refused_with_the_problem(admin_client):
    question = Question.objects.get(qid="ws-17")
    data = {**question.data, "id": "ws-99"}
    data["parts"] = [dict(question.data["parts"][0], options=question.data["parts"][0]["options"][:1])]
    response = admin_client.post(f"/admin/quiz/question/{question.pk}/change/", form_data(question, data))
    page = response.content.decode()
    assert response.status_code == 200
    assert "options: required, a list of at least two options" in page
    question.refresh_from_db()
    assert question.data["parts"][0]["options"][1]["id"] == "sqs-only"


def test_a_question_id_cannot_change(admin_client):
    question = Question.objects.get(qid="ws-17")
    response = admin_client.post(
        f"/admin/quiz/question/{question.pk}/change/", form_data(question, {**question.data, "id": "ws-99"})
    )
    assert "a question&#x27;s id cannot change" in response.content.decode()
