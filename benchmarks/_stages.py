"""Benchmark stages, each in a fresh process so that its peak memory is its own (shared by the benchmarks)."""

from __future__ import annotations

import multiprocessing as mp
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence


def run_stages(stage: Callable[[str, str, mp.Queue], None], names: Sequence[str], path: str) -> dict[str, tuple[float, float]]:
    """Run ``stage(name, path, queue)`` for each name in a spawned process; ``{label: (seconds, peak MiB)}``.

    A stage puts ``(label, seconds, peak)`` tuples on the queue (one or more: a stage may time its
    parts too). The first name is the baseline: the table printed gives every time as a multiple of it.
    """
    ctx = mp.get_context("spawn")
    results: dict[str, tuple[float, float]] = {}
    for name in names:
        queue: mp.Queue = ctx.Queue()
        proc = ctx.Process(target=stage, args=(name, path, queue))
        proc.start()
        proc.join()
        while not queue.empty():
            label, seconds, peak = queue.get()
            results[label] = (seconds, peak)
    baseline = results[names[0]][0]
    print(f"{'stage':45s} {'seconds':>8s} {'x baseline':>10s} {'peak MiB':>9s}")
    for label, (seconds, peak) in results.items():
        print(f"{label:45s} {seconds:8.2f} {seconds / baseline:10.2f} {peak:9.0f}")
    return results
