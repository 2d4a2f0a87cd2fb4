"""Files beside a template: state machine definitions (``DefinitionUri``), OpenAPI documents (``DefinitionUri``,
``AWS::Include``) and nested stacks (``TemplateURL``), read relative to the template that names them.

Threats and answers: a template is untrusted input, so a reference it makes must not reach anything outside the
folder tree being imported. :func:`resolve` refuses absolute paths, URLs (``s3://``, ``https://``) and ``..``
that climbs above the root, and the readers refuse a file over :data:`MAX_FILE_BYTES` or beyond
:data:`MAX_FILES` per import. Where the files live (a folder on disk, an uploaded zip, a test's dictionary) is
the caller's business: anything with a ``read(path)`` method that answers the bytes of a root-relative POSIX path,
or None, will do. The readers of folders must themselves refuse symbolic links that leave the root.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from designer.domain.diagram import DiagramError
from designer.domain.iac.cfn_yaml import load_template
from designer.domain.iac.template import looks_like_template

__all__ = [
    "MAX_FILES",
    "MAX_FILE_BYTES",
    "TEMPLATE_NAMES",
    "FileReader",
    "FileSet",
    "Files",
    "NoFiles",
    "resolve",
    "templates_among",
]

MAX_FILE_BYTES = 2_000_000  # the template reader's own cap: a definition is no bigger than a template
MAX_FILES = 200  # files read for one import (definitions, OpenAPI documents, nested stacks)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


class Files(Protocol):
    def read(self, path: str) -> bytes | None:
        """The bytes of a root-relative POSIX path, or None when there is no such file."""


class NoFiles:
    """No files beside the template (text pasted into a form, standard input)."""

    def read(self, path: str) -> bytes | None:
        return None


@dataclass
class FileSet:
    """Files held in memory (an uploaded set or zip, a test), keyed by root-relative POSIX path."""

    files: Mapping[str, bytes] = field(default_factory=dict)

    def read(self, path: str) -> bytes | None:
        """The file at ``path``; files chosen one by one in a browser arrive without their folders, so a path that
        is missing is answered by the one file of that name, when exactly one has it."""
        found = self.files.get(path)
        if found is not None:
            return found
        name = posixpath.basename(path)
        same = [content for key, content in self.files.items() if posixpath.basename(key) == name]
        return same[0] if len(same) == 1 else None


def resolve(template_path: str, ref: object) -> tuple[str | None, str]:
    """The root-relative path ``ref`` names, relative to the folder of ``template_path``, or (None, why not)."""
    if not isinstance(ref, str) or not ref.strip():
        return None, "the file reference is not a path"
    text = ref.strip().replace("\\", "/")
    if text.startswith("/") or re.match(r"^[A-Za-z]:/", text):
        return None, f"{text[:120]} is an absolute path; only paths relative to the template are read"
    if _SCHEME.match(text) or text.startswith(("s3:", "//")):
        return None, f"{text[:120]} is not a file beside the template"
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(template_path), text))
    if joined == ".." or joined.startswith("../") or joined.startswith("/"):
        return None, f"{text[:120]} is outside the imported folder; only files inside it are read"
    return joined, ""


class FileReader:
    """Reads the documents templates refer to, within the caps, for every template of one import."""

    def __init__(self, files: Files | None = None) -> None:
        self.files: Files = files or NoFiles()
        self.count = 0

    def document(self, template_path: str, ref: object) -> tuple[Any, str, str]:
        """(decoded JSON or YAML, its root-relative path, "") for a file ``ref`` names, or (None, path, why not)."""
        path, why = resolve(template_path, ref)
        if path is None:
            return None, "", why
        if self.count >= MAX_FILES:
            return None, path, f"{path} was not read: one import reads at most {MAX_FILES} files"
        self.count += 1
        raw = self.files.read(path)
        if raw is None:
            return None, path, f"{path} is not among the files imported with the template"
        if len(raw) > MAX_FILE_BYTES:
            return None, path, f"{path} has {len(raw):,} bytes; at most {MAX_FILE_BYTES:,} are read"
        try:
            return load_template(raw), path, ""
        except DiagramError as exc:
            return None, path, f"{path} cannot be read: {exc.problems[0] if exc.problems else exc}"


TEMPLATE_NAMES = ("template.yaml", "template.yml", "template.json")
NESTING_KEYS = ("TemplateURL", "Location")


def templates_among(files: Mapping[str, bytes]) -> list[str]:
    """The paths of the templates of an application among uploaded files: files named template.yaml/yml/json, else
    every YAML or JSON file that is a template; a template another one nests (TemplateURL) is read through its
    parent, not on its own."""
    named = sorted(p for p in files if posixpath.basename(p) in TEMPLATE_NAMES)
    candidates = named or sorted(
        p for p in files if p.endswith((".yaml", ".yml", ".json")) and looks_like_template(files[p])
    )
    nested: set[str] = set()
    for path in candidates:
        text = files[path][:MAX_FILE_BYTES].decode("utf-8", "replace")
        for ref in re.findall(r"(?:TemplateURL|Location)\s*[:=]\s*[\"']?([^\s\"'}]+)", text):
            child, _ = resolve(path, ref)
            if child:
                nested.add(child)
    return [p for p in candidates if p not in nested]
