"""TWCS benchmark: read_twcs, build_journeys and response_times on a corpus-shaped CSV, at several sizes.

Run on demand: ``python benchmarks/bench_twcs.py [--tweets 100000 1000000 3000000] [--data-dir DIR]``
(``--data-dir`` keeps the generated files for the next run). The full Customer Support on Twitter
corpus has about 2.8M tweets; this writes files of its shape (threads of a customer and a brand
of 110 with Zipf-like sizes, split brand replies and customers' double tweets, delays of minutes
to days, 3% of tweets missing so replies dangle, rows shuffled, texts drawn from the TWCS sample
when ``--sample`` is given). Each stage runs in a fresh process so its peak memory is its own.
The baseline, measured in the same run at each size, is pandas reading the same CSV as text
(``pd.read_csv(path, dtype=str)``). The scaling table prints seconds per million tweets: flat
means linear cost.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from _memory import status_mib
from _stages import run_stages

if TYPE_CHECKING:
    import multiprocessing as mp

_CUSTOMER_TEXTS = [
    "my order still hasn't arrived and nobody answers",
    "why was I charged twice this month?? 😡",
    "the app keeps crashing since the update",
    "thanks, that fixed it!",
    "still waiting for a refund, 3 weeks now",
    "can't log in to my account",
    "flight delayed again, great service 🙄",
]
_BRAND_TEXTS = [
    "Sorry to hear that! Please DM us your order number and we'll look into it.",
    "We're sorry for the trouble. Can you tell us which version you're on?",
    "Thanks for reaching out. Your refund is on its way, it can take 5-7 days.",
    "Glad we could help! Have a great day.",
    "Please follow and DM us your account details so we can check.",
]


def generate(n_tweets: int, path: Path, *, seed: int = 0, sample: Path | None = None) -> int:
    """Write a TWCS-format CSV of about ``n_tweets`` rows to ``path``; the number of rows written."""
    rng = np.random.default_rng(seed)
    ctext, btext = np.array(_CUSTOMER_TEXTS, dtype=object), np.array(_BRAND_TEXTS, dtype=object)
    if sample is not None:
        real = pd.read_csv(sample, dtype=str, keep_default_na=False)
        inbound = real["inbound"].str.lower() == "true"
        ctext = real.loc[inbound, "text"].str.replace(r"@\w+\s*", "", regex=True).to_numpy(dtype=object)
        btext = real.loc[~inbound, "text"].str.replace(r"^@\d+\s*", "", regex=True).to_numpy(dtype=object)
    n_threads = max(1, int(n_tweets / 3.5))
    length = np.minimum(1 + rng.geometric(0.33, n_threads), 30)
    n = int(length.sum())
    start = np.concatenate([[0], np.cumsum(length)[:-1]])
    position = np.arange(n) - np.repeat(start, length)
    turn = rng.random(n) > 0.15  # 15%: the same side tweets twice (a double tweet, a split reply)
    turn[start] = False
    flips = np.cumsum(turn)
    speaker = (flips - np.repeat(flips[start], length)) % 2  # 0 customer, 1 brand
    delay = np.where(speaker == 1, rng.lognormal(np.log(900), 1.5, n), rng.lognormal(np.log(1800), 1.5, n))
    delay[start] = 0
    elapsed = np.cumsum(delay)
    elapsed -= np.repeat(elapsed[start], length)
    opened = pd.Timestamp("2017-10-01", tz="UTC").value // 10**9 + rng.integers(0, 60 * 86400, n_threads)
    seconds = np.repeat(opened, length) + elapsed.astype(np.int64)
    brands = np.array([f"Brand{i}Help" for i in range(108)] + ["AmazonHelp", "AppleSupport"])
    weights = 1 / np.arange(1, len(brands) + 1)
    brand = np.repeat(rng.choice(brands, n_threads, p=weights / weights.sum()), length)
    customer = np.repeat(rng.integers(100_000, 100_000 + int(0.6 * n_threads) + 1, n_threads).astype(str), length)
    ids = rng.permutation(n) + 1_000
    parent = np.where(position > 0, ids[np.maximum(np.arange(n) - 1, 0)].astype(object), None)
    last = np.r_[start[1:] - 1, n - 1]
    has_next = np.ones(n, dtype=bool)
    has_next[last] = False
    response = np.where(has_next, ids[np.minimum(np.arange(n) + 1, n - 1)].astype(str), "")
    signature = np.array([" ^AB", " ^JK", " -Becky", " ^RR", ""])[rng.integers(0, 5, n)]
    text = np.where(
        speaker == 0,
        "@" + brand + " " + ctext[rng.integers(0, len(ctext), n)],
        "@" + customer + " " + btext[rng.integers(0, len(btext), n)] + signature,
    )
    frame = pd.DataFrame(
        {
            "tweet_id": ids,
            "author_id": np.where(speaker == 0, customer, brand),
            "inbound": speaker == 0,
            "created_at": pd.to_datetime(seconds, unit="s").strftime("%a %b %d %H:%M:%S +0000 %Y"),
            "text": text,
            "response_tweet_id": response,
            "in_response_to_tweet_id": parent,
        }
    )
    frame = frame[rng.random(n) > 0.03].sample(frac=1.0, random_state=seed)  # a slice: 3% missing, shuffled
    frame.to_csv(path, index=False)
    return len(frame)


BASELINE = "baseline: pandas read_csv(dtype=str)"
STAGES = [BASELINE, "read_twcs", "read_twcs + build_journeys + response_times"]


def _stage(name: str, path: str, queue: mp.Queue) -> None:
    import journeymap as jm

    base = status_mib("VmRSS")
    start = time.perf_counter()
    if name == BASELINE:
        pd.read_csv(path, dtype=str)
    else:
        log = jm.read_twcs(path)
        if name != "read_twcs":
            mid = time.perf_counter()
            js = jm.build_journeys(log)
            built = time.perf_counter()
            queue.put(("build_journeys alone", built - mid, float("nan")))
            jm.response_times(js)
            queue.put(("response_times alone", time.perf_counter() - built, float("nan")))
    queue.put((name, time.perf_counter() - start, status_mib("VmHWM") - base))


def run_size(n_tweets: int, tmp: Path, *, keep: bool, sample: Path | None) -> dict[str, tuple[float, float]]:
    """Every stage on a file of about ``n_tweets`` rows; ``{stage: (seconds, peak MiB)}``."""
    path = tmp / f"twcs-{n_tweets}-seed0{'-sample' if sample else ''}.csv"
    if path.exists():
        print(f"\nreusing {path}")
    else:
        t = time.perf_counter()
        rows = generate(n_tweets, path, sample=sample)
        print(f"\ngenerated {rows:,} tweets ({path.stat().st_size / 2**20:.0f} MiB) in {time.perf_counter() - t:.1f} s")
    results = run_stages(_stage, STAGES, str(path))
    if not keep:
        path.unlink()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tweets", type=int, nargs="+", default=[100_000, 1_000_000, 3_000_000])
    parser.add_argument("--data-dir", type=Path, default=None, help="keep the generated files here and reuse them")
    parser.add_argument("--sample", type=Path, default=None, help="draw texts from this TWCS file (twcs_sample/sample.csv)")
    args = parser.parse_args()
    if args.data_dir is not None:
        args.data_dir.mkdir(parents=True, exist_ok=True)
    tmp = args.data_dir or Path(tempfile.mkdtemp(prefix="jm-bench-twcs-"))
    by_size = {n: run_size(n, tmp, keep=args.data_dir is not None, sample=args.sample) for n in args.tweets}
    print("\nscaling: seconds per million tweets (read_twcs; the baseline's)")
    for n, results in by_size.items():
        seconds, peak = results["read_twcs"]
        base = results[BASELINE][0]
        print(f"{n:>12,} tweets: {seconds / n * 1e6:6.2f} s/M  (baseline {base / n * 1e6:5.2f} s/M)  peak {peak:6.0f} MiB")


if __name__ == "__main__":
    main()
