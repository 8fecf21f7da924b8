"""ONNX Runtime inference for the bundled MiniLM networks (the default scorer and the default encoder).

One place for what both need: exporting a torch network to ONNX (dynamic batch and sequence
axes), optionally quantising it, caching the file, and running it with ONNX Runtime in place of
torch. The file is not shipped (it would exceed the weights budget): it is written on first use
into ``<cache dir>/models/`` (the score cache's folder, so ``JOURNEYMAP_CACHE_DIR`` moves it too;
``JOURNEYMAP_MODEL_DIR`` moves it alone),
named by a key over everything that changes it: the weights' SHA-256, the recipe, and the torch,
transformers, onnx and onnxruntime versions. Files are written atomically (a temporary file in the
same folder, then renamed), so a crashed or concurrent export never leaves a broken model behind.
A later run finds the file and never builds the torch network.

Recipes (``precision``):

- ``"float32"``: the exported graph, run with all of ONNX Runtime's graph optimisations (fused
  attention, layer norm and GELU). Same numbers as torch float32 (within 1e-5) and
  batch-invariant; 1.1-1.3x torch on a quiet 2-core CPU, up to 1.9x under contention, on the
  default model (``docs/model-card.md``).
- ``"int8"``: dynamic int8 quantisation of the weight matrices (per output channel, 7-bit range,
  which AVX2 CPUs without VNNI compute fastest). Faster again, but the activation scale is
  computed per batch: probabilities move (by up to 0.5 on the default model) and depend on the
  other texts of the batch. Opt-in only.

Private: imported only when an ONNX backend is used.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import logging
import os
import tempfile
import threading
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from journeymap.exceptions import ModelLoadError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    import torch

logger = logging.getLogger(__name__)

Backend = Literal["auto", "torch", "onnx"]
OnnxPrecision = Literal["float32", "int8"]

#: Bump when the export or the quantisation recipe changes (it is part of every file's key).
RECIPE_VERSION = 1
_PACKAGES = ("torch", "transformers", "onnx", "onnxruntime")
INSTALL_HINT = "pip install onnxruntime onnx"


def available() -> bool:
    """Whether ONNX Runtime and the ONNX package (needed for export) can be imported.

    Example:
        >>> isinstance(available(), bool)
        True
    """
    return importlib.util.find_spec("onnxruntime") is not None and importlib.util.find_spec("onnx") is not None


def resolve_backend(backend: str, *, device_type: str, precision: str, what: str) -> str:
    """``"torch"`` or ``"onnx"`` for a requested ``backend``.

    ``"auto"`` is ONNX Runtime on CPU for float32 and int8 when it is installed, else torch (with
    an INFO message when only the missing package decides); bfloat16 and GPUs stay on torch.
    ``"onnx"`` where it cannot run is an error.

    Example:
        >>> resolve_backend("auto", device_type="cuda", precision="float32", what="scorer")
        'torch'
        >>> resolve_backend("torch", device_type="cpu", precision="float32", what="scorer")
        'torch'
    """
    if backend not in ("auto", "torch", "onnx"):
        msg = f"backend must be one of auto, torch, onnx; got {backend!r}"
        raise ValueError(msg)
    if backend == "torch":
        return "torch"
    fits = device_type == "cpu" and precision in ("float32", "int8")
    if backend == "onnx":
        if not fits:
            msg = f"backend='onnx' runs float32 or int8 on CPU; got precision {precision!r} on {device_type!r}"
            raise ValueError(msg)
        if not available():
            msg = f"backend='onnx' needs ONNX Runtime ({INSTALL_HINT})"
            raise ModelLoadError(msg)
        return "onnx"
    if not fits:
        return "torch"
    if not available():
        logger.info("onnxruntime is not installed: the %s runs on torch (%s for 1.3-2x the speed)", what, INSTALL_HINT)
        return "torch"
    return "onnx"


def model_dir() -> Path:
    """Where exported models live: ``JOURNEYMAP_MODEL_DIR`` if set, else ``<cache dir>/models``.

    The default is beside ``scores.sqlite``, so ``JOURNEYMAP_CACHE_DIR`` moves both;
    ``JOURNEYMAP_MODEL_DIR`` moves the models alone (one folder shared by several users or
    environments, or by a test session whose score caches are per test).
    """
    env = os.environ.get("JOURNEYMAP_MODEL_DIR")
    if env:
        return Path(env)
    from journeymap.emotions.cache import default_cache_path

    return default_cache_path().parent / "models"


@functools.lru_cache(maxsize=16)
def _sha256(path: str, size: int, mtime_ns: int) -> str:
    from journeymap.emotions._minilm import file_sha256

    return file_sha256(Path(path))


def weights_sha256(path: Path) -> str:
    """SHA-256 of a weights file, computed once per process per (path, size, modification time)."""
    stat = path.stat()
    return _sha256(str(path.resolve()), stat.st_size, stat.st_mtime_ns)


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "none"


def model_path(name: str, weights: Sequence[Path], precision: OnnxPrecision) -> Path:
    """Where the ONNX file for ``name`` built from ``weights`` with ``precision`` is cached.

    The file name carries a key over the weights' SHA-256, the recipe and the versions of
    torch, transformers, onnx and onnxruntime: any change gives a new file.
    """
    digest = hashlib.sha256(f"recipe {RECIPE_VERSION} {precision}\n".encode())
    for path in weights:
        digest.update(f"{path.name} {weights_sha256(path)}\n".encode())
    for package in _PACKAGES:
        digest.update(f"{package} {_version(package)}\n".encode())
    return model_dir() / f"{name}-{precision}-{digest.hexdigest()[:16]}.onnx"


def export(network: torch.nn.Module, path: Path, *, output: str) -> None:
    """Export ``network(input_ids, attention_mask)`` to ``path`` with dynamic batch and sequence axes.

    Uses the TorchScript exporter (``dynamo=False``): it needs no extra package and traces these
    encoders exactly (checked against torch on every length in the tests).
    """
    import warnings

    import torch

    ids = torch.tensor([[101, 7592, 2045, 102], [101, 2986, 102, 0]])
    mask = (ids != 0).long()
    network = network.cpu().eval()
    with warnings.catch_warnings(), torch.no_grad():
        # The legacy exporter announces its deprecation, and the tracer warns about Python
        # booleans in transformers' mask code that are constant for an encoder (not causal, mask given).
        warnings.simplefilter("ignore")
        torch.onnx.export(
            network,
            (ids, mask),
            str(path),
            dynamo=False,
            input_names=["input_ids", "attention_mask"],
            output_names=[output],
            dynamic_axes={name: {0: "batch", 1: "sequence"} for name in ("input_ids", "attention_mask")} | {output: {0: "batch"}},
            opset_version=17,
        )


def quantize_int8(source: Path, target: Path) -> None:
    """Dynamic int8 quantisation of ``source``'s weight matrices into ``target`` (per channel, 7-bit)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    previous = logging.root.manager.disable
    logging.disable(logging.WARNING)  # the quantiser reports every tensor (and general advice) on the root logger
    try:
        quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, per_channel=True, reduce_range=True)
    finally:
        logging.disable(previous)


