"""Question content: load the YAML banks (all or nothing, edits kept until the file changes), Moodle XML in and
out, and the admin's edits of one question."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from quiz import moodle
from quiz.banks import BankError, BankFile, check_bank, check_question, read_bank, section_slug
from quiz.models import Bank, Question

CONTENT_DIR = Path(__file__).resolve().parents[1] / "content"


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0
    banks: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{len(self.banks)} bank(s) ({', '.join(self.banks)}): {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.retired} retired"
        )


def content_load(*, directory: Path | None = None, force: bool = False) -> LoadReport:
    """Load every ``*.yaml`` bank of ``directory`` (default ``quiz/content/``), all or nothing.

    Questions are matched by bank and question id and updated in place, so attempts and cards stay attached.
    A question whose file version has not changed since the last load is left alone, which keeps edits made in
    the admin until the file itself changes (``force`` overwrites them). Questions gone from their file are
    marked retired, never deleted. Raises :class:`BankError` naming every problem in every file.
    """
    directory = directory or CONTENT_DIR
    files, problems = [], []
    for path in sorted(directory.glob("*.yaml")):
        try:
            files.append(read_bank(path, label=_label(path)))
        except BankError as exc:
            problems.extend(exc.problems)
    if problems:
        raise BankError(problems)
    return banks_store(files, force=force)


def banks_store(files: Sequence[BankFile], *, force: bool = False) -> LoadReport:
    """Store already-checked banks (see :func:`content_load`); raises :class:`BankError` on clashing ids."""
    problems = []
    owner: dict[str, str] = {}
    slugs = [f.slug for f in files]
    for bank in files:
        if slugs.count(bank.slug) > 1:
            problems.append(f"{bank.path}: bank {bank.slug!r} is also defined by another file")
        for q in bank.questions:
            if q["id"] in owner and owner[q["id"]] != bank.slug:
                problems.append(f"{bank.path}: question {q['id']}: the id is also used by bank {owner[q['id']]!r}")
            owner.setdefault(q["id"], bank.slug)
    for qid, slug in Question.objects.filter(qid__in=owner).values_list("qid", "bank__slug"):
        if slug != owner[qid]:  # ids are unique across banks: URLs and the API name questions by id alone
            problems.append(f"{_file_of(files, qid)}: question {qid}: the id is already used by bank {slug!r}")
    if problems:
        raise BankError(sorted(set(problems)))
    report = LoadReport(banks=slugs)
    with transaction.atomic():
        for bank in files:
            _bank_store(bank, force=force, report=report)
    return report


def _bank_store(file: BankFile, *, force: bool, report: LoadReport) -> None:
    bank, _ = Bank.objects.update_or_create(
        slug=file.slug, defaults={"title": file.title, "source": file.path, "position": file.position}
    )
    existing = {q.qid: q for q in Question.objects.filter(bank=bank)}
    for position, data in enumerate(file.questions):
        digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
        fields = {
            "position": position,
            "section": data["section"],
            "section_slug": section_slug(data["section"]),
            "title": data["title"],
            "data": data,
            "source_hash": digest,
            "retired": False,
        }
        question = existing.pop(data["id"], None)
        if question is None:
            Question.objects.create(bank=bank, qid=data["id"], **fields)
            report.created += 1
        elif force or question.source_hash != digest or question.retired:
            Question.objects.filter(pk=question.pk).update(updated_at=timezone.now(), **fields)
            report.updated += 1
        else:
            if question.position != position:
                Question.objects.filter(pk=question.pk).update(position=position)
            report.unchanged += 1
    retired = [q.pk for q in existing.values() if not q.retired]
    report.retired += Question.objects.filter(pk__in=retired).update(retired=True)


def bank_import_moodle(
    *, text: str | bytes, slug: str | None = None, title: str | None = None, source: str = "import"
) -> tuple[BankFile, list[str]]:
    """Read a Moodle XML bank and check it; returns it with the importer's warnings (nothing is stored)."""
    try:
        imported = moodle.import_bank(text, slug=slug, title=title)
    except moodle.MoodleError as exc:
        raise BankError([f"{source}: {exc}"]) from None
    data = imported.to_dict()
    problems = check_bank(data, where=source)
    if problems:
        raise BankError(problems)
    return BankFile(imported.slug, imported.title, tuple(imported.questions), source, 10), imported.warnings


def bank_export_moodle(*, slug: str) -> str:
    """The bank as stored (with any edits made in the admin) as Moodle XML; raises ``Bank.DoesNotExist``."""
    bank = Bank.objects.get(slug=slug)
    questions = [q.data for q in bank.questions.filter(retired=False).order_by("position")]
    return moodle.export_bank(slug=bank.slug, title=bank.title, questions=questions)


def question_data_save(*, question: Question, data: Any) -> Question:
    """Replace a question's data (the admin's edit) after checking its shape; raises :class:`BankError`."""
    problems = check_question(data)
    if not problems and data["id"] != question.qid:
        problems.append(f"id: is {question.qid!r}; a question's id cannot change (attempts refer to it)")
    if problems:
        raise BankError([f"question {question.qid}: {p}" for p in problems])
    question.data = data
    question.section = data["section"]
    question.section_slug = section_slug(data["section"])
    question.title = data["title"]
    question.save()
    return question


def _label(path: Path) -> str:
    try:
        return str(path.relative_to(settings.BASE_DIR))
    except ValueError:
        return str(path)


def _file_of(files: Sequence[BankFile], qid: str) -> str:
    return next((f.path for f in files if any(q["id"] == qid for q in f.questions)), "?")
