"""Scoring with a model that ``journeymap train`` wrote: :class:`TrainedScorer`.

A trained folder holds ``model.safetensors`` (the fine-tuned MiniLM layers and the head, float16,
without the word embeddings, which come from the encoder package) and ``config.json`` (its
labels, per-label thresholds tuned on dev, the label valences, the training settings and dev
figures). :func:`journeymap.get_scorer` recognises such a folder by its config and returns a
TrainedScorer; any other folder is loaded as a Hugging Face model.
"""

from __future__ import annotations

import functools
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from journeymap.emotions import _batching
from journeymap.emotions._metrics import predict
from journeymap.emotions.taxonomy import Taxonomy
from journeymap.exceptions import ModelLoadError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    import numpy.typing as npt
    import torch

    from journeymap.emotions.scorer import EmotionScorer

logger = logging.getLogger(__name__)

__all__ = ["FORMAT", "TrainedScorer", "is_trained_folder", "trained_factory"]

#: The ``format`` entry of a trained folder's config.json.
FORMAT = "journeymap.minilm-classifier"


def is_trained_folder(path: str | Path) -> bool:
    """Whether ``path`` is a folder written by ``journeymap train`` (its config says so)."""
    config = Path(path) / "config.json"
    if not config.is_file():
        return False
    try:
        meta = json.loads(config.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(meta, dict) and (meta.get("format") == FORMAT or str(meta.get("id", "")).startswith("journeymap."))


def trained_factory(folder: str | Path) -> Callable[..., EmotionScorer]:
    """The constructor of the scorer for a folder journeymap's trainers wrote, awaiting its options.

    A multi-task folder (emotion, sentiment and irony heads, as the default model's) loads as a
    :class:`~journeymap.emotions.default.DefaultScorer` on those weights; a single-head one as a
    :class:`TrainedScorer`. :func:`journeymap.get_scorer` checks the options against it and calls it.
    """
    meta = json.loads((Path(folder) / "config.json").read_text(encoding="utf-8"))
    if "sentiment_labels" in meta:
        from journeymap.emotions.default import DefaultScorer

        return functools.partial(DefaultScorer, weights=folder)
    return functools.partial(TrainedScorer, folder)


def taxonomy_of(meta: dict[str, Any], folder: Path) -> Taxonomy:
    """The taxonomy a trained folder declares: GoEmotions' when its labels are those, else its own."""
    labels = tuple(str(x) for x in meta.get("labels", ()))
    if not labels:
        msg = f"{folder / 'config.json'} lists no labels"
        raise ModelLoadError(msg)
    goemotions = Taxonomy.goemotions()
    if labels == goemotions.labels:
        return goemotions
    valence = meta.get("valence")
    if not isinstance(valence, dict) or set(valence) != set(labels):
        msg = f"{folder / 'config.json'} has no valence for every label {list(labels)}"
        raise ModelLoadError(msg)
    return Taxonomy(name=str(meta.get("taxonomy", folder.name)), labels=labels, valence={k: float(v) for k, v in valence.items()})


class TrainedScorer(_batching.LazyNetworkScorer):
    """A model from ``journeymap train`` (or ``python -m journeymap.emotions.train``), by its folder.

    Args:
        folder: the training output (``model.safetensors`` and ``config.json``).
        device: ``"cpu"``, ``"cuda"``, ... (default: a GPU when present, else CPU).
        batch_size: texts per forward pass.
        max_length: longer texts are truncated to this many tokens (default: the training length x 2); a
            whole number from 3 to 512 (the encoder's positions), checked when the scorer is built.

    The id is ``journeymap.trained:<folder name>@<fingerprint of the files' contents>``, so
    retraining into the same folder never serves the old model's cached scores; a ``max_length`` other than the
    default adds ``+len<n>``, since it changes the scores of long texts. The network is loaded on the first
    text to score, and the folder is fingerprinted again then: retrained since the scorer was built, it
    fails with :class:`~journeymap.ModelLoadError` (build a new scorer), so that the new weights' scores
    are never cached under the old id.

    Examples:
        >>> import tempfile
        >>> is_trained_folder(tempfile.mkdtemp())
        False
    """

    def __init__(
        self, folder: str | Path, *, device: str | None = None, batch_size: int = 64, max_length: int | None = None
    ) -> None:
        from journeymap.emotions._fingerprint import folder_fingerprint

        self.folder = Path(folder)
        config = self.folder / "config.json"
        if not config.is_file() or not (self.folder / "model.safetensors").is_file():
            msg = f"{self.folder} is not a trained journeymap model (expected model.safetensors and config.json)"
            raise ModelLoadError(msg)
        try:
            self.meta: dict[str, Any] = json.loads(config.read_text(encoding="utf-8"))
        except ValueError as exc:
            msg = f"{config} is not valid JSON: {exc}"
            raise ModelLoadError(msg) from exc
        self._taxonomy = taxonomy_of(self.meta, self.folder)
        self.thresholds = np.asarray(self.meta.get("thresholds", [0.5] * len(self._taxonomy.labels)), dtype=np.float32)
        self.device = _batching.pick_device(device)
        self.batch_size = _batching.check_batch_size(batch_size)
        from journeymap.emotions.default import MAX_POSITIONS  # the MiniLM encoder it was trained on

        default_length = 2 * int(self.meta.get("max_length", 64))
        # checked as the default scorer's: 0 was read as the default, -5 as windows of no text
        self.max_length = (
            default_length if max_length is None else _batching.check_max_length(max_length, special=2, limit=MAX_POSITIONS)
        )
        self._fingerprint = folder_fingerprint(self.folder)
        self._id = f"journeymap.trained:{self.folder.name}@{self._fingerprint}"
        if self.max_length != default_length:  # reads another share of long texts: its own cached rows
            self._id += f"+len{self.max_length}"

    def _weights_now(self) -> tuple[str, Path]:
        from journeymap.emotions._fingerprint import folder_fingerprint

        return folder_fingerprint(self.folder), self.folder

    def _build(self) -> tuple[torch.nn.Module, Any]:
        from journeymap.emotions import _minilm

        built, tokenizer = _minilm.build(len(self._taxonomy.labels), init=False)  # no random draw: weights next
        _minilm.load_weights(built, self.folder)
        built.eval()
        logger.info("loaded %s on %s", self._id, self.device)
        return built.to(self.device), tokenizer

    @property
    def id(self) -> str:
        """``journeymap.trained:<folder>@<fingerprint>``, plus ``+len<n>`` for a non-default ``max_length``."""
        return self._id

    @property
    def taxonomy(self) -> Taxonomy:
        """The labels it was trained on, with their valences."""
        return self._taxonomy

    def _forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        import torch

        return torch.sigmoid(self.model(ids, mask))

    def predict(self, texts: Sequence[str]) -> npt.NDArray[np.bool_]:
        """Multi-label decisions with the thresholds tuned on dev (every text gets at least one label)."""
        return predict(self.score(texts), self.thresholds)

    def __repr__(self) -> str:
        return f"TrainedScorer(id={self._id!r})"
