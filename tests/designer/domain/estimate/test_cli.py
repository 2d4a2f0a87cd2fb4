"""``archlab estimate`` on the starters and on bad input: exit codes, the JSON shape and the text table."""

import io
import json
from pathlib import Path

import pytest

from designer.cli import main
from tests.designer.domain.build import data

ROOT = Path(__file__).resolve().parents[4]
STARTERS = sorted((ROOT / "designer" / "data" / "starters").glob("*.json"))
TOP = {
    "format", "region", "currency", "days", "month_hours", "free_tier", "monthly_cost_usd", "lines", "paths",
    "warnings", "assumptions",
}  # fmt: skip
LINE = {"node", "dimension", "quantity", "unit", "unit_price_usd", "cost_usd", "source"}


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["estimate", *args], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def write(tmp_path: Path, name: str, doc) -> str:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return str(path)


@pytest.mark.parametrize("path", STARTERS, ids=lambda p: p.stem)
def test_each_starter_estimates_as_json_in_the_contract_shape(path):
    code, out, err = run(str(path), "--format", "json", "--samples", "2000")
    assert code == 0, err
    report = json.loads(out)
    assert set(report) >= TOP
    assert report["format"] == "archlab/estimate@1"
    assert report["region"] == "us-east-1"
    assert report["currency"] == "USD"
    assert all(set(line) == LINE for line in report["lines"])
    assert all(line["source"].startswith("https://") for line in report["lines"])
    for p in report["paths"]:
        assert {"entry", "nodes", "sync", "caller_ms", "completion_ms"} <= set(p)
        assert set(p["caller_ms"]) == set(p["completion_ms"]) == {"p50", "p95", "p99"}
    assert all(set(w) == {"rule", "message", "nodes"} for w in report["warnings"])
    assert report["assumptions"]
    assert report["paths"]


@pytest.mark.parametrize("path", STARTERS[:3], ids=lambda p: p.stem)
def test_the_text_report_has_the_cost_table_latency_and_assumptions(path):
    code, out, _ = run(str(path), "--samples", "2000")
    assert code == 0
    for heading in ("Cost by service and dimension", "Total", "Latency (ms)", "Assumptions:"):
        assert heading in out


def test_a_profile_file_replaces_the_diagrams_own_traffic(tmp_path):
    starter = str(ROOT / "designer" / "data" / "starters" / "sync.json")
    profile = write(tmp_path, "busy.json", {"format": "archlab/traffic@1", "entries": {"web": {"rps": 2000}}})
    _, base, _ = run(starter, "--format", "json", "--samples", "1000")
    code, busy, _ = run(starter, "--profile", profile, "--format", "json", "--samples", "1000")
    assert code == 0
    assert json.loads(busy)["monthly_cost_usd"] > 50 * json.loads(base)["monthly_cost_usd"]


@pytest.mark.parametrize(
    ("profile", "message"),
    [
        ({"entries": {"ghost": {"rps": 1}}}, "entries.ghost: no node in the diagram has this id"),
        ({"entries": {"web": {"rps": -1}}}, "entries.web.rps: -1 is outside"),
        ({"days": 40, "entries": {}}, "days: 40 is outside 1..31"),
        ('{"entries": ', "not valid JSON"),
    ],
)
def test_a_bad_profile_exits_2_with_a_clear_error(tmp_path, profile, message):
    diagram = write(tmp_path, "d.json", data({"web": "client-web", "api": "apigw-http"}, [("web", "api")]))
    code, out, err = run(diagram, "--profile", write(tmp_path, "p.json", profile))
    assert code == 2
    assert out == ""
    assert "cannot estimate" in err
    assert message in err


def test_a_bad_profile_in_json_mode_prints_the_errors_as_json(tmp_path):
    diagram = write(tmp_path, "d.json", data({"web": "client-web"}, []))
    code, out, _ = run(diagram, "--profile", write(tmp_path, "p.json", {"entries": {"x": {}}}), "--format", "json")
    assert code == 2
    assert json.loads(out)["errors"][0]["path"] == "entries.x"


@pytest.mark.parametrize(
    "args",
    [("--samples", "0"), ("--failure-rate", "1.5"), ("--profile", "/no/such/profile.json")],
)
def test_bad_options_exit_2(tmp_path, args):
    diagram = write(tmp_path, "d.json", data({"fn": "lambda"}, []))
    code, _, err = run(diagram, *args)
    assert code == 2
    assert err


def test_an_invalid_diagram_exits_2(tmp_path):
    code, _, err = run(write(tmp_path, "d.json", data({"fn": ("lambda", {"timeout_s": 5000})}, [])))
    assert code == 2
    assert "timeout_s" in err


def test_the_same_seed_gives_the_same_json(tmp_path):
    starter = str(ROOT / "designer" / "data" / "starters" / "fan-out.json")
    first = run(starter, "--format", "json", "--samples", "3000", "--seed", "5")[1]
    assert run(starter, "--format", "json", "--samples", "3000", "--seed", "5")[1] == first
