"""Mutation-and-pin review of the ONNX Runtime session code (review 25: rv70, ``journeymap/emotions/_onnx.py``).

Pins the rules no earlier test told apart from a one-line mutant: which backend ``auto`` picks on
devices other than CPU and CUDA and when it logs, the error messages naming the argument and
device, the telemetry variable a caller set, the model folder (empty ``JOURNEYMAP_MODEL_DIR``) and
the file key (recipe versions, package versions), the whole-word CPU flags, int8's zero columns
and zero tokens, a cached int8 export being int8, the stale-export rules (age boundary, newest
file inside, other machines, other users' processes, files and links named like an export), the
export lock's timeout, and the session's options, error message and inputs.
Tiny networks only (an ``Embedding`` and a ``Linear``): the shipped model is never exported here.
"""

from __future__ import annotations

import logging
import os
import pickle
import socket
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

from journeymap.emotions import _onnx
from journeymap.exceptions import InvalidArgumentError, ModelLoadError
from tests.test_onnx_backend import _one_linear_layer

if TYPE_CHECKING:
    import torch

needs_onnx = pytest.mark.skipif(not _onnx.available(), reason="onnxruntime is not installed")


# -- resolve_backend -------------------------------------------------------------------------------------
def test_auto_keeps_a_device_other_than_cpu_on_torch() -> None:
    # M03 (resolve_backend: device_type == "cpu" -> device_type != "cuda"): Apple's mps (or xpu)
    # has no ONNX Runtime session here: auto stays on torch, and "onnx" there is refused.
    for device in ("mps", "xpu", "cuda"):
        assert _onnx.resolve_backend("auto", device_type=device, precision="float32", what="scorer") == "torch"
        with pytest.raises(InvalidArgumentError, match=f"got precision 'float32' on '{device}'"):
            _onnx.resolve_backend("onnx", device_type=device, precision="float32", what="scorer")


@needs_onnx
def test_auto_picks_onnx_runtime_for_float32_and_int8_on_cpu_only() -> None:
    # M02 family: every (precision, device) pair auto sees
    want = {
        ("float32", "cpu"): "onnx",
        ("int8", "cpu"): "onnx",
        ("bfloat16", "cpu"): "torch",
        ("float32", "cuda"): "torch",
        ("bfloat16", "cuda"): "torch",
    }
    got = {key: _onnx.resolve_backend("auto", device_type=key[1], precision=key[0], what="x") for key in want}
    assert got == want
    assert _onnx.resolve_backend("torch", device_type="cpu", precision="int8", what="x") == "torch"


def test_a_backend_error_names_the_value_given() -> None:
    # M01 (resolve_backend: the message lost "got {backend!r}"): the caller sees what they passed
    with pytest.raises(InvalidArgumentError, match=r"backend must be one of auto, torch, onnx; got 'ONNX'"):
        _onnx.resolve_backend("ONNX", device_type="cpu", precision="float32", what="scorer")
    # M04 (the onnx-on-the-wrong-device message lost the precision): both are named
    with pytest.raises(InvalidArgumentError, match=r"runs float32 or int8 on CPU; got precision 'bfloat16' on 'cpu'"):
        _onnx.resolve_backend("onnx", device_type="cpu", precision="bfloat16", what="scorer")


