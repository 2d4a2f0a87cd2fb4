"""Subcommands of the ``archlab`` command line, one module each.

A module here defines ``register(subcommands)``: it adds its parser with ``subcommands.add_parser(...)`` and sets
``func`` to a handler ``(args, out, err) -> int`` (the exit status). ``designer.cli`` finds the modules itself.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO

from designer.domain.diagram import Diagram, DiagramError, Problem, loads, parse

EXIT_OK, EXIT_FINDINGS, EXIT_INVALID = 0, 1, 2
MAX_INPUT_BYTES = 20 * 1024 * 1024


def read_input(path: str, stdin: Any = None) -> bytes:
    """The bytes of ``path`` (``-`` for standard input), refusing files over the size cap."""
    if path == "-":
        import sys

        data = (stdin or sys.stdin.buffer).read(MAX_INPUT_BYTES + 1)
    else:
        with Path(path).open("rb") as fh:
            data = fh.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        raise DiagramError([Problem("", f"the file is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB")])
    return data


def load_diagram(path: str) -> Diagram:
    """Read a diagram JSON file, or an AWS SAM / CloudFormation template (YAML or JSON) as a diagram; a template's
    state machine definitions and OpenAPI files are read from the folder it is in.

    Raises DiagramError (with paths, or template line and column) or OSError.
    """
    from designer.domain.iac import looks_like_template

    raw = read_input(path)
    if looks_like_template(raw):
        return import_template_file(path, raw).diagram
    return parse(loads(raw))


def import_template_file(path: str, raw: bytes) -> Any:
    """A template read with the files of its folder (none for standard input)."""
    from designer.domain.iac import from_template
    from designer.files import Folder

    if path == "-":
        return from_template(raw)
    where = Path(path)
    return from_template(raw, files=Folder(where.parent), path=where.name)


def load_or_report(path: str, fmt: str, out: TextIO, err: TextIO) -> Diagram | int:
    """The diagram at ``path``, or, when it cannot be read or parsed, the exit status after saying why."""
    try:
        return load_diagram(path)
    except DiagramError as exc:
        return report_invalid(path, exc, fmt, out, err)
    except OSError as exc:
        return report_unreadable(path, exc, err)


def report_unreadable(path: str, exc: OSError, err: TextIO) -> int:
    err.write(f"{path}: cannot read: {exc.strerror or exc}\n")
    return EXIT_INVALID


def report_invalid(
    path: str, exc: DiagramError, fmt: str, out: TextIO, err: TextIO, *, what: str = "a valid diagram"
) -> int:
    """Print parse problems (as JSON on ``out`` too when ``fmt`` is json) and return the invalid-input status."""
    if fmt == "json":
        problems = [{"path": p.path, "message": p.message} for p in exc.problems]
        json.dump({"format": "archlab/errors@1", "errors": problems}, out, indent=2)
        out.write("\n")
    err.write(f"{path}: not {what}\n")
    for problem in exc.problems:
        err.write(f"  {problem}\n")
    return EXIT_INVALID
