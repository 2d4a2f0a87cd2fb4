"""Where the files beside a template come from: a folder on disk (the command line) or an uploaded set or zip
archive (the web import). Both answer ``read(path)`` for root-relative POSIX paths, as
``designer.domain.iac.files.Files`` asks; the reading rules and caps are the domain's.

Threats and answers: a folder reader must not follow a symbolic link out of the folder (``..`` is refused by
the domain's ``resolve`` already), nor read a device or a huge file; an archive must not expand past its caps (a
zip bomb) nor name paths outside itself.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path, PurePosixPath

from designer.domain.iac.files import MAX_FILE_BYTES, TEMPLATE_NAMES, FileSet

__all__ = ["MAX_ARCHIVE_BYTES", "MAX_ARCHIVE_FILES", "ArchiveError", "Folder", "TEMPLATE_NAMES", "unzip"]

MAX_ARCHIVE_FILES = 500
MAX_ARCHIVE_BYTES = 20_000_000  # expanded


class ArchiveError(ValueError):
    """An uploaded archive that cannot be read; the message says why."""


class Folder:
    """Files under ``root`` on disk; paths that leave it (through symbolic links too) read as absent."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()

    def read(self, path: str) -> bytes | None:
        candidate = (self.root / PurePosixPath(path)).resolve()
        if not candidate.is_relative_to(self.root) or not candidate.is_file():
            return None
        with candidate.open("rb") as fh:
            return fh.read(MAX_FILE_BYTES + 1)


def unzip(data: bytes) -> FileSet:
    """The files of a zip archive by their POSIX paths (a single top folder is kept as written)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ArchiveError(f"not a readable zip archive ({exc})") from None
    files: dict[str, bytes] = {}
    total = 0
    entries = [i for i in archive.infolist() if not i.is_dir()]
    if len(entries) > MAX_ARCHIVE_FILES:
        raise ArchiveError(f"the archive holds {len(entries):,} files; at most {MAX_ARCHIVE_FILES} are read")
    for info in entries:
        name = PurePosixPath(info.filename.replace("\\", "/"))
        if name.is_absolute() or ".." in name.parts:
            raise ArchiveError(f"{info.filename[:120]} is outside the archive's folder")
        if info.file_size > MAX_FILE_BYTES:
            continue  # the reader notes it as missing: too big to be a template or a definition
        total += info.file_size
        if total > MAX_ARCHIVE_BYTES:
            raise ArchiveError(f"the archive expands to more than {MAX_ARCHIVE_BYTES:,} bytes")
        try:
            with archive.open(info) as fh:
                content = fh.read(MAX_FILE_BYTES + 1)
        except (zipfile.BadZipFile, RuntimeError, OSError, EOFError) as exc:
            raise ArchiveError(f"{info.filename[:120]} cannot be read ({exc})") from None
        files[str(name)] = content
    return FileSet(files)
