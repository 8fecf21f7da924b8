from __future__ import annotations

import contextlib
import socket
import threading
import time
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import journeymap as jm
from journeymap import ModelLoadError, Taxonomy, TransformerScorer, get_scorer
from journeymap.testing import check_scorer

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

EKMAN = ["anger", "disgust", "fear", "joy", "sadness", "surprise", "neutral"]


def tiny_model(folder: Path, labels: list[str], problem_type: str | None) -> Path:
    """A small randomly initialised BERT classifier saved like any Hugging Face model."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    from journeymap.emotions._minilm import base_model_path

    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(str(base_model_path()), clean_up_tokenization_spaces=False)
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={lab: i for i, lab in enumerate(labels)},
        problem_type=problem_type,
    )
    BertForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def ekman_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_model(tmp_path_factory.mktemp("ekman"), EKMAN, "multi_label_classification")


def test_default_scorer_conforms_and_reads_emotions(default_scorer) -> None:
    check_scorer(default_scorer)
    assert default_scorer.id in {"journeymap.default.v2+onnx", "journeymap.default.v2", "journeymap.default.v2+bf16"}
    labels = default_scorer.taxonomy.labels
    p = default_scorer.score(["thank you so much, you fixed it!", "this is the worst service, I am furious", "", "😡😡😡"])
    assert labels[p[0].argmax()] == "gratitude"
    assert labels[p[1].argmax()] in {"anger", "annoyance", "disgust"}
    assert p[2].tolist() == [0.0] * 27 + [1.0]  # no words: neutral
    assert p[3][labels.index("neutral")] < 1.0  # emoji are read as words now, not defaulted to neutral
    assert default_scorer.predict(["thanks!"]).sum() >= 1


def test_a_loaded_scorer_pickles_as_its_settings(default_scorer) -> None:
    import pickle

    texts = ["thanks, all sorted now", "worst service ever, I am furious"]
    before = default_scorer.score(texts)  # builds the network
    assert default_scorer.loaded
    blob = pickle.dumps(default_scorer)
    assert len(blob) < 1_000_000  # not the 22 M-parameter network
    again = pickle.loads(blob)
    assert not again.loaded and again.id == default_scorer.id
    np.testing.assert_allclose(again.score(texts), before, atol=default_scorer.tolerance)
    assert default_scorer.loaded  # the original keeps its network


def test_default_scorer_precisions() -> None:
    from journeymap.emotions.default import DefaultScorer

    texts = ["my parcel never arrived and nobody answers", "love the new app, great job", "ok", "thanks!"]
    fp32 = DefaultScorer(precision="float32", backend="torch")
    assert fp32.id == "journeymap.default.v2"
    reference = fp32.score(texts)
    bf16 = DefaultScorer(precision="bfloat16")
    assert bf16.id == "journeymap.default.v2+bf16"
    assert (bf16.tolerance, fp32.tolerance) == (0.01, 0.001)  # what the conformance checks allow each
    assert np.abs(bf16.score(texts) - reference).max() < 0.05
    # bfloat16 on CPU: plain attention (torch's fused kernel is slow there) and taller batches
    assert bf16.batch_size == 128 and fp32.batch_size == 64
    switched = hasattr(bf16.model.encoder, "set_attn_implementation")  # transformers 4.44 keeps the fused attention
    assert (bf16.model.encoder.config._attn_implementation == "eager") is switched
    assert fp32.model.encoder.config._attn_implementation != "eager"
    # ... and oneDNN's linear with packed weights (and GELU fused) where torch has it
    from journeymap.emotions._packed import PackedLinear, _available

    packed = [m for m in bf16.model.modules() if isinstance(m, PackedLinear)]
    assert len(packed) == (39 if _available() else 0)  # 6 layers x (Q, K, V, out, FFN up + GELU, FFN down) + 3 heads
    assert not any(isinstance(m, PackedLinear) for m in fp32.model.modules())
    assert DefaultScorer(precision="bfloat16", batch_size=16).batch_size == 16
    int8 = DefaultScorer(precision="int8", backend="torch")
    assert int8.id == "journeymap.default.v2+int8"
    out = int8.score(texts)
    assert out.shape == reference.shape and (out.argmax(axis=1) == reference.argmax(axis=1)).mean() >= 0.75
    with pytest.raises(ValueError, match="precision must be one of"):
        DefaultScorer(precision="fp8")  # type: ignore[arg-type]


@settings(max_examples=20, deadline=None)
@given(st.lists(st.text(max_size=300), max_size=6))
def test_default_scorer_on_arbitrary_unicode(default_scorer, texts: list[str]) -> None:
    out = default_scorer.score(texts)
    assert out.shape == (len(texts), 28) and out.dtype == np.float32
    assert np.isfinite(out).all() and (out >= 0).all() and (out <= 1).all()


def test_transformer_scorer_on_a_local_model(ekman_model: Path) -> None:
    scorer = TransformerScorer(ekman_model, batch_size=4)
    check_scorer(scorer)
    assert scorer.taxonomy.name == "ekman"
    assert scorer.multi_label
    assert scorer.id.startswith(f"hf:{ekman_model.name}@")  # a local folder by its name (and its files)
    # by path through get_scorer, and through the registered name
    assert get_scorer(str(ekman_model)).id == scorer.id
    assert get_scorer("transformer", model=str(ekman_model)).id == scorer.id
    # batch order does not change a text's score (sorted, dynamically padded batches)
    texts = ["short", "a much longer text about a parcel that never arrived at all", "mid length text"]
    together = scorer.score(texts)
    alone = np.vstack([scorer.score([t]) for t in texts])
    assert np.allclose(together, alone, atol=1e-5)


def test_softmax_models_and_label_maps(tmp_path: Path) -> None:
    folder = tiny_model(tmp_path / "m", ["LABEL_0", "LABEL_1", "LABEL_2"], "single_label_classification")
    with pytest.raises(ModelLoadError, match="no known valence; pass label_map"):
        TransformerScorer(folder)
    scorer = TransformerScorer(folder, label_map={"LABEL_0": "negative", "LABEL_1": "neutral", "LABEL_2": "positive"})
    assert not scorer.multi_label and scorer.id.endswith("+softmax+win")
    out = scorer.score(["hello there", "what a day"])
    assert np.allclose(out.sum(axis=1), 1.0, atol=1e-5)
    assert scorer.taxonomy.labels == ("negative", "neutral", "positive")
    custom = Taxonomy(name="mine", labels=("bad", "meh", "good"), valence={"bad": -1, "meh": 0, "good": 1})
    assert TransformerScorer(folder, taxonomy=custom).taxonomy.name == "mine"


def test_missing_hub_model_says_the_default_works_offline() -> None:
    with pytest.raises(ModelLoadError, match=r"(?s)Could not load .*default scorer .* works offline"):
        TransformerScorer("journeymap-tests/no-such-model", local_files_only=True)


@contextlib.contextmanager
def _local_endpoint(reply: bytes | None) -> Iterator[str]:
    """A local 'hub': accepts connections and answers ``reply`` to each, or never answers (None)."""
    import huggingface_hub.constants

    mp = pytest.MonkeyPatch()
    mp.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)  # read once, when it was imported
    mp.delenv("HF_HUB_OFFLINE", raising=False)
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    stop = threading.Event()
    held: list[socket.socket] = []

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            held.append(conn)
            if reply is not None:
                with contextlib.suppress(OSError):
                    conn.recv(65536)
                    conn.sendall(reply)
                    conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
    finally:
        mp.undo()
        stop.set()
        thread.join(2)
        for conn in held:
            conn.close()
        server.close()


def test_an_unknown_hub_id_fails_in_seconds_when_the_hub_accepts_but_never_answers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from journeymap.emotions import transformer

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(transformer, "HUB_TIMEOUT", 1.0)
    with _local_endpoint(None) as url:
        monkeypatch.setenv("HF_ENDPOINT", url)
        start = time.perf_counter()
        with pytest.raises(ModelLoadError, match=r"not on disk .* did not answer within 1 s"):
            TransformerScorer("journeymap-tests/no-such-model")
        waited = time.perf_counter() - start
        assert 0.9 < waited < 4  # it waited for the hub, and no longer than the timeout allows


def test_an_unknown_hub_id_fails_in_seconds_when_nothing_listens(monkeypatch: pytest.MonkeyPatch) -> None:
    from journeymap.emotions import transformer

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(transformer, "HUB_TIMEOUT", 1.0)
    with _local_endpoint(None) as unused:
        with socket.socket() as probe:  # a port that was free a moment ago: connections are refused
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
        assert unused != f"http://127.0.0.1:{port}"
        start = time.perf_counter()
        with pytest.raises(ModelLoadError, match=r"could not be reached"):  # at once: not "did not answer within 1 s"
            TransformerScorer("journeymap-tests/no-such-model")
        assert time.perf_counter() - start < 4


def test_a_hub_that_answers_not_found_gives_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    body = b'{"error":"Repository not found"}'
    reply = (
        b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nX-Error-Code: RepoNotFound\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body
    )
    with _local_endpoint(reply) as url:
        monkeypatch.setenv("HF_ENDPOINT", url)
        with pytest.raises(ModelLoadError, match=r"has no such model .*Check the id"):
            TransformerScorer("journeymap-tests/no-such-model")


def test_a_local_model_resaved_with_new_weights_gets_a_new_id(tmp_path: Path) -> None:
    import os

    folder = tiny_model(tmp_path / "m", EKMAN, "multi_label_classification")
    before = TransformerScorer(folder).id
    weights = folder / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 1
    weights.write_bytes(bytes(data))
    os.utime(weights, ns=(weights.stat().st_atime_ns, weights.stat().st_mtime_ns + 10**9))
    assert TransformerScorer(folder).id != before


def test_pickle_weights_that_run_code_are_refused_with_model_load_error(tmp_path: Path) -> None:
    import pickle

    folder = tiny_model(tmp_path / "m", EKMAN, "multi_label_classification")
    (folder / "model.safetensors").unlink()

    class Evil:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os_system, ("echo pwned > " + str(tmp_path / "pwned"),))

    (folder / "pytorch_model.bin").write_bytes(pickle.dumps(Evil()))
    with pytest.raises(ModelLoadError, match="Could not load"):
        TransformerScorer(folder)
    assert not (tmp_path / "pwned").exists()


def os_system(command: str) -> int:
    import os

    return os.system(command)


def test_local_models_found_wanting_in_a_review(tmp_path: Path) -> None:
    """No tokenizer of its own, labels named LABEL_i, positions fewer than the tokenizer's limit."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    with_tokenizer = tiny_model(tmp_path / "full", ["LABEL_0", "LABEL_1", "LABEL_2"], None)
    # label_map keys are matched in any case, and the error names the model's own labels
    with pytest.raises(ModelLoadError, match=r"\['LABEL_0', 'LABEL_1', 'LABEL_2'\] have no known valence"):
        TransformerScorer(with_tokenizer)
    mapped = TransformerScorer(with_tokenizer, label_map={"label_0": "negative", "label_1": "neutral", "label_2": "positive"})
    assert mapped.taxonomy.labels == ("negative", "neutral", "positive")
    # weights saved without their tokenizer: refused, not read as all-unknown words
    bare = tmp_path / "bare"
    BertForSequenceClassification.from_pretrained(with_tokenizer).save_pretrained(bare)
    # transformers 4.44 cannot load a tokenizer from the folder; newer ones load one that the vocabulary check refuses
    with pytest.raises(ModelLoadError, match=r"tokenizer has .* tokens for a vocabulary of|Can't load tokenizer for .*bare"):
        TransformerScorer(bare, label_map={"LABEL_0": "negative", "LABEL_1": "neutral", "LABEL_2": "positive"})
    # 64 positions: long texts are cut there, not crashed on
    short = tmp_path / "short"
    torch.manual_seed(0)
    config = BertConfig.from_pretrained(with_tokenizer, max_position_embeddings=64)
    BertForSequenceClassification(config).save_pretrained(short)
    AutoTokenizer.from_pretrained(with_tokenizer).save_pretrained(short)
    scorer = TransformerScorer(short, label_map={"LABEL_0": "negative", "LABEL_1": "neutral", "LABEL_2": "positive"})
    assert scorer.max_length == 64
    assert scorer.score(["short", "word " * 300]).shape == (2, 3)


def test_a_transformer_scorer_notes_the_tokens_it_cut(tmp_path: Path) -> None:
    folder = tiny_model(tmp_path / "m", ["negative", "neutral", "positive"], None)
    scorer = TransformerScorer(folder, max_length=16, max_windows=1)
    rows = scorer.score_outputs(["short text", "word " * 40])
    assert rows.shape == (2, 4) and rows[0, 3] == 0 and rows[1, 3] == 40 - 14  # one window: 14 words between two special tokens
    out = jm.score(pd.DataFrame({"text": ["short text", "word " * 40], "actor": "customer"}), scorer=scorer, cache=False)
    assert out["score_note"].isna().tolist() == [True, False]
    assert "26 tokens at the end not read" in out["score_note"].iloc[1]
