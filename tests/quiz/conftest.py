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
