"""Reading the files of an import safely: a folder on disk never leaks what is outside it, and a zip archive never
expands past its caps nor names paths outside itself."""

from __future__ import annotations

import io
import os
import zipfile

import pytest

from designer import files
from designer.domain.iac.files import MAX_FILE_BYTES
from designer.files import ArchiveError, Folder, unzip


def zipped(entries: dict[str, bytes], compression: int = zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_a_folder_reads_its_files_and_nothing_a_link_or_a_path_takes_outside(tmp_path):
    app, secret = tmp_path / "app", tmp_path / "secret.txt"
    (app / "statemachine").mkdir(parents=True)
    (app / "statemachine" / "flow.asl.json").write_bytes(b"{}")
    secret.write_bytes(b"password")
    os.symlink(secret, app / "link.json")
    folder = Folder(app)
    assert folder.read("statemachine/flow.asl.json") == b"{}"
    assert folder.read("link.json") is None
    assert folder.read("../secret.txt") is None
    assert folder.read("statemachine") is None  # a folder is not a file
    assert folder.read("missing.json") is None


def test_a_folder_reads_at_most_one_byte_past_the_cap(tmp_path):
    (tmp_path / "big.json").write_bytes(b"x" * (MAX_FILE_BYTES + 10))
    assert len(Folder(tmp_path).read("big.json") or b"") == MAX_FILE_BYTES + 1


def test_a_zip_keeps_its_paths():
    found = unzip(zipped({"app/template.yaml": b"Resources: {}", "app/sm/flow.json": b"{}"}))
    assert dict(found.files) == {"app/template.yaml": b"Resources: {}", "app/sm/flow.json": b"{}"}


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ({"../evil.yaml": b"x"}, "../evil.yaml is outside the archive's folder"),
        ({"/etc/passwd": b"x"}, "/etc/passwd is outside the archive's folder"),
        ({"a/../../b.yaml": b"x"}, "is outside the archive's folder"),
    ],
)
def test_a_zip_that_names_paths_outside_itself_is_refused(entries, message):
    with pytest.raises(ArchiveError, match=message.replace(".", r"\.")):
        unzip(zipped(entries))


def test_a_zip_with_too_many_files_is_refused(monkeypatch):
    monkeypatch.setattr(files, "MAX_ARCHIVE_FILES", 3)
    with pytest.raises(ArchiveError, match="holds 4 files; at most 3 are read"):
        unzip(zipped({f"f{i}.json": b"{}" for i in range(4)}))


def test_a_zip_bomb_stops_at_the_expanded_cap(monkeypatch):
    monkeypatch.setattr(files, "MAX_ARCHIVE_BYTES", 3_000_000)
    bomb = zipped({f"part{i}.json": b"0" * 1_000_000 for i in range(5)}, zipfile.ZIP_DEFLATED)
    assert len(bomb) < 30_000  # a few kilobytes that claim five megabytes
    with pytest.raises(ArchiveError, match="expands to more than 3,000,000 bytes"):
        unzip(bomb)


def test_a_file_too_big_to_be_a_template_is_left_out_not_read():
    found = unzip(zipped({"huge.json": b"0" * (MAX_FILE_BYTES + 1), "template.yaml": b"Resources: {}"}))
    assert set(found.files) == {"template.yaml"}


@pytest.mark.parametrize("data", [b"", b"PK\x03\x04 truncated", b"not a zip at all"])
def test_what_is_not_a_zip_says_so(data):
    with pytest.raises(ArchiveError, match="not a readable zip archive"):
        unzip(data)
