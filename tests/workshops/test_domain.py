"""The pure parts of workshops: join codes and nicknames, points and ranks, item analysis, tallies."""

import ast
import copy
from pathlib import Path

import pytest

from workshops import codes, scoring, stats, tally

PURE = ["codes.py", "scoring.py", "stats.py", "tally.py"]


@pytest.mark.parametrize("module", PURE)
def test_pure_modules_import_no_django(module):
    tree = ast.parse((Path(__file__).resolve().parents[2] / "workshops" / module).read_text())
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert not [n for n in names if n.split(".")[0] in {"django", "quiz", "workshops"}]


def test_new_codes_are_six_unambiguous_characters():
    for _ in range(200):
        code = codes.new_code()
        assert len(code) == 6
        assert not set(code) & set("0O1IL")
        assert codes.clean_code(code) == code


@pytest.mark.parametrize(
    ("typed", "code"),
    [("abc234", "ABC234"), (" ab-c 234 ", "ABC234"), ("xyz_789", "XYZ789"), ("a.b.c.2.3.4", "ABC234")],
)
def test_codes_are_read_forgivingly(typed, code):
    assert codes.clean_code(typed) == code


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the code"),
        ("ABC23", "has 5"),
        ("ABC2345", "has 7"),
        ("ABC10O", "never use 0, O, 1, I or L"),
        ("ABC23!", "cannot appear"),
    ],
)
def test_codes_that_cannot_be_are_refused_with_a_reason(typed, message):
    with pytest.raises(codes.CodeError, match=message):
        codes.clean_code(typed)


@pytest.mark.parametrize(
    ("typed", "shown"), [("  Ana  ", "Ana"), ("Ana   Lee", "Ana Lee"), ("x" * 24, "x" * 24), ("<b>ok</b>", "<b>ok</b>")]
)
def test_nicknames_are_trimmed(typed, shown):
    assert codes.clean_nickname(typed) == shown


@pytest.mark.parametrize(
    ("typed", "message"),
    [("   ", "Choose a nickname"), ("x" * 25, "at most 24"), ("a\x00b", "control"), ("a\u200bb", "invisible")],
)
def test_bad_nicknames_are_refused(typed, message):
    with pytest.raises(codes.NicknameError, match=message):
        codes.clean_nickname(typed)


def test_nickname_keys_ignore_case_and_width():
    assert codes.nickname_key("Ana") == codes.nickname_key("ANA") == codes.nickname_key("ａｎａ")
    assert codes.nickname_key("Straße") == codes.nickname_key("STRASSE")


@pytest.mark.parametrize(
    ("score", "elapsed", "window", "bonus"),
    [
        (100, 0, 60, 50),
        (100, 30, 60, 25),
        (100, 60, 60, 0),
        (100, 90, 60, 0),
        (50, 0, 60, 25),
        (0, 0, 60, 0),
        (80, 15, 60, 30),
        (100, 5, 0, 0),
        (100, -2, 60, 50),
    ],
)
def test_speed_bonus_is_half_the_score_at_most_and_fades_over_the_window(score, elapsed, window, bonus):
    assert scoring.speed_bonus(score=score, elapsed=elapsed, window=window) == bonus


def test_equal_points_share_a_rank_and_the_next_rank_skips():
    assert scoring.rank([("a", 10), ("b", 30), ("c", 30), ("d", 5)]) == {"b": 1, "c": 1, "a": 3, "d": 4}
    assert scoring.rank([]) == {}


def test_teams_rank_by_average_so_a_small_team_can_win():
    standings = scoring.team_standings(["Big", "Small", "Empty"], {"Big": [100, 0, 0, 20], "Small": [90]})
    assert [(s.team, s.rank, s.members, s.points) for s in standings] == [
        ("Small", 1, 1, 90),
        ("Big", 2, 4, 120),
        ("Empty", 3, 0, 0),
    ]


def test_upper_lower_index_of_a_question_that_separates_the_room_perfectly():
    item = [100, 100, 100, 0, 0, 0, 50, 50, 50, 50]
    rest = [900, 800, 700, 100, 50, 0, 400, 400, 400, 400]
    assert stats.upper_lower_index(item, rest) == 1.0  # 27% of 10 -> groups of 3
    assert stats.item_rest_correlation(item, rest) > 0.9


def test_a_question_the_weaker_group_got_right_has_a_negative_index_and_says_so():
    item = [0, 0, 0, 100, 100, 100]
    rest = [400, 350, 300, 100, 50, 0]
    result = stats.item_stats(item, rest)
    assert result.discrimination == -1.0
    assert result.correlation < 0
    assert result.verdict.startswith("check the question")


@pytest.mark.parametrize(("item", "rest"), [([], []), ([50], [10]), ([70, 70], [1, 5])])
def test_without_evidence_the_figures_are_none(item, rest):
    result = stats.item_stats(item, rest)
    assert result.correlation is None
    if len(item) < 2:
        assert result.discrimination is None


