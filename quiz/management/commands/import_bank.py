"""``manage.py import_bank FILE``: load a Moodle XML question bank (one exported by export_bank, or Moodle's own)."""

import sys
from pathlib import Path

import yaml
from django.core.management.base import BaseCommand, CommandError

from quiz.banks import BankError
from quiz.services import bank_import_moodle, banks_store


class Command(BaseCommand):
    help = (
        "Import a Moodle XML question bank into the database (updated in place by bank and question id), or "
        "with --to-yaml write it as a bank file for quiz/content/ instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="Moodle XML file.")
        parser.add_argument("--bank", help="Bank slug (default: the one recorded in the file, else 'imported').")
        parser.add_argument("--title", help="Bank title (default: the file's top category).")
        parser.add_argument("--to-yaml", metavar="OUT", help="Write a YAML bank file ('-' for standard output).")
        parser.add_argument("--force", action="store_true", help="Overwrite questions edited in the admin.")

    def handle(self, *args, **options):
        path = options["file"]
        try:
            text = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: cannot be read ({exc.strerror})") from None
        try:
            bank, warnings = bank_import_moodle(
                text=text, slug=options["bank"], title=options["title"], source=str(path)
            )
        except BankError as exc:
            listing = "\n".join(f"  {p}" for p in exc.problems)
            raise CommandError(f"nothing was imported; {len(exc.problems)} problem(s):\n{listing}") from None
        for warning in warnings:
            self.stderr.write(self.style.WARNING(f"warning: {warning}"))
        if options["to_yaml"]:
            data = {"bank": bank.slug, "title": bank.title, "questions": list(bank.questions)}
            text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120)
            if options["to_yaml"] == "-":
                sys.stdout.write(text)
            else:
                Path(options["to_yaml"]).write_text(text, encoding="utf-8")
                self.stderr.write(
                    f"Wrote {len(bank.questions)} question(s) of bank {bank.slug!r} to {options['to_yaml']}"
                )
            return
        try:
            report = banks_store([bank], force=options["force"])
        except BankError as exc:
            raise CommandError("nothing was imported:\n" + "\n".join(f"  {p}" for p in exc.problems)) from None
        self.stdout.write(self.style.SUCCESS(f"Imported {report}"))
