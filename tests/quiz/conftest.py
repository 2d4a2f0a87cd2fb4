import json
from pathlib import Path

import pytest

from quiz.services import Learner, content_load

ROOT = Path(__file__).resolve().parents[2]
STARTERS = ROOT / "designer" / "data" / "starters"


@pytest.fixture
def loaded(db):
    """Every bank of quiz/content/ in the test database."""
    return content_load()


@pytest.fixture
def learner():
    return Learner(session_key="s" * 32)


def starter(name: str) -> dict:
    return json.loads((STARTERS / f"{name}.json").read_text())


def _part(qid: str, part_id: str) -> dict:
    import yaml

    for path in sorted((ROOT / "quiz" / "content").glob("*.yaml")):
        for question in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]:
            if question["id"] == qid:
                return next(p for p in question["parts"] if p["id"] == part_id)
    raise KeyError(qid)


def concept_ids(qid: str, part_id: str = "explain") -> list[str]:
    """The rubric's concept ids of a text part, in rubric order."""
    return [c["id"] for c in _part(qid, part_id)["rubric"]]


def claims(qid: str, part_id: str = "explain", ids: list[str] | None = None) -> str:
    """An answer that claims the given concepts of a text part (every one by default): the first example sentence
    each concept's rubric gives of a claim it earns (tests/quiz/test_rubric_examples.py holds them to that)."""
    rubric = _part(qid, part_id)["rubric"]
    chosen = [c for c in rubric if ids is None or c["id"] in ids]
    return " ".join(c["examples"]["claims"][0].rstrip(".") + "." for c in chosen)
