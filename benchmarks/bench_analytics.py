"""Analytics benchmark: every analytics function on 1,000,000 scored synthetic events.

Run on demand: ``python benchmarks/bench_analytics.py [--events 1000000]``. Emotion columns are
synthesised from the planted emotions (``journeymap.testing.data.planted_scores``: no model).
Prints seconds per function, the total and the peak memory (VmHWM above the resident size before
the first function). The reference, run in the same process on the same events, is pm4py's
``discover_dfg`` (directly-follows graph of touchpoints per journey; ``pip install pm4py``, in
the ``bench`` dependency group): both are warmed up once and timed best of three, and the
speed-up of journey_graph over it is printed. Targets on 2 cores at 1M events: the whole set
<= 10 s; journey_graph >= 2x faster than discover_dfg.
"""

from __future__ import annotations

import argparse
import time

from _memory import status_mib


def best_of(fn: object, runs: int = 3) -> float:
    """Seconds of the fastest of ``runs`` calls, after one warm-up call."""
    fn()  # type: ignore[operator]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()

    import journeymap as jm
    from journeymap.testing.data import planted_scores

    t = time.perf_counter()
    log = jm.datasets.service_journeys(n_customers=max(1, int(args.events / 5.4)), seed=0)
    events = log.events.head(args.events)
    js = planted_scores(jm.build_journeys(events))
    del log, events
    print(f"prepared {len(js.events):,} scored events, {len(js):,} journeys in {time.perf_counter() - t:.1f} s")

    calls = {
        "journey_metrics": lambda: jm.journey_metrics(js),
        "response_times": lambda: jm.response_times(js),
        "time_patterns": lambda: jm.time_patterns(js, tz="Europe/London"),
        "touchpoint_summary (touchpoint)": lambda: jm.touchpoint_summary(js),
        "touchpoint_summary (stage)": lambda: jm.touchpoint_summary(js, level="stage"),
        "pain_points": lambda: jm.pain_points(js),
        "moments_of_truth": lambda: jm.moments_of_truth(js),
        "compare_segments (tier)": lambda: jm.compare_segments(js, "tier"),
        "triage": lambda: jm.triage(js),
        "journey_graph (touchpoint)": lambda: jm.journey_graph(js),
        "journey_variants": lambda: jm.journey_variants(js),
    }
    base = status_mib("VmRSS")
    seconds = {}
    for name, fn in calls.items():
        start = time.perf_counter()
        fn()
        seconds[name] = time.perf_counter() - start
    peak = status_mib("VmHWM") - base
    reference = None
    try:
        import pm4py

        frame = jm.to_pm4py(js)[["case:concept:name", "concept:name", "time:timestamp"]]

        def dfg() -> None:
            keys = {"case_id_key": "case:concept:name", "activity_key": "concept:name", "timestamp_key": "time:timestamp"}
            pm4py.discover_dfg(frame, **keys)

        reference = best_of(dfg)
        seconds["journey_graph (touchpoint)"] = best_of(lambda: jm.journey_graph(js))
    except ImportError:
        print("pm4py is not installed: no reference (pip install pm4py)")
    print(f"\n{'function':34s} {'seconds':>8s}")
    for name, s in seconds.items():
        print(f"{name:34s} {s:8.2f}")
    total = sum(seconds.values())
    print(f"{'total':34s} {total:8.2f}   ({'meets' if total <= 10 else 'misses'} the 10 s target)")
    print(f"peak memory above the start: {peak:.0f} MiB")
    if reference is not None:
        speedup = reference / seconds["journey_graph (touchpoint)"]
        verdict = "meets" if speedup >= 2 else "misses"
        print(f"pm4py discover_dfg (reference, best of 3): {reference:.2f} s")
        print(f"journey_graph is {speedup:.2f}x faster ({verdict} the 2x target)")


if __name__ == "__main__":
    main()
