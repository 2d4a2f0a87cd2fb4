"""``archlab export FILE --to svg|png|mermaid|dot|json [--output PATH]``: a diagram as a picture or as text.

Exit status: 0 when written, 2 when the input is not a valid diagram, cannot be drawn or the output cannot be written.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from designer.commands import EXIT_INVALID, EXIT_OK, load_or_report
from designer.domain.diagram import Diagram
from designer.domain.iac import to_sam
from designer.domain.render import RenderError, to_dot, to_mermaid, to_png, to_svg
from designer.domain.report import Report
from designer.domain.validate import validate

# Format -> writer(diagram, report, dpi). ``report`` is None unless --findings asks for the marks.
WRITERS: dict[str, Callable[[Diagram, Report | None, int], str | bytes]] = {
    "svg": lambda diagram, report, dpi: to_svg(diagram, report),
    "png": lambda diagram, report, dpi: to_png(diagram, report, dpi=dpi),
    "dot": lambda diagram, report, dpi: to_dot(diagram, report),
    "mermaid": lambda diagram, report, dpi: to_mermaid(diagram),
    "json": lambda diagram, report, dpi: json.dumps(diagram.to_dict(), indent=2, ensure_ascii=False) + "\n",
    "sam": lambda diagram, report, dpi: to_sam(diagram),
}


def register(subcommands: Any) -> None:
    parser = subcommands.add_parser(
        "export", help="draw a diagram (SVG, PNG, Graphviz DOT, Mermaid) or write it back as normalised JSON"
    )
    parser.add_argument("file", help="diagram JSON (archlab/diagram@1), or - for standard input")
    parser.add_argument("--to", required=True, choices=tuple(WRITERS), help="output format")
    parser.add_argument("--output", "-o", metavar="PATH", help="write to PATH instead of standard output")
    parser.add_argument(
        "--findings", action="store_true", help="mark the nodes and edges named by errors and warnings (svg, png, dot)"
    )
    parser.add_argument("--dpi", type=_dpi, default=144, help="PNG resolution, 72-600 dots per inch (default 144)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.to == "png" and not args.output and not _takes_bytes(out):
        err.write("not writing a PNG image to a terminal or a text stream; give --output PATH or redirect\n")
        return EXIT_INVALID
    diagram = load_or_report(args.file, "text", out, err)
    if isinstance(diagram, int):
        return diagram
    report = validate(diagram) if args.findings else None
    try:
        data = WRITERS[args.to](diagram, report, args.dpi)
    except RenderError as exc:
        err.write(f"{args.file}: cannot export to {args.to}: {exc}\n")
        return EXIT_INVALID
    try:
        _write(data, args.output, out)
    except OSError as exc:
        err.write(f"{args.output or 'standard output'}: cannot write: {exc.strerror or exc}\n")
        return EXIT_INVALID
    return EXIT_OK


def _takes_bytes(out: TextIO) -> bool:
    return getattr(out, "buffer", None) is not None and not out.isatty()


def _write(data: str | bytes, output: str | None, out: TextIO) -> None:
    if output:
        Path(output).write_bytes(data.encode() if isinstance(data, str) else data)
    elif isinstance(data, str):
        out.write(data)
    elif not _takes_bytes(out):  # only an SVG gets here: it is text, and a text stream can take it decoded
        out.write(data.decode())
    else:
        out.flush()  # whatever the text layer holds goes out before the bytes
        out.buffer.write(data)
        out.buffer.flush()


def _dpi(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 72 <= value <= 600:
        raise argparse.ArgumentTypeError(f"{value} is outside 72-600")
    return value
