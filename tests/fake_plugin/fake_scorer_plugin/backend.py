"""A backend plugin for journeymap's tests: data held in a ``Remote`` box, with one function there."""

from __future__ import annotations

from typing import Any


class Remote:
    """Journeys "somewhere else": a box the fake backend recognises."""

    def __init__(self, js: Any) -> None:
        self.js = js
        self.calls: list[str] = []


def _journey_metrics(remote: Remote, **options: Any) -> Any:
    import journeymap as jm

    remote.calls.append("journey_metrics")
    return jm.journey_metrics(remote.js, **options)


class FakeBackend:
    """Handles :class:`Remote` and has a form of ``journey_metrics`` only."""

    name = "fake"

    def handles(self, obj: object) -> bool:
        return isinstance(obj, Remote)

    def implementation(self, function: str) -> Any:
        return {"journey_metrics": _journey_metrics}.get(function)
