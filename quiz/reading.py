"""How a learner's free text is read before it is graded: cut into sentences, and each sentence judged as prose or
not, as copied from the question or not, and as filler or not.

Only a sentence of prose that says something of its own can earn a rubric concept (:mod:`quiz.grading`):

- **Prose** is a sentence with a finite verb and enough of the small words that hold a sentence together ("is",
  "the", "to", "per", ...). A list of terms ("Lambda 900 seconds Step Functions Fargate"), a bullet fragment
  ("- 15 min limit") or a heading is not prose; a bullet that is a full sentence is. A verb that can only be finite
  here (an auxiliary or modal such as "is", "can", "doesn't"; an irregular past such as "sent"; a verb after "I",
  "you", "we", "they") makes a sentence of any short run of words, and of a long one (eight words or more) with 15%
  small words. A verb that could also be a noun or a participle ("retries", "billed"; a base form after a plural
  noun, "outputs go"; an imperative that opens the sentence, "Use a queue") makes a sentence only with 15% small
  words: "SNS pushes each message to every subscriber" is prose, "stage: provisions cache, GET only" is not.
- **Echoed** is a sentence most of whose word pairs stand in the question (its prompt, the part's prompt or the
  options), or most of whose pairs of meaningful words (the small ones set aside) stand in the prompts: pasting the
  question back, reworded by small words or with its lists reordered, says nothing of one's own. (For misconceptions, only the prompts count: an
  option written out as one's own claim may state a wrong belief.)
- A **command** is a sentence that opens with an imperative ("Return 202 with a job id"): what it recommends is said of
  the design the learner describes, so it needs no other subject.
- **Filler** is a sentence whose words, the small ones set aside, are mostly praise ("optimal, highly scalable,
  well-architected, robust ..."): it cannot earn anything, and an answer padded with it is no better for it.

Lines are joined back into sentences first (a paragraph typed with line breaks is one text); a line that opens with
a bullet, a number or a heading mark starts a sentence of its own. Markdown emphasis, HTML tags and code blocks are
set aside (code is not prose). The rules are deliberately small, so that a learner told "this was not read as a
sentence" can see why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["FILLER_WORDS", "VERBS", "Sentence", "looks_english", "read", "words"]

# A sentence ends at . ! or ? followed by white space ("$3.50" and ".sync" stay whole), but not after "e.g.", "i.e.",
# "etc." or "vs.".
_SENTENCE_END = re.compile(r"(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\betc\.)(?<!\bvs\.)(?<=[.!?])\s+", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-*•·▪‣◦+>]|\d{1,2}[.)]|[a-z][.)]|#{1,6})\s+")
_FENCE = re.compile(r"```.*?(?:```|\Z)|~~~.*?(?:~~~|\Z)", re.DOTALL)
_TAG = re.compile(r"</?[A-Za-z!][^<>]{0,200}>")  # a tag, not "provisioned <= reserved -> 20 warm"
_EMPHASIS = re.compile(r"(\*\*|__|\*|`)")


def _wordlist(text: str) -> frozenset[str]:
    return frozenset(text.split())


_WORD = re.compile(r"[A-Za-z0-9$€£%]+(?:['’.\-/][A-Za-z0-9]+)*")

# The words that hold a sentence together. A list of terms has none of them.
FUNCTION_WORDS = _wordlist(
    """a about across after again against all already also although always am an and another any anyone anything
    are aren't around as at away back be because been before behind being between beyond both but by can can't
    cannot could couldn't did didn't do does doesn't don't down during each either even ever every everyone
    everything first for from had has hasn't have haven't he her here his how i if in instead into is isn't it
    it's its just less may me might more most must my neither never no nor not nothing now of off often on once
    one only onto or other our out over per plus same shall she should shouldn't since so some someone something
    still such than that the their them then there these they this those though through to too twice under
    unless until up usually versus very via vs was wasn't we were weren't what when where whereas which while
    who whom whose why will with within without won't would wouldn't you your"""
)
_AUXILIARIES = _wordlist(
    """is are was were be been am isn't aren't wasn't weren't has have had hasn't haven't hadn't does do did
    doesn't don't didn't can could will would should must may might shall cannot can't won't wouldn't shouldn't
    couldn't mustn't needn't it's that's there's here's what's who's they're we're you're i'm i've we've they've
    you've i'd we'd they'd you'd i'll we'll they'll you'll it'll that'll dont doesnt didnt cant wont isnt arent
    wasnt werent wouldnt shouldnt couldnt"""
)
_SUBJECTS = frozenset({"i", "you", "we", "they"})
# After these a word with a verb's ending is a noun or an adjective: "the retries", "with provisioned concurrency".
_NOT_BEFORE_A_VERB = _wordlist(
    "a an the these those its their our your my of per to in on at by for from with into via no each every any some "
    "more most less"
)
_LEADS_A_VERB = _SUBJECTS | _wordlist(
    "please then just and or also still always never often only each both all later first finally next otherwise "
    "instead here now so thus therefore"
)
MIN_SMALL_WORDS = 0.15  # share of small words below which a sentence of 8 words or more is a list of terms
WEAK_VERB_SMALL_WORDS = 0.15  # share of small words a sentence needs when its only verbs could be nouns
# Verbs of the domain and of everyday explanation, as their base form; a tense ending ("-s", "-ed") or a place
# after a subject makes one finite.
VERBS = _wordlist(
    """absorb accept act add allocate allow answer appear apply approve arrive ask assume attach attempt avoid back
    batch beat become begin behave belong benefit bill bind block bound break bring buffer build burst buy cache
    call cap carry catch cause chain change charge check choose claim clean clear close collect combine come
    compare complete compute configure connect consider consume contain continue control convert coordinate copy
    cost count couple cover create cut deal decide decouple deduplicate define delay delete deliver depend
    deploy describe design destroy detect differ disable discard do drain drop duplicate emit enable end enforce
    enqueue ensure exceed execute exist expand expect expire explain expose fail fall fan fetch fill filter
    finish fire fit fix flow flush follow force forget forward gain get give go grow guarantee guard hand handle
    happen help hide hit hold host ignore improve include increase initialise initialize introduce invalidate
    invoke isolate keep kick kill know land last launch lead learn leave let lift limit link listen live load
    lock log look lose lower make manage map match matter mean measure mention merge migrate mirror miss
    mitigate model monitor move multiplex multiply need note notify offer open orchestrate order outlive
    overflow own pass pause pay perform persist pick pile place plan point poll pool post prefer prevent price
    process produce protect provide provision publish pull push put queue raise reach read receive recommend
    recover redrive reduce reflect refresh refuse reject release relieve rely remain remember remove render
    renew repeat replace replay reply report request require reserve resize resolve respond restart restore
    resume retain retry return reuse route run save say scale scan schedule see seem select sell send serve set
    share shed shift ship show shrink shut sign sit skip sleep slice slow solve sound spend spike spin split
    spread squeeze stand start stay stop store stream subscribe succeed suffer suggest suit summarise summarize
    support suppose survive swap switch sync take talk tear tell terminate test think throttle throw time
    tolerate touch trace track trade transform translate trigger trim trust try turn understand undo unlock
    update use validate vary verify wait wake want warm watch win work wrap write yield"""
)
_IRREGULAR = _wordlist(
    """ate became began broke brought built came caught chose dealt did drew fed fell felt forgot found gave got
    grew had held hid kept knew laid led left lost made meant met paid ran rose said sat saw sent spent spun
    stood stuck taught thought threw told took understood went woke won wrote"""
)
# Words of praise that say nothing about a design by themselves.
FILLER_WORDS = _wordlist(
    """optimal optimally optimised optimized scalable highly well-architected robust cutting-edge seamless
    seamlessly leverage leverages leveraging state-of-the-art enterprise-grade world-class cost-effective
    efficient efficiently powerful modern innovative industry-standard next-generation synergy holistic
    future-proof battle-tested elegant elegantly streamlined game-changer paradigm best-practice best practice
    practices excellent perfect perfectly ideal ideally great amazing awesome superior flexible agile reliable
    secure performant resilient maximum maximise maximize maximising maximizing efficiency scalability
    reliability flexibility agility performance solution solutions approach architecture architectures overall
    clearly definitely certainly truly really very extremely incredibly fully completely totally simply ensure
    ensures ensuring deliver delivers delivering value business needs requirements industry leading cloud-native
    native serverless-first modernise modernize"""
)


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str
    prose: bool
    echoed: bool  # most of it stands in what the question shows: its prompts or its options
    filler: bool
    echoes_prompt: bool = False  # most of it stands in the question's prompts (not counting the options)
    command: bool = False  # it opens with an imperative ("Return 202 ...", "Don't hold the connection open; ...")

    @property
    def counts(self) -> bool:
        """Whether this sentence can earn a concept: prose of the learner's own that is not filler."""
        return self.prose and not self.echoed and not self.filler


