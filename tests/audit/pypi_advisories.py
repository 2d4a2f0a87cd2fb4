"""Known vulnerabilities in requirements.lock, from PyPI's project pages, for where pip-audit cannot run.

pip-audit reads PyPI's per-release JSON (``/pypi/<name>/<version>/json``) or OSV. Where only the per-project JSON
(``/pypi/<name>/json``) is reachable, this script reads that instead: its ``vulnerabilities`` list is PyPI's
advisory data for the project's latest release. So a pin that is the latest release is checked exactly; a pin
behind the latest release cannot be checked this way and is reported as unchecked, never as clean.

Exit status: 0 every pin checked and none has an advisory; 1 an advisory applies; 2 some pins left unchecked.

    .venv/bin/python tests/audit/pypi_advisories.py [requirements.lock]
"""

from __future__ import annotations

import json
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PROJECT_JSON = "https://pypi.org/pypi/{name}/json"


@dataclass(frozen=True)
class Verdict:
    name: str
    pinned: str
    latest: str  # "" when PyPI did not answer
    advisories: tuple[str, ...]  # ids of the advisories that apply to the pinned release
    checked: bool
    why: str = ""


def pins(text: str) -> list[tuple[str, str]]:
    """``name==version`` lines of a lock file, skipping comments, options and editable installs."""
    found = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line and not line.startswith("-"):
            name, version = line.split("==", 1)
            found.append((name.strip(), version.split(";", 1)[0].strip()))
    return found


def judge(name: str, pinned: str, project: dict[str, Any] | None) -> Verdict:
    """What PyPI's project JSON says about one pin."""
    if project is None:
        return Verdict(name, pinned, "", (), checked=False, why="PyPI did not answer")
    latest = str(project.get("info", {}).get("version", ""))
    if latest != pinned:
        return Verdict(name, pinned, latest, (), checked=False, why=f"pinned behind the latest release {latest}")
    ids = tuple(str(v.get("id") or v.get("aliases") or "?") for v in project.get("vulnerabilities") or ())
    return Verdict(name, pinned, latest, ids, checked=True)


def fetch(name: str) -> dict[str, Any] | None:
    try:
        with urllib.request.urlopen(PROJECT_JSON.format(name=name), timeout=30) as answer:  # noqa: S310 - fixed https URL
            return json.load(answer)
    except (OSError, ValueError):
        return None


def main(argv: list[str]) -> int:
    lock = Path(argv[1]) if len(argv) > 1 else ROOT / "requirements.lock"
    wanted = pins(lock.read_text())
    with ThreadPoolExecutor(max_workers=8) as pool:
        verdicts = list(pool.map(lambda pin: judge(pin[0], pin[1], fetch(pin[0])), wanted))
    vulnerable = [v for v in verdicts if v.advisories]
    unchecked = [v for v in verdicts if not v.checked]
    for v in vulnerable:
        print(f"VULNERABLE {v.name}=={v.pinned}: {', '.join(v.advisories)}")
    for v in unchecked:
        print(f"unchecked  {v.name}=={v.pinned}: {v.why}")
    clean = len(verdicts) - len(vulnerable) - len(unchecked)
    print(
        f"{len(verdicts)} pins: {clean} checked with no advisory, {len(vulnerable)} vulnerable, {len(unchecked)} unchecked"
    )
    return 1 if vulnerable else 2 if unchecked else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
