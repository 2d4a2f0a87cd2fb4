"""``archlab import PATH... [--format text|json]``: AWS SAM or CloudFormation templates as one diagram.

PATH is a template, several templates of one application, or a folder (its templates, ``template.yaml`` files at
any depth, or else every YAML or JSON template in it). State machine definitions, OpenAPI documents and nested
stacks are read relative to each template, never outside the folder the templates share. Text (the default)
prints the diagram JSON on standard output, ready to save, and one line per note on standard error; JSON prints
``{"format": "archlab/import@1", "diagram": ..., "notes": [...]}``. Exit status 0, or 2 when a template cannot be
read (the errors say where).
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any, TextIO

from designer.commands import EXIT_INVALID, EXIT_OK, MAX_INPUT_BYTES, read_input, report_invalid, report_unreadable
from designer.domain.diagram import DiagramError
from designer.domain.iac import from_template, from_templates, looks_like_template
from designer.domain.iac.sam_import import MAX_TEMPLATES
from designer.files import TEMPLATE_NAMES, Folder

IMPORT_FORMAT = "archlab/import@1"
TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json")


def register(subcommands: Any) -> None:
    parser = subcommands.add_parser("import", help="turn AWS SAM or CloudFormation templates into one diagram")
    parser.add_argument(
        "paths", nargs="+", metavar="PATH", help="template(s) of one application, a folder of them, or - for stdin"
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    shown = " ".join(args.paths)
    try:
        result = _import(args.paths)
    except DiagramError as exc:
        return report_invalid(shown, exc, args.format, out, err, what="a readable template")
    except OSError as exc:
        return report_unreadable(shown, exc, err)
    except LookupError as exc:
        err.write(f"{shown}: {exc}\n")
        return EXIT_INVALID
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


def _import(paths: list[str]) -> Any:
    if paths == ["-"]:
        return from_template(read_input("-"))
    files = [f for p in paths for f in templates_in(Path(p))]
    if not files:
        raise LookupError(
            "no template found (template.yaml, template.yml or template.json, or a YAML or JSON template)"
        )
    if len(files) > MAX_TEMPLATES:
        raise LookupError(f"{len(files)} templates found; one import reads at most {MAX_TEMPLATES}")
    root = Path(os.path.commonpath([f.resolve().parent for f in files]))
    if len(files) == 1:
        return from_template(read_input(str(files[0])), files=Folder(root), path=files[0].resolve().name)
    sources = [(f.resolve().relative_to(root).as_posix(), read_input(str(f))) for f in files]
    return from_templates(sources, files=Folder(root))


def templates_in(path: Path) -> list[Path]:
    """The templates a path stands for: the file itself, or the templates of a folder (template.yaml/yml/json at any
    depth; else the folder's own YAML and JSON files that are templates). Raises OSError for a missing path."""
    if not path.exists():
        raise FileNotFoundError(2, "no such file or folder", str(path))
    if not path.is_dir():
        return [path]
    named = sorted(p for p in path.rglob("*") if p.name in TEMPLATE_NAMES and p.is_file() and not p.is_symlink())
    if named:
        return named
    found = []
    for candidate in sorted(path.iterdir()):
        if (
            candidate.suffix in TEMPLATE_SUFFIXES
            and candidate.is_file()
            and candidate.stat().st_size <= MAX_INPUT_BYTES
        ):
            with candidate.open("rb") as fh:
                if looks_like_template(fh.read(200_000)):
                    found.append(candidate)
    return found
