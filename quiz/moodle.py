"""Question banks to and from Moodle XML, the import/export format of Moodle's question bank.

Pure Python. Moodle questions have one part each, so every part of an Archlab question becomes one Moodle
question, grouped in a category per section::

    choice  -> multichoice, single answer; every option's ``why`` is that answer's feedback
    multi   -> multichoice, several answers; +100/n for each correct option, -100/n for each wrong one
               (Moodle's arithmetic then matches ours: never below zero)
    numeric -> numerical with its tolerance and unit; answers that were right before an AWS change are extra
               answers worth their ``credit`` with the change as feedback
    text    -> essay; the rubric is written out for human graders (``graderinfo``)
    design  -> essay (Moodle has no diagram question); the requirements go to ``graderinfo``

What Moodle cannot hold (question and option ids, the rubric's patterns, design requirements, section, title)
travels in an HTML comment ``<!-- archlab {...} -->`` at the end of the question text, invisible in Moodle.
Everything Moodle does hold is read back from Moodle's own elements, so edits made in Moodle survive a round
trip. A Moodle file without those comments imports too: each multichoice, truefalse or numerical question
becomes a one-part question; other types are skipped with a warning.
"""

from __future__ import annotations

import html
import json
import math
import re
import xml.etree.ElementTree as ET  # safe for uploads, see import_bank  # nosec B405
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from quiz.banks import section_slug

__all__ = ["ImportedBank", "MoodleError", "export_bank", "import_bank"]

MARK = "archlab "
CATEGORY_ID = "archlab:"
NO_FEEDBACK = "(The imported file gave no feedback for this option.)"
NO_EXPLANATION = "The imported file gave no general feedback for this question."
PART_KEYS = {
    "choice": {"id", "type", "prompt", "points", "options"},
    "multi": {"id", "type", "prompt", "points", "options"},
    "numeric": {"id", "type", "prompt", "points", "answer", "unit", "tolerance", "why", "outdated"},
    "text": {"id", "type", "prompt", "points", "rubric", "misconceptions"},
    "design": {"id", "type", "prompt", "points", "require"},
}
QUESTION_KEYS = {"id", "section", "title", "prompt", "parts", "explanation", "sources", "patterns", "rules"}


class MoodleError(ValueError):
    """The file is not Moodle XML this module can read."""


@dataclass
class ImportedBank:
    slug: str
    title: str
    questions: list[dict[str, Any]]
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"bank": self.slug, "title": self.title, "questions": self.questions}


# ---------------------------------------------------------------------------------------------------- export


def export_bank(*, slug: str, title: str, questions: Sequence[Mapping[str, Any]]) -> str:
    """The bank as a Moodle XML document (text)."""
    root = ET.Element("quiz")
    root.append(ET.Comment(f" Archlab question bank {slug!r} ({title}), questions: {len(questions)} "))
    section = None
    for question in questions:
        if question["section"] != section:
            section = question["section"]
            root.append(_category(slug, title, section))
        for part in question["parts"]:
            root.append(_question(slug, question, part))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _category(slug: str, title: str, section: str) -> ET.Element:
    q = ET.Element("question", type="category")
    path = "/".join(name.replace("/", "//") for name in ("$course$", "top", title, section))
    _sub(q, "category", text=path)
    _sub(q, "info", text="", format="html")
    ET.SubElement(q, "idnumber").text = f"{CATEGORY_ID}{slug}/{section_slug(section)}"
    return q


