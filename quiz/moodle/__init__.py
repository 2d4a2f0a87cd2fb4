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

``writer`` exports, ``reader`` imports, ``common`` holds what both need.
"""

from quiz.moodle.common import ImportedBank, MoodleError
from quiz.moodle.reader import import_bank
from quiz.moodle.writer import export_bank

__all__ = ["ImportedBank", "MoodleError", "export_bank", "import_bank"]
