"""The ONNX Runtime backend of the default scorer and encoder: selection, ids, the model cache, parity."""

from __future__ import annotations

import logging
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from journeymap.emotions import _onnx
from journeymap.emotions.default import DefaultScorer, native_bf16
from journeymap.exceptions import ModelLoadError
from journeymap.topics.encoders import MiniLMEncoder

pytestmark = pytest.mark.skipif(not _onnx.available(), reason="onnxruntime is not installed")

TEXTS = [
    "thank you so much, that fixed it!",
    "I am so angry with you, the parcel never arrived",
    "",
    "😍👍",
    "ok",
    "the app keeps crashing when I open my statement " * 40,  # several windows
]


@pytest.fixture(scope="module")
def onnx_scorer() -> DefaultScorer:
    scorer = DefaultScorer(backend="onnx")
    scorer.score(["warm up"])  # exports into the session's model folder once
    return scorer


@pytest.fixture(scope="module")
def torch_scorer() -> DefaultScorer:
    return DefaultScorer(precision="float32", backend="torch")


def test_backend_selection_and_ids() -> None:
    if native_bf16(torch.device("cpu")):  # auto keeps bfloat16 on torch where the CPU has it
        assert (DefaultScorer().backend, DefaultScorer().id) == ("torch", "journeymap.default.v2+bf16")
    else:
        assert (DefaultScorer().backend, DefaultScorer().id) == ("onnx", "journeymap.default.v2+onnx")
    assert DefaultScorer(precision="float32").backend == "onnx"
    assert DefaultScorer(precision="float32").id == "journeymap.default.v2+onnx"
    assert DefaultScorer(backend="onnx").precision == "float32"  # whatever the CPU
    assert DefaultScorer(precision="int8").id == "journeymap.default.v2+onnx-int8"
    assert DefaultScorer(precision="float32", backend="torch").id == "journeymap.default.v2"
    assert DefaultScorer(precision="int8", backend="torch").id == "journeymap.default.v2+int8"
    assert DefaultScorer(precision="bfloat16").backend == "torch"  # ONNX Runtime's CPU kernels are float32 or int8
    assert DefaultScorer(device="cuda").backend == "torch"  # built lazily: no GPU needed to decide
    with pytest.raises(ValueError, match="backend='onnx' runs float32 or int8 on CPU"):
        DefaultScorer(precision="bfloat16", backend="onnx")
    with pytest.raises(ValueError, match="backend must be one of"):
        DefaultScorer(backend="tensorrt")  # type: ignore[arg-type]
    # the encoder follows the scorer: bfloat16 on torch where native, else float32 on ONNX Runtime
    if native_bf16(torch.device("cpu")):
        assert (MiniLMEncoder().id, MiniLMEncoder().batch_size) == ("journeymap.minilm-l6-v2.v1+bf16", 128)
        assert MiniLMEncoder(backend="torch").id == "journeymap.minilm-l6-v2.v1+bf16"
    else:
        assert (MiniLMEncoder().id, MiniLMEncoder().batch_size) == ("journeymap.minilm-l6-v2.v1+onnx", 64)
        assert MiniLMEncoder(backend="torch").id == "journeymap.minilm-l6-v2.v1"
    assert MiniLMEncoder(precision="float32").id == "journeymap.minilm-l6-v2.v1+onnx"
    assert MiniLMEncoder(backend="onnx").id == "journeymap.minilm-l6-v2.v1+onnx"  # auto asks ONNX for float32
    assert MiniLMEncoder(precision="bfloat16").id == "journeymap.minilm-l6-v2.v1+bf16"  # torch, wherever asked
    assert MiniLMEncoder(precision="int8").id == "journeymap.minilm-l6-v2.v1+onnx-int8"
    assert MiniLMEncoder(backend="torch", precision="float32").id == "journeymap.minilm-l6-v2.v1"
    assert MiniLMEncoder(max_length=64, precision="float32").id == "journeymap.minilm-l6-v2.v1+l64+onnx"
    assert MiniLMEncoder(precision="float32", batch_size=8).batch_size == 8
    with pytest.raises(ValueError, match="needs the ONNX Runtime backend"):
        MiniLMEncoder(backend="torch", precision="int8")
    with pytest.raises(ValueError, match="backend='onnx' runs float32 or int8 on CPU"):
        MiniLMEncoder(precision="bfloat16", backend="onnx")
    with pytest.raises(ValueError, match="precision must be one of auto, float32, bfloat16, int8"):
        MiniLMEncoder(precision="fp16")  # type: ignore[arg-type]