def _question(slug: str, question: Mapping[str, Any], part: Mapping[str, Any]) -> ET.Element:
    kind = part["type"]
    moodle_type = {"choice": "multichoice", "multi": "multichoice", "numeric": "numerical"}.get(kind, "essay")
    q = ET.Element("question", type=moodle_type)
    _sub(q, "name", text=f"{question['id']} {part['id']}: {question['title']}")
    meta = {
        "v": 1,
        "bank": slug,
        "question": question["id"],
        "part": part["id"],
        "type": kind,
        "title": question["title"],
        "section": question["section"],
    }
    for key in ("patterns", "rules"):
        if key in question:
            meta[key] = question[key]
    if kind in ("choice", "multi"):
        meta["options"] = [o["id"] for o in part["options"]]
    for key in ("rubric", "misconceptions", "require"):
        if key in part:
            meta[key] = part[key]
    extra_q = {k: v for k, v in question.items() if k not in QUESTION_KEYS}
    extra_p = {k: v for k, v in part.items() if k not in PART_KEYS[kind]}
    if extra_q:
        meta["question_extra"] = extra_q
    if extra_p:
        meta["part_extra"] = extra_p
    text = (
        f'<div class="archlab-scenario"><p>{_html(question["prompt"])}</p></div>'
        f'<div class="archlab-task"><p><strong>{_html(part["prompt"])}</strong></p></div>'
        f"<!-- {MARK}{_comment_json(meta)} -->"
    )
    _sub(q, "questiontext", text=text, format="html")
    _sub(q, "generalfeedback", text=_feedback_html(question), format="html")
    ET.SubElement(q, "defaultgrade").text = _num(part.get("points", 1))
    ET.SubElement(q, "penalty").text = "0"
    ET.SubElement(q, "hidden").text = "0"
    ET.SubElement(q, "idnumber").text = f"{question['id']}/{part['id']}"
    _BODY[kind](q, part)
    return q


def _choice_body(q: ET.Element, part: Mapping[str, Any]) -> None:
    multi = part["type"] == "multi"
    options = part["options"]
    right = sum(bool(o.get("correct")) for o in options)
    ET.SubElement(q, "single").text = "false" if multi else "true"
    ET.SubElement(q, "shuffleanswers").text = "true"
    ET.SubElement(q, "answernumbering").text = "abc"
    for option in options:
        if multi:
            fraction = 100 / right if option.get("correct") else -100 / right
        else:
            fraction = 100 if option.get("correct") else 0
        answer = ET.SubElement(q, "answer", fraction=_fraction(fraction), format="plain_text")
        ET.SubElement(answer, "text").text = option["text"]
        _sub(answer, "feedback", text=option["why"], format="plain_text")


def _numeric_body(q: ET.Element, part: Mapping[str, Any]) -> None:
    answers = [(part["answer"], 100.0, part.get("why", ""))]
    answers += [(o["answer"], 100 * float(o.get("credit", 0.5)), o["note"]) for o in part.get("outdated") or ()]
    for value, fraction, feedback in answers:
        answer = ET.SubElement(q, "answer", fraction=_fraction(fraction), format="moodle_auto_format")
        ET.SubElement(answer, "text").text = _num(value)
        ET.SubElement(answer, "tolerance").text = _num(part.get("tolerance", 0))
        _sub(answer, "feedback", text=feedback, format="plain_text")
    units = ET.SubElement(q, "units")
    unit = ET.SubElement(units, "unit")
    ET.SubElement(unit, "multiplier").text = "1"
    ET.SubElement(unit, "unit_name").text = part["unit"]
    ET.SubElement(q, "unitgradingtype").text = "0"
    ET.SubElement(q, "showunits").text = "3"
    ET.SubElement(q, "unitsleft").text = "0"


def _essay_body(q: ET.Element, part: Mapping[str, Any]) -> None:
    ET.SubElement(q, "responseformat").text = "editor"
    ET.SubElement(q, "responserequired").text = "1"
    ET.SubElement(q, "responsefieldlines").text = "15"
    ET.SubElement(q, "attachments").text = "0"
    _sub(q, "graderinfo", text=_grader_html(part), format="html")
    _sub(q, "responsetemplate", text="", format="html")


_BODY = {
    "choice": _choice_body,
    "multi": _choice_body,
    "numeric": _numeric_body,
    "text": _essay_body,
    "design": _essay_body,
}


def _feedback_html(question: Mapping[str, Any]) -> str:
    out = f'<div class="archlab-explanation"><p>{_html(question["explanation"])}</p></div>'
    if question.get("sources"):
        links = "".join(
            f'<li><a href="{html.escape(s["url"])}">{_html(s["title"])}</a></li>' for s in question["sources"]
        )
        out += f'<div class="archlab-sources"><p>Sources</p><ul>{links}</ul></div>'
    return out


