"""Analytics benchmark: every analytics function on 1,000,000 scored synthetic events.

Run on demand: ``python benchmarks/bench_analytics.py [--events 1000000]``. Emotion columns are
synthesised from the planted emotions (``journeymap.testing.data.planted_scores``: no model).
Prints seconds per function, the total and the peak memory (VmHWM above the resident size before
the first function). The reference, run in the same process on the same events, is pm4py's
``discover_dfg`` (directly-follows graph of touchpoints per journey; ``pip install pm4py``);
journey_graph's time is printed as a ratio to it. Target: the whole set <= 30 s on 2 cores.
"""

from __future__ import annotations

import argparse
import time

from _memory import status_mib


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

        frame = js.events[["journey_id", "touchpoint", "timestamp"]].rename(
            columns={"journey_id": "case:concept:name", "touchpoint": "concept:name", "timestamp": "time:timestamp"}
        )
        frame = frame.astype({"case:concept:name": str, "concept:name": str})
        start = time.perf_counter()
        pm4py.discover_dfg(frame, case_id_key="case:concept:name", activity_key="concept:name", timestamp_key="time:timestamp")
        reference = time.perf_counter() - start
    except ImportError:
        print("pm4py is not installed: no reference (pip install pm4py)")
    print(f"\n{'function':34s} {'seconds':>8s}")
    for name, s in seconds.items():
        print(f"{name:34s} {s:8.2f}")
    total = sum(seconds.values())
    print(f"{'total':34s} {total:8.2f}   ({'meets' if total <= 30 else 'misses'} the 30 s target)")
    print(f"peak memory above the start: {peak:.0f} MiB")
    if reference is not None:
        ratio = seconds["journey_graph (touchpoint)"] / reference
        print(f"pm4py discover_dfg (reference): {reference:.2f} s; journey_graph / discover_dfg = {ratio:.2f}")


if __name__ == "__main__":
    main()