def test_fallback_to_torch_without_onnxruntime(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(_onnx, "available", lambda: False)
    with caplog.at_level(logging.INFO, logger="journeymap.emotions._onnx"):
        scorer = DefaultScorer(precision="float32")
    assert scorer.backend == "torch" and scorer.id == "journeymap.default.v2"
    assert "onnxruntime is not installed" in caplog.text
    assert MiniLMEncoder(precision="float32").id == "journeymap.minilm-l6-v2.v1"
    with pytest.raises(ModelLoadError, match="pip install onnxruntime"):
        DefaultScorer(backend="onnx")


def test_onnx_scores_as_torch_float32(onnx_scorer: DefaultScorer, torch_scorer: DefaultScorer) -> None:
    got = onnx_scorer.score_outputs(TEXTS)
    want = torch_scorer.score_outputs(TEXTS)
    assert got.shape == want.shape
    assert np.abs(got - want).max() < 0.05  # in practice about 1e-6
    assert got[:, -1].tolist() == want[:, -1].tolist()  # unread tokens
    assert got[2, :28].tolist() == [0.0] * 27 + [1.0]  # no words: neutral, not sent to the model


def test_onnx_scores_do_not_depend_on_the_batch(onnx_scorer: DefaultScorer) -> None:
    together = onnx_scorer.score(TEXTS)
    alone = np.vstack([onnx_scorer.score([t]) for t in TEXTS])
    assert np.abs(together - alone).max() < 1e-4


def test_batches_on_both_cores_give_the_same_scores(onnx_scorer: DefaultScorer, monkeypatch: pytest.MonkeyPatch) -> None:
    network = onnx_scorer.model
    assert isinstance(network, _onnx.OnnxNetwork)
    assert network.session.get_session_options().intra_op_num_threads == 1  # one core per batch
    texts = TEXTS * 30  # several batches
    monkeypatch.setattr(_onnx.OnnxNetwork, "workers", 2)
    two = onnx_scorer.score_outputs(texts)
    monkeypatch.setattr(_onnx.OnnxNetwork, "workers", 1)
    one = onnx_scorer.score_outputs(texts)
    np.testing.assert_allclose(two, one, atol=1e-6)


def test_the_exported_model_is_reused(onnx_scorer: DefaultScorer, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_export(*args: object, **kwargs: object) -> None:
        raise AssertionError("exported again")

    monkeypatch.setattr(_onnx, "export", no_export)
    monkeypatch.setattr(DefaultScorer, "_torch_network", no_export)  # not even the torch network is built
    again = DefaultScorer(backend="onnx")
    np.testing.assert_allclose(again.score(TEXTS[:2]), onnx_scorer.score(TEXTS[:2]), atol=1e-6)
    assert pickle.loads(pickle.dumps(again)).score(TEXTS[:1]).shape == (1, 28)


def test_a_missing_model_is_exported_once_atomically(
    onnx_scorer: DefaultScorer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    exported = Path(onnx_scorer.model.path)  # type: ignore[attr-defined]
    calls: list[Path] = []

    def fake_export(network: object, path: Path, *, output: str) -> None:  # the real one takes seconds
        calls.append(path)
        shutil.copyfile(exported, path)

    monkeypatch.setenv("JOURNEYMAP_MODEL_DIR", str(tmp_path / "models"))
    monkeypatch.setattr(_onnx, "export", fake_export)
    first = DefaultScorer(backend="onnx")
    first.score(["hello"])
    second = DefaultScorer(backend="onnx")
    second.score(["hello"])
    assert len(calls) == 1
    # no temporary files left; the export lock file (empty, shared by the folder's exports) stays
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == sorted([exported.name, _onnx.EXPORT_LOCK_NAME])
    assert second.model.path == first.model.path  # type: ignore[attr-defined]


def test_encoder_onnx_matches_torch() -> None:
    texts = ["my card has not arrived yet", "where is my new card?", "😡", "how do I change my PIN " * 50]
    onnx_vecs = MiniLMEncoder(precision="float32").encode(texts)
    torch_vecs = MiniLMEncoder(backend="torch", precision="float32").encode(texts)
    assert np.abs(onnx_vecs - torch_vecs).max() < 1e-4
    assert float(np.abs(onnx_vecs[2]).sum()) == 0.0
    copy = pickle.loads(pickle.dumps(MiniLMEncoder(precision="float32")))
    np.testing.assert_allclose(copy.encode(texts[:1]), onnx_vecs[:1], atol=1e-6)


def _one_linear_layer(path: Path, weight: np.ndarray) -> None:
    """An ONNX graph ``y = x @ weight`` (as torch exports a linear layer), written to ``path``."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"], name="linear")],
        "linear",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", "tokens", weight.shape[0]])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", "tokens", weight.shape[1]])],
        [numpy_helper.from_array(weight, "w")],
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))


@pytest.mark.parametrize("bits", [7, 8])
def test_int8_quantises_each_token_on_its_own(tmp_path: Path, bits: int) -> None:
    if bits > _onnx.int8_weight_bits():
        pytest.skip("8-bit weights can saturate in ONNX Runtime's kernels on x86 without VNNI (the recipe uses 7 there)")
    import onnx
    import onnxruntime as ort
    from onnx import numpy_helper

    rng = np.random.default_rng(0)
    weight = rng.normal(size=(16, 8)).astype(np.float32)
    _one_linear_layer(tmp_path / "f32.onnx", weight)
    assert _onnx.quantize_int8(tmp_path / "f32.onnx", tmp_path / "int8.onnx", weight_bits=bits) == 1
    stored = {t.name: numpy_helper.to_array(t) for t in onnx.load(str(tmp_path / "int8.onnx")).graph.initializer}
    assert "w" not in stored  # the float weight is gone
    q = next(v for k, v in stored.items() if v.dtype == np.int8)
    assert np.abs(q.astype(int)).max() == 2 ** (bits - 1) - 1  # the full signed range of `bits` bits, per column
    session = ort.InferenceSession(str(tmp_path / "int8.onnx"), providers=["CPUExecutionProvider"])
    x = rng.normal(size=(3, 5, 16)).astype(np.float32)
    x[1, 2] *= 1000  # one outlier token: with a per-batch scale it would flatten every other token
    together = session.run(None, {"x": x})[0]
    exact = x @ weight
    relative = np.abs(together - exact).max(axis=-1) / np.abs(exact).max(axis=-1)
    assert relative.max() < (0.05 if bits == 7 else 0.03)
    alone = session.run(None, {"x": x[:1, :2]})[0]
    np.testing.assert_array_equal(alone, together[:1, :2])  # a token's output ignores the rest of the batch


def test_int8_scorer_is_batch_invariant_and_near_float32(onnx_scorer: DefaultScorer) -> None:
    int8 = DefaultScorer(precision="int8", backend="onnx")
    assert isinstance(int8.model, _onnx.OnnxNetwork) and "-int8-" in int8.model.path.name
    texts = [t for t in TEXTS if t] + ["my flight was cancelled and nobody tells me anything", "love it, thanks"]
    got, float32 = int8.score_outputs(texts), onnx_scorer.score_outputs(texts)
    alone = np.vstack([int8.score_outputs([t]) for t in texts])
    np.testing.assert_allclose(alone, got, atol=1e-5)
    assert np.abs(got - float32)[:, :31].max() < 0.15  # measured 0.11 at most on 5,427 texts
    assert got[:, 28:31].argmax(axis=1).tolist() == float32[:, 28:31].argmax(axis=1).tolist()


def test_int8_weight_bits_follow_the_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    avx2 = "flags\t: fpu sse2 avx2 fma avx512f"
    cases = {
        ("x86_64", avx2): 7,
        ("x86_64", avx2 + " avx512_vnni"): 8,
        ("x86_64", avx2 + " avx_vnni"): 8,
        ("x86_64", avx2 + " amx_int8"): 8,
        ("x86_64", None): 7,  # flags unknown: the range that is always safe
        ("aarch64", None): 8,  # no 16-bit step to saturate
    }
    for (machine, cpuinfo), bits in cases.items():
        monkeypatch.setattr(_onnx, "_cpu", lambda machine=machine, cpuinfo=cpuinfo: (machine, cpuinfo))
        assert _onnx.int8_weight_bits() == bits, (machine, cpuinfo)


def test_int8_files_are_keyed_by_weight_bits(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    weights = tmp_path / "w.safetensors"
    weights.write_bytes(b"weights")
    assert _onnx.int8_weight_bits() in (7, 8)
    paths = {}
    for bits in (7, 8):
        monkeypatch.setattr(_onnx, "int8_weight_bits", lambda bits=bits: bits)
        paths[bits] = (_onnx.model_path("m", [weights], "int8"), _onnx.model_path("m", [weights], "float32"))
    assert paths[7][0] != paths[8][0]  # a file quantised for one CPU is not reused on another kind
    assert paths[7][1] == paths[8][1]  # float32 does not depend on it


def test_bfloat16_encoder_gives_the_float32_vectors_within_rounding() -> None:
    from journeymap.emotions._packed import PackedLinear, _available

    texts = ["my card has not arrived yet", "how do I top up by bank transfer?", "😡😡", "thanks, all sorted now"]
    reference = MiniLMEncoder(backend="torch", precision="float32").encode(texts)
    bf16 = MiniLMEncoder(precision="bfloat16")
    got = bf16.encode(texts)
    assert got.dtype == np.float32 and got.shape == reference.shape
    assert np.allclose(np.linalg.norm(got[[0, 1, 3]], axis=1), 1.0, atol=1e-5)  # pooled and normalised in float32
    assert float(np.abs(got[2]).sum()) == 0.0  # no words: the zero vector, as in float32
    assert float((got * reference).sum(axis=1)[[0, 1, 3]].min()) > 0.999
    packed = [m for m in bf16.network.modules() if isinstance(m, PackedLinear)]
    assert len(packed) == (37 if _available() else 0)  # 6 layers x (Q, K, V, out, FFN up + GELU, FFN down) + pooler
    again = pickle.loads(pickle.dumps(bf16))  # arguments only; rebuilt and packed on first use
    assert again.id == bf16.id and np.array_equal(again.encode(texts), got)


def test_a_model_folder_that_cannot_be_written_exports_for_the_process(
    onnx_scorer: DefaultScorer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # from a review as a service: an unwritable JOURNEYMAP_MODEL_DIR raised a raw NotADirectoryError from score()
    exported = Path(onnx_scorer.model.path)  # type: ignore[attr-defined]

    def fake_export(network: object, path: Path, *, output: str) -> None:
        shutil.copyfile(exported, path)

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("JOURNEYMAP_MODEL_DIR", str(blocker / "models"))
    monkeypatch.setattr(_onnx, "export", fake_export)
    with caplog.at_level(logging.WARNING, logger="journeymap.emotions._onnx"):
        scorer = DefaultScorer(backend="onnx")
        np.testing.assert_allclose(scorer.score(TEXTS[:2]), onnx_scorer.score(TEXTS[:2]), atol=1e-6)
    assert "cannot write exported models" in caplog.text and "JOURNEYMAP_MODEL_DIR" in caplog.text
    assert not Path(scorer.model.path).is_relative_to(blocker)  # type: ignore[attr-defined]
