"""Topics and intents on Banking77: discovery, zero-shot, few-shot, and speed at 100k messages.

Usage:
    python benchmarks/bench_topics.py ../shared/data/banking77 [--twcs ../shared/data/twcs_sample/sample.csv]
        [--parts quality,zero,few,finetune,speed] [--n-large 100000] [--seed 0] [--discovery-seeds 8]
        [--quality-encoder NAME_OR_PATH]

Every figure is printed with its baseline, computed in the same run on the same embeddings:
discovery (no k given) against KMeans given the true k, scikit-learn's HDBSCAN with default
settings and the previous k-search (the full 384-dimensional space, 8 + 5 candidates; with the
ratio of the times); then discovery over several seeds, with and without the k-search's plateau
rule (the mean NMI is what the target is about); zero-shot against the nearest intent-name embedding; few-shot (10
examples per intent from train.csv, scored on test.csv) with and without contrastive
fine-tuning. The speed part runs in fresh subprocesses (cold: empty cache; warm: cached
embeddings; then warm with the previous k-search, and the ratio) so that their peak memory
(VmHWM) is their own.

Speed encoders (``--encoder``): ``default`` (MiniLM itself, as ``TopicModel()`` gets it:
bfloat16 on torch where the CPU computes it natively, else ONNX Runtime float32; 2.5-6 minutes
per 100k texts on 2 cores), ``default-int8``, ``default-float32`` or ``default-bfloat16``
(MiniLM in that precision; the quality parts then use it too), ``hashing`` (a width-384
hashed bag of words: no model, but its vectors have little cluster structure, so the k-search
settles on a handful of topics and the timing says little),
and ``lookup`` (the default): each of the 100k edited texts gets the MiniLM vector of the text
it was made from plus a small seeded perturbation (cosine about 0.96 to it), so the data have
MiniLM's cluster structure (77 intents) while only the 13,132 source texts are embedded (once,
cached). With ``lookup`` the 100k run also reports NMI against the source texts' intents.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
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


#: ``--encoder`` names that run MiniLM at one precision.
PRECISIONS = {"default-int8": "int8", "default-float32": "float32", "default-bfloat16": "bfloat16"}


def minilm_precision(encoder: str) -> str:
    """The MiniLM precision an ``--encoder`` name asks for: ``"auto"`` (what ``TopicModel()`` gets) unless it names one."""
    return PRECISIONS.get(encoder, "auto")


#: The k-search before the reduced-space one (issue 12): the full space, 8 coarse and 5 fine candidates,
#: the best silhouette taken as it comes.
PREVIOUS_SEARCH = {"reduce_dims": None, "n_candidates": 8, "n_refine": 5, "plateau": 0}
#: Today's search without the plateau rule (the best silhouette as it comes, however narrowly it wins).
NO_PLATEAU = {"plateau": 0}


def discovery_seeds(texts: pd.Series, y: np.ndarray, encoder: object, cache: Path, seeds: int) -> None:
    """TopicModel() and the search without the plateau rule over seeds 0 .. seeds-1: the k and NMI of each, and the means."""
    from journeymap.topics import OTHER, AutoKMeans, TopicModel

    print(f"\n## discovery over seeds 0-{seeds - 1} (NMI all texts, other as one cluster)")
    for label, params in (("TopicModel()", None), ("baseline: the same search, best k as it comes (plateau=0)", NO_PLATEAU)):
        rows = []
        for seed in range(seeds):
            clusterer = AutoKMeans(random_state=seed, **params) if params is not None else None
            tm = TopicModel(encoder=encoder, cache=cache, seed=seed, clusterer=clusterer).fit(texts)
            rows.append((len(tm.topics_), nmi(y, tm.labels_), float((tm.labels_ == OTHER).mean())))
        print(
            f"{label}: topics {[r[0] for r in rows]}, NMI {[round(r[1], 3) for r in rows]}, "
            f"mean {np.mean([r[1] for r in rows]):.4f}, lowest {min(r[1] for r in rows):.3f}, "
            f"other at most {max(r[2] for r in rows):.1%}"
        )


def discovery(test: pd.DataFrame, X: np.ndarray, encoder: object, cache: Path, *, seed: int, seeds: int) -> None:
    """Discovery on test.csv (no k given) against the previous search, KMeans at the true k and HDBSCAN."""
    from sklearn.cluster import HDBSCAN, KMeans

    from journeymap.topics import OTHER, AutoKMeans, TopicModel

    y = test["category"].to_numpy()
    print("\n## discovery on test.csv (77 intents, 3,080 texts)")

    def fitted(clusterer: object) -> tuple[TopicModel, float, str]:
        """A discovery model fitted on test.csv, its time, and its topics, other share and NMI in words."""
        t0 = time.perf_counter()
        model = TopicModel(encoder=encoder, cache=cache, seed=seed, clusterer=clusterer).fit(test["text"])
        other = model.labels_ == OTHER
        words = (
            f"{len(model.topics_)} topics, other {other.mean():.1%}, NMI all (other as one cluster) "
            f"{nmi(y, model.labels_):.3f}, NMI assigned {nmi(y[~other], model.labels_[~other]):.3f}"
        )
        return model, time.perf_counter() - t0, words

    tm, secs, words = fitted(None)
    print(f"TopicModel (no k): {words}, {secs:.1f} s (embeddings cached)")
    _, before, words = fitted(AutoKMeans(random_state=seed, **PREVIOUS_SEARCH))
    print(
        f"baseline TopicModel, previous k-search (full space, 8 + 5 candidates): {words}, {before:.1f} s; "
        f"TopicModel() takes {secs / before:.2f}x its time"
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
    if seeds > 1:
        discovery_seeds(test["text"], y, encoder, cache, seeds)


def quality(
    data: Path,
    cache: Path,
    parts: set[str],
    seed: int,
    *,
    precision: str = "auto",
    seeds: int = 8,
    encoder_name: str | None = None,
) -> None:
    """Discovery, zero-shot and few-shot on Banking77 (the parts asked for), each with its baselines.

    ``encoder_name`` (any name or path ``get_encoder`` takes) replaces MiniLM at ``precision``.
    """
    from journeymap.topics import MiniLMEncoder, TopicModel, embed, get_encoder

    train, test, categories = load(data)
    encoder = get_encoder(encoder_name) if encoder_name else MiniLMEncoder(precision=precision)  # type: ignore[arg-type]
    t0 = time.perf_counter()
    X = embed(test["text"].tolist(), encoder, cache=cache, progress=False)
    secs = time.perf_counter() - t0
    print(f"embedding test.csv with {encoder.id}: {len(test)} texts in {secs:.1f} s ({len(test) / secs:.0f} texts/s)")
    y = test["category"].to_numpy()

    if "quality" in parts:
        discovery(test, X, encoder, cache, seed=seed, seeds=seeds)

    if "zero" in parts:
        print("\n## zero-shot by the intent names (underscores -> spaces), on test.csv")
        names = [c.replace("_", " ") for c in categories]
        N = embed(names, encoder, cache=cache, progress=False)
        floor = np.asarray(categories)[(X @ N.T).argmax(axis=1)]
        print(f"baseline nearest intent-name embedding: accuracy {(floor == y).mean():.3f}")
        for refine, templates in ((0, ("{}",)), (0, None), (3, None)):
            kwargs = {"templates": templates} if templates else {}
            zs = TopicModel(labels=categories, refine=refine, encoder=encoder, cache=cache, seed=seed, **kwargs).fit(test["text"])
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
            fs = TopicModel(examples=examples, fine_tune=fine_tune, encoder=encoder, cache=cache, seed=seed, progress=False).fit(
                test["text"]
            )
            what = "contrastive fine-tuning + logistic regression" if fine_tune else f"logistic regression on frozen {encoder.id}"
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


def large_texts(data: Path, twcs: Path | None, n: int, seed: int) -> tuple[list[str], list[str], np.ndarray]:
    """``n`` edited texts, the source texts they were made from, and each one's source index."""
    train, test, _ = load(data)
    base = train["text"].tolist() + test["text"].tolist()
    if twcs is not None and twcs.exists():
        import journeymap as jm

        events = jm.read_twcs(twcs).events
        base += events.loc[events["actor"] == "customer", "text"].dropna().astype(str).tolist()
    picks = np.random.default_rng(seed).integers(len(base), size=n)  # the draws perturb makes
    return perturb(base, n, seed), base, picks


