import pytest

from config.env import env_bool, env_list
from designer.domain.rules import load_rules


@pytest.mark.django_db
def test_home_page_says_what_archlab_checks(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"12 architecture" in response.content
    assert f"{len(load_rules())} rules".encode() in response.content


@pytest.mark.django_db
def test_healthz_answers_ok_when_the_database_responds(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_env_bool_refuses_values_it_cannot_read(monkeypatch):
    monkeypatch.setenv("ARCHLAB_FLAG", "maybe")
    with pytest.raises(ValueError, match="ARCHLAB_FLAG='maybe' is not a boolean"):
        env_bool("ARCHLAB_FLAG", default=False)


def test_env_list_splits_on_commas(monkeypatch):
    monkeypatch.setenv("ARCHLAB_HOSTS", "a.example, b.example,")
    assert env_list("ARCHLAB_HOSTS", default=[]) == ["a.example", "b.example"]
