"""Moodle XML to Archlab banks: Archlab's own comment when present, Moodle's elements otherwise."""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET  # element types only; parsing goes through defusedxml  # nosec B405
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from defusedxml import DefusedXmlException, EntitiesForbidden
from defusedxml.ElementTree import fromstring as parse_xml

from quiz.moodle.common import (
    CATEGORY_ID,
    MARK,
    NO_EXPLANATION,
    NO_FEEDBACK,
    PART_KEYS,
    ImportedBank,
    MoodleError,
)


def import_bank(text: str | bytes, *, slug: str | None = None, title: str | None = None) -> ImportedBank:
    """Read a Moodle XML document into a bank (``{"bank", "title", "questions"}``) plus warnings.

    Raises :class:`MoodleError` when the document is not Moodle XML. The result is not checked against the
    question format here: the caller runs ``banks.check_bank`` on it, which names every problem.
    """
    try:
        # defusedxml refuses entity declarations and external references: a Moodle file can neither read files nor
        # exhaust memory (tests/security).
        root = parse_xml(text)
    except ET.ParseError as exc:
        raise MoodleError(f"not well-formed XML: {exc}") from None
    except EntitiesForbidden as exc:
        if exc.sysid or exc.pubid:
            raise MoodleError(f"undefined entity &{exc.name}; (an external entity, which is never read)") from None
        raise MoodleError("the XML declares entities, which a Moodle file never needs (entity amplification)") from None
    except DefusedXmlException:
        raise MoodleError("the XML refers to external resources, which a Moodle file never needs") from None
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