def source_intents(data: Path, n_sources: int) -> np.ndarray:
    """The intent of each source text (train, then test; TWCS texts have none)."""
    train, test, _ = load(data)
    known = np.concatenate([train["category"].to_numpy(), test["category"].to_numpy()]).astype(object)
    return np.concatenate([known, np.full(n_sources - len(known), "(twcs)", dtype=object)])


class LookupEncoder:
    """The speed stand-in: each edited text's vector is its source text's MiniLM vector, perturbed.

    The perturbation is seeded Gaussian noise of 0.015 per dimension (cosine about 0.96 to the
    source), the same for a text in every run, so the cache behaves as with a real encoder.
    """

    def __init__(self, texts: list[str], sources: np.ndarray, picks: np.ndarray, seed: int) -> None:
        rng = np.random.default_rng(seed + 1)
        X = sources[picks] + rng.normal(size=(len(picks), sources.shape[1])).astype(np.float32) * 0.015
        self._X = (X / np.linalg.norm(X, axis=1, keepdims=True)).astype(np.float32)
        self._row = {t: i for i, t in enumerate(texts)}
        self.id = f"bench.minilm-lookup.v1(seed={seed})"
        self.dim = int(sources.shape[1])

    def encode(self, texts: list[str]) -> np.ndarray:
        return self._X[[self._row[t] for t in texts]]