def test_auto_logs_only_when_the_missing_package_decides(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # M06 (resolve_backend: `if not fits:` -> `if not fits and available():`): a GPU or bfloat16
    # stays on torch whatever is installed, so "onnxruntime is not installed" would mislead there.
    monkeypatch.setattr(_onnx, "available", lambda: False)
    with caplog.at_level(logging.INFO, logger="journeymap.emotions._onnx"):
        assert _onnx.resolve_backend("auto", device_type="cuda", precision="float32", what="scorer") == "torch"
        assert _onnx.resolve_backend("auto", device_type="cpu", precision="bfloat16", what="scorer") == "torch"
    assert caplog.records == []
    with caplog.at_level(logging.INFO, logger="journeymap.emotions._onnx"):
        assert _onnx.resolve_backend("auto", device_type="cpu", precision="int8", what="default encoder") == "torch"
    assert [r.getMessage() for r in caplog.records] == [
        f"onnxruntime is not installed: the default encoder runs on torch ({_onnx.INSTALL_HINT} for 1.3-2x the speed)"
    ]


# -- import_onnxruntime ----------------------------------------------------------------------------------
@needs_onnx
def test_a_telemetry_setting_of_the_caller_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    # M08 (import_onnxruntime: setdefault -> os.environ[...] = "1"): "0" set by the caller stays
    monkeypatch.setenv(_onnx.TELEMETRY_VARIABLE, "0")
    _onnx.import_onnxruntime()
    assert os.environ[_onnx.TELEMETRY_VARIABLE] == "0"
    monkeypatch.delenv(_onnx.TELEMETRY_VARIABLE)
    _onnx.import_onnxruntime()
    assert os.environ[_onnx.TELEMETRY_VARIABLE] == "1"


# -- model_dir / model_path ------------------------------------------------------------------------------
def test_an_empty_model_dir_variable_means_the_cache_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # M09 (model_dir: `if env:` -> `if env is not None:`): JOURNEYMAP_MODEL_DIR="" would be Path(""),
    # the working directory; an empty variable is unset, as for JOURNEYMAP_CACHE_DIR
    monkeypatch.setenv("JOURNEYMAP_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("JOURNEYMAP_MODEL_DIR", "")
    assert _onnx.model_dir() == tmp_path / "c" / "models"
    monkeypatch.setenv("JOURNEYMAP_MODEL_DIR", str(tmp_path / "m"))
    assert _onnx.model_dir() == tmp_path / "m"


def _weights(tmp_path: Path) -> Path:
    weights = tmp_path / "w.safetensors"
    weights.write_bytes(b"weights")
    return weights


def test_model_files_are_keyed_by_both_recipe_versions(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # M13 (model_path: the int8 key lost INT8_RECIPE_VERSION), M14 (the key lost RECIPE_VERSION):
    # a recipe change must not reuse a file exported by the old recipe
    weights = [_weights(tmp_path)]
    monkeypatch.setattr(_onnx, "int8_weight_bits", lambda: 7)
    before = {"float32": _onnx.model_path("m", weights, "float32"), "int8": _onnx.model_path("m", weights, "int8")}
    monkeypatch.setattr(_onnx, "INT8_RECIPE_VERSION", _onnx.INT8_RECIPE_VERSION + 1)
    assert _onnx.model_path("m", weights, "int8") != before["int8"]
    assert _onnx.model_path("m", weights, "float32") == before["float32"]  # float32 does not use the int8 recipe
    monkeypatch.setattr(_onnx, "RECIPE_VERSION", _onnx.RECIPE_VERSION + 1)
    assert _onnx.model_path("m", weights, "float32") != before["float32"]
    name = before["int8"].name
    assert name.startswith("m-int8-") and name.endswith(".onnx") and len(name) == len("m-int8-") + 16 + len(".onnx")


@pytest.mark.parametrize("package", ["torch", "transformers", "onnx", "onnxruntime"])
def test_model_files_are_keyed_by_each_package_version(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, package: str) -> None:
    # M16 (model_path: one of _PACKAGES dropped from the key): another torch, transformers, onnx or
    # onnxruntime exports or runs another graph, so it gets another file
    weights = [_weights(tmp_path)]
    real = _onnx._version
    before = _onnx.model_path("m", weights, "float32")
    monkeypatch.setattr(_onnx, "_version", lambda name: "999.0" if name == package else real(name))
    assert _onnx.model_path("m", weights, "float32") != before


# -- weight_bits_for -------------------------------------------------------------------------------------
def test_vnni_counts_only_as_a_whole_flag() -> None:
    # M19 (weight_bits_for: the flags' \b dropped): a longer flag that merely starts with a VNNI
    # name (avx_vnni_int8 on its own, a made-up avx512_vnnix) is not VNNI
    assert _onnx.weight_bits_for("x86_64", "flags\t: fpu avx2 avx_vnni_int8") == 7
    assert _onnx.weight_bits_for("x86_64", "flags\t: fpu avx2 avx512_vnnix") == 7
    assert _onnx.weight_bits_for("x86_64", "flags\t: fpu avx2 avx_vnni avx_vnni_int8") == 8
    assert _onnx.weight_bits_for("i686", "flags\t: fpu sse2") == 7
    assert _onnx.weight_bits_for("arm64", "Features\t: fp asimd") == 8  # macOS names it arm64


# -- quantize_int8 ---------------------------------------------------------------------------------------
@needs_onnx
def test_int8_handles_a_zero_weight_column_and_a_zero_token(tmp_path: Path) -> None:
    # M24 (quantize_int8: zero column scales not set to 1): a column of zero weights (a pruned unit)
    # gave 0/0 = NaN. A token of zeros is checked too (M25, jm_q_tiny 1e-12 -> 0, was equivalent on
    # the ONNX Runtime tested: its NaN row is multiplied by a zero scale), as a guard.
    import onnxruntime as ort

    rng = np.random.default_rng(1)
    weight = rng.normal(size=(8, 4)).astype(np.float32)
    weight[:, 2] = 0.0
    _one_linear_layer(tmp_path / "f32.onnx", weight)
    assert _onnx.quantize_int8(tmp_path / "f32.onnx", tmp_path / "int8.onnx", weight_bits=7) == 1
    session = ort.InferenceSession(str(tmp_path / "int8.onnx"), providers=["CPUExecutionProvider"])
    x = rng.normal(size=(1, 3, 8)).astype(np.float32)
    x[0, 1] = 0.0
    y = session.run(None, {"x": x})[0]
    assert np.isfinite(y).all()
    assert y[0, :, 2].tolist() == [0.0, 0.0, 0.0]
    assert y[0, 1].tolist() == [0.0] * 4
    exact = x @ weight
    assert np.abs(y - exact).max() < 0.05 * np.abs(exact).max()


@needs_onnx
def test_int8_leaves_a_matmul_by_a_3d_constant_alone(tmp_path: Path) -> None:
    # M27 (quantize_int8: `len(weight.dims) != 2` dropped): only 2-D weight matrices are per-column quantised
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    weight = np.ones((2, 4, 3), dtype=np.float32)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"])],
        "batched",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 5, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 5, 3])],
        [numpy_helper.from_array(weight, "w")],
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(tmp_path / "f.onnx"))
    assert _onnx.quantize_int8(tmp_path / "f.onnx", tmp_path / "q.onnx", weight_bits=8) == 0
    assert [n.op_type for n in onnx.load(str(tmp_path / "q.onnx")).graph.node] == ["MatMul"]


