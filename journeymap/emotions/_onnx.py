"""ONNX Runtime inference for the bundled MiniLM networks (the default scorer and the default encoder).

One place for what both need: exporting a torch network to ONNX (dynamic batch and sequence
axes), optionally quantising it, caching the file, and running it with ONNX Runtime in place of
torch. The file is not shipped (it would exceed the weights budget): it is written on first use
into ``<cache dir>/models/`` (the score cache's folder, so ``JOURNEYMAP_CACHE_DIR`` moves it too;
``JOURNEYMAP_MODEL_DIR`` moves it alone),
named by a key over everything that changes it: the weights' SHA-256, the recipe, and the torch,
transformers, onnx and onnxruntime versions. Files are written atomically (a temporary file in the
same folder, then renamed), so a crashed or concurrent export never leaves a broken model behind;
processes share one export at a time through a lock file in the folder (the others then read its
file), and each export first removes the temporary folders of exports that were killed
(:func:`remove_stale_exports`).
A later run finds the file and never builds the torch network.

Recipes (``precision``):

- ``"float32"``: the exported graph, run with all of ONNX Runtime's graph optimisations (fused
  attention, layer norm and GELU). Same numbers as torch float32 (within 1e-5) and
  batch-invariant; 1.1-1.3x torch on a quiet 2-core CPU, up to 1.9x under contention, on the
  default model (``docs/model-card.md``).
- ``"int8"``: every weight matrix in int8 (per output channel) and its input quantised per
  token (one scale per row of activations, symmetric, 8-bit), multiplied with ONNX Runtime's
  ``MatMulInteger``. A per-token scale depends on that token alone, so scores are batch-invariant
  (unlike ONNX Runtime's dynamic quantisation, whose one activation scale per batch tensor moved
  probabilities by up to 0.5 and made a text's score depend on its batch). Weights use 8 bits
  where the CPU multiplies int8 without saturating (VNNI, AMX, ARM), else 7 (AVX2's
  ``vpmaddubsw`` saturates at 16 bits). Faster than float32, probabilities within about 0.1 of
  it (``docs/architecture.md``). Opt-in only.

Forked processes (a pre-fork server's workers, a ``ProcessPoolExecutor`` on Linux): ONNX Runtime
1.32's Linux wheels start a telemetry thread when ``onnxruntime`` is imported, and a process forked
after that hung for ever when it exited (its exit handlers wait on a condition variable that thread
was waiting on in the parent). ``onnxruntime`` is therefore imported here with
``ORT_DISABLE_TELEMETRY=1`` unless that variable is already set (:func:`import_onnxruntime`),
which starts no such thread; a forked child opens its own sessions again on first use and leaves
the inherited ones alone (:func:`_after_fork_in_child`). A program that imported ``onnxruntime``
itself before journeymap did should set ``ORT_DISABLE_TELEMETRY=1`` before that import.

Private: imported only when an ONNX backend is used.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import hashlib
import importlib.util
import logging
import os
import re
import shutil
import socket
import tempfile
import threading
import time
import weakref
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from journeymap.emotions._fingerprint import file_sha256
from journeymap.exceptions import InvalidArgumentError, ModelLoadError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    import torch

logger = logging.getLogger(__name__)

Backend = Literal["auto", "torch", "onnx"]
OnnxPrecision = Literal["float32", "int8"]

#: Bump when the export recipe changes (it is part of every file's key).
RECIPE_VERSION = 1
#: Bump when the int8 recipe changes (part of the int8 files' key). 2: activations quantised per
#: token (was ONNX Runtime's dynamic quantisation, one activation scale per batch tensor).
INT8_RECIPE_VERSION = 2
_PACKAGES = ("torch", "transformers", "onnx", "onnxruntime")
INSTALL_HINT = "pip install onnxruntime onnx"


def available() -> bool:
    """Whether ONNX Runtime and the ONNX package (needed for export) can be imported.

    Examples:
        >>> import sys
        >>> from unittest import mock
        >>> def importable(name):
        ...     try:
        ...         __import__(name)
        ...     except ImportError:
        ...         return False
        ...     return True
        >>> available() == (importable("onnxruntime") and importable("onnx"))
        True
        >>> with mock.patch.dict(sys.modules, {"onnx": None}):  # as if onnx were not installed
        ...     available()
        False
        >>> with mock.patch.dict(sys.modules, {"onnxruntime": None}):
        ...     available()
        False
    """
    return importlib.util.find_spec("onnxruntime") is not None and importlib.util.find_spec("onnx") is not None


def resolve_backend(backend: str, *, device_type: str, precision: str, what: str) -> str:
    """``"torch"`` or ``"onnx"`` for a requested ``backend``.

    ``"auto"`` is ONNX Runtime on CPU for float32 and int8 when it is installed, else torch (with
    an INFO message when only the missing package decides); bfloat16 and GPUs stay on torch.
    ``"onnx"`` where it cannot run is an error.

    Examples:
        >>> resolve_backend("auto", device_type="cuda", precision="float32", what="scorer")
        'torch'
        >>> resolve_backend("torch", device_type="cpu", precision="float32", what="scorer")
        'torch'
    """
    if backend not in ("auto", "torch", "onnx"):
        msg = f"backend must be one of auto, torch, onnx; got {backend!r}"
        raise InvalidArgumentError(msg)
    if backend == "torch":
        return "torch"
    fits = device_type == "cpu" and precision in ("float32", "int8")
    if backend == "onnx":
        if not fits:
            msg = f"backend='onnx' runs float32 or int8 on CPU; got precision {precision!r} on {device_type!r}"
            raise InvalidArgumentError(msg)
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


#: The environment variable that keeps ONNX Runtime from starting its telemetry thread (read at import).
TELEMETRY_VARIABLE = "ORT_DISABLE_TELEMETRY"


def import_onnxruntime() -> Any:
    """Import ``onnxruntime``, with its telemetry off unless ``ORT_DISABLE_TELEMETRY`` is already set.

    ONNX Runtime 1.32's Linux wheels start a telemetry thread on import. A process forked after
    that (a pre-fork server's worker, a ``ProcessPoolExecutor`` on Linux) never finished exiting:
    C++ exit handlers destroy a condition variable the thread was waiting on in the parent, and
    glibc waits for that waiter for ever. With the variable set no thread is started. journeymap
    runs offline, so it sends nothing anyway; a value set by the caller (``0`` included) is kept.
    """
    os.environ.setdefault(TELEMETRY_VARIABLE, "1")
    import onnxruntime

    return onnxruntime


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
    recipe = f"recipe {RECIPE_VERSION} {precision}"
    if precision == "int8":
        recipe += f" int8 recipe {INT8_RECIPE_VERSION} weights {int8_weight_bits()} bits"
    digest = hashlib.sha256(f"{recipe}\n".encode())
    for path in weights:
        digest.update(f"{path.name} {file_sha256(path)}\n".encode())  # read once per process while unchanged
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


@functools.cache
def _cpu() -> tuple[str, str | None]:
    """This machine's architecture name and the text of ``/proc/cpuinfo`` (None where unreadable)."""
    import platform

    try:
        cpuinfo: str | None = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:  # not Linux
        cpuinfo = None
    return platform.machine(), cpuinfo


def int8_weight_bits() -> int:
    """Bits per int8 weight on this machine: 8 where int8 products cannot saturate, else 7.

    ONNX Runtime's x86 kernels without VNNI add pairs of uint8 x int8 products in 16 bits
    (``vpmaddubsw``), which saturates unless the weights keep to 7 bits; VNNI and AMX add in 32
    bits, and other architectures have no such step.
    """
    return weight_bits_for(*_cpu())


_X86 = frozenset({"x86_64", "amd64", "i386", "i686", "x86"})


def weight_bits_for(machine: str, cpuinfo: str | None) -> int:
    """:func:`int8_weight_bits` for a machine name and the text of ``/proc/cpuinfo`` (None: unknown).

    Examples:
        >>> weight_bits_for("x86_64", "flags : fpu sse2 avx2 fma"), weight_bits_for("x86_64", "flags : avx2 avx512_vnni")
        (7, 8)
        >>> weight_bits_for("aarch64", None), weight_bits_for("AMD64", None)
        (8, 7)
    """
    import re

    if machine.lower() not in _X86:
        return 8
    if cpuinfo is None:  # an x86 CPU whose flags cannot be read: the range that is always safe
        return 7
    return 8 if re.search(r"\b(avx512_vnni|avx_vnni|amx_int8)\b", cpuinfo) else 7


def quantize_int8(source: Path, target: Path, *, weight_bits: int | None = None) -> int:
    """Rewrite ``source``'s weight products as int8 into ``target``; returns how many were rewritten.

    Each ``MatMul`` by a constant 2-D weight ``W`` (every linear layer of the encoder; the heads
    are ``Gemm`` and stay float32) becomes: the input ``x`` quantised per row (per token),
    ``s_x = max|x| / 127`` over its last axis, ``q_x = round(x / s_x) + 128`` as uint8; ``W``
    quantised per output column, ``s_w = max|W| / (2**(bits-1) - 1)``, ``q_w`` int8; then
    ``MatMulInteger(q_x, q_w, 128) * s_x * s_w``. Everything else is unchanged.
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    bits = int8_weight_bits() if weight_bits is None else weight_bits
    qmax = float(2 ** (bits - 1) - 1)
    model = onnx.load(str(source))
    graph = model.graph
    initializers = {tensor.name: tensor for tensor in graph.initializer}
    shared = [
        numpy_helper.from_array(np.array(128, dtype=np.uint8), "jm_q_zero"),
        numpy_helper.from_array(np.array(128.0, dtype=np.float32), "jm_q_offset"),
        numpy_helper.from_array(np.array(1 / 127, dtype=np.float32), "jm_q_step"),
        numpy_helper.from_array(np.array(1e-12, dtype=np.float32), "jm_q_tiny"),
    ]
    nodes: list[Any] = []
    added: list[Any] = []
    count = 0
    for node in graph.node:
        weight = initializers.get(node.input[1]) if node.op_type == "MatMul" and len(node.input) == 2 else None
        if weight is None or len(weight.dims) != 2:
            nodes.append(node)
            continue
        w = numpy_helper.to_array(weight).astype(np.float32)
        w_scale = np.abs(w).max(axis=0) / qmax
        w_scale[w_scale == 0] = 1.0
        p = f"jm_q{count}_"
        added += [
            numpy_helper.from_array(np.clip(np.round(w / w_scale), -qmax, qmax).astype(np.int8), p + "w"),
            numpy_helper.from_array(w_scale.astype(np.float32), p + "w_scale"),
        ]
        x = node.input[0]
        nodes += [
            helper.make_node("Abs", [x], [p + "abs"]),
            helper.make_node("ReduceMax", [p + "abs"], [p + "amax"], axes=[-1], keepdims=1),
            helper.make_node("Max", [p + "amax", "jm_q_tiny"], [p + "amax_pos"]),
            helper.make_node("Mul", [p + "amax_pos", "jm_q_step"], [p + "x_scale"]),
            helper.make_node("Div", [x, p + "x_scale"], [p + "scaled"]),
            helper.make_node("Round", [p + "scaled"], [p + "rounded"]),  # within [-127, 127]
            helper.make_node("Add", [p + "rounded", "jm_q_offset"], [p + "shifted"]),
            helper.make_node("Cast", [p + "shifted"], [p + "x"], to=TensorProto.UINT8),
            helper.make_node("MatMulInteger", [p + "x", p + "w", "jm_q_zero"], [p + "acc"]),
            helper.make_node("Cast", [p + "acc"], [p + "acc_f"], to=TensorProto.FLOAT),
            helper.make_node("Mul", [p + "acc_f", p + "x_scale"], [p + "row"]),
            helper.make_node("Mul", [p + "row", p + "w_scale"], [node.output[0]], name=node.name),
        ]
        count += 1
    used = {name for node in nodes for name in node.input}
    kept = [tensor for tensor in graph.initializer if tensor.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept + shared + added)
    del graph.node[:]
    graph.node.extend(nodes)
    onnx.save(model, str(target))
    return count


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
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        probe = tempfile.TemporaryDirectory(dir=path.parent, prefix=_export_prefix())
        probe.cleanup()
    except OSError as exc:  # a read-only home, a file where the folder should be: export for this process only
        path = _process_dir() / path.name
        logger.warning(
            "cannot write exported models to %s (%s): exporting to %s for this process only; "
            "set JOURNEYMAP_MODEL_DIR to a writable folder to keep them",
            model_dir(),
            exc.strerror or exc,
            path.parent,
        )
        if path.is_file():
            return path
    with _export_lock(path.parent):  # one process exports; the others wait, then read its file
        if path.is_file():
            logger.info("using the ONNX model %s that another process exported meanwhile", path)
            return path
        remove_stale_exports(path.parent)
        logger.info("exporting %s to ONNX (%s) in %s; later runs reuse it", name, precision, path.parent)
        network, output = build()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)  # the process's folder may have been removed by another process
            with tempfile.TemporaryDirectory(dir=path.parent, prefix=_export_prefix()) as tmp:
                exported = Path(tmp) / "float32.onnx"
                export(network, exported, output=output)
                final = exported
                if precision == "int8":
                    final = Path(tmp) / "int8.onnx"
                    quantize_int8(exported, final)
                os.replace(final, path)  # atomic within one folder
        except OSError as exc:  # a model that cannot be written is a loading failure, not the texts'
            msg = (
                f"could not export {name} to ONNX in {path.parent}: {exc}. "
                "Set JOURNEYMAP_MODEL_DIR to a writable folder, or use backend='torch'."
            )
            raise ModelLoadError(msg) from exc
    return path


#: How long a process waits for another one's export before exporting itself (an export takes
#: 10 to 30 s on a 2-core CPU; a process stopped in a debugger may hold the lock for ever).
EXPORT_LOCK_TIMEOUT_S = 600.0
#: An export folder left this long is stale whoever made it (its process was killed, or it came
#: from a version of journeymap that did not record the process): no export takes an hour.
STALE_EXPORT_S = 3600.0
#: The lock file in the model folder (one for all its exports; left in place, it is empty).
EXPORT_LOCK_NAME = ".export.lock"
#: This machine, in export folders' names (a model folder may be shared by several machines).
_HOST = hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]
_EXPORT_DIR = re.compile(r"^\.export-(?:([0-9a-f]{8})-(\d+)-)?")


def _export_prefix() -> str:
    """The prefix of this process's export folders: ``.export-<machine>-<pid>-``, so a later export can tell a dead one's."""
    return f".export-{_HOST}-{os.getpid()}-"


def _alive(pid: int) -> bool:
    """Whether process ``pid`` of this machine exists (True where that cannot be told)."""
    if os.name != "posix":  # os.kill(pid, 0) would end the process on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, and belongs to another user
        return True
    return True


def _last_change(folder: Path) -> float:
    """The newest modification time of ``folder`` and the files in it (an export writes into its file)."""
    times = [folder.lstat().st_mtime]
    with contextlib.suppress(OSError):
        times += [entry.stat(follow_symlinks=False).st_mtime for entry in os.scandir(folder)]
    return max(times)


def remove_stale_exports(folder: Path, *, now: float | None = None) -> list[Path]:
    """Remove the export folders in ``folder`` that no export will finish; returns those removed.

    An export writes into a hidden ``.export-<machine>-<pid>-*`` folder and renames its file into
    place; a process killed mid-export (SIGKILL after a worker timeout, SIGTERM, which runs no
    ``finally``) left the folder and its 90 MB for ever. Stale: made by a process of this machine
    that no longer exists, or unchanged for :data:`STALE_EXPORT_S` (those of other machines, and
    those of versions that did not record the process). Run by each export before it starts,
    holding the export lock, so no export of this journeymap on this machine is running then.

    Examples:
        >>> import os, tempfile, time
        >>> from pathlib import Path
        >>> models = Path(tempfile.mkdtemp())
        >>> (models / f".export-{_HOST}-99999999-x1").mkdir()  # a process of this machine that is gone
        >>> old = models / ".export-k2v9q0we"  # an older version's, two hours old
        >>> old.mkdir(); os.utime(old, (time.time() - 7200, time.time() - 7200))
        >>> (models / ".export-k2v9q0wf").mkdir()  # an older version's, just made
        >>> (models / f"{_export_prefix()}y7").mkdir()  # this process's, running
        >>> sorted(p.name.rsplit("-", 1)[1] for p in remove_stale_exports(models))
        ['k2v9q0we', 'x1']
        >>> sorted(p.name.rsplit("-", 1)[1] for p in models.iterdir())
        ['k2v9q0wf', 'y7']
    """
    now = time.time() if now is None else now
    removed: list[Path] = []
    try:
        entries = [entry for entry in os.scandir(folder) if entry.name.startswith(".export-")]
    except OSError:
        return removed
    for entry in entries:
        match = _EXPORT_DIR.match(entry.name)
        if match is None or not entry.is_dir(follow_symlinks=False):
            continue
        folder_path = Path(entry.path)
        host, pid = match.group(1), match.group(2)
        try:
            dead = host == _HOST and pid is not None and not _alive(int(pid))
            stale = dead or now - _last_change(folder_path) > STALE_EXPORT_S
        except OSError:  # removed meanwhile
            continue
        if stale:
            logger.info("removing %s, left by an export that did not finish", folder_path)
            shutil.rmtree(folder_path, ignore_errors=True)
            removed.append(folder_path)
    return removed


@contextlib.contextmanager
def _export_lock(folder: Path, timeout: float | None = None) -> Iterator[bool]:
    """Hold the model folder's export lock (``fcntl.flock`` on :data:`EXPORT_LOCK_NAME`); yields whether it is held.

    Processes starting on an empty model folder (a service's workers, a Dask cluster) each
    exported the same model at once: N times the work, N times 90 MB on disk at the peak. Under
    the lock one exports and the others wait, then find its file. Without ``fcntl`` (Windows), or
    where the lock file cannot be opened, and after ``timeout`` seconds of waiting (a warning
    says so), the export goes ahead unlocked: the atomic rename keeps that correct, as before.
    """
    timeout = EXPORT_LOCK_TIMEOUT_S if timeout is None else timeout
    try:
        import fcntl
    except ImportError:  # not POSIX
        yield False
        return
    try:
        fd = os.open(folder / EXPORT_LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        logger.debug("no export lock in %s (%s): exporting unlocked", folder, exc)
        yield False
        return
    held = False
    try:
        deadline = time.monotonic() + timeout
        pause = 0.05
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                held = True
                break
            except BlockingIOError:
                if pause == 0.05:  # said once
                    logger.info("waiting for another process's export in %s", folder)
            except OSError as exc:  # a file system without locks
                logger.debug("cannot lock %s (%s): exporting unlocked", folder / EXPORT_LOCK_NAME, exc)
                break
            if time.monotonic() >= deadline:
                logger.warning(
                    "another process has been exporting a model in %s for over %.0f s: exporting here as well",
                    folder,
                    timeout,
                )
                break
            time.sleep(pause)
            pause = min(1.0, pause * 2)
        yield held
    finally:
        if held:  # explicitly: a child forked meanwhile shares the descriptor, and closing ours would not unlock
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


@functools.cache
def _process_dir() -> Path:
    """A temporary folder for exported models where the model folder cannot be written.

    Removed at exit by the process that created it only: a forked child inherits the atexit
    handler (and this cached folder, which it keeps using), and removing it there deleted the
    models the parent and the other children still read.
    """
    folder = Path(tempfile.mkdtemp(prefix="journeymap-models-"))
    atexit.register(_remove_own_folder, folder, os.getpid())
    return folder


def _remove_own_folder(folder: Path, owner: int) -> None:
    """Remove ``folder`` if this is the process ``owner`` that created it (see :func:`_process_dir`)."""
    if os.getpid() == owner:
        shutil.rmtree(folder, ignore_errors=True)


#: The networks of this process, so that a forked child can reset their sessions (:func:`_after_fork_in_child`).
_NETWORKS: weakref.WeakSet[OnnxNetwork] = weakref.WeakSet()
#: Sessions a forked child inherited: kept referenced, never used or released by the child.
_INHERITED_SESSIONS: list[Any] = []


def _after_fork_in_child() -> None:
    """In a forked child: every network opens its own session on first use, and has a fresh lock.

    The inherited session is set aside (kept alive, so that it is not torn down in the child): it
    may have been mid-call on another thread of the parent at the fork, with locks held that no
    thread of the child will release; the network's lock may be held for the same reason.
    """
    for network in list(_NETWORKS):
        network._lock = threading.Lock()
        if network._session is not None:
            _INHERITED_SESSIONS.append(network._session)
            network._session = None


@functools.cache
def _guard_fork() -> None:
    """Register :func:`_after_fork_in_child` once per process (where ``os.register_at_fork`` exists)."""
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_after_fork_in_child)


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
        _guard_fork()
        _NETWORKS.add(self)

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
        ort = import_onnxruntime()

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
        _guard_fork()
        _NETWORKS.add(self)

    def __repr__(self) -> str:
        return f"OnnxNetwork({str(self.path)!r})"
