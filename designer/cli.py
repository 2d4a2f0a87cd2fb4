"""The ``archlab`` command line: lint, estimate, convert and render diagrams without a database or a server.

Subcommands live in ``designer/commands/``, one module each. Exit status of ``validate``: 0 when no error-severity
finding, 1 when there is one, 2 when the input is not a valid diagram.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence
from typing import TextIO

import designer.commands


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="archlab", description="Check serverless architecture diagrams.")
    subcommands = parser.add_subparsers(dest="command", required=True)
    for info in sorted(pkgutil.iter_modules(designer.commands.__path__), key=lambda m: m.name):
        importlib.import_module(f"designer.commands.{info.name}").register(subcommands)
    return parser


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    out, err = stdout or sys.stdout, stderr or sys.stderr
    args = build_parser().parse_args(argv)
    return int(args.func(args, out, err))


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
