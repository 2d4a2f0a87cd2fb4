"""The review questions file: every pillar, about three good questions each, ids unique."""

from reviews.checklist import review_pillars

PILLARS = [
    "operational-excellence",
    "security",
    "reliability",
    "performance-efficiency",
    "cost-optimisation",
    "sustainability",
]


def test_every_pillar_is_there_in_order():
    assert [p.id for p in review_pillars()] == PILLARS


def test_each_pillar_asks_about_three_questions_with_hints():
    for pillar in review_pillars():
        assert 2 <= len(pillar.questions) <= 5, pillar.id
        for q in pillar.questions:
            assert q.text.endswith("?"), q.id
            assert len(q.hint) > 20, q.id


def test_question_ids_are_unique():
    ids = [q.id for p in review_pillars() for q in p.questions]
    assert len(ids) == len(set(ids))
