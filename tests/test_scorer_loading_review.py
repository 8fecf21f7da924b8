"""Fixes from a review of scorer loading: hub commits, fingerprints, one-output models, options,
paths, built-in names, plugin failures, batch checks, the TweetEval reader and batch_size."""

from __future__ import annotations

import json
import logging
import os
import pickle
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

import journeymap as jm
from journeymap import ModelLoadError, Taxonomy, TransformerScorer, get_scorer
from journeymap.emotions import _batching, _fingerprint, registry
from journeymap.emotions.default import WEIGHTS_DIR, DefaultScorer
from journeymap.emotions.train_multitask import read_tweeteval
from journeymap.emotions.trained import TrainedScorer
from journeymap.emotions.transformer import model_version
from journeymap.exceptions import ScorerOptionsError, TextsFailedError
from journeymap.testing import ScorerCheckError
from journeymap.testing.checks import check_batch_invariance

from .test_scorers import tiny_model

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

EMO4 = ["joy", "sadness", "anger", "neutral"]
TEXTS = ["i am so happy", "the service is broken"]
A = "a" * 40
B = "b" * 40


@pytest.fixture(scope="module")
def base_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_model(tmp_path_factory.mktemp("base"), EMO4, "single_label_classification")


def variant(src: Path, dst: Path, shift: float) -> Path:
    """A copy of ``src`` whose first label's bias is moved by ``shift``: other weights, same file sizes."""
    from safetensors.torch import load_file, save_file

    shutil.copytree(src, dst)
    tensors = load_file(dst / "model.safetensors")
    bias = tensors["classifier.bias"].clone()
    bias[0] += shift  # the first label's logit: the softmax changes
    tensors["classifier.bias"] = bias
    save_file(tensors, dst / "model.safetensors", metadata={"format": "pt"})
    assert (dst / "model.safetensors").stat().st_size == (src / "model.safetensors").stat().st_size
    return dst


def same_times(folder: Path, ns: int = 1_700_000_000 * 10**9) -> None:
    """Every file's times set to one value, as ``tar --mtime`` or ``cp -p`` of normalised sources leave them."""
    for path in folder.iterdir():
        os.utime(path, ns=(ns, ns))


def events(texts: Sequence[str] = TEXTS) -> pd.DataFrame:
    return pd.DataFrame({"text": list(texts), "actor": "customer"})