def words(text: str) -> list[str]:
    """The words of ``text``, lower case; hyphenated and dotted terms ("well-architected", "3.50") stay whole."""
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


def read(text: str, question_text: str = "", prompt_text: str | None = None) -> tuple[Sentence, ...]:
    """The sentences of an answer, each judged (see the module's docstring); ``question_text`` is everything the
    question shows the learner, for telling what was pasted back, and ``prompt_text`` its prompts alone (an option
    written out is a choice the learner makes; a prompt written out is not)."""
    return _read(text, question_text, question_text if prompt_text is None else prompt_text)


@lru_cache(maxsize=256)
def _read(text: str, question_text: str, prompt_text: str) -> tuple[Sentence, ...]:
    pairs, prompt_pairs, loose_prompt_pairs = _question_pairs(question_text, prompt_text)
    out: list[Sentence] = []
    for chunk, is_code in _chunks(text):
        if is_code:
            out.append(Sentence(chunk, prose=False, echoed=False, filler=False))
            continue
        for sentence in _sentences(chunk):
            tokens = words(sentence)
            out.append(
                Sentence(
                    sentence,
                    _is_prose(tokens),
                    _is_echoed(tokens, pairs, loose_prompt_pairs),
                    _is_filler(tokens),
                    _is_echoed(tokens, prompt_pairs),
                    _is_command(sentence),
                )
            )
    return tuple(out)


