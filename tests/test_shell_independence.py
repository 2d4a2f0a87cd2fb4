"""The suite asserts the same settings whatever the caller's shell exports (tests/pinned_settings.py)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_security_settings_tests_pass_with_debug_exported():
    env = {**os.environ, "DEBUG": "true", "SECURE_COOKIES": "false", "RATE_LIMITS_ENABLED": "false"}
    env.pop("PYTEST_ADDOPTS", None)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/security/test_settings.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