# -- 1. a hub model's id carries the commit it was loaded from ----------------------------------------
@pytest.fixture
def hub_cache(tmp_path: Path, base_model: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A Hugging Face cache holding acme/tiny at two commits, ``refs/main`` at the first."""
    from huggingface_hub import constants

    cache = tmp_path / "hub"
    repo = cache / "models--acme--tiny"
    variant(base_model, repo / "snapshots" / A, 0.0)
    variant(base_model, repo / "snapshots" / B, 3.0)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(A)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    return repo


def test_a_hub_model_id_is_its_snapshot_commit_and_follows_a_new_revision(hub_cache: Path, tmp_path: Path) -> None:
    old = TransformerScorer("acme/tiny")
    assert old.id == f"hf:acme/tiny@{A}+softmax+win"  # not @unknown: transformers 5 no longer sets _commit_hash
    cache = tmp_path / "scores.sqlite"
    before = jm.score(events(), old, cache=cache)["emo_joy"].to_numpy()
    (hub_cache / "refs" / "main").write_text(B)  # the hub moved on, and the new revision was fetched
    new = TransformerScorer("acme/tiny")
    assert new.id == f"hf:acme/tiny@{B}+softmax+win"
    assert TransformerScorer("acme/tiny", revision="main").id == new.id  # a branch resolves to its commit
    assert TransformerScorer("acme/tiny", revision=A).id == old.id
    cached = jm.score(events(), new, cache=cache)["emo_joy"].to_numpy()
    fresh = jm.score(events(), new, cache=False)["emo_joy"].to_numpy()
    np.testing.assert_array_equal(cached, fresh)  # not the old revision's rows
    assert not np.allclose(cached, before)


def test_a_hub_encoder_id_is_its_snapshot_commit(hub_cache: Path) -> None:
    from journeymap.topics.encoders import TransformerEncoder

    assert TransformerEncoder("acme/tiny").id == f"hf-encoder:acme/tiny@{A}+mean+l128"
    assert TransformerEncoder("acme/tiny", revision="main").id == f"hf-encoder:acme/tiny@{A}+mean+l128"


def test_model_version_falls_back_to_the_config_commit_then_the_revision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "empty-hub"))

    class Config:
        _commit_hash = "c" * 40

    assert model_version("acme/elsewhere", "acme/elsewhere", revision=None, config=Config()) == "c" * 40
    assert model_version("acme/elsewhere", "acme/elsewhere", revision="v1", config=object()) == "v1"
    assert model_version("acme/elsewhere", "acme/elsewhere", revision=None) == "unknown"


# -- 2. a model with one output is refused, not scored 1.0 everywhere ---------------------------------
@pytest.mark.parametrize(
    ("labels", "problem_type", "match"),
    [
        (["positive"], "regression", r"one output \(a regression score"),
        (["positive"], None, r"one output \(a single logit"),
        (["negative", "neutral", "positive"], "regression", "is a regression model"),
    ],
)
def test_one_output_and_regression_models_are_refused(
    tmp_path: Path, labels: list[str], problem_type: str | None, match: str
) -> None:
    folder = tiny_model(tmp_path / "m", labels, problem_type)
    with pytest.raises(ModelLoadError, match=match):
        get_scorer(str(folder))
    with pytest.raises(ModelLoadError, match=match):
        TransformerScorer(folder, multi_label=False)


# -- 3. a local folder's fingerprint hashes the files' contents -------------------------------------
def test_two_checkpoints_with_equal_sizes_and_times_get_different_ids(tmp_path: Path, base_model: Path) -> None:
    v1 = variant(base_model, tmp_path / "v1", 0.0)
    v2 = variant(base_model, tmp_path / "v2", 3.0)
    same_times(v1)
    same_times(v2)
    deploy = tmp_path / "deploy" / "model"
    shutil.copytree(v1, deploy)  # copy2 keeps the times
    first = TransformerScorer(deploy)
    cache = tmp_path / "scores.sqlite"
    before = jm.score(events(), first, cache=cache)["emo_joy"].to_numpy()
    shutil.rmtree(deploy)
    shutil.copytree(v2, deploy)
    assert [p.stat().st_mtime_ns for p in sorted(deploy.iterdir())] == [p.stat().st_mtime_ns for p in sorted(v1.iterdir())]
    second = TransformerScorer(deploy)
    assert second.id != first.id
    cached = jm.score(events(), second, cache=cache)["emo_joy"].to_numpy()
    np.testing.assert_array_equal(cached, jm.score(events(), second, cache=False)["emo_joy"].to_numpy())
    assert not np.allclose(cached, before)


def trained_folder(folder: Path, weights: bytes) -> Path:
    folder.mkdir(parents=True)
    meta = {"format": "journeymap.minilm-classifier", "labels": list(Taxonomy.goemotions().labels), "max_length": 64}
    (folder / "config.json").write_text(json.dumps(meta))
    (folder / "model.safetensors").write_bytes(weights)
    same_times(folder)
    return folder


def test_trained_scorer_fingerprint_hashes_contents(tmp_path: Path) -> None:
    a = TrainedScorer(trained_folder(tmp_path / "a" / "run", b"weights-one")).id
    b = TrainedScorer(trained_folder(tmp_path / "b" / "run", b"weights-two")).id
    assert a.startswith("journeymap.trained:run@")
    assert a != b


def test_file_digests_are_remembered_until_the_file_is_written_again(tmp_path: Path) -> None:
    path = tmp_path / "model.safetensors"
    path.write_bytes(b"one")
    first = _fingerprint.file_sha256(path)
    hits = _fingerprint._digest.cache_info().hits
    assert _fingerprint.file_sha256(path) == first
    assert _fingerprint._digest.cache_info().hits == hits + 1  # not read again
    stat = path.stat()
    path.write_bytes(b"two")  # same size; modification time set back below
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert _fingerprint.file_sha256(path) != first


# -- 4. DefaultScorer(weights=...) ids cover config.json -------------------------------------------
def default_weights(folder: Path, bias: list[float] | None = None) -> Path:
    folder.mkdir()
    (folder / "model.safetensors").symlink_to(WEIGHTS_DIR / "model.safetensors")
    meta = json.loads((WEIGHTS_DIR / "config.json").read_text())
    if bias is not None:
        meta["sentiment_bias"] = bias
    (folder / "config.json").write_text(json.dumps(meta))
    return folder


def test_default_scorer_weights_id_covers_the_config(tmp_path: Path) -> None:
    a = DefaultScorer(weights=default_weights(tmp_path / "w_a"), precision="float32", backend="torch")
    b = DefaultScorer(weights=default_weights(tmp_path / "w_b", [2.0, 0.0, -1.0]), precision="float32", backend="torch")
    assert a.id.startswith("journeymap.default.v2@")
    assert a.id != b.id
    assert DefaultScorer(precision="float32", backend="torch").id == "journeymap.default.v2"  # the shipped id is unchanged


# -- 5. a plugin's exception names the scorer, the texts and the rows ----------------------------------
class Raises:
    id = "raise.v1"
    taxonomy = Taxonomy.sentiment()

    def score(self, texts: Sequence[str]) -> np.ndarray:
        msg = "kaput"
        raise RuntimeError(msg)


class RaisesInOutputs(Raises):
    id = "raise-outputs.v1"
    outputs = ("sentiment_negative", "sentiment_neutral", "sentiment_positive")

    def score_outputs(self, texts: Sequence[str]) -> np.ndarray:
        msg = "kaput"
        raise RuntimeError(msg)


@pytest.mark.parametrize("scorer", [Raises(), RaisesInOutputs()], ids=["score", "score_outputs"])
def test_a_plugin_failure_names_the_scorer_texts_and_rows(scorer: Raises) -> None:
    frame = events(["fine", "my phone is broken"])
    frame.index = [10, 11]
    with pytest.raises(TextsFailedError) as info:
        jm.score(frame, scorer, cache=False)
    message = str(info.value)
    assert f"scorer {scorer.id!r} failed" in message
    assert "RuntimeError: kaput" in message
    assert "'my phone is broken'" in message
    assert "input rows [10, 11]" in message
    assert isinstance(info.value.__cause__, RuntimeError)
    assert set(info.value.texts) == {"fine", "my phone is broken"}


def test_errors_about_loading_pass_through_unwrapped() -> None:
    class Unloadable(Raises):
        id = "unloadable.v1"

        def score(self, texts: Sequence[str]) -> np.ndarray:
            msg = "weights missing"
            raise ModelLoadError(msg)

    with pytest.raises(ModelLoadError, match="weights missing"):
        jm.score(events(), Unloadable(), cache=False)


# -- 6. a label_map giving two labels one name -------------------------------------------------------
@pytest.fixture(scope="module")
def label_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_model(tmp_path_factory.mktemp("labels"), ["LABEL_0", "LABEL_1", "LABEL_2"], None)


def test_a_label_map_collision_names_the_labels(label_model: Path) -> None:
    label_map = {"LABEL_0": "negative", "LABEL_1": "negative", "LABEL_2": "positive"}
    with pytest.raises(ScorerOptionsError, match=r"maps the model's labels 'LABEL_0' and 'LABEL_1' both to 'negative'"):
        get_scorer(str(label_model), label_map=label_map)


# -- 7. taxonomy= as a mapping (what --scorer-option gives), validated ---------------------------------
ALIEN = {"name": "alien", "labels": ["zorblax", "quux", "frob"], "valence": {"zorblax": 0.5, "quux": -0.5, "frob": 0.0}}


def test_a_taxonomy_mapping_is_validated_into_a_taxonomy(label_model: Path) -> None:
    scorer = get_scorer(str(label_model), taxonomy=ALIEN)
    assert isinstance(scorer.taxonomy, Taxonomy)
    assert scorer.taxonomy.labels == ("zorblax", "quux", "frob")
    out = jm.score(events(), scorer, cache=False)
    assert {"emo_zorblax", "emo_quux", "emo_frob"} <= set(out.columns)


@pytest.mark.parametrize(
    ("taxonomy", "match"),
    [
        ({"name": "alien", "labels": ["a", "b", "c"]}, r"not a valid taxonomy \(valence: Field required"),
        ({**ALIEN, "valence": {"zorblax": 5, "quux": 0, "frob": 0}}, "valence must lie in"),
        (42, "taxonomy must be a journeymap Taxonomy, a mapping .* got int"),
        ("klingon", "unknown taxonomy 'klingon'"),
    ],
)
def test_a_bad_taxonomy_option_is_a_clear_error(label_model: Path, taxonomy: object, match: str) -> None:
    with pytest.raises(ScorerOptionsError, match=match):
        get_scorer(str(label_model), taxonomy=taxonomy)


def test_the_cli_takes_a_taxonomy_as_json(label_model: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from journeymap.cli import app

    data = tmp_path / "events.csv"
    pd.DataFrame(
        {"customer_id": ["c1", "c1"], "timestamp": ["2024-01-01 10:00", "2024-01-01 10:05"], "text": TEXTS, "actor": "customer"}
    ).to_csv(data, index=False)
    out = tmp_path / "out.csv"
    args = ["score", str(data), "-o", str(out), "--scorer", str(label_model), "--no-cache"]
    result = CliRunner().invoke(app, [*args, "--scorer-option", f"taxonomy={json.dumps(ALIEN)}"])
    assert result.exit_code == 0, result.output
    assert "emo_zorblax" in pd.read_csv(out).columns


# -- 8. a path that is not there is said to be not there ---------------------------------------------
@pytest.mark.parametrize("name", ["./typo-model", "../typo-model", "~/journeymap-no-such-model", "a/b/c"])
def test_a_missing_path_says_no_such_folder(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ModelLoadError, match="no such folder") as info:
        get_scorer(name)
    assert "did not answer" not in str(info.value)
    assert "downloads are off" not in str(info.value)


def test_a_missing_absolute_path_and_a_file_are_named_as_such(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ModelLoadError, match="no such folder") as info:
        get_scorer(str(tmp_path / "x" / "model"))
    assert "did not answer" not in str(info.value)
    assert "downloads are off" not in str(info.value)
    (tmp_path / "notamodel.csv").write_text("text\nhi\n")
    with pytest.raises(ModelLoadError, match="it is a file, not a model folder"):
        get_scorer(str(tmp_path / "notamodel.csv"))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ModelLoadError, match="it is a file, not a model folder"):
        get_scorer("notamodel.csv")


def test_a_model_folder_under_home_is_found(base_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    shutil.copytree(base_model, tmp_path / "models" / "emo")
    assert get_scorer("~/models/emo").taxonomy.labels == tuple(EMO4)


# -- 9. a plugin cannot take a built-in's name --------------------------------------------------------
@pytest.fixture
def squatter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A distribution on sys.path (before journeymap's) registering its own ``default`` scorer."""
    dist = tmp_path / "site" / "acme_scorers-0.1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-scorers\nVersion: 0.1.0\n")
    entry_points = "[journeymap.scorers]\ndefault = acme_scorers:LexiconScorer\nacme = acme_scorers:Acme\n"
    (dist / "entry_points.txt").write_text(entry_points)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    registry.refresh()
    yield dist
    registry.refresh()


