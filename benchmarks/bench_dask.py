"""Dask benchmark: the end-to-end flow on one machine vs a dask.distributed LocalCluster.

Run on demand: ``python benchmarks/bench_dask.py [--events 1000000] [--workers 2] [--threads 1]``
(needs ``pip install "journeymap[dask]"``).

The flow: read and validate events from Parquet, build journeys by thread, score the customers'
texts with the default model (no score cache, so both sides score), then touchpoint_summary,
journey_graph and time_patterns. The baseline is the single-machine path in this process; the
cluster reads the same events split into 10 Parquet files. On the cluster every stage is
persisted and waited for before the next starts, so the time of each stage can be printed (a
fused graph could overlap them). Prints seconds per stage for both, the ratio cluster / one
machine, and the peak memory (this process; the largest worker).
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

from _memory import status_mib


def single_machine(path: Path) -> tuple[dict[str, float], Any]:
    import journeymap as jm

    seconds: dict[str, float] = {}
    t = time.perf_counter()
    log = jm.read_events(path)
    seconds["read + validate"] = time.perf_counter() - t
    t = time.perf_counter()
    js = jm.build_journeys(log)
    seconds["build_journeys"] = time.perf_counter() - t
    t = time.perf_counter()
    js = jm.score(js, cache=False, progress=False)
    seconds["score (default model)"] = time.perf_counter() - t
    t = time.perf_counter()
    summary = jm.touchpoint_summary(js)
    jm.journey_graph(js)
    jm.time_patterns(js)
    seconds["aggregates"] = time.perf_counter() - t
    return seconds, summary


def cluster(folder: Path, workers: int, threads: int) -> tuple[dict[str, float], Any, float, float, float]:
    from distributed import Client, LocalCluster, wait

    import journeymap.distributed as jmd

    for name in ("distributed", "distributed.shuffle"):
        logging.getLogger(name).setLevel(logging.ERROR)
    t = time.perf_counter()
    lc = LocalCluster(n_workers=workers, threads_per_worker=threads, processes=True, dashboard_address=":0")
    client = Client(lc)
    startup = time.perf_counter() - t
    seconds: dict[str, float] = {}
    try:
        t = time.perf_counter()
        log = jmd.read_events(folder).persist()
        wait(log.events)
        seconds["read + validate"] = time.perf_counter() - t
        t = time.perf_counter()
        djs = jmd.build_journeys(log).persist()
        wait(djs.events)
        seconds["build_journeys"] = time.perf_counter() - t
        t = time.perf_counter()
        scored = jmd.score(djs, cache=False).persist()
        wait(scored.events)
        seconds["score (default model)"] = time.perf_counter() - t
        # Again, with the model already loaded in every worker: the steady state of a long job.
        # (The default batch size spelled out gives new task keys, so dask cannot reuse the result.)
        t = time.perf_counter()
        wait(jmd.score(djs, cache=False, batch_size=64).events.persist())
        warm = time.perf_counter() - t
        djs = scored
        t = time.perf_counter()
        summary = jmd.touchpoint_summary(djs)
        jmd.journey_graph(djs)
        jmd.time_patterns(djs)
        seconds["aggregates"] = time.perf_counter() - t
        worker_peak = max(client.run(status_mib, "VmHWM").values())
    finally:
        client.close()
        lc.close()
    return seconds, summary, startup, worker_peak, warm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="threads per worker")
    parser.add_argument(
        "--distinct-texts",
        action="store_true",
        help="make every customer text distinct (the synthetic texts repeat), so that scoring dominates",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    import pandas as pd

    import journeymap as jm

    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        events = jm.datasets.service_journeys(n_customers=max(1, int(args.events / 5.4)), seed=0).events.head(args.events)
        raw = events.reset_index(drop=True)
        if args.distinct_texts:
            raw["text"] = raw["text"] + " (ref " + raw["event_id"].str[1:] + ")"
        path = Path(tmp) / "events.parquet"
        raw.to_parquet(path)
        folder = Path(tmp) / "parts"
        folder.mkdir()
        step = -(-len(raw) // 10)
        for i in range(0, len(raw), step):
            raw.iloc[i : i + step].to_parquet(folder / f"part-{i // step:02d}.parquet")
        customer = raw["actor"].astype("string") == "customer"
        n_unique = raw.loc[customer, "text"].nunique()
        print(f"prepared {len(raw):,} events ({n_unique:,} distinct customer texts) in {time.perf_counter() - t:.1f} s")
        del events, raw

        base = status_mib("VmRSS")
        one, summary_one = single_machine(path)
        peak_one = status_mib("VmHWM") - base
        many, summary_many, startup, worker_peak, warm = cluster(folder, args.workers, args.threads)

    pd.testing.assert_frame_equal(summary_one, summary_many, rtol=0.05, atol=0.01)
    label = f"LocalCluster {args.workers}x{args.threads}"
    print(f"\n{'stage':24s} {'one machine':>12s} {label:>18s} {'ratio':>7s}")
    for stage in one:
        print(f"{stage:24s} {one[stage]:12.2f} {many[stage]:18.2f} {many[stage] / one[stage]:7.2f}")
    total_one, total_many = sum(one.values()), sum(many.values())
    print(f"{'total':24s} {total_one:12.2f} {total_many:18.2f} {total_many / total_one:7.2f}")
    print(f"cluster start-up (not in the total): {startup:.1f} s")
    ratio = warm / one["score (default model)"]
    print(f"score again with the model loaded in every worker: {warm:.2f} s ({ratio:.2f}x one machine)")
    print(f"peak memory: one machine {peak_one:.0f} MiB above start; largest worker {worker_peak:.0f} MiB")
    print("touchpoint_summary agrees between the two (within bfloat16 batching noise)")


if __name__ == "__main__":
    main()
