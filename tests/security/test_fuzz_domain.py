"""Hypothesis over what the existing property tests leave out: grading any response to every question of every
bank, checking arbitrary responses, and estimating under arbitrary traffic profiles. None of them may raise on
hostile data: they refuse it with problems, or grade and estimate within bounds."""

import json
import math
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from designer.domain.diagram import parse
from designer.domain.estimate.estimator import estimate
from designer.domain.traffic import parse_traffic
from quiz.answers import check
from quiz.banks import read_bank
from quiz.grading import grade

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = [q for path in sorted((ROOT / "quiz" / "content").glob("*.yaml")) for q in read_bank(path).questions]
STARTERS = {p.stem: json.loads(p.read_text()) for p in sorted((ROOT / "designer" / "data" / "starters").glob("*.json"))}
# `make fuzz` raises the budget through FUZZ_EXAMPLES.
EXAMPLES = max(100, int(os.environ.get("FUZZ_EXAMPLES", "0")))
FAST = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)


@st.composite
def responses(draw, question):
    """For each part: nothing, an answer of the right shape (maybe wrong), or any JSON at all."""
    out = {}
    for part in question["parts"]:
        options = [o["id"] for o in part.get("options", [])] or ["x"]
        shaped = {
            "choice": st.sampled_from(options),
            "multi": st.lists(st.sampled_from(options), max_size=len(options)),
            "numeric": st.floats(allow_nan=True, allow_infinity=True) | st.integers(),
            "text": st.text(max_size=300),
            "design": st.sampled_from(list(STARTERS.values())),
        }[part["type"]]
        choice = draw(st.sampled_from(["none", "shaped", "any"]))
        if choice == "shaped":
            out[part["id"]] = draw(shaped)
        elif choice == "any":
            out[part["id"]] = draw(json_values)
    out.update(draw(st.dictionaries(st.text(max_size=8), json_values, max_size=2)))
    return out


def test_the_banks_were_found():
    assert len(QUESTIONS) >= 20


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q["id"])
@FAST
@given(data=st.data())
def test_checking_then_grading_any_response_stays_within_bounds(question, data):
    raw = data.draw(responses(question))
    clean, problems = check(question, raw)
    assert all(p.path.startswith("responses") for p in problems)
    result = grade(question, clean)
    assert 0 <= result.score <= 100
    assert len(result.parts) == len(question["parts"])
    for part in result.parts:
        assert 0 <= part.score <= part.max
        json.dumps(part.feedback)  # storable as it is


@FAST
@given(profile=json_values)
def test_any_json_is_a_profile_or_a_list_of_problems(profile):
    traffic, problems = parse_traffic(profile, {"api", "fn", "queue"})
    if not problems:
        assert traffic is not None
    assert all(isinstance(path, str) and isinstance(message, str) for path, message in problems)


profiles = st.fixed_dictionaries(
    {
        "entries": st.dictionaries(
            st.sampled_from(["api", "web", "fn", "queue", "topic", "bus", "stream"]),
            st.fixed_dictionaries(
                {"rps": st.floats(0, 1e6) | st.integers(0, 10**9)},
                optional={"burst": st.floats(0, 1e6), "payload_kb": st.floats(0, 1e4)},
            ),
            max_size=3,
        )
    },
    optional={"free_tier": st.booleans(), "months": st.integers(-5, 50), "extra": json_values},
)


@FAST
@given(name=st.sampled_from(sorted(STARTERS)), profile=profiles)
def test_any_accepted_profile_estimates_to_finite_non_negative_figures(name, profile):
    diagram = parse(STARTERS[name])
    traffic, problems = parse_traffic(profile, {n.id for n in diagram.nodes})
    if problems:
        return  # refused with its reasons: the service stores them on the estimate
    report = estimate(diagram, traffic, samples=200)
    assert report.monthly_cost_usd >= 0
    assert math.isfinite(report.monthly_cost_usd)
    for path in report.paths:
        assert 0 <= path.caller_ms.p50 <= path.caller_ms.p99
        assert math.isfinite(path.completion_ms.p99)
