"""`.ci/run` runs the README's install command and its test command, character for character."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    install = text.split("## Install and run the demo", 1)[1]
    tests = text.split("## Run the tests", 1)[1]
    return [re.search(r"```bash\n(.+?)\n```", part, re.S).group(1).strip() for part in (install, tests)]  # type: ignore[union-attr]


def test_ci_runs_the_readme_commands_exactly() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    lines = [line.strip() for line in script.splitlines()]
    install, test = _readme_commands()
    assert install.startswith("python3 -m venv .venv") and "journeymap demo" in install
    assert test.startswith(".venv/bin/ruff check") and "-m pytest" in test
    assert install in lines, "the README's install command is not a line of .ci/run"
    assert lines[-1] == test, "the README's test command is not .ci/run's last line"


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash")
def test_ci_script_stops_when_every_install_try_fails(tmp_path: Path) -> None:
    """An install that fails three times ends the run with a message; the tests never start on a half-built venv."""
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    install, _ = _readme_commands()
    assert install in script and "sleep 60" in script and 'cd "$(dirname "$0")/.."' in script
    fake = script.replace(install, "echo install-tried; false").replace("sleep 60", "true")
    fake = fake.replace('cd "$(dirname "$0")/.."', f"cd {tmp_path}")
    # the chromium step only runs as root; keep it out of a test run
    fake = fake.replace('[ "$(id -u)" = 0 ]', "false")
    run = subprocess.run(["bash", "-c", fake], check=False, capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    assert run.stdout.count("install-tried") == 3
    assert "failed three times" in run.stderr
    assert not (tmp_path / ".venv").exists()