# -- cached_model / OnnxNetwork on a tiny network ---------------------------------------------------------
def _tiny() -> tuple[torch.nn.Module, str]:
    """An embedding and a linear layer (a ``MatMul`` by a constant, as in the encoder), output ``out``."""
    import torch

    class Tiny(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            torch.manual_seed(0)
            self.embed = torch.nn.Embedding(8000, 6)
            self.linear = torch.nn.Linear(6, 3)

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            out: torch.Tensor = self.linear(self.embed(input_ids)) * attention_mask.unsqueeze(-1).float()
            return out

    return Tiny(), "out"


@pytest.fixture
def models(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    folder = tmp_path / "models"
    monkeypatch.setenv("JOURNEYMAP_MODEL_DIR", str(folder))
    return folder


@needs_onnx
def test_a_cached_int8_export_is_quantised(models: Path, tmp_path: Path) -> None:
    # M34 (cached_model: os.replace(final, path) -> os.replace(exported, path)): the int8 file was
    # the float32 graph under an int8 name (and its scores within 0.15 of float32 passed for int8)
    import onnx

    weights = [_weights(tmp_path)]
    f32 = _onnx.cached_model("tiny", weights, "float32", _tiny)
    int8 = _onnx.cached_model("tiny", weights, "int8", _tiny)
    assert f32 != int8 and "-int8-" in int8.name and "-float32-" in f32.name
    ops = {p: {n.op_type for n in onnx.load(str(p)).graph.node} for p in (f32, int8)}
    assert "MatMulInteger" in ops[int8] and "MatMul" not in ops[int8]
    assert "MatMulInteger" not in ops[f32] and "MatMul" in ops[f32]
    # no export folder left behind; only the two files and the (empty) lock file
    assert sorted(p.name for p in models.iterdir()) == sorted([f32.name, int8.name, _onnx.EXPORT_LOCK_NAME])


@needs_onnx
def test_the_session_runs_every_optimisation_on_one_thread(models: Path, tmp_path: Path) -> None:
    # M53 (ORT_ENABLE_ALL -> ORT_ENABLE_BASIC), M54b (inter_op_num_threads 1 -> 2): the documented
    # session (all graph optimisations, one thread per call; the batching runs calls side by side)
    import onnxruntime as ort
    import torch

    network = _onnx.OnnxNetwork(_onnx.cached_model("tiny", [_weights(tmp_path)], "float32", _tiny))
    # M64 (OnnxNetwork.session: `if self._session is None:` -> `if True:`): opened once, not on every batch
    opened = network.session
    assert network.session is opened
    options = opened.get_session_options()
    assert options.graph_optimization_level == ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    assert (options.intra_op_num_threads, options.inter_op_num_threads) == (1, 1)
    assert network.session.get_providers() == ["CPUExecutionProvider"]
    # M58 (the feed's astype(np.int64) dropped): int32 ids, as some tokenizers give, are fed as int64
    ids = torch.tensor([[101, 7592, 102, 0]], dtype=torch.int32)
    got = network(ids, (ids != 0).int())
    built, _ = _tiny()
    with torch.no_grad():
        want = built(ids.long(), (ids != 0).long())
    assert got.shape == (1, 4, 3)
    np.testing.assert_allclose(got.numpy(), want.numpy(), atol=1e-5)
    # pickles as its path; the copy opens its own session
    copy = pickle.loads(pickle.dumps(network))
    assert copy.path == network.path and copy._session is None
    np.testing.assert_allclose(copy(ids, (ids != 0).int()).numpy(), got.numpy(), atol=0)


@needs_onnx
def test_a_broken_model_file_names_itself_and_the_remedy(tmp_path: Path) -> None:
    # M56 (OnnxNetwork._open: the message lost the path or the remedy)
    broken = tmp_path / "default-scorer-float32-0123456789abcdef.onnx"
    broken.write_bytes(b"\0" * 100)  # truncated
    with pytest.raises(ModelLoadError, match="Delete the file to export it again") as err:
        _onnx.OnnxNetwork(broken).session  # noqa: B018
    assert str(broken) in str(err.value)


# -- remove_stale_exports --------------------------------------------------------------------------------
def _left(folder: Path, name: str, mtime: float) -> Path:
    path = folder / name
    path.mkdir()
    os.utime(path, (mtime, mtime))
    return path


def test_an_export_folder_is_stale_after_more_than_an_hour(tmp_path: Path) -> None:
    # M36 (STALE_EXPORT_S 3600 -> 360), M36b (`>` -> `>=`): unchanged for exactly an hour it may
    # still be a slow export; a second more and it is removed
    now = 1_800_000_000.0
    _left(tmp_path, ".export-hour", now - 3600)
    _left(tmp_path, ".export-minutes", now - 1800)
    _left(tmp_path, ".export-over", now - 3601)
    removed = _onnx.remove_stale_exports(tmp_path, now=now)
    assert [p.name for p in removed] == [".export-over"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".export-hour", ".export-minutes"]


def test_an_old_export_folder_with_a_fresh_file_is_kept(tmp_path: Path) -> None:
    # M43 (_last_change: the files inside no longer counted): an export writes into its file, not the
    # folder, so a folder made 2 hours ago whose file was written a minute ago is still exporting
    now = 1_800_000_000.0
    folder = _left(tmp_path, ".export-slow", now - 7200)
    (folder / "float32.onnx").write_bytes(b"partial")
    os.utime(folder / "float32.onnx", (now - 60, now - 60))
    os.utime(folder, (now - 7200, now - 7200))
    assert _onnx.remove_stale_exports(tmp_path, now=now) == []
    assert folder.is_dir()
    os.utime(folder / "float32.onnx", (now - 7200, now - 7200))
    assert _onnx.remove_stale_exports(tmp_path, now=now) == [folder]


def test_another_machines_export_is_removed_by_age_only(tmp_path: Path) -> None:
    # M40 (`host == _HOST and` dropped): a shared model folder; the pid is another machine's, so
    # whether it runs here says nothing
    other = "0" * 8 if _onnx._HOST != "0" * 8 else "1" * 8
    now = time.time()
    running = _left(tmp_path, f".export-{other}-99999999-abc", now - 10)
    old = _left(tmp_path, f".export-{other}-99999999-def", now - 4000)
    assert _onnx.remove_stale_exports(tmp_path, now=now) == [old]
    assert running.is_dir() and not old.exists()


@pytest.mark.skipif(os.name != "posix", reason="_alive can tell only on POSIX")
def test_another_users_running_export_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # M45 (_alive: PermissionError -> False): os.kill(pid, 0) on another user's process raises
    # PermissionError; the process exists, so its export is running
    def kill(pid: int, signal: int) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "kill", kill)
    folder = _left(tmp_path, f".export-{_onnx._HOST}-4242-abc", time.time())
    assert _onnx.remove_stale_exports(tmp_path) == []
    assert folder.is_dir()


def test_a_killed_process_export_folder_carries_host_and_pid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # M62 (_export_prefix's parts reordered or the pid dropped): the folder this process makes must be
    # recognised as its own by a later export once it is gone, however recent
    import tempfile

    monkeypatch.setattr(os, "getpid", lambda: 99999999)  # above pid_max: a process that is gone
    made = Path(tempfile.mkdtemp(dir=tmp_path, prefix=_onnx._export_prefix()))
    assert made.name.startswith(f".export-{hashlib_host()}-99999999-")
    assert _onnx.remove_stale_exports(tmp_path) == [made]


def hashlib_host() -> str:
    import hashlib

    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]


