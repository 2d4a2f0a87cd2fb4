"""The ``archlab`` command line: lint architecture diagrams without a database or a server.

Exit status: 0 when no error-severity finding, 1 when there is one, 2 when the input is not a valid diagram.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from designer.domain.diagram import Diagram, DiagramError, Problem, loads, parse
from designer.domain.report import Report
from designer.domain.validate import validate

EXIT_OK, EXIT_FINDINGS, EXIT_INVALID = 0, 1, 2
MAX_INPUT_BYTES = 20 * 1024 * 1024


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    out, err = stdout or sys.stdout, stderr or sys.stderr
    parser = argparse.ArgumentParser(prog="archlab", description="Check serverless architecture diagrams.")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("validate", help="recognise patterns and report findings in a diagram JSON file")
    check.add_argument("file", help="diagram JSON (archlab/diagram@1), or - for standard input")
    check.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args(argv)

    try:
        diagram = parse(loads(_read(args.file)))
    except DiagramError as exc:
        if args.format == "json":
            problems = [{"path": p.path, "message": p.message} for p in exc.problems]
            json.dump({"format": "archlab/errors@1", "errors": problems}, out, indent=2)
            out.write("\n")
        err.write(f"{args.file}: not a valid diagram\n")
        for problem in exc.problems:
            err.write(f"  {problem}\n")
        return EXIT_INVALID
    except OSError as exc:
        err.write(f"{args.file}: cannot read: {exc.strerror or exc}\n")
        return EXIT_INVALID

    report = validate(diagram)
    if args.format == "json":
        json.dump(report.to_dict(), out, indent=2)
        out.write("\n")
    else:
        out.write(render_text(diagram, report))
    return EXIT_FINDINGS if report.has_errors else EXIT_OK


def _read(path: str) -> bytes:
    if path == "-":
        data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
    else:
        with Path(path).open("rb") as fh:
            data = fh.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        raise DiagramError([Problem("", f"the file is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB")])
    return data


def render_text(diagram: Diagram, report: Report) -> str:
    """The report for people: patterns, then findings grouped by severity, nodes named by label."""

    def names(ids: Sequence[str]) -> str:
        return ", ".join(diagram.label(i) for i in ids)

    lines = [f"{diagram.name}: {len(diagram.nodes)} nodes, {len(diagram.edges)} edges", ""]
    lines.append("Patterns:" if report.patterns else "Patterns: none recognised")
    for match in report.patterns:
        state = "complete" if match.complete else "incomplete"
        lines.append(f"  {match.id} ({state}): {names(sorted(match.nodes()))}")
        lines.extend(f"    - missing: {m}" for m in match.missing)
    for severity, findings in report.by_severity().items():
        lines.append("")
        lines.append(f"{severity.capitalize()}s ({len(findings)}):" if findings else f"{severity.capitalize()}s: none")
        for f in findings:
            lines.append(f"  [{f.rule}] {f.message}")
            if f.nodes:
                lines.append(f"    nodes: {names(f.nodes)}")
            lines.append(f"    fix: {f.fix}")
    summary = report.to_dict()["summary"]
    lines += ["", f"{summary['error']} errors, {summary['warning']} warnings, {summary['info']} notes", ""]
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