def _grader_html(part: Mapping[str, Any]) -> str:
    if part["type"] == "design":
        items = "".join(
            f"<li>{html.escape(key.replace('_', ' '))}: {html.escape(', '.join(values))}</li>"
            for key, values in part["require"].items()
        )
        return f"<p>Archlab grades the learner's diagram against these requirements, each counting equally:</p><ul>{items}</ul>"
    concepts = "".join(
        f"<li><strong>{html.escape(c['id'])}</strong> (weight {_num(c.get('weight', 1))}): {_html(c['explain'])}</li>"
        for c in part["rubric"]
    )
    out = f"<p>Credit is the weight of the concepts found over the total weight.</p><ul>{concepts}</ul>"
    if part.get("misconceptions"):
        wrong = "".join(
            f"<li><strong>{html.escape(m['id'])}</strong>: {_html(m['explain'])}</li>" for m in part["misconceptions"]
        )
        out += f"<p>Misconceptions to point out (not subtracted):</p><ul>{wrong}</ul>"
    return out


def _sub(parent: ET.Element, tag: str, *, text: str, format: str | None = None) -> ET.Element:  # noqa: A002
    element = ET.SubElement(parent, tag, format=format) if format else ET.SubElement(parent, tag)
    ET.SubElement(element, "text").text = text
    return element


def _html(text: str) -> str:
    """Plain text as HTML that reads back to exactly the same text (line breaks as ``<br>``)."""
    return html.escape(text, quote=False).replace("\n", "<br>")


def _comment_json(data: Any) -> str:
    # "<", ">" and "--" appear only inside JSON strings, where these escapes mean the same characters.
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("--", "-\\u002d")


def _num(value: Any) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() else repr(value)


def _fraction(value: float) -> str:
    return f"{value:.5f}".rstrip("0").rstrip(".")


# ---------------------------------------------------------------------------------------------------- import


def import_bank(text: str | bytes, *, slug: str | None = None, title: str | None = None) -> ImportedBank:
    """Read a Moodle XML document into a bank (``{"bank", "title", "questions"}``) plus warnings.

    Raises :class:`MoodleError` when the document is not Moodle XML. The result is not checked against the
    question format here: the caller runs ``banks.check_bank`` on it, which names every problem.
    """
    try:
        # ElementTree resolves no external entity, and expat (2.4.1 and later) refuses entity amplification
        # (billion laughs): a Moodle file can neither read files nor exhaust memory (tests/security).
        root = ET.fromstring(text)  # nosec B314
    except ET.ParseError as exc:
        raise MoodleError(f"not well-formed XML: {exc}") from None
    if root.tag != "quiz":
        raise MoodleError(f"a Moodle XML file has <quiz> as its root element, not <{root.tag}>")
    bank = ImportedBank(slug or "", title or "", [])
    grouped: dict[str, dict[str, Any]] = {}
    section = "Imported"
    for number, element in enumerate(root.iter("question"), start=1):
        kind = element.get("type", "")
        if kind == "category":
            section = _read_category(element, bank, slug=slug, title=title) or section
            continue
        name = _text(element, "name") or f"question {number}"
        meta, prompt_html = _split_meta(_text(element, "questiontext"))
        try:
            if meta:
                _read_archlab(element, meta, prompt_html, grouped, bank)
            else:
                _read_plain(element, kind, name, section, prompt_html, grouped, bank)
        except (KeyError, TypeError, ValueError) as exc:
            bank.warnings.append(f"question {number} ({name}): skipped, it could not be read ({exc})")
    bank.questions = list(grouped.values())
    bank.slug = bank.slug or "imported"
    bank.title = bank.title or bank.slug
    return bank


