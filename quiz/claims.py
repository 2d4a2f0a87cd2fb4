"""Grading a free-text part: rubric concepts are credited as claims, misconceptions cost.

A concept of a part's ``rubric`` has ``match`` (patterns of the idea itself) and, where the idea is a statement
about something, ``about`` (patterns of what it is said of) and ``says`` (patterns of what is said of it: the
relation, the figure's kind, the reason). The concept is credited where one sentence holds a ``match`` the learner
asserts (not denied, see :mod:`quiz.negation`) and one pattern of each of ``about`` (a command, "Return 202 ...",
needs none) and ``says``, and that sentence
is prose of the learner's own (:mod:`quiz.reading`): "a single invocation can run for at most 15 minutes" earns the
limit, "Lambda 15 minutes" in a list of terms does not, nor does the question pasted back, nor praise.

A misconception (``misconceptions`` of the part) has the same three lists, an ``explain`` that corrects it, a
``source`` a learner can open, the concepts it ``contradicts`` and a ``cost`` in rubric weight (1 unless said).
Stated in the learner's own words and not denied, it is named in the feedback with its correction and source,
cancels the concepts it contradicts, costs its weight, and holds the part to at most :data:`MISCONCEPTION_CAP`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from quiz.negation import is_negated
from quiz.reading import Sentence, looks_english, read

__all__ = ["MISCONCEPTION_CAP", "grade_text", "question_prompts", "question_text"]

MISCONCEPTION_CAP = 0.6  # an answer that states a misconception scores at most this share of the part
# A sentence that reports a belief (as past, as other people's, as wrong) does not hold it: "Lambda used to stop at
# 5 minutes", "it is a myth that SNS loses messages", "many people think FIFO means exactly once".
REPORTED = re.compile(
    r"\b(used to|(?<!the )(?<!any )(previously|formerly|originally)|in the past|back then|back in (19|20)\d\d|no longer|any ?more|"
    r"(was|were) (raised|increased|lifted|extended|changed|updated|once)|until (late |early )?(19|20)\d\d|"
    r"myths?|misconceptions?|mistaken(ly)?|not true|untrue|(is|'s|are) (false|wrong|incorrect|outdated|old|obsolete|stale)|"
    r"out ?of ?date|"
    r"outdated|contrary to|(people|some|many|others|folks|colleagues?|blogs?|articles?) (often |sometimes |still )?"
    r"(think|thinks|say|says|said|believe|believes|claim|claims|assume|assumes|wrote|write)|"
    r"common (belief|mistake|error|misconception)|it is said|i (once|used to) (thought|think|believe))\b",
    re.IGNORECASE,
)
# Where a reported clause ends: "used to be 5 minutes; today it is 15" reports only the first.
CLAUSE_BREAK = re.compile(
    r"[;:()]|\s[-–—]\s|,?\s(?:but|whereas|while|although|though|however|today|now|nowadays)\b", re.I
)
WHY_NOT_READ = {
    "list": "it is a list of terms or a fragment, not a sentence: say how these connect (what limit, and why it "
    "matters here)",
    "echo": "it repeats the question: say something of your own about it",
    "filler": "praise says nothing about the design: say what the design does and why",
    "unrelated": "it names the idea without saying what of it: say what it applies to and what it means here",
}


@dataclass(frozen=True, slots=True)
class _Found:
    asserted: Sentence | None = None
    denied: Sentence | None = None
    unread: tuple[Sentence, str] | None = None  # the first sentence that holds the idea but cannot earn it, and why


def question_text(question: Mapping[str, Any]) -> str:
    """Everything a question shows the learner: its prompt, its parts' prompts and their options."""
    texts = [str(question.get("prompt", ""))]
    for part in question.get("parts") or ():
        texts.append(str(part.get("prompt", "")))
        texts.extend(str(o.get("text", "")) for o in part.get("options") or ())
    return "\n".join(texts)


def question_prompts(question: Mapping[str, Any]) -> str:
    """The question's prompt and its parts' prompts, without the options."""
    return "\n".join(
        [str(question.get("prompt", ""))] + [str(p.get("prompt", "")) for p in question.get("parts") or ()]
    )


def grade_text(
    part: Mapping[str, Any], text: str, shown: str = "", prompts: str | None = None
) -> tuple[float, dict[str, Any]]:
    """The share of the part's rubric ``text`` earns, and the feedback (found, missed, misconceptions, reading);
    ``shown`` is what the question shows the learner (:func:`question_text`), ``prompts`` its prompts alone
    (:func:`question_prompts`): an option written out may state a misconception, a prompt pasted back does not."""
    sentences = read(text, shown, prompts)
    misconceptions: list[dict[str, Any]] = []
    contradicted: set[str] = set()
    cost = 0.0
    for spec in part.get("misconceptions") or ():
        found = _find(spec, sentences, misconception=True)
        if found.asserted is not None:
            named: dict[str, Any] = {"id": spec["id"], "evidence": found.asserted.text, "explain": spec["explain"]}
            if spec.get("source"):
                named["source"] = dict(spec["source"])
            misconceptions.append(named)
            contradicted.update(spec.get("contradicts") or ())
            cost += float(spec.get("cost", 1))
    found_entries, missed, denials = [], [], []
    total = sum(float(c.get("weight", 1)) for c in part["rubric"])
    earned = 0.0
    for concept in part["rubric"]:
        found = _find(concept, sentences)
        if found.asserted is not None and concept["id"] not in contradicted:
            earned += float(concept.get("weight", 1))
            found_entries.append({"concept": concept["id"], "evidence": found.asserted.text})
            continue
        entry: dict[str, Any] = {"concept": concept["id"], "explain": concept["explain"]}
        if found.asserted is not None:
            entry["contradicted"] = found.asserted.text  # earned, then cancelled by a misconception
        elif found.denied is not None:
            entry["negated"] = found.denied.text
            denials.append(
                {"id": concept["id"], "evidence": found.denied.text, "explain": concept["explain"], "negated": True}
            )
        elif found.unread is not None:
            entry["unread"] = {"evidence": found.unread[0].text, "why": WHY_NOT_READ[found.unread[1]]}
        missed.append(entry)
    if part.get("misconceptions"):
        misconceptions += denials
    fraction = max(0.0, earned - cost) / total if total else 0.0
    if any(not m.get("negated") for m in misconceptions):
        fraction = min(fraction, MISCONCEPTION_CAP)
    feedback: dict[str, Any] = {
        "found": found_entries,
        "missed": missed,
        "misconceptions": misconceptions,
        "reading": _reading(sentences),
    }
    if not looks_english(text):
        feedback["reading"]["language"] = "Answers are graded in English: this one does not read as English."
    return fraction, feedback