def test_a_plugin_registering_a_builtin_name_is_ignored_with_a_warning(squatter: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="journeymap"):
        eps = registry._entry_points()
    assert eps["default"].value == "journeymap.emotions.default:DefaultScorer"
    assert eps["acme"].value == "acme_scorers:Acme"  # its other names are registered as usual
    warned = [r.getMessage() for r in caplog.records]
    assert any("acme_scorers:LexiconScorer (from acme-scorers) is ignored" in w and "'default'" in w for w in warned)
    assert isinstance(get_scorer("default", precision="float32", backend="torch"), DefaultScorer)


def test_an_encoder_plugin_cannot_take_the_default_encoder_either(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from journeymap.topics import encoders

    dist = tmp_path / "site" / "acme_encoders-0.1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-encoders\nVersion: 0.1.0\n")
    (dist / "entry_points.txt").write_text("[journeymap.encoders]\ndefault = acme_encoders:Bag\nbag = acme_encoders:Bag\n")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    encoders.refresh_encoders()
    try:
        with caplog.at_level(logging.WARNING, logger="journeymap"):
            eps = encoders._entry_points()
    finally:
        encoders.refresh_encoders()
    assert eps["default"].value == "journeymap.topics.encoders:MiniLMEncoder"
    assert eps["bag"].value == "acme_encoders:Bag"
    assert any("acme_encoders:Bag (from acme-encoders) is ignored" in r.getMessage() for r in caplog.records)