def _read_category(element: ET.Element, bank: ImportedBank, *, slug: str | None, title: str | None) -> str | None:
    path = _text(element, "category")
    names = [n.replace("\x00", "/") for n in path.replace("//", "\x00").split("/") if n]
    names = [n for n in names if not n.startswith("$") and n != "top"]
    idnumber = (element.findtext("idnumber") or "").strip()
    if not slug and not bank.slug and idnumber.startswith(CATEGORY_ID):
        bank.slug = idnumber[len(CATEGORY_ID) :].split("/")[0]
    if not title and not bank.title and len(names) >= 2:
        bank.title = names[0]
    return names[-1] if names else None


def _read_archlab(
    element: ET.Element,
    meta: Mapping[str, Any],
    prompt_html: str,
    grouped: dict[str, dict[str, Any]],
    bank: ImportedBank,
) -> None:
    if not bank.slug and meta.get("bank"):
        bank.slug = meta["bank"]
    texts = _parse_html(prompt_html)
    feedback = _parse_html(_text(element, "generalfeedback"))
    qid = meta["question"]
    question = grouped.get(qid)
    if question is None:
        question = {
            "id": qid,
            "section": meta["section"],
            "title": meta["title"],
            "prompt": texts.sections.get("archlab-scenario", ""),
            "parts": [],
            "explanation": feedback.sections.get("archlab-explanation") or NO_EXPLANATION,
        }
        if feedback.links:
            question["sources"] = [{"title": t, "url": u} for u, t in feedback.links]
        for key in ("patterns", "rules"):
            if key in meta:
                question[key] = meta[key]
        question.update(meta.get("question_extra") or {})
        grouped[qid] = question
    kind = meta["type"]
    part: dict[str, Any] = {"id": meta["part"], "type": kind, "points": _number(element.findtext("defaultgrade") or 1)}
    part["prompt"] = texts.sections.get("archlab-task", "")
    if kind in ("choice", "multi"):
        part["options"] = _options(element, kind, meta.get("options") or [])
    elif kind == "numeric":
        part.update(_numeric(element))
    else:
        for key in ("rubric", "misconceptions", "require"):
            if key in meta:
                part[key] = meta[key]
    part.update(meta.get("part_extra") or {})
    question["parts"].append(part)


def _read_plain(
    element: ET.Element,
    kind: str,
    name: str,
    section: str,
    prompt_html: str,
    grouped: dict[str, dict[str, Any]],
    bank: ImportedBank,
) -> None:
    if kind == "multichoice":
        single = (element.findtext("single") or "true").strip().lower() in ("true", "1")
        part_kind = "choice" if single else "multi"
        part: dict[str, Any] = {"type": part_kind, "options": _options(element, part_kind, [])}
    elif kind == "truefalse":
        part = {"type": "choice", "options": _options(element, "choice", ["true", "false"])}
    elif kind == "numerical":
        part = {"type": "numeric", **_numeric(element)}
    else:
        bank.warnings.append(f"{name}: skipped, Moodle {kind!r} questions have no Archlab equivalent without a rubric")
        return
    base = (element.findtext("idnumber") or "").strip() or re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:56]
    qid, n = base or "q", 2
    while qid in grouped:
        qid, n = f"{base}-{n}", n + 1
    prompt = _parse_html(prompt_html).plain or name
    general = _parse_html(_text(element, "generalfeedback")).plain
    part.update({"id": "answer", "prompt": "Your answer", "points": _number(element.findtext("defaultgrade") or 1)})
    grouped[qid] = {
        "id": qid,
        "section": section,
        "title": name,
        "prompt": prompt,
        "parts": [part],
        "explanation": general or NO_EXPLANATION,
    }


def _options(element: ET.Element, kind: str, ids: Sequence[str]) -> list[dict[str, Any]]:
    answers = element.findall("answer")
    if len(ids) != len(answers):  # options were added or removed in Moodle: number them afresh
        ids = [chr(ord("a") + i) if i < 26 else f"o{i + 1}" for i in range(len(answers))]
    options = []
    for oid, answer in zip(ids, answers, strict=True):
        fraction = float(answer.get("fraction", "0"))
        why = _answer_text(answer.find("feedback"))
        options.append(
            {
                "id": oid,
                "text": _answer_text(answer),
                "correct": fraction > 0 if kind == "multi" else fraction >= 99.99,
                "why": why or NO_FEEDBACK,
            }
        )
    return options