def _find(spec: Mapping[str, Any], sentences: tuple[Sentence, ...], *, misconception: bool = False) -> _Found:
    """Where ``spec`` (a concept or a misconception) is asserted, else denied, else named where it cannot count."""
    whole = _joined(sentences)
    patterns = [p for p in spec["match"] if _anywhere(p).search(whole)]  # most patterns miss the whole answer
    if not patterns:
        return _Found()
    denied: Sentence | None = None
    unread: tuple[Sentence, str] | None = None
    about, says = tuple(spec.get("about") or ()), tuple(spec.get("says") or ())
    unless = tuple(spec.get("unless") or ())
    for sentence in sentences:
        if unless and any(_compiled(u).search(sentence.text) for u in unless):
            continue  # the sentence says something else
        for pattern in patterns:
            for hit in _compiled(pattern).finditer(sentence.text):
                if misconception and _reports(sentence.text, hit.start(), hit.end()):
                    continue  # its clause reports the belief (as past, as other people's) rather than holds it
                if is_negated(pattern, sentence.text, hit.start(), hit.end()):
                    denied = denied or sentence
                    continue
                # A command ("Return 202 ...") is said of the design being described: it needs no other subject to
                # earn a concept (a wrong belief costs marks, so it must name what it is said of).
                subject = (sentence.command and not misconception) or _holds(about, sentence.text)
                related = subject and _holds(says, sentence.text)
                # A wrong belief is held against the learner in a fragment too, and in an option's words they write
                # out, but not in the question's prompt pasted back.
                echoed = sentence.echoes_prompt if misconception else sentence.echoed
                usable = (sentence.prose or misconception) and not echoed and not sentence.filler
                if related and usable:
                    return _Found(asserted=sentence)
                if unread is None:
                    unread = (sentence, _why_not(sentence, related))
    return _Found(denied=denied, unread=unread)


def _reports(text: str, start: int, end: int) -> bool:
    """Whether the clause around ``text[start:end]`` reports a belief rather than holds it (:data:`REPORTED`):
    "VPC attachment used to slow cold starts; today the function can stay outside the VPC" holds the second."""
    markers = _report_markers(text)
    if not markers:
        return False
    breaks = _clause_breaks(text)
    before = max((b for b in breaks if b <= start), default=0)
    after = min((b for b in breaks if b >= end), default=len(text))
    return any(before <= m < after for m in markers)


@lru_cache(maxsize=1024)
def _report_markers(text: str) -> tuple[int, ...]:
    return tuple(m.start() for m in REPORTED.finditer(text))


@lru_cache(maxsize=1024)
def _clause_breaks(text: str) -> tuple[int, ...]:
    return tuple(m.start() for m in CLAUSE_BREAK.finditer(text))


@lru_cache(maxsize=64)
def _joined(sentences: tuple[Sentence, ...]) -> str:
    """The answer's sentences one to a line: a pattern that matches no line matches no sentence."""
    return "\n".join(s.text for s in sentences)


def _why_not(sentence: Sentence, related: bool) -> str:
    if sentence.echoed:
        return "echo"
    if sentence.filler:
        return "filler"
    if not sentence.prose:
        return "list"
    return "unrelated" if not related else "list"


def _holds(patterns: tuple[str, ...], text: str) -> bool:
    """Whether one of ``patterns`` stands in ``text`` (none asked: it holds)."""
    return not patterns or any(_compiled(pattern).search(text) for pattern in patterns)


def _reading(sentences: tuple[Sentence, ...]) -> dict[str, Any]:
    """How the answer was read: how many sentences counted, and the ones that could not, with why."""
    unread = [
        {"text": s.text[:300], "why": WHY_NOT_READ[_why_not(s, True)]}
        for s in sentences
        if not s.counts and len(s.text) > 1
    ]
    return {"sentences": len(sentences), "counted": sum(s.counts for s in sentences), "unread": unread[:20]}


@lru_cache(maxsize=4096)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


@lru_cache(maxsize=4096)
def _anywhere(pattern: str) -> re.Pattern[str]:
    """``pattern`` over the lines of :func:`_joined` (``^`` and ``$`` at each line, as at each sentence)."""
    return re.compile(pattern, re.IGNORECASE | re.MULTILINE)
