"""Median time of parse + validate for generated diagrams of 10, 100 and 1,000 nodes (about 2 edges per node).

Targets: 1,000 nodes within 50 ms, 10 nodes within 1 ms, 1,000-node time at most 15x the 100-node time.
Run: .venv/bin/python tests/bench/bench_validate.py
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from designer.domain.catalog import load_catalog  # noqa: E402
from designer.domain.diagram import parse  # noqa: E402
from designer.domain.validate import validate  # noqa: E402


def generate(n: int, seed: int = 7) -> dict:
    """A realistic mix: chains of client -> API -> function -> queue -> function -> table, plus cross links."""
    rng = random.Random(seed)
    catalog = load_catalog()
    blueprint = ["client-web", "apigw-rest", "lambda", "sqs", "lambda", "dynamodb", "sns", "sqs", "lambda", "s3"]
    types = [blueprint[i % len(blueprint)] for i in range(n)]
    nodes = [{"id": f"n{i}", "type": t, "label": f"{t} {i}"} for i, t in enumerate(types)]
    edges = []
    for i in range(n - 1):  # the chain
        if catalog.connections.get((types[i], types[i + 1])):
            edges.append({"from": f"n{i}", "to": f"n{i + 1}"})
    tries = 0
    while len(edges) < 2 * n and tries < 50 * n:  # cross links the catalog allows
        tries += 1
        i, j = rng.randrange(n), rng.randrange(n)
        if i != j and catalog.connections.get((types[i], types[j])):
            edges.append({"from": f"n{i}", "to": f"n{j}"})
    entries = {f"n{i}": {"rps": 10} for i, t in enumerate(types) if t == "client-web"}
    return {"name": f"bench {n}", "nodes": nodes, "edges": edges, "traffic": {"entries": entries}}


def median_ms(doc: dict, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        validate(parse(doc))
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    load_catalog()
    results = {}
    for n, runs in ((10, 501), (100, 101), (1000, 31)):
        doc = generate(n)
        validate(parse(doc))  # warm up
        results[n] = median_ms(doc, runs)
        print(f"{n:>5} nodes, {len(doc['edges']):>5} edges: median {results[n]:8.3f} ms over {runs} runs")
    ratio = results[1000] / results[100]
    print(f"1,000-node / 100-node time: {ratio:.1f}x (target at most 15x)")
    print(
        f"targets: 10 nodes <= 1 ms: {'met' if results[10] <= 1 else 'MISSED'}; "
        f"1,000 nodes <= 50 ms: {'met' if results[1000] <= 50 else 'MISSED'}; "
        f"growth: {'met' if ratio <= 15 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
