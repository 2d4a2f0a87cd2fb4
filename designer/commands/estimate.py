"""``archlab estimate FILE [--profile P] [--format text|json] [--samples N]``: monthly cost and latency.

FILE's own ``traffic`` is the default profile; ``--profile`` names an ``archlab/traffic@1`` JSON file instead.
Exit status: 0 with an estimate (warnings included), 2 when the diagram, the profile or an option is invalid.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from typing import Any, TextIO

from designer.commands import EXIT_INVALID, EXIT_OK, load_or_report, read_input
from designer.domain.diagram import Diagram, DiagramError, loads
from designer.domain.estimate import DEFAULT_SAMPLES, MAX_SAMPLES, EstimateOptions, EstimateReport, estimate
from designer.domain.traffic import TrafficProfile, parse_traffic


def register(subcommands: Any) -> None:
    parser = subcommands.add_parser("estimate", help="estimate the monthly cost and latency of a diagram file")
    parser.add_argument("file", help="diagram JSON (archlab/diagram@1), or - for standard input")
    parser.add_argument("--profile", help="traffic profile JSON (archlab/traffic@1); default: the diagram's traffic")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--samples", type=int, default=DEFAULT_SAMPLES, help="simulated requests per entry")
    parser.add_argument("--seed", type=int, default=0, help="random seed; the same seed gives the same report")
    parser.add_argument("--failure-rate", type=float, default=0.0, help="share of invocations that fail (0-0.99)")
    parser.add_argument("--log-kb", type=float, default=0.0, help="CloudWatch Logs KB written per invocation")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    diagram = load_or_report(args.file, args.format, out, err)
    if isinstance(diagram, int):
        return diagram
    profile, problems = _profile(args.profile, diagram)
    if not 1 <= args.samples <= MAX_SAMPLES:
        problems.append(("--samples", f"must be 1..{MAX_SAMPLES:,}, not {args.samples}"))
    if not 0 <= args.failure_rate < 1 or not 0 <= args.log_kb <= 1_048_576:
        problems.append(("--failure-rate/--log-kb", "failure rate must be in [0, 1) and log KB not negative"))
    if problems:
        return _invalid(args.profile or args.file, problems, args.format, out, err)
    options = EstimateOptions(failure_rate=args.failure_rate, log_kb_per_invocation=args.log_kb)
    report = estimate(diagram, profile, samples=args.samples, seed=args.seed, options=options)
    if args.format == "json":
        json.dump(report.to_dict(), out, indent=2)
        out.write("\n")
    else:
        out.write(render_text(diagram, report))
    return EXIT_OK


def _profile(path: str | None, diagram: Diagram) -> tuple[TrafficProfile | None, list[tuple[str, str]]]:
    if path is None:
        return None, []
    try:
        data = loads(read_input(path))
    except DiagramError as exc:
        return None, [(p.path, p.message) for p in exc.problems]
    except OSError as exc:
        return None, [("", f"cannot read: {exc.strerror or exc}")]
    profile, problems = parse_traffic(data, {n.id for n in diagram.nodes})
    return profile, problems


def _invalid(path: str, problems: list[tuple[str, str]], fmt: str, out: TextIO, err: TextIO) -> int:
    if fmt == "json":
        errors = [{"path": where, "message": message} for where, message in problems]
        json.dump({"format": "archlab/errors@1", "errors": errors}, out, indent=2)
        out.write("\n")
    err.write(f"{path}: cannot estimate\n")
    for where, message in problems:
        err.write(f"  {where}: {message}\n" if where else f"  {message}\n")
    return EXIT_INVALID


def render_text(diagram: Diagram, report: EstimateReport) -> str:
    """The estimate for people: cost by service and dimension, latency per entry, warnings, assumptions."""
    free = "on" if report.free_tier else "off"
    lines = [
        f"{diagram.name}: estimate for {report.region}, {report.days:g} days, {report.month_hours:g}-hour month, "
        f"free tier {free}",
        f"Traffic: {report.requests_per_month:,.0f} requests a month",
        "",
        *_cost_table(diagram, report),
        "",
        *_latency_table(diagram, report),
        "",
    ]
    lines.append(f"Warnings ({len(report.warnings)}):" if report.warnings else "Warnings: none")
    for w in report.warnings:
        lines.append(f"  [{w.rule}] {w.message}")
    lines += ["", "Assumptions:", *(f"  - {a}" for a in report.assumptions), ""]
    return "\n".join(lines)


def _cost_table(diagram: Diagram, report: EstimateReport) -> list[str]:
    totals: dict[tuple[str, str], list[Any]] = defaultdict(lambda: [0.0, "", 0.0])
    for line in report.lines:
        row = totals[(line.node, line.dimension)]
        row[0] += line.quantity
        row[1] = line.unit
        row[2] += line.cost_usd
    out = [f"{'Cost by service and dimension':<46}{'quantity':>18}  {'unit':<20}{'USD/month':>14}"]
    node_ids = [n.id for n in diagram.nodes]
    for node_id in node_ids:
        rows = [(dim, row) for (nid, dim), row in totals.items() if nid == node_id]
        if not rows:
            continue
        node = diagram.node(node_id)
        out.append(f"  {node.label} ({node.type})")
        out.extend(f"    {dim:<42}{row[0]:>18,.2f}  {row[1]:<20}{_usd(row[2]):>14}" for dim, row in rows)
    if not totals:
        out.append("  (nothing billed)")
    out.append(f"{'Total':<86}{_usd(report.monthly_cost_usd):>14}")
    if report.cost_per_million_usd is not None:
        out.append(f"Per million requests: ${_usd(report.cost_per_million_usd)}")
    curve = ", ".join(f"{p.scale:g}x ${_usd(p.monthly_cost_usd)}" for p in report.curve)
    out.append(f"At other traffic: {curve}")
    return out


def _latency_table(diagram: Diagram, report: EstimateReport) -> list[str]:
    if not report.paths:
        return ["Latency: no entry points"]
    out = [f"{'Latency (ms)':<34}{'caller p50 / p95 / p99':>28}{'completion p50 / p95 / p99':>32}"]
    for p in report.paths:
        c, d = p.caller_ms, p.completion_ms
        name = f"{diagram.label(p.entry)} ({'sync' if p.sync else 'async'})"
        out.append(
            f"  {name:<32}{c.p50:>10,.0f} /{c.p95:>7,.0f} /{c.p99:>7,.0f}{d.p50:>14,.0f} /{d.p95:>7,.0f} /{d.p99:>7,.0f}"
        )
    return out


def _usd(x: float) -> str:
    return f"{x:,.2f}" if x >= 0.01 or x == 0 else f"{x:.4f}"