def _numeric(element: ET.Element) -> dict[str, Any]:
    answers = sorted(element.findall("answer"), key=lambda a: -float(a.get("fraction", "0")))
    if not answers or float(answers[0].get("fraction", "0")) < 99.99:
        raise ValueError("a numerical question needs an answer worth 100%")
    best = answers[0]
    unit = (element.findtext("units/unit/unit_name") or "").strip() or "count"
    out: dict[str, Any] = {
        "answer": _number(best.findtext("text")),
        "unit": unit,
        "tolerance": _number(best.findtext("tolerance") or 0),
    }
    why = _answer_text(best.find("feedback"))
    if why:
        out["why"] = why
    outdated = [
        {
            "answer": _number(a.findtext("text")),
            "note": _answer_text(a.find("feedback")) or "An earlier figure.",
            "credit": round(float(a.get("fraction", "0")) / 100, 5),
        }
        for a in answers[1:]
        if float(a.get("fraction", "0")) > 0
    ]
    if outdated:
        out["outdated"] = outdated
    return out


def _answer_text(element: ET.Element | None) -> str:
    if element is None:
        return ""
    text = element.findtext("text") or ""
    return text if element.get("format") == "plain_text" else _parse_html(text).plain


def _text(element: ET.Element, tag: str) -> str:
    return element.findtext(f"{tag}/text") or ""


def _number(text: Any) -> int | float:
    value = float(str(text).strip())
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is not a finite number")
    return int(value) if value.is_integer() else value


def _split_meta(question_html: str) -> tuple[dict[str, Any] | None, str]:
    match = re.search(r"<!--\s*" + MARK + r"(.*?)\s*-->", question_html, re.DOTALL)
    if not match:
        return None, question_html
    try:
        meta = json.loads(match.group(1))
    except json.JSONDecodeError:
        return None, question_html
    ok = isinstance(meta, dict) and all(
        isinstance(meta.get(k), str) for k in ("question", "part", "type", "title", "section")
    )
    return (meta if ok and meta["type"] in PART_KEYS else None), question_html


@dataclass
class _Text:
    sections: dict[str, str]
    links: list[tuple[str, str]]
    plain: str


class _HtmlReader(HTMLParser):
    """Collects the text of ``<div class="archlab-...">`` blocks, the links and the plain text of HTML."""

    BLOCKS = frozenset({"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "tr", "table", "pre"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: dict[str, str] = {}
        self.links: list[tuple[str, str]] = []
        self.plain: list[str] = []
        self._stack: list[str | None] = []
        self._link: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "div":
            cls = attributes.get("class") or ""
            self._stack.append(cls if cls.startswith("archlab-") else None)
        if tag == "br":
            self._add("\n")
        elif tag in self.BLOCKS:
            self.plain.append("\n")
        if tag == "a":
            self._link = [attributes.get("href") or "", ""]

    def handle_endtag(self, tag: str) -> None:
        if tag == "div" and self._stack:
            self._stack.pop()
        if tag in self.BLOCKS:
            self.plain.append("\n")
        if tag == "a" and self._link is not None:
            self.links.append((self._link[0], self._link[1]))
            self._link = None

    def handle_data(self, data: str) -> None:
        self._add(data)

    def _add(self, text: str) -> None:
        block = next((c for c in reversed(self._stack) if c), None)
        if block:
            self.sections[block] = self.sections.get(block, "") + text
        if self._link is not None:
            self._link[1] += text
        self.plain.append(text)


def _parse_html(text: str) -> _Text:
    reader = _HtmlReader()
    reader.feed(text)
    reader.close()
    plain = re.sub(r"[ \t]*\n[ \t\n]*", "\n\n", "".join(reader.plain)).strip()
    plain = re.sub(r"\n\n+", "\n\n", plain)
    return _Text(reader.sections, reader.links, plain)