def test_a_question_everyone_scores_alike_on_separates_poorly():
    result = stats.item_stats([50, 60, 55, 50, 60, 55, 52, 58], [10, 20, 30, 40, 50, 60, 70, 80])
    assert result.discrimination == 0.0
    assert result.verdict == "separates strong and weak answers poorly"


def test_a_room_too_small_gets_no_index_and_is_told_so():
    result = stats.item_stats([100, 0], [300, 0])  # D would be 1.0 from one person in each group
    assert (result.discrimination, result.correlation) == (None, None)
    assert result.verdict == f"too few answers to judge (fewer than {stats.MIN_RESPONDENTS})"
    assert stats.item_stats([100, 0, 100, 0, 100, 0], [5, 0, 5, 0, 5, 0]).discrimination == 1.0


def test_difficulty_is_the_mean_score():
    assert stats.item_stats([100, 50, 0], [1, 2, 3]).difficulty == 50.0
    assert stats.item_stats([95, 100], [1, 2]).verdict == "easy for this room"
    assert stats.item_stats([], []).verdict == "no answers"


QUESTION = {
    "id": "q",
    "parts": [
        {
            "id": "c",
            "type": "choice",
            "prompt": "?",
            "options": [{"id": "a", "text": "A", "correct": True, "why": ""}, {"id": "b", "text": "B", "why": ""}],
        },
        {
            "id": "m",
            "type": "multi",
            "prompt": "?",
            "options": [{"id": "x", "text": "X", "correct": True, "why": ""}, {"id": "y", "text": "Y", "why": ""}],
        },
        {
            "id": "n",
            "type": "numeric",
            "prompt": "?",
            "answer": 900,
            "tolerance": 0,
            "outdated": [{"answer": 300, "note": "old", "credit": 0.25}],
        },
        {
            "id": "t",
            "type": "text",
            "prompt": "?",
            "rubric": [
                {"id": "k1", "explain": "Concept one", "match": ["one"]},
                {"id": "k2", "explain": "Concept two", "match": ["two"]},
            ],
        },
    ],
}


def _graded(responses):
    from quiz.grading import grade

    return tally.summarize(QUESTION, grade(QUESTION, responses).to_dict(), responses)


def test_a_tally_counts_options_bands_numbers_and_missed_concepts():
    summaries = [
        _graded({"c": "a", "m": ["x"], "n": 900, "t": "I think the answer is one."}),
        _graded({"c": "b", "m": ["x", "y"], "n": 300}),
        _graded({"c": "a", "n": 900, "t": "I know nothing about it."}),
    ]
    parts = {p.id: p for p in tally.tally(QUESTION, summaries)}
    assert [(o["letter"], o["count"], o["correct"]) for o in parts["c"].options] == [("A", 2, True), ("B", 1, False)]
    assert parts["c"].chart()["counts"] == [2, 1]
    assert parts["m"].answered == 2
    assert [o["count"] for o in parts["m"].options] == [2, 1]
    assert parts["n"].values[0] == {"value": 900, "count": 2, "share": 67, "correct": True, "outdated": False}
    assert parts["n"].values[1]["outdated"] is True
    assert {b["band"]: b["count"] for b in parts["n"].bands} == {"low": 1, "mid": 0, "good": 0, "top": 2}
    assert [(b["x"], b["width"]) for b in parts["n"].bands] == [
        (0.0, 33.33),
        (33.33, 0.0),
        (33.33, 0.0),
        (33.33, 66.67),
    ]
    assert parts["t"].answered == 2
    assert parts["t"].missed[0] == {"id": "k2", "explain": "Concept two", "count": 2, "share": 100}
    assert parts["t"].mean == 25.0


def test_a_denied_concept_counts_as_missed_never_as_a_misconception():
    question = copy.deepcopy(QUESTION)
    text = next(p for p in question["parts"] if p["id"] == "t")
    text["misconceptions"] = [{"id": "wrong", "explain": "A real misconception", "match": ["three"]}]

    def graded(answer):
        from quiz.grading import grade

        return tally.summarize(question, grade(question, {"t": answer}).to_dict(), {"t": answer})

    summaries = [graded("There is no one here."), graded("It is one. It is three.")]
    parts = {p.id: p for p in tally.tally(question, summaries)}
    assert {m["id"]: m["count"] for m in parts["t"].missed} == {"k1": 1, "k2": 2}
    assert [(m["id"], m["explain"]) for m in parts["t"].misconceptions] == [("wrong", "A real misconception")]


def test_an_empty_room_tallies_to_zeroes():
    parts = tally.tally(QUESTION, [])
    assert all(p.answered == 0 and p.mean is None for p in parts)
    assert all(o["share"] == 0 for o in parts[0].options)
