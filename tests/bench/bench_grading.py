"""The free-text grader measured: how fast, and how often it agrees with the band each calibration answer deserves.

Speed: the median time to grade a 300-word answer to ws-17 as a learner sends it (the whole question, every
concept and misconception), a different text each run so that nothing is served from a cache (target: 5 ms).
Agreement: every answer of quiz/content/calibration/ (or --answers DIR), graded and compared with its band, per
kind, with the answers out of band listed under --verbose.
Run: .venv/bin/python tests/bench/bench_grading.py [--verbose] [--answers DIR]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from quiz.grading import grade  # noqa: E402
from tests.quiz.calibration import BANDS, CALIBRATION, GAMING, evaluate  # noqa: E402

TARGET_MS = 5.0
RUNS = 300
SENTENCES = [
    "SNS is a publish and subscribe service, so a producer sends one message to a topic.",
    "The topic then pushes a copy of that message to every subscription, whether it is a queue, a function or an endpoint.",
    "SQS works the other way round: messages wait in a queue until a consumer polls for them.",
    "Each message in a queue is handled by a single consumer and deleted once the work has succeeded.",
    "Consumers that read one queue compete for its messages, which spreads the work across workers.",
    "When one order event has to reach the email, stock and analytics services, I would not let them share a queue.",
    "Instead I would create an SNS topic and subscribe one SQS queue for each of the three services.",
    "That is the fan-out pattern, and it lets every service read at its own pace without slowing the others.",
    "The queue keeps messages for up to fourteen days, so a service that is down for maintenance loses nothing.",
    "I would add a dead-letter queue to each of the queues so that poison messages are set aside after a few attempts.",
    "Raw message delivery means the consumers read the payload exactly as the producer wrote it.",
    "A filter policy on each subscription keeps messages that a service does not need out of its queue.",
    "Costs stay small, because publishes and queue requests are billed per million.",
    "If I needed replay or routing on many fields, I would look at EventBridge instead of SNS.",
]


def answer(run: int, words: int = 300) -> str:
    out, count, i = [], 0, run
    while count < words:
        sentence = SENTENCES[i % len(SENTENCES)]
        out.append(sentence)
        count += len(sentence.split())
        i += 1
    return " ".join(" ".join(out).split()[:words]) + f" Run {run}."


def speed() -> float:
    bank = yaml.safe_load((ROOT / "quiz" / "content" / "workshop.yaml").read_text())
    question = next(q for q in bank["questions"] if q["id"] == "ws-17")
    grade(question, {"explain": answer(0)})  # warm-up: compiles the patterns
    times = []
    for run in range(1, RUNS + 1):
        text = answer(run)
        start = time.perf_counter()
        grade(question, {"explain": text})
        times.append((time.perf_counter() - start) * 1000)
    median = statistics.median(times)
    print(
        f"grade a 300-word explanation (ws-17): median {median:.2f} ms, p95 {sorted(times)[int(RUNS * 0.95)]:.2f} ms "
        f"over {RUNS} runs, each a different text (target <= {TARGET_MS} ms)"
    )
    return median


def agreement(folder: Path, verbose: bool) -> None:
    start = time.perf_counter()
    summary = evaluate(folder)
    print(f"\n{len(summary.outcomes)} calibration answers graded in {time.perf_counter() - start:.1f} s ({folder})")
    for kind, (low, high) in BANDS.items():
        hit, total = summary.share((kind,), "in_band")
        if total:
            print(f"  {kind:14} {hit:3}/{total:<3} in {low:.2f}-{high:.2f}  {100 * hit / total:5.1f}%")
    for label, kinds in (("strong/partial/weak", ("strong", "partial", "weak")), ("gaming <= 0.3", GAMING)):
        hit, total = summary.share(kinds, "in_band")
        print(f"  {label:22} {100 * hit / max(total, 1):5.1f}%")
    named, total = summary.share(("misconception",), "named_right")
    capped, _ = summary.share(("misconception",), "in_band")
    print(
        f"  misconceptions named  {100 * named / max(total, 1):5.1f}%, capped at 0.6 {100 * capped / max(total, 1):5.1f}%"
    )
    confusions = summary.confusions()
    if confusions:
        print("  out of band: " + ", ".join(f"{k} {where} x{n}" for (k, where), n in sorted(confusions.items())))
    if verbose:
        for o in summary.outcomes:
            if not o.ok:
                named = f" named {o.named}" if o.answer.kind == "misconception" else ""
                print(f"    {o.answer.name:30} {o.score:.2f}{named}: {' '.join(o.answer.text.split())[:140]}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--answers", type=Path, default=CALIBRATION)
    args = parser.parse_args()
    median = speed()
    agreement(args.answers, args.verbose)
    return 0 if median <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
