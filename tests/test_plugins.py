"""The shared entry-point reader: first registration wins, built-ins fill gaps."""

from __future__ import annotations

import logging
from importlib.metadata import EntryPoint
from typing import TYPE_CHECKING

from journeymap import _plugins

if TYPE_CHECKING:
    import pytest


def test_first_of_two_different_registrations_wins_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    eps = [
        EntryPoint(name="mine", value="pkg_a:Scorer", group="g"),
        EntryPoint(name="mine", value="pkg_b:Scorer", group="g"),
        EntryPoint(name="other", value="pkg_c:Other", group="g"),
        EntryPoint(name="other", value="pkg_c:Other", group="g"),  # the same twice: no warning
    ]
    monkeypatch.setattr(_plugins, "entry_points", lambda group: [e for e in eps if e.group == group])
    with caplog.at_level(logging.WARNING, logger="journeymap._plugins"):
        found = _plugins.read_group("g", "scorer")
    assert {k: v.value for k, v in found.items()} == {"mine": "pkg_a:Scorer", "other": "pkg_c:Other"}
    assert [r.getMessage() for r in caplog.records] == [
        "scorer 'mine' is registered twice (pkg_a:Scorer, pkg_b:Scorer); using the first"
    ]


def test_builtins_fill_what_the_metadata_lacks_and_keep_their_names(monkeypatch: pytest.MonkeyPatch) -> None:
    installed = [
        EntryPoint(name="default", value="pkg:Builtin", group="g"),  # journeymap's own metadata
        EntryPoint(name="default", value="pkg:Installed", group="g"),  # another install taking the name
        EntryPoint(name="other", value="pkg:Other", group="g"),
    ]
    monkeypatch.setattr(_plugins, "entry_points", lambda group: installed)
    found = _plugins.read_group("g", "encoder", {"default": "pkg:Builtin", "extra": "pkg:Extra"})
    assert {k: v.value for k, v in found.items()} == {"default": "pkg:Builtin", "other": "pkg:Other", "extra": "pkg:Extra"}
    assert found["extra"].group == "g"
