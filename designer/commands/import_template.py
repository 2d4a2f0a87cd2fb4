"""``archlab import TEMPLATE [--format text|json]``: an AWS SAM or CloudFormation template as a diagram.

Text (the default) prints the diagram JSON on standard output, ready to save, and one line per note on standard
error; JSON prints ``{"format": "archlab/import@1", "diagram": ..., "notes": [...]}``. Exit status 0, or 2 when
the template cannot be read (the errors say where).
"""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

from designer.commands import EXIT_OK, read_input, report_invalid, report_unreadable
from designer.domain.diagram import DiagramError
from designer.domain.iac import from_template

IMPORT_FORMAT = "archlab/import@1"


def register(subcommands: Any) -> None:
    parser = subcommands.add_parser("import", help="turn an AWS SAM or CloudFormation template into a diagram")
    parser.add_argument("file", help="template (YAML or JSON), or - for standard input")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        result = from_template(read_input(args.file))
    except DiagramError as exc:
        return report_invalid(args.file, exc, args.format, out, err, what="a readable template")
    except OSError as exc:
        return report_unreadable(args.file, exc, err)
    if args.format == "json":
        document = {"format": IMPORT_FORMAT, **result.to_dict()}
        json.dump(document, out, indent=2, ensure_ascii=False)
    else:
        json.dump(result.diagram.to_dict(), out, indent=2, ensure_ascii=False)
        for note in result.notes:
            where = f"{note.resource} ({note.type})" if note.type else note.resource or "template"
            err.write(f"note: {where}: {note.note}\n")
    out.write("\n")
    return EXIT_OK