def cached_model(
    name: str, weights: Sequence[Path], precision: OnnxPrecision, build: Callable[[], tuple[torch.nn.Module, str]]
) -> Path:
    """The cached ONNX file for ``name``, exported (and quantised) first when missing.

    ``build()`` returns the torch network and the name of its output; it is only called when the
    file is not cached yet.
    """
    path = model_path(name, weights, precision)
    if path.is_file():
        logger.debug("using the cached ONNX model %s", path)
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    logger.info("exporting %s to ONNX (%s) in %s; later runs reuse it", name, precision, path.parent)
    network, output = build()
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".export-") as tmp:
        exported = Path(tmp) / "float32.onnx"
        export(network, exported, output=output)
        final = exported
        if precision == "int8":
            final = Path(tmp) / "int8.onnx"
            quantize_int8(exported, final)
        os.replace(final, path)  # atomic within one folder
    return path


class OnnxNetwork:
    """An ONNX file run by ONNX Runtime, called like the torch network it was exported from.

    ``network(input_ids, attention_mask)`` takes and returns torch tensors (the batching code is
    shared with the torch backend). Pickles as its path; the session is opened again on load.

    The session runs each call on one thread, and is called from ``workers`` threads at once
    (one batch each; :func:`journeymap.emotions._batching.forward_sorted`): on a 2-core CPU,
    two concurrent single-threaded batches give 1.0x (idle) to 1.11x (other work on the cores)
    the texts per second of one batch split over both cores, with the same numbers
    (``docs/architecture.md``).
    ``workers`` is torch's thread count (``torch.set_num_threads``), one knob for both backends.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._session: Any = None
        self._lock = threading.Lock()

    @property
    def workers(self) -> int:
        """How many batches to run at once: torch's intra-op thread count (at least 1)."""
        import torch

        return max(1, torch.get_num_threads())

    @property
    def session(self) -> Any:
        """The ``onnxruntime.InferenceSession`` (opened on first use)."""
        with self._lock:  # batches run on several threads: open the session once
            if self._session is None:
                self._session = self._open()
        return self._session

    def _open(self) -> Any:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # One thread per call; the batching runs ``workers`` calls at once (see the class docstring).
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # errors only
        try:
            return ort.InferenceSession(str(self.path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # a truncated or foreign file: say which, and how to recover
            msg = f"ONNX Runtime could not load {self.path}: {exc}. Delete the file to export it again."
            raise ModelLoadError(msg) from exc

    def __call__(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Run the graph on one batch; returns its single output as a torch tensor."""
        import torch

        feed = {
            "input_ids": input_ids.cpu().numpy().astype(np.int64, copy=False),
            "attention_mask": attention_mask.cpu().numpy().astype(np.int64, copy=False),
        }
        return torch.from_numpy(np.asarray(self.session.run(None, feed)[0]))

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.path = state["path"]
        self._session = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"OnnxNetwork({str(self.path)!r})"
