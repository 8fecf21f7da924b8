"""Topics and intents on Banking77: discovery, zero-shot, few-shot, and speed at 100k messages.

Usage:
    python benchmarks/bench_topics.py ../shared/data/banking77 [--twcs ../shared/data/twcs_sample/sample.csv]
        [--parts quality,zero,few,finetune,speed] [--n-large 100000] [--seed 0]

Every figure is printed with its baseline, computed in the same run on the same embeddings:
discovery (no k given) against KMeans given the true k and scikit-learn's HDBSCAN with default
settings; zero-shot against the nearest intent-name embedding; few-shot (10 examples per
intent from train.csv, scored on test.csv) with and without contrastive fine-tuning. The speed
part runs in fresh subprocesses (cold: empty cache; warm: cached embeddings) so that their
peak memory (VmHWM) is their own.
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._memory import status_mib


def nmi(a: object, b: object) -> float:
    from sklearn.metrics import normalized_mutual_info_score

    return float(normalized_mutual_info_score(a, b))


def load(data: Path) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    train = pd.read_csv(data / "train.csv")
    test = pd.read_csv(data / "test.csv")
    categories = json.loads((data / "categories.json").read_text())
    return train, test, list(categories)


def quality(data: Path, cache: Path, parts: set[str], seed: int) -> None:
    from sklearn.cluster import HDBSCAN, KMeans

    from journeymap.topics import OTHER, MiniLMEncoder, TopicModel, embed

    train, test, categories = load(data)
    encoder = MiniLMEncoder()
    t0 = time.perf_counter()
    X = embed(test["text"].tolist(), encoder, cache=cache, progress=False)
    secs = time.perf_counter() - t0
    print(f"embedding test.csv: {len(test)} texts in {secs:.1f} s ({len(test) / secs:.0f} texts/s)")
    y = test["category"].to_numpy()

    if "quality" in parts:
        print("\n## discovery on test.csv (77 intents, 3,080 texts)")
        t0 = time.perf_counter()
        tm = TopicModel(cache=cache, seed=seed).fit(test["text"])
        secs = time.perf_counter() - t0
        other = tm.labels_ == OTHER
        print(
            f"TopicModel (no k): {len(tm.topics_)} topics, other {other.mean():.1%}, "
            f"NMI all (other as one cluster) {nmi(y, tm.labels_):.3f}, NMI assigned {nmi(y[~other], tm.labels_[~other]):.3f}, "
            f"{secs:.1f} s (embeddings cached)"
        )
        t0 = time.perf_counter()
        km = KMeans(77, n_init=3, random_state=seed).fit_predict(X)
        print(f"baseline KMeans(k=77, the true k): NMI {nmi(y, km):.3f}, {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        hd = HDBSCAN().fit_predict(X)
        noise = hd == -1
        print(
            f"baseline HDBSCAN() defaults: {len(set(hd) - {-1})} clusters, noise {noise.mean():.1%}, "
            f"NMI all {nmi(y, hd):.3f}, NMI assigned {nmi(y[~noise], hd[~noise]):.3f}, {time.perf_counter() - t0:.1f} s"
        )
        print(tm.topic_info_.head(12)[["topic", "size", "keywords"]].to_string())

    if "zero" in parts:
        print("\n## zero-shot by the intent names (underscores -> spaces), on test.csv")
        names = [c.replace("_", " ") for c in categories]
        N = embed(names, encoder, cache=cache, progress=False)
        floor = np.asarray(categories)[(X @ N.T).argmax(axis=1)]
        print(f"baseline nearest intent-name embedding: accuracy {(floor == y).mean():.3f}")
        for refine, templates in ((0, ("{}",)), (0, None), (3, None)):
            kwargs = {"templates": templates} if templates else {}
            zs = TopicModel(labels=categories, refine=refine, cache=cache, seed=seed, **kwargs).fit(test["text"])
            accuracy = (zs.labels_ == y).mean()
            print(f"TopicModel zero-shot (templates {templates or 'default'}, refine={refine}): accuracy {accuracy:.3f}")

    few = {"few", "finetune"} & parts
    if few:
        print("\n## few-shot: 10 examples per intent from train.csv, accuracy on test.csv")
        examples = train.groupby("category", group_keys=False).sample(10, random_state=seed)
        examples = examples.rename(columns={"category": "label"})
        for fine_tune in (False, True):
            if fine_tune and "finetune" not in parts:
                continue
            t0 = time.perf_counter()
            fs = TopicModel(examples=examples, fine_tune=fine_tune, cache=cache, seed=seed, progress=False).fit(test["text"])
            what = "contrastive fine-tuning + logistic regression" if fine_tune else "logistic regression on frozen MiniLM"
            print(f"{what}: accuracy {(fs.labels_ == y).mean():.3f}, {time.perf_counter() - t0:.0f} s (fit incl. embedding)")


def perturb(texts: list[str], n: int, seed: int) -> list[str]:
    """``n`` texts sampled from ``texts`` with small random edits (a typo, a filler, case)."""
    rng = np.random.default_rng(seed)
    fillers = np.array(["please", "thanks", "hi", "hello", "asap", "again", "today", "help", "?", "!!", "pls", "urgent"])
    picks = rng.integers(len(texts), size=n)
    out = []
    for i, j in enumerate(picks):
        t = texts[j]
        if len(t) > 4:
            p = int(rng.integers(len(t) - 1))
            t = t[:p] + t[p + 1] + t[p] + t[p + 2 :]  # swap two letters
        if i % 3 == 0:
            t = f"{fillers[i % len(fillers)]} {t}"
        if i % 5 == 0:
            t = f"{t} {fillers[(i // 5) % len(fillers)]}"
        if i % 7 == 0:
            t = t.lower()
        out.append(t)
    return out


def large_texts(data: Path, twcs: Path | None, n: int, seed: int) -> list[str]:
    train, test, _ = load(data)
    base = train["text"].tolist() + test["text"].tolist()
    if twcs is not None and twcs.exists():
        import journeymap as jm

        events = jm.read_twcs(twcs).events
        base += events.loc[events["actor"] == "customer", "text"].dropna().astype(str).tolist()
    return perturb(base, n, seed)


def speed_child(data: Path, twcs: Path | None, cache: Path, n: int, *, seed: int, label: str, encoder: str) -> None:
    from journeymap.testing import HashingEncoder
    from journeymap.topics import TopicModel

    texts = large_texts(data, twcs, n, seed)
    enc = HashingEncoder(dim=384) if encoder == "hashing" else encoder
    t0 = time.perf_counter()
    tm = TopicModel(encoder=enc, cache=cache, seed=seed, progress=False).fit(texts)
    secs = time.perf_counter() - t0
    other = float((tm.labels_ == "other").mean())
    print(
        f"{label}, encoder {encoder}: {n} texts ({len(set(texts))} distinct), {secs:.1f} s, "
        f"{len(tm.topics_)} topics, other {other:.1%}, peak RSS {status_mib('VmHWM'):.0f} MiB"
    )


def speed(data: Path, twcs: Path | None, n: int, seed: int, encoder: str) -> None:
    print(f"\n## speed: {n} messages (Banking77 train+test and TWCS customer texts, sampled with small edits)")
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache.sqlite"
        for label in ("cold (empty cache, embedding included)", "warm (cached embeddings)"):
            cmd = [
                sys.executable,
                __file__,
                str(data),
                "--child",
                label,
                "--cache",
                str(cache),
                "--n-large",
                str(n),
                "--seed",
                str(seed),
                "--encoder",
                encoder,
            ]
            if twcs is not None:
                cmd += ["--twcs", str(twcs)]
            subprocess.run(cmd, check=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data", type=Path)
    parser.add_argument("--twcs", type=Path, default=None)
    parser.add_argument("--parts", default="quality,zero,few,finetune,speed")
    parser.add_argument("--n-large", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--encoder", default="default", help="speed part: 'default' or 'hashing' (a stand-in of width 384)")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.child:
        speed_child(args.data, args.twcs, args.cache, args.n_large, seed=args.seed, label=args.child, encoder=args.encoder)
        return
    import torch

    print(f"torch threads {torch.get_num_threads()}, seed {args.seed}")
    parts = set(args.parts.split(","))
    with tempfile.TemporaryDirectory() as tmp:
        cache = args.cache or Path(tmp) / "cache.sqlite"
        if parts & {"quality", "zero", "few", "finetune"}:
            quality(args.data, cache, parts, args.seed)
    if "speed" in parts:
        speed(args.data, args.twcs, args.n_large, args.seed, args.encoder)


if __name__ == "__main__":
    main()
