"""Archlab against an expert on the public templates in ../shared/templates: pattern recall per pattern, finding
precision, connection recall (and connections invented), from the labels in
tests/designer/domain/iac/template_labels/.

Targets: pattern recall >= 90% overall and >= 70% for every pattern; finding precision >= 90%; connection recall
>= 95%, none invented.
Run: .venv/bin/python tests/bench/bench_templates.py [--verbose] [--labels DIR --templates DIR]
(another labelled set, such as templates held out from the development of the importer, in the same format)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.designer.domain.iac.labels import LABELS, TEMPLATES, evaluate  # noqa: E402


def _option(name: str, default: Path) -> Path:
    return Path(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


def main() -> None:
    templates, labels = _option("--templates", TEMPLATES), _option("--labels", LABELS)
    if not templates.is_dir():
        print(f"the public templates are not here: {templates} (they live in ../shared/templates beside the project)")
        return
    verbose = "--verbose" in sys.argv
    start = time.perf_counter()
    summary = evaluate(labels, templates)
    elapsed = time.perf_counter() - start
    outcomes = summary.outcomes
    print(f"{len(outcomes)} labelled templates, imported and validated in {elapsed:.1f} s")
    print("\npattern recall (recognised / labelled):")
    for pattern, (hit, total) in summary.pattern_recall.items():
        print(f"  {pattern:<22} {hit:>3}/{total:<3} {hit / total:6.0%}")
    print(f"  {'overall':<22} {summary.pattern_recall_overall:10.0%}")
    wrong = [w for o in outcomes for w in o.completeness_wrong]
    extra = [p for o in outcomes for p in o.extra_patterns]
    print(f"  completeness disagreeing: {len(wrong)}; patterns named that no label names: {len(extra)}")
    reported = summary.reported
    print(
        f"\nfindings: {len(reported)} reported; precision {summary.precision:.0%} "
        f"({sum(f[3] for f in reported)} an expert raises or accepts), strict {summary.strict_precision:.0%}; "
        f"recall of required findings {summary.finding_recall:.0%}"
    )
    for rule, count in summary.false_findings().most_common():
        print(f"  not an expert's: {rule} x{count}")
    severities = [s for o in outcomes for s in o.severity_wrong]
    print(f"  severity disagreeing with the label: {len(severities)}")
    print(f"\nconnections: recall {summary.connection_recall:.0%}; invented {summary.invented}")
    errors = [o for o in outcomes if o.error and not o.label.data.get("import_error")]
    print(f"templates that could not be read (unexpectedly): {len(errors)}")
    if verbose:
        for o in outcomes:
            lines = (
                [f"  missing node {n}" for n in o.missing_nodes]
                + [f"  missing edge {e}" for e in o.missing_edges]
                + [f"  invented edge {e}" for e in o.invented_edges]
                + [f"  pattern not recognised: {p}" for p, found in o.patterns_found.items() if not found]
                + [f"  completeness: {w}" for w in o.completeness_wrong]
                + [f"  unlabelled pattern: {p}" for p in o.extra_patterns]
                + [f"  false finding: {f[0]} ({f[1]}): {f[2]}" for f in o.findings if not f[3]]
                + [f"  missed finding: {m}" for m in o.missed_findings]
                + [f"  severity: {s}" for s in o.severity_wrong]
                + ([f"  error: {o.error}"] if o.error and not o.label.data.get("import_error") else [])
            )
            if lines:
                print(f"\n{o.label.name}")
                print("\n".join(lines))


if __name__ == "__main__":
    main()
