"""Review 21 (rv50, finding 1): the command run in the host's own process leaves the host's logging as it was.

The app's callback set up logging (a root handler bound to the stream of the moment, journeymap's level) and never
undid it: under typer's ``CliRunner`` the handler wrote to the runner's closed stream afterwards ("--- Logging error
--- ValueError: I/O operation on closed file"), and the host's own ``logging.basicConfig`` then did nothing.
"""

from __future__ import annotations

import logging

import pytest
from typer.testing import CliRunner

from journeymap.cli import app


def bare(monkeypatch: pytest.MonkeyPatch) -> logging.Logger:
    """The root logger of a host that has not set up logging (pytest's capture handlers, added per phase, taken off)."""
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])
    monkeypatch.setattr(root, "level", logging.WARNING)
    jm_logger = logging.getLogger("journeymap")
    monkeypatch.setattr(jm_logger, "level", logging.NOTSET)
    return root


@pytest.mark.parametrize("args", [["scorers"], ["-vv", "scorers"], ["scorers", "-q"]])
def test_a_command_run_in_process_puts_the_hosts_logging_back(monkeypatch: pytest.MonkeyPatch, args: list[str]) -> None:
    bare_root = bare(monkeypatch)
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert bare_root.handlers == []
    assert bare_root.level == logging.WARNING
    assert logging.getLogger("journeymap").level == logging.NOTSET


def test_the_hosts_basicconfig_takes_effect_after_a_command(monkeypatch: pytest.MonkeyPatch) -> None:
    bare_root = bare(monkeypatch)
    CliRunner().invoke(app, ["scorers"])
    CliRunner().invoke(app, ["-v", "scorers"])
    logging.basicConfig(level=logging.INFO, force=False)
    try:
        assert len(bare_root.handlers) == 1
        assert bare_root.level == logging.INFO
    finally:
        for handler in list(bare_root.handlers):
            bare_root.removeHandler(handler)