def test_only_export_folders_are_removed(tmp_path: Path) -> None:
    # M39 (`not entry.is_dir(follow_symlinks=False)` dropped): a file or a link named like an export
    # folder is not one (rmtree of a link raised and was ignored, yet it was reported removed)
    old = time.time() - 7200
    target = _left(tmp_path, "kept-target", old)
    (tmp_path / ".export-afile").write_bytes(b"x")
    os.utime(tmp_path / ".export-afile", (old, old))
    (tmp_path / ".export-alink").symlink_to(target, target_is_directory=True)
    os.utime(tmp_path / ".export-alink", (old, old), follow_symlinks=False)
    _left(tmp_path, "export-not-hidden", old)
    assert _onnx.remove_stale_exports(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == [".export-afile", ".export-alink", "export-not-hidden", "kept-target"]


# -- _export_lock ----------------------------------------------------------------------------------------
def test_the_export_lock_gives_up_after_its_timeout(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # M48 (the timeout's break / the `held` yielded): another holder past the timeout: export
    # unlocked (yields False) with a warning, and without waiting much longer than the timeout
    fcntl = pytest.importorskip("fcntl")
    other = os.open(tmp_path / _onnx.EXPORT_LOCK_NAME, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        start = time.monotonic()
        with caplog.at_level(logging.INFO, logger="journeymap.emotions._onnx"), _onnx._export_lock(tmp_path, 0.3) as held:
            assert held is False
        assert time.monotonic() - start < 2.0
        messages = [r.getMessage() for r in caplog.records]
        assert messages[0] == f"waiting for another process's export in {tmp_path}"
        assert sum("waiting for" in m for m in messages) == 1  # said once
        assert messages[-1].endswith("for over 0 s: exporting here as well") and caplog.records[-1].levelname == "WARNING"
    finally:
        os.close(other)
    with _onnx._export_lock(tmp_path, 0.3) as held:  # free now
        assert held is True
        second = os.open(tmp_path / _onnx.EXPORT_LOCK_NAME, os.O_RDWR)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(second, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(second)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is not available on this platform")
def test_the_export_lock_is_released_while_a_forked_child_lives(tmp_path: Path) -> None:
    # M49 (_export_lock: the explicit LOCK_UN dropped, relying on close): a child forked while the
    # lock was held shares its open file, so closing the parent's descriptor alone kept the folder
    # locked until the child ended (another process's export would wait its 600 s)
    import warnings

    fcntl = pytest.importorskip("fcntl")
    read, write = os.pipe()
    with _onnx._export_lock(tmp_path, 1.0) as held:
        assert held is True
        with warnings.catch_warnings():  # Python 3.12+ warns about forking a process with threads
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # the child: waits for the parent's word, touching nothing else
            os.close(write)
            os.read(read, 1)
            os._exit(0)
    os.close(read)
    try:
        other = os.open(tmp_path / _onnx.EXPORT_LOCK_NAME, os.O_RDWR)
        try:
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free although the child still holds the file
        finally:
            os.close(other)
    finally:
        os.write(write, b"x")
        os.close(write)
        os.waitpid(pid, 0)


@needs_onnx
def test_an_export_makes_the_model_folder_again_if_it_went_missing(models: Path, tmp_path: Path) -> None:
    # M65 (cached_model: the folder's mkdir before the export dropped): another process (a cache
    # clean-up) removed the model folder after this one checked it; the export makes it again
    import shutil

    def build() -> tuple[torch.nn.Module, str]:
        shutil.rmtree(models)
        return _tiny()

    path = _onnx.cached_model("tiny", [_weights(tmp_path)], "float32", build)
    assert path.is_file() and path.parent == models


@pytest.mark.skipif(not hasattr(os, "register_at_fork"), reason="os.register_at_fork is not available on this platform")
def test_a_forked_child_gets_a_fresh_network_lock(tmp_path: Path) -> None:
    # M52 (_after_fork_in_child: the lock reset dropped): a fork while another thread held the
    # network's lock (opening the session) left the child's copy locked for ever
    import warnings

    network = _onnx.OnnxNetwork(tmp_path / "never-opened.onnx")
    network._lock.acquire()  # as if another thread were opening the session at the fork
    try:
        with warnings.catch_warnings():  # Python 3.12+ warns about forking a process with threads
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:
            os._exit(0 if network._lock.acquire(timeout=2) else 3)
    finally:
        network._lock.release()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


@needs_onnx
def test_the_exported_graph_has_dynamic_batch_and_sequence_axes(models: Path, tmp_path: Path) -> None:
    # M67 (export: the inputs' sequence axis not declared dynamic) is pinned here; M66 (the output's
    # batch axis undeclared) was equivalent: the exporter infers the output's axes from the inputs'
    import onnx
    import torch

    path = _onnx.cached_model("tiny", [_weights(tmp_path)], "float32", _tiny)
    graph = onnx.load(str(path)).graph
    dims = {v.name: [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim] for v in [*graph.input, *graph.output]}
    assert dims["input_ids"] == dims["attention_mask"] == ["batch", "sequence"]
    assert dims["out"][0] == "batch"
    ids = torch.randint(1, 7999, (3, 7))  # another batch and length than the export's example (2 x 4)
    assert _onnx.OnnxNetwork(path)(ids, torch.ones_like(ids)).shape == (3, 7, 3)


@needs_onnx
@pytest.mark.skipif(not hasattr(os, "register_at_fork"), reason="os.register_at_fork is not available on this platform")
def test_a_forked_child_sets_the_inherited_session_aside(models: Path, tmp_path: Path) -> None:
    # M68 (_after_fork_in_child: the inherited session no longer kept in _INHERITED_SESSIONS): the
    # child dropped its last reference, tearing down a session the parent may have been running
    import warnings

    network = _onnx.OnnxNetwork(_onnx.cached_model("tiny", [_weights(tmp_path)], "float32", _tiny))
    session_id = id(network.session)
    with warnings.catch_warnings():  # Python 3.12+ warns about forking a process with threads
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # os._exit: no exit handlers, whatever the outcome
        kept = any(id(s) == session_id for s in _onnx._INHERITED_SESSIONS)
        os._exit(0 if kept and network._session is None else 3)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert id(network.session) == session_id  # the parent's own is untouched


def test_stale_exports_in_a_missing_folder_are_none(tmp_path: Path) -> None:
    # M69 (remove_stale_exports: the OSError guard around the listing dropped): nothing to remove, no error
    assert _onnx.remove_stale_exports(tmp_path / "missing") == []


def test_a_package_that_is_not_installed_is_keyed_as_none(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # M70 (_version: PackageNotFoundError no longer answered "none"): a missing package (onnx, where
    # only the float32 file is read) must not break the key, and differs from any installed version
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as real

    weights = [_weights(tmp_path)]
    before = _onnx.model_path("m", weights, "float32")

    def version(name: str) -> str:
        if name == "onnx":
            raise PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(_onnx, "version", version)
    assert _onnx._version("onnx") == "none"
    assert _onnx.model_path("m", weights, "float32") != before
