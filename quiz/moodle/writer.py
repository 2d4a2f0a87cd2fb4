"""Archlab banks as Moodle XML: one Moodle question per part, a category per section."""

from __future__ import annotations

import html
import json
import xml.etree.ElementTree as ET  # builds XML; never parses  # nosec B405
from collections.abc import Mapping, Sequence
from typing import Any

from quiz.banks import section_slug
from quiz.moodle.common import CATEGORY_ID, MARK, PART_KEYS, QUESTION_KEYS


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
