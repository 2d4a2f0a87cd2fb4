"""Negation: whether a phrase a rubric pattern found in a sentence is denied there.

"I would NOT return 202 Accepted" mentions 202 Accepted but rejects it, so it must not earn the concept. The rule
is deliberately small, so that a learner (or a rubric author) can predict it:

1. A sentence is cut into clauses at ``; : ! ? ( )``, dashes, ", " and the words that open a new clause
   (``and but so yet because since although though while whereas unless until if when then that which instead
   rather however otherwise``). A negation reaches no further than its clause: in "the client does not wait: it
   gets 202 and polls" the 202 is asserted.
2. A negation cue governs a match in the same clause when it stands
   - before the match, with at most :data:`VERB_REACH` words between for the cues that negate a verb phrase
     or a whole clause (``not``, ``-n't``, ``never``, ``cannot``, ``none``, ``nothing``: "I would never use S3
     or presigned URLs") and at most :data:`NOUN_REACH` for the cues that negate a noun phrase (``no``,
     ``neither``, ``nor``, ``without``, ``instead of``, ``rather than``: "no async worker");
   - inside the match, before its last word ("a queue with no worker");
   - just after it, at most :data:`AFTER_REACH` words on, for the verb cues only: the match is then the subject
     of a denied predicate ("the default timeout cannot be raised", "S3 is not needed").
3. Phrases that contain a cue but deny nothing are not cues: "not only", "no more than", "whether or not", ...;
   nor are the cues of a clause that states a condition (opened by ``if unless when whenever whether``, or
   starting with ``without``): "without a DLQ the message comes back" supposes the DLQ away, it does not reject it.
4. A pattern that spells out a negation (``never reach(es)? the backend``, ``(doesn't|does not) need to know``)
   states a negative idea on purpose: its matches that contain a cue are asserted, not denied. Lookarounds such
   as ``(?<!not )`` only guard a match and do not count.

Known limits, by design: a negation does not carry over a comma or an "and" ("never S3, presigned URLs ..." and
"never S3 and presigned URLs" deny only S3; "or" and "nor" do carry it), and a cue denies the words within its
reach even when they are not its object ("I would never wait for the worker" denies the worker).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["AFTER_REACH", "NOUN_REACH", "VERB_REACH", "is_negated"]

VERB_REACH = 5  # words between a verb cue and the match: "NOT return 202 Accepted with a job id"
NOUN_REACH = 2  # words between a noun cue and the match: "no long-running async worker"
AFTER_REACH = 2  # words between the match and a following verb cue: "S3 is really not needed"

_NOUN, _CLAUSE, _VERB = 1, 2, 3  # kinds of cue: reach NOUN_REACH; VERB_REACH; VERB_REACH and AFTER_REACH
_WORD = re.compile(r"\w+(?:['’]\w+)*")
_VERB_CUES = frozenset({"not", "never", "cannot"})
_CLAUSE_CUES = frozenset({"none", "nothing", "nobody"})
_NOUN_CUES = frozenset({"no", "neither", "nor", "without"})
# "dont", "cant": learners type fast; "n't" covers don't, can't, won't, isn't, doesn't ...
_CONTRACTED = re.compile(r"(?:n['’]t|^(?:dont|doesnt|didnt|isnt|arent|wasnt|werent|cant|couldnt|wouldnt|shouldnt))$")
_PAIRED = {"instead": "of", "rather": "than"}  # "instead of X" denies X; "instead, X" opens a clause
_OPENERS = frozenset(
    {"and", "but", "so", "yet", "because", "since", "although", "though", "while", "whereas", "unless", "until"}
    | {"if", "when", "whenever", "whether", "then", "that", "which", "instead", "rather", "however", "otherwise"}
)
# A clause opened by one of these (or by "without") states a condition: "if there is no DLQ" supposes, denies nothing.
_CONDITIONS = frozenset({"if", "unless", "when", "whenever", "whether"})
_BREAK = re.compile(r"[;:!?()\[\]]|,\s|\s[-–—]+\s|[–—]")
_NOT_DENIAL = re.compile(
    r"\b(?:not (?:only|just|merely|simply|least|enough)|not to mention|whether or not|or not|if not"
    r"|no (?:matter|doubt)|(?:no|not) (?:more|less|fewer|later|earlier|sooner|longer|greater|higher|lower) than"
    r"|nothing (?:but|else than))\b",
    re.IGNORECASE,
)
# In a pattern's source: a cue written out (lookarounds, which only guard a match, are removed first).
_LOOKAROUND = re.compile(r"\(\?<?[=!](?:[^()\\]|\\.|\([^()]*\))*\)")
_SOURCE_CUE = re.compile(
    r"(?<![a-z])(?:not|no|never|none|nothing|nobody|neither|nor|without|cannot)(?![a-z])|n(?:['’]|\.\??)t(?![a-z])",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class _Clauses:
    starts: tuple[int, ...]  # where each word starts
    ends: tuple[int, ...]  # where each word ends
    clause: tuple[int, ...]  # the clause each word belongs to
    cue: tuple[int, ...]  # 0 or the kind of cue


def is_negated(pattern: str, sentence: str, start: int, end: int) -> bool:
    """Whether ``sentence[start:end]``, where ``pattern`` matched, is denied by a negation cue in its clause."""
    words = _analyse(sentence)
    first = bisect_right(words.ends, start)  # the first word that overlaps the match
    last = bisect_left(words.starts, end) - 1  # the last one
    if first > last:
        return False
    if _spells_negation(pattern) and any(words.cue[first : last + 1]):
        return False
    for i in range(max(0, first - VERB_REACH - 1), last):
        if not words.cue[i]:
            continue
        if i >= first:
            if words.clause[i] == words.clause[last]:
                return True
        elif words.clause[i] == words.clause[first]:
            reach = NOUN_REACH if words.cue[i] == _NOUN else VERB_REACH
            if first - i - 1 <= reach:
                return True
    for i in range(last + 1, min(len(words.cue), last + AFTER_REACH + 2)):
        if words.cue[i] == _VERB and words.clause[i] == words.clause[last]:
            return True
    return False


@lru_cache(maxsize=4096)
def _spells_negation(pattern: str) -> bool:
    """Whether ``pattern`` writes out a negation cue itself, outside its lookarounds."""
    return _SOURCE_CUE.search(_LOOKAROUND.sub("", pattern.replace(r"\b", " "))) is not None


@lru_cache(maxsize=512)
def _analyse(sentence: str) -> _Clauses:
    breaks = [m.start() for m in _BREAK.finditer(sentence)]
    masked = [(m.start(), m.end()) for m in _NOT_DENIAL.finditer(sentence)]
    words = list(_WORD.finditer(sentence))
    lowered = [w.group().lower() for w in words]
    starts, clause, cue = [], [], []
    opened = 0
    supposed = -1  # the clause that states a condition, if any: its cues suppose, they do not deny
    for i, (match, word) in enumerate(zip(words, lowered, strict=True)):
        following = lowered[i + 1] if i + 1 < len(words) else ""
        paired = _PAIRED.get(word) == following
        if word in _OPENERS and not paired:
            opened += 1
        starts.append(match.start())
        clause.append(bisect_right(breaks, match.start()) + opened)
        if word in _CONDITIONS or (word == "without" and (i == 0 or clause[-1] != clause[-2])):
            supposed = clause[-1]
        if clause[-1] == supposed or any(a <= match.start() < b for a, b in masked):
            cue.append(0)
        elif word in _VERB_CUES or _CONTRACTED.search(word):
            cue.append(_VERB)
        elif word in _CLAUSE_CUES:
            cue.append(_CLAUSE)
        elif word in _NOUN_CUES or (i and _PAIRED.get(lowered[i - 1]) == word):
            cue.append(_NOUN)
        else:
            cue.append(0)
    return _Clauses(tuple(starts), tuple(w.end() for w in words), tuple(clause), tuple(cue))