# -- 10. check_batch_invariance names a shape problem -------------------------------------------------
class WidthChanges:
    id = "width.v1"
    taxonomy = Taxonomy.sentiment()

    def score(self, texts: Sequence[str]) -> np.ndarray:
        return np.full((len(texts), 3 if len(texts) == 1 else 4), 0.25, dtype=np.float32)


def test_batch_invariance_names_a_width_that_changes() -> None:
    with pytest.raises(ScorerCheckError) as info:
        check_batch_invariance(WidthChanges())
    message = str(info.value)
    assert "returned shape (1, 3) for 1 text but (" in message
    assert "inf" not in message


# -- 11. the TweetEval reader splits at newlines only ---------------------------------------------------
def test_tweeteval_lines_keep_unicode_line_separators(tmp_path: Path) -> None:
    tweets = ["first\u2028still the first", "page\x0cbreak and \x85 next line", "carriage\rreturn", "plain"]
    (tmp_path / "val_text.txt").write_bytes(("\r\n".join(tweets) + "\r\n").encode())
    (tmp_path / "val_labels.txt").write_text("0\n1\n2\n1\n")
    texts, labels = read_tweeteval(tmp_path, "val")
    assert texts == tweets
    assert labels.tolist() == [0, 1, 2, 1]


# -- 12. batch_size is checked when the scorer is built -----------------------------------------------
@pytest.mark.parametrize("bad", [0, -3, True, 2.5, "8"])
def test_a_bad_batch_size_fails_when_the_scorer_is_built(bad: object, base_model: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="batch_size must be a whole number of at least 1"):
        get_scorer("default", batch_size=bad)
    with pytest.raises(ValueError, match="batch_size"):
        TransformerScorer(base_model, batch_size=bad)
    with pytest.raises(ValueError, match="batch_size"):
        TrainedScorer(trained_folder(tmp_path / "run", b"w"), batch_size=bad)