@lru_cache(maxsize=64)
def _question_pairs(
    question_text: str, prompt_text: str
) -> tuple[frozenset[tuple[str, str]], frozenset[tuple[str, str]], frozenset[tuple[str, str]]]:
    """The question's word pairs (read once per question, not once per answer): all it shows, its prompts, and its
    prompts loosely. The options written out are a choice the learner makes: only the prompts are matched loosely;
    and a wrong belief is held against the learner unless the prompt is pasted back word for word."""
    prompt_pairs = _pairs(words(prompt_text))
    return _pairs(words(question_text)) | prompt_pairs, prompt_pairs, _pairs(words(prompt_text), loose=True)


def _chunks(text: str) -> list[tuple[str, bool]]:
    """The text without HTML tags and Markdown emphasis, cut at code blocks: (chunk, is code)."""
    out: list[tuple[str, bool]] = []
    position = 0
    for fence in _FENCE.finditer(text):
        out.append((text[position : fence.start()], False))
        out.append((fence.group().strip("`~ \n"), True))
        position = fence.end()
    out.append((text[position:], False))
    return [(_EMPHASIS.sub("", _TAG.sub(" ", chunk)) if not code else chunk, code) for chunk, code in out if chunk]


def _sentences(text: str) -> list[str]:
    """Lines joined into paragraphs (a bullet, a number, a heading, a blank line or a line after one of bare terms
    starts a new one), then cut at the ends of sentences."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        bullet = _BULLET.match(line)
        ends = bool(current) and current[-1].rstrip().endswith((".", "!", "?", ":"))
        # A wrapped line of prose holds small words; a line of bare terms does not run on into the next.
        bare = bool(current) and not any(w in FUNCTION_WORDS for w in words(current[-1]))
        if not stripped or bullet or ends or bare or _looks_like_heading(current):
            if current:
                paragraphs.append(" ".join(current))
            current = []
        if stripped:
            current.append(_BULLET.sub("", line).strip() if bullet else stripped)
    if current:
        paragraphs.append(" ".join(current))
    out: list[str] = []
    for paragraph in paragraphs:
        out.extend(s.strip() for s in _SENTENCE_END.split(paragraph) if s and s.strip())
    return out


def _looks_like_heading(lines: list[str]) -> bool:
    """A single short line with no end mark, before the next: a heading or a term, not part of a paragraph."""
    return len(lines) == 1 and len(words(lines[0])) <= 4 and not lines[0].rstrip().endswith(",")


def _is_prose(tokens: list[str]) -> bool:
    lettered = [t for t in tokens if t[0].isalpha()]  # figures and prices neither make nor break a sentence
    small = sum(t in FUNCTION_WORDS for t in lettered) / len(lettered) if lettered else 0.0
    if len(lettered) < 2 or not small:
        return False
    strong, weak = _finite_verbs(tokens)
    if strong:  # "is", "can", "we poll": a sentence, unless a long run of terms holds it
        return len(lettered) < 8 or small >= MIN_SMALL_WORDS
    # A verb that could be a noun ("retries", "streams") or a participle ("billed hourly") makes a sentence only
    # among enough small words: "SNS pushes each message to every subscriber", not "stage: provisions cache".
    return bool(weak) and small >= WEAK_VERB_SMALL_WORDS


_BEFORE_A_COMMAND = _wordlist("please then just first finally next so now also instead don't dont do not never always")


_CLAUSE = re.compile(r"[;:\u2013\u2014]\s|\s-\s")
_COPULAS = _wordlist("is are was were")


def _is_command(sentence: str) -> bool:
    """Whether the sentence, or a clause of it after a colon, semicolon or dash, opens with an imperative, its
    subject the reader: "Then return 202 with a job id", "There is no need to wait: return 202". A verb that opens a
    noun phrase ("Resume writing is a skill") is not one."""
    for clause in _CLAUSE.split(sentence):
        tokens = words(clause)
        for i, token in enumerate(tokens[:4]):
            if token not in _BEFORE_A_COMMAND:
                if token in VERBS and not _COPULAS.intersection(tokens[i + 1 : i + 4]):
                    return True
                break
    return False


def _finite_verbs(tokens: list[str]) -> tuple[set[str], set[str]]:
    """(verbs that can only be finite here, verbs that may be), by the rules of the module's docstring."""
    strong, weak = set(), set()
    for i, token in enumerate(tokens):
        before = tokens[i - 1] if i else ""
        if token in _AUXILIARIES or token in _IRREGULAR or (token in VERBS and before in _SUBJECTS):
            strong.add(token)
        elif i and _inflected(token) and before not in _NOT_BEFORE_A_VERB:
            weak.add(token)  # "the queue retries", not "retries" opening a list or "the retries"
        elif token in VERBS and (i == 0 or before in _LEADS_A_VERB or _is_noun_like(before)):
            weak.add(token)  # "Use a queue", "then retry", "outputs go to a bucket"
    return strong, weak


