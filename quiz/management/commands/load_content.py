"""``manage.py load_content``: load every question bank of quiz/content/*.yaml into the database, idempotently."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quiz.banks import BankError
from quiz.services import content_load


class Command(BaseCommand):
    help = (
        "Load every question bank in quiz/content/*.yaml (or --dir). Questions are updated in place by bank and "
        "question id, never duplicated; attempts are kept. Nothing is loaded when any file has a problem."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, help="Directory of bank files (default: quiz/content/).")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Rewrite every question from its file, even unchanged ones (drops edits made in the admin).",
        )

    def handle(self, *args, **options):
        directory = options["dir"]
        if directory is not None and not directory.is_dir():
            raise CommandError(f"{directory} is not a directory")
        try:
            report = content_load(directory=directory, force=options["force"])
        except BankError as exc:
            listing = "\n".join(f"  {p}" for p in exc.problems)
            raise CommandError(f"no bank was loaded; {len(exc.problems)} problem(s):\n{listing}") from None
        if not report.banks:
            raise CommandError(f"no *.yaml bank files in {directory or 'quiz/content/'}")
        self.stdout.write(self.style.SUCCESS(f"Loaded {report}"))
