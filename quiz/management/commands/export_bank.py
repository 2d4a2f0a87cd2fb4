"""``manage.py export_bank BANK --format moodle-xml > file.xml``: a bank as stored, in a standard format."""

from django.core.management.base import BaseCommand, CommandError

from quiz.models import Bank
from quiz.services import bank_export_moodle


class Command(BaseCommand):
    help = "Write a question bank (as stored, with admin edits) to standard output as Moodle XML."

    def add_arguments(self, parser):
        parser.add_argument("bank", help="Bank slug, e.g. workshop.")
        parser.add_argument("--format", choices=["moodle-xml"], default="moodle-xml", help="Output format.")
        parser.add_argument("-o", "--output", help="Write to this file instead of standard output.")

    def handle(self, *args, **options):
        try:
            xml = bank_export_moodle(slug=options["bank"])
        except Bank.DoesNotExist:
            known = ", ".join(Bank.objects.values_list("slug", flat=True)) or "none; run manage.py load_content"
            raise CommandError(f"no bank {options['bank']!r} (banks: {known})") from None
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as out:
                out.write(xml)
        else:
            self.stdout.write(xml, ending="")
