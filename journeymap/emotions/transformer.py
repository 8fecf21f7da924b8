"""Any Hugging Face sequence-classification model as an emotion scorer."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from journeymap.emotions import _batching
from journeymap.emotions.taxonomy import EKMAN_GROUPS, GOEMOTIONS_VALENCE, SENTIMENT_GROUPS, Taxonomy
from journeymap.exceptions import ModelLoadError

if TYPE_CHECKING:
    from collections.abc import Mapping

    import torch

logger = logging.getLogger(__name__)

__all__ = ["TransformerScorer"]

#: Valences of label names that models commonly use, beyond the GoEmotions ones.
KNOWN_VALENCE: dict[str, float] = {
    **GOEMOTIONS_VALENCE,
    "positive": 0.8,
    "negative": -0.8,
    "ambiguous": 0.0,
    "happiness": 0.9,
    "happy": 0.9,
    "sad": -0.8,
    "angry": -0.9,
    "neutral": 0.0,
    "mixed": 0.0,
    "shame": -0.6,
    "guilt": -0.5,
    "trust": 0.6,
    "anticipation": 0.3,
}


def _taxonomy_for(labels: list[str], label_map: Mapping[str, str] | None) -> Taxonomy:
    mapped = [(label_map or {}).get(lab, lab).strip().lower() for lab in labels]
    for builtin in ("goemotions", "ekman", "sentiment"):
        tax = Taxonomy.builtin(builtin)
        if set(mapped) == set(tax.labels) and len(mapped) == len(tax.labels):
            return Taxonomy(name=tax.name, labels=tuple(mapped), valence=tax.valence, groups=tax.groups)
    unknown = [lab for lab in mapped if lab not in KNOWN_VALENCE]
    if unknown:
        msg = (
            f"the model's labels {unknown} have no known valence; pass label_map={{model label: known label}} "
            f"or taxonomy=Taxonomy(...) to say what they mean"
        )
        raise ModelLoadError(msg)
    groups: dict[str, dict[str, tuple[str, ...]]] = {}
    for name, grouping in (("ekman", EKMAN_GROUPS), ("sentiment", SENTIMENT_GROUPS)):
        if set(mapped) <= {m for members in grouping.values() for m in members}:
            groups[name] = {g: tuple(m for m in members if m in mapped) for g, members in grouping.items()}
    return Taxonomy(name="custom", labels=tuple(mapped), valence={m: KNOWN_VALENCE[m] for m in mapped}, groups=groups)


class TransformerScorer(_batching.SortedBatchScorer):
    """Scores texts with any ``AutoModelForSequenceClassification``, by hub id or local path.

    Args:
        model: a Hugging Face hub id (``"SamLowe/roberta-base-go_emotions"``) or a local folder
            saved with ``save_pretrained``.
        device: ``"cpu"``, ``"cuda"``, ... (default: a GPU when present).
        batch_size: texts per forward pass; batches are formed from texts sorted by token count,
            each padded only to its own longest text.
        max_length: longer texts are truncated to this many tokens (default: the model's limit,
            at most 512).
        multi_label: sigmoid per label (True) or softmax over labels (False); default from the
            model config's ``problem_type``.
        label_map: renames the model's labels (``{"LABEL_0": "negative"}``) onto known ones.
        taxonomy: the taxonomy of the model's labels, in the model's label order, when they
            are not known names.
        revision: the hub revision (branch, tag or commit) to load.
        local_files_only: never reach the network (default: only when ``HF_HUB_OFFLINE`` is set).

    Remote code is never run (``trust_remote_code=False``) and safetensors weights are used
    when the model has them.

    Raises:
        ModelLoadError: the model cannot be found or fetched; the message says that the
            default scorer works offline.

    Example:
        >>> scorer = TransformerScorer("SamLowe/roberta-base-go_emotions")  # doctest: +SKIP
        >>> scorer.score(["thanks, that fixed it!"]).shape  # doctest: +SKIP
        (1, 28)
    """

    def __init__(
        self,
        model: str | Path,
        *,
        device: str | None = None,
        batch_size: int = 32,
        max_length: int | None = None,
        multi_label: bool | None = None,
        label_map: Mapping[str, str] | None = None,
        taxonomy: Taxonomy | None = None,
        revision: str | None = None,
        local_files_only: bool | None = None,
    ) -> None:
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        self.model_name = str(model)
        kwargs: dict[str, Any] = {"trust_remote_code": False}
        if revision is not None:
            kwargs["revision"] = revision
        if local_files_only is not None:
            kwargs["local_files_only"] = local_files_only
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(self.model_name, **kwargs)
            self.model = AutoModelForSequenceClassification.from_pretrained(self.model_name, **kwargs)
        except (OSError, ValueError) as exc:
            msg = (
                f"Could not load the Hugging Face model {self.model_name!r} (hub id or local path): {exc}. "
                "Without network access, use a local model folder or the default scorer "
                "(get_scorer('default')), which works offline."
            )
            raise ModelLoadError(msg) from exc
        config = self.model.config
        labels = [str(config.id2label[i]) for i in range(int(config.num_labels))]
        if taxonomy is not None:
            if len(taxonomy.labels) != len(labels):
                msg = f"taxonomy has {len(taxonomy.labels)} labels, the model {len(labels)}: {labels}"
                raise ModelLoadError(msg)
            self._taxonomy = taxonomy
        else:
            self._taxonomy = _taxonomy_for(labels, label_map)
        self.multi_label = bool(multi_label) if multi_label is not None else config.problem_type == "multi_label_classification"
        limit = int(getattr(self.tokenizer, "model_max_length", 512) or 512)
        self.max_length = int(max_length) if max_length is not None else min(limit, 512)
        self.batch_size = int(batch_size)
        self.device = _batching.pick_device(device)
        self.model.to(self.device).eval()
        commit = getattr(config, "_commit_hash", None)
        if commit is None and Path(self.model_name).is_dir():
            commit = hashlib.sha256(config.to_json_string().encode()).hexdigest()[:12]
        self._id = f"hf:{self.model_name}@{commit or revision or 'unknown'}" + ("" if self.multi_label else "+softmax")

    @property
    def id(self) -> str:
        """``hf:<model>@<commit>``: the hub commit, or a hash of a local model's config."""
        return self._id

    @property
    def taxonomy(self) -> Taxonomy:
        """The model's labels, in its output order."""
        return self._taxonomy

    def _forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        import torch

        logits = self.model(input_ids=ids, attention_mask=mask).logits
        return torch.sigmoid(logits) if self.multi_label else torch.softmax(logits, dim=-1)

    def __repr__(self) -> str:
        return f"TransformerScorer({self.model_name!r}, id={self.id!r})"
