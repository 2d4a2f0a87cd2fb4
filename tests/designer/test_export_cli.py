"""``archlab export`` on the starters in every format, and on broken files, missing files and a missing dot."""

import io
import json
import os
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from designer.cli import main
from designer.domain import render
from designer.domain.diagram import loads, parse
from tests.designer.domain.build import data

ROOT = Path(__file__).resolve().parents[2]
STARTERS = sorted((ROOT / "designer" / "data" / "starters").glob("*.json"))
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None and not os.environ.get("CI"),
    reason="Graphviz `dot` is not installed (apt-get install graphviz); with CI set this test fails instead",
)


def run(*args: str, out=None) -> tuple[int, str, str]:
    out = out if out is not None else io.StringIO()
    err = io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue() if isinstance(out, io.StringIO) else "", err.getvalue()


def write(tmp_path: Path, doc) -> str:
    path = tmp_path / "diagram.json"
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return str(path)


def check_svg(content: bytes, path: Path) -> None:
    root = ET.fromstring(content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"


def check_png(content: bytes, path: Path) -> None:
    assert content.startswith(PNG_MAGIC)


def check_dot(content: bytes, path: Path) -> None:
    text = content.decode()
    assert text.startswith("digraph archlab {")
    assert text.count(" -> ") == len(json.loads(path.read_text())["edges"])


def check_mermaid(content: bytes, path: Path) -> None:
    lines = content.decode().splitlines()
    doc = json.loads(path.read_text())
    assert lines[0] == "flowchart LR"
    assert sum(1 for line in lines if line.startswith("    n") and "|" not in line) == len(doc["nodes"])


def check_json(content: bytes, path: Path) -> None:
    written = json.loads(content)
    assert written == parse(loads(path.read_bytes())).to_dict()
    assert parse(written).to_dict() == written  # normalised JSON reads back unchanged


CHECKS = {"svg": check_svg, "png": check_png, "dot": check_dot, "mermaid": check_mermaid, "json": check_json}
FORMATS = [
    pytest.param(fmt, marks=[needs_dot] if fmt in ("svg", "png") else [], id=fmt)
    for fmt in ("svg", "png", "dot", "mermaid", "json")
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("path", STARTERS, ids=lambda p: p.stem)
def test_each_starter_exports_to_every_format_in_a_file(tmp_path, path, fmt):
    target = tmp_path / f"out.{fmt}"
    code, out, err = run("export", str(path), "--to", fmt, "--output", str(target))
    assert (code, out, err) == (0, "", "")
    CHECKS[fmt](target.read_bytes(), path)


@pytest.mark.parametrize("fmt", ["dot", "mermaid", "json"])
def test_text_formats_go_to_standard_output(fmt):
    code, out, err = run("export", str(STARTERS[0]), "--to", fmt)
    assert (code, err) == (0, "")
    CHECKS[fmt](out.encode(), STARTERS[0])


@needs_dot
@pytest.mark.parametrize(("fmt", "check"), [("png", check_png), ("svg", check_svg)])
def test_pictures_go_to_the_byte_buffer_of_standard_output(fmt, check):
    stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    code, _, err = run("export", str(STARTERS[0]), "--to", fmt, out=stdout)
    assert (code, err) == (0, "")
    check(stdout.buffer.getvalue(), STARTERS[0])


@needs_dot
def test_svg_to_a_text_only_stream_is_written_as_text():
    code, out, _ = run("export", str(STARTERS[0]), "--to", "svg")
    assert code == 0
    check_svg(out.encode(), STARTERS[0])


class Terminal(io.TextIOWrapper):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("stdout", [io.StringIO, lambda: Terminal(io.BytesIO())], ids=["text-only", "terminal"])
def test_png_to_a_text_only_stream_or_a_terminal_is_refused(stdout):
    code, out, err = run("export", str(STARTERS[0]), "--to", "png", out=stdout())
    assert (code, out) == (2, "")
    assert "give --output PATH" in err


@needs_dot
def test_dpi_sets_the_png_resolution(tmp_path):
    sizes = []
    for dpi in ("72", "144"):
        target = tmp_path / f"{dpi}.png"
        assert run("export", str(STARTERS[0]), "--to", "png", "--dpi", dpi, "-o", str(target))[0] == 0
        sizes.append(int.from_bytes(target.read_bytes()[16:20]))
    assert sizes[1] == pytest.approx(2 * sizes[0], rel=0.05)


@pytest.mark.parametrize("dpi", ["10", "601", "lots"])
def test_a_dpi_outside_the_range_is_a_usage_error(dpi, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["export", str(STARTERS[0]), "--to", "png", "--dpi", dpi])
    assert exc.value.code == 2
    assert "--dpi" in capsys.readouterr().err


def test_findings_mark_the_picture_only_when_asked(tmp_path):
    doc = data(
        {"web": "client-web", "api": "apigw-rest", "fn": ("lambda", {"timeout_s": 120, "duration_ms": 60_000})},
        [("web", "api"), ("api", "fn")],
    )
    path = write(tmp_path, doc)
    _, plain, _ = run("export", path, "--to", "dot")
    code, marked, _ = run("export", path, "--to", "dot", "--findings")
    assert code == 0  # an error finding is drawn, not a failure to export
    assert "\u2716" not in plain
    assert "\u2716" in marked


def test_json_writes_the_normalised_diagram_with_every_edge_kind(tmp_path):
    path = write(tmp_path, data({"fn": "lambda", "q": "sqs"}, [("fn", "q")]))
    code, out, _ = run("export", path, "--to", "json")
    assert code == 0
    written = json.loads(out)
    assert written["format"] == "archlab/diagram@1"
    assert written["edges"] == [{"id": "e1", "from": "fn", "to": "q", "kind": "send"}]


@pytest.mark.parametrize("fmt", ["svg", "png", "dot", "mermaid", "json"])
def test_a_broken_file_exits_2_with_its_problems_and_writes_nothing(tmp_path, fmt):
    path = write(tmp_path, data({"fn": ("lambda", {"timeout_s": 1200}), "x": "mainframe"}, [("fn", "ghost")]))
    target = tmp_path / "out"
    code, out, err = run("export", path, "--to", fmt, "--output", str(target))
    assert (code, out) == (2, "")
    assert "not a valid diagram" in err
    assert "nodes[0].config.timeout_s: 1200 is above the maximum 900" in err
    assert not target.exists()


def test_text_that_is_not_json_exits_2(tmp_path):
    code, _, err = run("export", write(tmp_path, "{nope"), "--to", "mermaid")
    assert code == 2
    assert "not valid JSON" in err


def test_a_missing_file_exits_2(tmp_path):
    code, _, err = run("export", str(tmp_path / "absent.json"), "--to", "dot")
    assert code == 2
    assert "cannot read" in err


def test_an_unwritable_output_exits_2(tmp_path):
    code, _, err = run("export", str(STARTERS[0]), "--to", "dot", "--output", str(tmp_path / "no" / "such" / "dir"))
    assert code == 2
    assert "cannot write" in err


@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_a_missing_dot_exits_2_naming_the_install_command(monkeypatch, tmp_path, fmt):
    monkeypatch.setattr(render, "DOT_EXECUTABLE", "archlab-no-such-dot")
    target = tmp_path / "out"
    code, out, err = run("export", str(STARTERS[0]), "--to", fmt, "--output", str(target))
    assert (code, out) == (2, "")
    assert f"cannot export to {fmt}" in err
    assert "apt-get install graphviz" in err
    assert not target.exists()


def test_text_formats_need_no_dot(monkeypatch):
    monkeypatch.setattr(render, "DOT_EXECUTABLE", "archlab-no-such-dot")
    for fmt in ("dot", "mermaid", "json"):
        assert run("export", str(STARTERS[0]), "--to", fmt)[0] == 0
