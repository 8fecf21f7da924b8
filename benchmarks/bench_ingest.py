"""Ingest benchmark: read_events + build_journeys on 1,000,000 synthetic events.

Run on demand: ``python benchmarks/bench_ingest.py [--events 1000000]``. Each stage runs in a
fresh process so its peak memory (resident set above the process's size after imports) is its
own. The baseline, measured in the same run, is plain pandas: read the same Parquet file and sort
it by customer and time. Targets on a 2-core machine: read_events + build_journeys <= 10 s and
<= 2 GiB.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import tempfile
import time
from pathlib import Path

from _memory import status_mib


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()
    from journeymap.datasets import service_journeys

    tmp = Path(tempfile.mkdtemp(prefix="jm-bench-"))
    path = tmp / "events.parquet"
    t = time.perf_counter()
    n_customers = max(1, int(args.events / 5.4))  # about 5.6 events per customer
    events = service_journeys(n_customers=n_customers, seed=0).events.head(args.events)
    events.to_parquet(path)
    print(f"generated {len(events):,} events ({n_customers:,} customers) in {time.perf_counter() - t:.1f} s")
    del events
    ctx = mp.get_context("spawn")
    stages = [
        "baseline: pandas read_parquet + sort",
        "read_events",
        "read_events + build_journeys (thread)",
        "read_events + build_journeys (customer)",
    ]
    results: dict[str, tuple[float, float]] = {}
    for name in stages:
        queue: mp.Queue = ctx.Queue()
        proc = ctx.Process(target=_stage, args=(name, str(path), queue))
        proc.start()
        proc.join()
        while not queue.empty():
            label, seconds, peak = queue.get()
            results[label] = (seconds, peak)
    baseline = results[stages[0]][0]
    print(f"\n{'stage':45s} {'seconds':>8s} {'x baseline':>10s} {'peak MiB':>9s}")
    for label, (seconds, peak) in results.items():
        print(f"{label:45s} {seconds:8.2f} {seconds / baseline:10.2f} {peak:9.0f}")
    total, peak = results["read_events + build_journeys (thread)"]
    verdict = "meets" if total <= 10 and peak <= 2048 else "misses"
    print(f"\nread_events + build_journeys (thread): {total:.2f} s, {peak:.0f} MiB peak: {verdict} the 10 s / 2 GiB target")


if __name__ == "__main__":
    main()