def speed_child(data: Path, twcs: Path | None, cache: Path, n: int, *, seed: int, label: str, encoder: str) -> None:
    from journeymap.testing import HashingEncoder
    from journeymap.topics import AutoKMeans, MiniLMEncoder, TopicModel, embed

    texts, base, picks = large_texts(data, twcs, n, seed)
    if encoder == "lookup":
        sources = embed(base, MiniLMEncoder(), cache=cache, progress=False)  # cached by the parent
        enc: object = LookupEncoder(texts, sources, picks, seed)
    elif minilm_precision(encoder) != "auto":
        enc = MiniLMEncoder(precision=minilm_precision(encoder))  # type: ignore[arg-type]
    else:
        enc = HashingEncoder(dim=384) if encoder == "hashing" else encoder
    clusterer = AutoKMeans(random_state=seed, **PREVIOUS_SEARCH) if "previous" in label else None
    t0 = time.perf_counter()
    tm = TopicModel(encoder=enc, cache=cache, seed=seed, progress=False, clusterer=clusterer).fit(texts)
    secs = time.perf_counter() - t0
    other = float((tm.labels_ == "other").mean())
    quality = ""
    if encoder == "lookup":
        intents = source_intents(data, len(base))[picks]
        known = intents != "(twcs)"
        quality = f", NMI vs the source intents {nmi(intents[known], tm.labels_[known]):.3f}"
    print(
        f"{label}, encoder {encoder}: {n} texts ({len(set(texts))} distinct), {secs:.1f} s, "
        f"{len(tm.topics_)} topics, other {other:.1%}{quality}, peak RSS {status_mib('VmHWM'):.0f} MiB"
    )
    print(json.dumps({"label": label, "seconds": secs}))


RUNS = (
    "cold (empty cache, embedding included)",
    "warm (cached embeddings)",
    "warm, previous k-search (baseline)",
)


def speed(data: Path, twcs: Path | None, n: int, seed: int, *, encoder: str, cache_dir: Path | None) -> None:
    print(f"\n## speed: {n} messages (Banking77 train+test and TWCS customer texts, sampled with small edits)")
    print(f"load: {Path('/proc/loadavg').read_text().split()[:3]} (1, 5, 15 min), {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache.sqlite"
        if encoder == "lookup":
            from journeymap.emotions.cache import open_cache
            from journeymap.topics import MiniLMEncoder, embed

            _, base, _ = large_texts(data, twcs, 1, seed)
            source_cache = (cache_dir or Path(tmp)) / "sources.sqlite"
            t0 = time.perf_counter()
            vecs = embed(base, MiniLMEncoder(), cache=source_cache, progress=True)
            secs = time.perf_counter() - t0
            print(f"MiniLM vectors of the {len(base)} source texts: {secs:.1f} s (cached in {source_cache})")
            store = open_cache(cache)  # the children read them from their own cache: copied in
            if store is not None:
                first = {t: i for i, t in reversed(list(enumerate(base)))}
                store.put(MiniLMEncoder.ID, list(first), vecs[list(first.values())])
        times: dict[str, float] = {}
        for label in RUNS:
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
            result = subprocess.run(cmd, check=False, capture_output=True, text=True)
            if result.returncode != 0:
                print(result.stdout + result.stderr, file=sys.stderr)
                msg = f"the {label!r} run failed (exit status {result.returncode}); its output is above"
                raise SystemExit(msg)
            for line in result.stdout.splitlines():
                if line.startswith("{"):
                    times[json.loads(line)["label"]] = json.loads(line)["seconds"]
                else:
                    print(line)
        ratio = times[RUNS[1]] / times[RUNS[2]]
        print(f"warm: {ratio:.2f}x the time of the previous k-search ({times[RUNS[1]]:.1f} s vs {times[RUNS[2]]:.1f} s)")
    print(f"load after: {Path('/proc/loadavg').read_text().split()[:3]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data", type=Path)
    parser.add_argument("--twcs", type=Path, default=None)
    parser.add_argument("--parts", default="quality,zero,few,finetune,speed")
    parser.add_argument("--n-large", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--discovery-seeds", type=int, default=8, help="quality part: discovery over seeds 0..N-1 (1: off)")
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument(
        "--encoder",
        default="lookup",
        help="speed part: 'lookup' (default), 'hashing', 'default' (MiniLM as TopicModel() gets it), "
        "'default-int8', 'default-float32' or 'default-bfloat16' (the quality parts then use that precision too; "
        "else what TopicModel() gets)",
    )
    parser.add_argument(
        "--quality-encoder",
        default=None,
        help="quality parts: any encoder name, Hugging Face id or local path (default: MiniLM, as --encoder says)",
    )
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
            quality(
                args.data,
                cache,
                parts,
                args.seed,
                precision=minilm_precision(args.encoder),
                seeds=args.discovery_seeds,
                encoder_name=args.quality_encoder,
            )
    if "speed" in parts:
        speed(
            args.data,
            args.twcs,
            args.n_large,
            args.seed,
            encoder=args.encoder,
            cache_dir=args.cache.parent if args.cache else None,
        )


if __name__ == "__main__":
    main()
