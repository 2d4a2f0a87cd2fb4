"""``archlab validate FILE [--format text|json]``: patterns and findings of a diagram."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import Any, TextIO

from designer.commands import EXIT_FINDINGS, EXIT_OK, load_or_report
from designer.domain.diagram import Diagram
from designer.domain.report import Report
from designer.domain.validate import validate


def register(subcommands: Any) -> None:
    parser = subcommands.add_parser("validate", help="recognise patterns and report findings in a diagram or template")
    parser.add_argument(
        "file", help="diagram JSON (archlab/diagram@1) or AWS SAM / CloudFormation template, or - for standard input"
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    diagram = load_or_report(args.file, args.format, out, err)
    if isinstance(diagram, int):
        return diagram
    report = validate(diagram)
    if args.format == "json":
        json.dump(report.to_dict(), out, indent=2)
        out.write("\n")
    else:
        out.write(render_text(diagram, report))
    return EXIT_FINDINGS if report.has_errors else EXIT_OK


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