def _is_noun_like(token: str) -> bool:
    """A plural noun, the subject a verb's base form agrees with: "outputs go", "frameworks make"."""
    return len(token) > 3 and token.endswith("s") and token not in FUNCTION_WORDS and not _inflected(token)


def _inflected(token: str) -> bool:
    """A verb of :data:`VERBS` with a tense ending: runs, retries, passes, stopped, queued, used."""
    for ending, replacements in (("ies", ("y",)), ("ied", ("y",)), ("es", ("", "e")), ("s", ("",)), ("ed", ("", "e"))):
        if token.endswith(ending) and len(token) > len(ending) + 1:
            stem = token[: -len(ending)]
            if any(stem + r in VERBS for r in replacements):
                return True
            if ending == "ed" and len(stem) > 2 and stem[-1] == stem[-2] and stem[:-1] in VERBS:
                return True  # stopped, dropped
    return False


def _pairs(tokens: list[str], loose: bool = False) -> frozenset[tuple[str, str]]:
    """Each word next to the next; ``loose``, also each word that carries meaning next to the next such word (the
    question's prompt reworded by small words: "errors like timeouts and rate limits" for "(timeouts, rate limits)")."""
    pairs = frozenset(zip(tokens, tokens[1:], strict=False))
    if not loose:
        return pairs
    content = [t for t in tokens if t not in FUNCTION_WORDS]
    return pairs | frozenset(zip(content, content[1:], strict=False))


def _is_echoed(
    tokens: list[str],
    question_pairs: frozenset[tuple[str, str]],
    loose_pairs: frozenset[tuple[str, str]] = frozenset(),
) -> bool:
    """Most of the sentence's word pairs stand in the question (small words alone do not count)."""
    pairs = [
        p for p in zip(tokens, tokens[1:], strict=False) if not (p[0] in FUNCTION_WORDS and p[1] in FUNCTION_WORDS)
    ]
    if len(pairs) < 3 or not question_pairs:
        return False
    if sum(p in question_pairs for p in pairs) / len(pairs) >= 0.6:
        return True
    # The prompt reworded by small words and lists reordered: the same test over the words that carry meaning.
    content = [t for t in tokens if t not in FUNCTION_WORDS]
    content_pairs = list(zip(content, content[1:], strict=False))
    shared = sum(p in loose_pairs for p in content_pairs)
    return len(content_pairs) >= 6 and shared / len(content_pairs) >= 0.6


def _is_filler(tokens: list[str]) -> bool:
    content = [t for t in tokens if t not in FUNCTION_WORDS and t not in _AUXILIARIES]
    if len(content) < 3:
        return False
    return sum(t in FILLER_WORDS for t in content) / len(content) >= 0.5


# Common words of the languages learners most often answer in when they do not answer in English.
_OTHER_LANGUAGES = _wordlist(
    """de la le les des du et est un une pour dans que qui pas sur avec der die das und ist nicht ein eine mit auf
    für zu el los las y es en por con para una del se lo o il di che è per non sono da gli della um uma não com
    os ao"""
)


def looks_english(text: str) -> bool:
    """Whether ``text`` reads as English: a short text, a list of terms and English prose do; a text in other words
    (French, German, Spanish, Italian, Portuguese, or another script) does not."""
    if not text.isascii():
        letters = [c for c in text if c.isalpha()]
        if len(letters) >= 20 and sum(not c.isascii() for c in letters) / len(letters) > 0.3:
            return False  # another script
    lettered = [t for t in words(text) if t[0].isalpha()]
    if len(lettered) < 12:
        return True
    foreign = sum(t in _OTHER_LANGUAGES for t in lettered) / len(lettered)
    english = sum(t in FUNCTION_WORDS for t in lettered) / len(lettered)
    return not (foreign > 0.12 and foreign > english)