def test_score_with_batch_size_zero_fails_at_once() -> None:
    with pytest.raises(ValueError, match=r"batch_size must be a whole number of at least 1 .*got 0"):
        jm.score(events(), "default", batch_size=0, cache=False)
    assert get_scorer("default", batch_size=np.int64(8)).batch_size == 8


# -- 13. TextsFailedError is public ------------------------------------------------------------------------
def test_texts_failed_error_is_public_and_documented() -> None:
    assert jm.TextsFailedError is TextsFailedError
    assert _batching.TextsFailedError is TextsFailedError  # its former home still works
    assert issubclass(TextsFailedError, jm.JourneyMapError)
    err = pickle.loads(pickle.dumps(TextsFailedError("bad", texts=["x"], positions=[2])))
    assert (str(err), err.texts, err.positions) == ("bad", ("x",), (2,))
    api = Path(__file__).resolve().parents[1] / "docs" / "api.md"
    assert "::: journeymap.TextsFailedError" in api.read_text()


# -- the same checks for sentence encoders ------------------------------------------------------------
@pytest.mark.parametrize("options", [{"batch_size": 0}, {"batch_size": "8"}, {"max_length": 0}, {"max_length": 1.5}])
def test_a_bad_encoder_size_fails_when_the_encoder_is_built(options: dict[str, object]) -> None:
    from journeymap.topics.encoders import TransformerEncoder

    with pytest.raises(ValueError, match=next(iter(options))):
        TransformerEncoder("acme/encoder", **options)


def test_an_encoder_path_that_is_a_file_or_missing_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from journeymap.topics.encoders import get_encoder

    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.csv").write_text("a,b\n")
    with pytest.raises(ModelLoadError, match="it is a file, not a model folder"):
        get_encoder("notes.csv").encode(["hi"])
    with pytest.raises(ModelLoadError, match="no such folder"):
        get_encoder("./nope").encode(["hi"])
