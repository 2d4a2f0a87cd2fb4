"""Median time to grade a 300-word free-text answer (target: at most 5 ms).

The answer is graded as a learner sends it: the whole question ws-17 with its text part answered, against every
rubric concept and misconception. The first run (which compiles the patterns) is not counted.
Run: .venv/bin/python tests/bench/bench_grading.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from quiz.grading import grade  # noqa: E402

TARGET_MS = 5.0
RUNS = 500
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


def answer(words: int = 300) -> str:
    out, count, i = [], 0, 0
    while count < words:
        sentence = SENTENCES[i % len(SENTENCES)]
        out.append(sentence)
        count += len(sentence.split())
        i += 1
    return " ".join(" ".join(out).split()[:words]) + "."


def main() -> int:
    bank = yaml.safe_load((ROOT / "quiz" / "content" / "workshop.yaml").read_text())
    question = next(q for q in bank["questions"] if q["id"] == "ws-17")
    text = answer()
    grade(question, {"explain": text})  # warm-up: compiles and caches the rubric patterns
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        result = grade(question, {"explain": text})
        times.append((time.perf_counter() - start) * 1000)
    median = statistics.median(times)
    part = next(p for p in result.parts if p.id == "explain")
    print(
        f"grade a {len(text.split())}-word explanation (ws-17, {len(question['parts'][3]['rubric'])} concepts): "
        f"median {median:.3f} ms, p95 {sorted(times)[int(RUNS * 0.95)]:.3f} ms over {RUNS} runs "
        f"(target <= {TARGET_MS} ms); part score {part.score}/{part.max}"
    )
    return 0 if median <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
