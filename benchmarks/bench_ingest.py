"""Ingest benchmark: read_events + build_journeys on synthetic events, at several sizes.

Run on demand: ``python benchmarks/bench_ingest.py [--events 100000 1000000 3000000]
[--data-dir DIR]`` (``--data-dir`` keeps the generated events for the next run). Each
stage runs in a fresh process so its peak memory (resident set above the process's size after
imports) is its own. The baseline, measured in the same run at each size, is plain pandas: read
the same Parquet file and sort it by customer and time. Targets on a 2-core machine at 1M events:
read_events + build_journeys <= 5 s and <= 1 GiB. The scaling table prints seconds per million
events at each size: flat means linear cost.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from _memory import status_mib
from _stages import run_stages

if TYPE_CHECKING:
    import multiprocessing as mp


def _stage(name: str, path: str, queue: mp.Queue) -> None:
    import pandas as pd

    import journeymap as jm

    base = status_mib("VmRSS")
    start = time.perf_counter()
    if name == "baseline: pandas read_parquet + sort":
        df = pd.read_parquet(path)
        df.sort_values(["customer_id", "timestamp"], kind="stable")
    elif name == "read_events":
        jm.read_events(path)
    else:
        log = jm.read_events(path)
        mid = time.perf_counter()
        by = "thread" if "thread" in name else "customer"
        jm.build_journeys(log, by=by)  # type: ignore[arg-type]
        queue.put(("build_journeys alone (" + by + ")", time.perf_counter() - mid, float("nan")))
    seconds = time.perf_counter() - start
    peak = status_mib("VmHWM") - base
    queue.put((name, seconds, peak))


def run_size(n_events: int, tmp: Path, *, keep: bool = False) -> dict[str, tuple[float, float]]:
    """Every stage on ``n_events`` generated events; ``{stage: (seconds, peak MiB)}``.

    With ``keep`` the generated file stays in ``tmp`` and a later run with the same folder reads
    it instead of generating it again (3M events take minutes to generate).
    """
    from journeymap.datasets import service_journeys

    path = tmp / f"events-{n_events}-seed0.parquet"
    if path.exists():
        print(f"\nreusing {path}")
    else:
        t = time.perf_counter()
        n_customers = max(1, int(n_events / 5.4))  # about 5.6 events per customer
        events = service_journeys(n_customers=n_customers, seed=0).events.head(n_events)
        events.to_parquet(path)
        print(f"\ngenerated {len(events):,} events ({n_customers:,} customers) in {time.perf_counter() - t:.1f} s")
        del events
    stages = [
        "baseline: pandas read_parquet + sort",
        "read_events",
        "read_events + build_journeys (thread)",
        "read_events + build_journeys (customer)",
    ]
    results = run_stages(_stage, stages, str(path))
    if not keep:
        path.unlink()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, nargs="+", default=[100_000, 1_000_000, 3_000_000])
    parser.add_argument("--data-dir", type=Path, default=None, help="keep the generated events here and reuse them")
    args = parser.parse_args()
    if args.data_dir is not None:
        args.data_dir.mkdir(parents=True, exist_ok=True)
    tmp = args.data_dir or Path(tempfile.mkdtemp(prefix="jm-bench-"))
    by_size = {n: run_size(n, tmp, keep=args.data_dir is not None) for n in args.events}
    key = "read_events + build_journeys (thread)"
    print(f"\nscaling ({key}): seconds per million events, and the baseline's")
    for n, results in by_size.items():
        seconds, peak = results[key]
        base = results["baseline: pandas read_parquet + sort"][0]
        print(f"{n:>12,} events: {seconds / n * 1e6:6.2f} s/M  (baseline {base / n * 1e6:5.2f} s/M)  peak {peak:6.0f} MiB")
    if 1_000_000 in by_size:
        total, peak = by_size[1_000_000][key]
        verdict = "meets" if total <= 5 and peak <= 1024 else "misses"
        print(f"\nat 1M events: {total:.2f} s, {peak:.0f} MiB peak: {verdict} the 5 s / 1 GiB target")


if __name__ == "__main__":
    main()
