"""``manage.py regrade``: grade stored quiz attempts again with the current questions and report what changes."""

from django.core.management.base import BaseCommand

from quiz.services.regrading import attempts_regrade


class Command(BaseCommand):
    help = (
        "Grade every stored quiz attempt again with the questions as they are now and report, per question, how "
        "many grades change and by how much. Nothing is stored unless --apply is given; workshop answers keep "
        "the grades their room saw."
    )

    def add_arguments(self, parser):
        parser.add_argument("questions", nargs="*", help="Question ids to regrade (default: all).")
        parser.add_argument("--apply", action="store_true", help="Store the new grades and concept results.")

    def handle(self, *args, **options):
        report = attempts_regrade(apply=options["apply"], questions=options["questions"])
        for line in report.lines():
            self.stdout.write(line)
        if not options["apply"] and report.changed:
            self.stdout.write("Nothing was stored; run again with --apply to store the new grades.")
