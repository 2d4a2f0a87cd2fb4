"""Templates from uploads: an AWS SAM / CloudFormation template with the files beside it (state machine
definitions, OpenAPI documents, nested stacks), several templates of one application, or a zip archive of their
folder, read into one diagram. ``diagram_import`` (the package's) saves the result."""

from __future__ import annotations

from collections.abc import Sequence

from designer.domain.diagram import DiagramError, Problem
from designer.domain.iac import ImportResult, from_template, from_templates, looks_like_template
from designer.domain.iac.files import FileSet, templates_among
from designer.files import ArchiveError, unzip

__all__ = ["MAX_UPLOAD_BYTES", "is_diagram_file", "template_import"]

MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # all the files of one upload together, before a zip is expanded


def template_import(*, files: Sequence[tuple[str, bytes]]) -> ImportResult:
    """The templates among ``files`` (name, bytes) read as one application, each with the files beside it; a single
    zip archive stands for the files it holds. Raises DiagramError naming the problem."""
    total = sum(len(content) for _, content in files)
    if total > MAX_UPLOAD_BYTES:
        raise DiagramError([Problem("file", f"the files hold {total:,} bytes; at most {MAX_UPLOAD_BYTES:,} are read")])
    if len(files) == 1 and files[0][0].lower().endswith(".zip"):
        try:
            bundle = unzip(files[0][1])
        except ArchiveError as exc:
            raise DiagramError([Problem("file", str(exc))]) from None
    else:
        bundle = FileSet(_named(files))
    paths = templates_among(bundle.files)
    if not paths:
        raise DiagramError([Problem("file", "no AWS SAM or CloudFormation template among the files")])
    if len(paths) == 1:
        return from_template(bundle.files[paths[0]], files=bundle, path=paths[0])
    return from_templates([(p, bundle.files[p]) for p in paths], files=bundle)


def is_diagram_file(files: Sequence[tuple[str, bytes]]) -> bool:
    """Whether an upload is one diagram JSON file rather than templates."""
    return len(files) == 1 and not files[0][0].lower().endswith(".zip") and not looks_like_template(files[0][1])


def _named(files: Sequence[tuple[str, bytes]]) -> dict[str, bytes]:
    """The uploaded files by POSIX path; two different files under one name cannot both be read."""
    named: dict[str, bytes] = {}
    for name, content in files:
        path = name.replace("\\", "/").lstrip("/") or "template.yaml"
        if path in named and named[path] != content:
            message = f"two different files are named {path}; upload a zip archive of the folder to keep them apart"
            raise DiagramError([Problem("file", message)])
        named[path] = content
    return named
