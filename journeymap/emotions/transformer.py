"""Any Hugging Face sequence-classification model as an emotion scorer."""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from journeymap.emotions import _batching
from journeymap.emotions.taxonomy import EKMAN_GROUPS, GOEMOTIONS_VALENCE, SENTIMENT_GROUPS, Taxonomy
from journeymap.exceptions import ModelLoadError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    import numpy.typing as npt
    import torch

logger = logging.getLogger(__name__)

__all__ = [
    "HUB_TIMEOUT",
    "TransformerScorer",
    "folder_fingerprint",
    "hub_endpoint",
    "hub_lookup",
    "hub_reachable",
    "resolve_model",
]

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


#: Seconds to wait for the Hugging Face hub before a model id that is not on disk fails.
HUB_TIMEOUT = 3.0


def hub_endpoint() -> str:
    """The hub's address: ``HF_ENDPOINT`` when set (a mirror or a private hub), else huggingface.co."""
    from huggingface_hub import constants

    return (os.environ.get("HF_ENDPOINT") or constants.ENDPOINT).rstrip("/")


def folder_fingerprint(folder: Path) -> str:
    """A short hash of a model folder's files: names, sizes and modification times (not contents).

    Example:
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp()); _ = (d / "config.json").write_text("{}")
        >>> a = folder_fingerprint(d); _ = (d / "model.safetensors").write_bytes(b"new")
        >>> a != folder_fingerprint(d)
        True
    """
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        stat = path.stat()
        digest.update(f"{path.relative_to(folder)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:12]


def _offline(local_files_only: bool | None) -> bool:
    if local_files_only is not None:
        return local_files_only
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def hub_lookup(name: str, *, revision: str | None = None, timeout: float = HUB_TIMEOUT) -> str:
    """Ask the hub about model ``name``, waiting at most ``timeout`` seconds in all (DNS included).

    Returns ``"found"``, ``"missing"`` (the hub answered: no such model, or it is private or
    gated), ``"offline"`` (huggingface_hub is in offline mode) or ``"silent"`` (no answer in
    time: no network, DNS failing, a firewall, or an endpoint that accepts connections and never
    replies). The request runs in a daemon thread joined with
    ``timeout``, because neither name resolution nor every stalled read honours a socket timeout.
    """
    from huggingface_hub import HfApi
    from huggingface_hub.errors import (
        HfHubHTTPError,
        OfflineModeIsEnabled,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    result: list[str] = []

    def ask() -> None:
        try:
            HfApi(endpoint=hub_endpoint()).model_info(name, revision=revision, timeout=timeout)
            result.append("found")
        except (RepositoryNotFoundError, RevisionNotFoundError):
            result.append("missing")
        except OfflineModeIsEnabled:  # HF_HUB_OFFLINE was set when huggingface_hub was imported
            result.append("offline")
        except HfHubHTTPError as exc:  # 401/403/404 from a hub that answered; 5xx means it is not serving
            status = getattr(exc.response, "status_code", None)
            result.append("missing" if status is not None and status < 500 else "silent")
        except Exception as exc:  # connection refused, reset, timed out, bad URL: the hub is not answering
            logger.debug("the hub did not answer about %r: %r", name, exc)
            result.append("silent")

    thread = threading.Thread(target=ask, daemon=True, name="journeymap-hub-lookup")
    thread.start()
    thread.join(timeout)
    return result[0] if result else "silent"


def hub_reachable(timeout: float = HUB_TIMEOUT) -> bool:
    """Whether the hub answers an HTTP request within ``timeout`` seconds (any answer counts)."""
    return hub_lookup("sentence-transformers/all-MiniLM-L6-v2", timeout=timeout) in {"found", "missing"}


def resolve_model(name: str, *, revision: str | None, local_files_only: bool | None) -> tuple[str, dict[str, Any]]:
    """Where to load a model from and how, failing in seconds when it is neither on disk nor reachable.

    A local folder loads as it is; a hub id already in the Hugging Face cache loads from its
    snapshot without touching the network; any other hub id is fetched only when allowed and
    when the hub answers within :data:`HUB_TIMEOUT` seconds.
    """
    kwargs: dict[str, Any] = {"trust_remote_code": False}
    if revision is not None:
        kwargs["revision"] = revision
    if Path(name).is_dir():
        if not (Path(name) / "config.json").is_file():
            msg = (
                f"Could not load the Hugging Face model {name!r}: the folder holds no model (no config.json). "
                "A model folder is what save_pretrained writes: config.json, the weights and the tokenizer files."
            )
            raise ModelLoadError(msg)
        return name, {**kwargs, "local_files_only": True}
    from huggingface_hub import try_to_load_from_cache

    try:
        cached = try_to_load_from_cache(name, "config.json", revision=revision)
    except Exception:  # an id the hub library rejects outright (bad characters, ...)
        cached = None
    if isinstance(cached, str):
        return str(Path(cached).parent), {**kwargs, "local_files_only": True}
    where = "not a local folder and not in the Hugging Face cache"
    found = "offline" if _offline(local_files_only) else hub_lookup(name, revision=revision, timeout=HUB_TIMEOUT)
    if found == "offline":
        msg = (
            f"Could not load the Hugging Face model {name!r}: it is not on disk ({where}) and downloads are off "
            "(HF_HUB_OFFLINE or local_files_only). Use a local model folder or the default scorer "
            "(get_scorer('default')), which works offline."
        )
        raise ModelLoadError(msg)
    if found == "silent":
        msg = (
            f"Could not load the Hugging Face model {name!r}: it is not on disk ({where}) and the hub "
            f"({hub_endpoint()}) did not answer within {HUB_TIMEOUT:.0f} s. Use a local model folder or the "
            "default scorer (get_scorer('default')), which works offline."
        )
        raise ModelLoadError(msg)
    if found == "missing":
        msg = (
            f"Could not load the Hugging Face model {name!r}: it is not on disk ({where}) and the hub "
            f"({hub_endpoint()}) has no such model{'' if revision is None else f' at revision {revision!r}'} "
            "(or it is private or gated: log in with `hf auth login`). Check the id, or use a local model folder."
        )
        raise ModelLoadError(msg)
    return name, kwargs


def _language_codes(languages: Sequence[str]) -> tuple[str, ...]:
    """The declared languages as a tuple of codes; a bare string is refused (it would read as letters).

    Example:
        >>> _language_codes(["es", "pt"])
        ('es', 'pt')
    """
    if isinstance(languages, str):
        msg = f"languages must be a list of language codes, such as [{languages!r}], not the string {languages!r}"
        raise ValueError(msg)
    codes = tuple(str(code).strip() for code in languages)
    if not codes or not all(codes):
        msg = f"languages must name at least one language code, got {list(languages)!r}"
        raise ValueError(msg)
    return codes


def _taxonomy_for(labels: list[str], label_map: Mapping[str, str] | None) -> Taxonomy:
    given = dict(label_map or {})
    folded = {str(k).strip().lower(): v for k, v in given.items()}  # "LABEL_0" or "label_0" alike
    mapped = [str(given.get(lab, folded.get(lab.strip().lower(), lab))).strip().lower() for lab in labels]
    for builtin in ("goemotions", "ekman", "sentiment"):
        tax = Taxonomy.builtin(builtin)
        if set(mapped) == set(tax.labels) and len(mapped) == len(tax.labels):
            return Taxonomy(name=tax.name, labels=tuple(mapped), valence=tax.valence, groups=tax.groups)
    unknown = [raw for raw, lab in zip(labels, mapped) if lab not in KNOWN_VALENCE]
    if unknown:
        msg = (
            f"the model's labels {unknown} have no known valence; pass label_map={{model label: known label}} "
            f"(for example {{{unknown[0]!r}: 'negative'}}) or taxonomy=Taxonomy(...) to say what they mean"
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
        languages: the language codes the model reads (``("en",)``, ``("es", "pt")``, as
            :func:`journeymap.emotions.language.detect_languages` writes them). Default None:
            not declared, any language. :func:`journeymap.score` leaves a text detected in
            another language unscored, with a note, rather than have this model misread it.

    Remote code is never run (``trust_remote_code=False``) and safetensors weights are used
    when the model has them. Every text with a non-blank character goes to the model (its own
    tokenizer reads emoji and emoticons such as ``:(``); empty and blank texts are not read and
    get ``neutral`` 1 (zeros for labels without ``neutral``). :func:`journeymap.score` gives
    such texts NA scores and never takes an ``emotion`` from an all-zero row.

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
        languages: Sequence[str] | None = None,
    ) -> None:
        self.model_name = str(model)
        # where the model is comes first: an id that is nowhere fails before transformers is imported
        source, kwargs = resolve_model(self.model_name, revision=revision, local_files_only=local_files_only)
        from journeymap._loading import LOAD_LOCK
        from journeymap._progress import quiet_tqdm

        try:
            with LOAD_LOCK:  # one build at a time: two threads importing transformers at once can fail
                quiet_tqdm()  # transformers imports tqdm.auto, which warns in a notebook without ipywidgets
                from transformers import AutoModelForSequenceClassification, AutoTokenizer

                self.tokenizer = AutoTokenizer.from_pretrained(source, **kwargs)
                self.model = AutoModelForSequenceClassification.from_pretrained(source, **kwargs)
        except Exception as exc:  # transformers raises OSError, ValueError, UnpicklingError, RuntimeError, ...
            msg = (
                f"Could not load the Hugging Face model {self.model_name!r} (hub id or local path): "
                f"{type(exc).__name__}: {exc}. Weights must be safetensors or a pickle that loads without "
                "running code. Without network access, use a local model folder or the default scorer "
                "(get_scorer('default')), which works offline."
            )
            raise ModelLoadError(msg) from exc
        config = self.model.config
        vocab = getattr(config, "vocab_size", None)
        if isinstance(vocab, int) and vocab > 1000 and len(self.tokenizer) < vocab // 2:
            msg = (
                f"Could not load the Hugging Face model {self.model_name!r}: its tokenizer has {len(self.tokenizer)} "
                f"tokens for a vocabulary of {vocab} (the folder has no tokenizer files of its own?); every word would "
                "be read as unknown. Save the tokenizer beside the weights (tokenizer.save_pretrained(folder))."
            )
            raise ModelLoadError(msg)
        labels = [str(config.id2label[i]) for i in range(int(config.num_labels))]
        if taxonomy is not None:
            if len(taxonomy.labels) != len(labels):
                msg = f"taxonomy has {len(taxonomy.labels)} labels, the model {len(labels)}: {labels}"
                raise ModelLoadError(msg)
            self._taxonomy = taxonomy
        else:
            self._taxonomy = _taxonomy_for(labels, label_map)
        self.multi_label = bool(multi_label) if multi_label is not None else config.problem_type == "multi_label_classification"
        limit = min(int(getattr(self.tokenizer, "model_max_length", 512) or 512), 512)
        positions = getattr(config, "max_position_embeddings", None)
        if isinstance(positions, int) and positions > 0:  # RoBERTa-type models spend two positions on padding
            limit = min(limit, positions - (2 if "roberta" in str(getattr(config, "model_type", "")) else 0))
        self.max_length = min(int(max_length), limit) if max_length is not None else limit
        self.batch_size = int(batch_size)
        self.device = _batching.pick_device(device)
        self.model.to(self.device).eval()
        commit = getattr(config, "_commit_hash", None)
        if Path(self.model_name).is_dir():
            commit = folder_fingerprint(Path(self.model_name))
        self._id = f"hf:{self.model_name}@{commit or revision or 'unknown'}" + ("" if self.multi_label else "+softmax")
        if self.max_length != limit:  # reads another share of long texts: its own cached rows
            self._id += f"+len{self.max_length}"
        self.languages: tuple[str, ...] | None = None if languages is None else _language_codes(languages)

    @property
    def id(self) -> str:
        """``hf:<model>@<version>``: the hub commit, or a fingerprint of a local folder's files.

        A local model re-saved with new weights gets a new id, so cached scores of the old
        weights are never served for it.
        """
        return self._id

    @property
    def taxonomy(self) -> Taxonomy:
        """The model's labels, in its output order."""
        return self._taxonomy

    @property
    def outputs(self) -> tuple[str, ...]:
        """``("unread_tokens",)``: tokens past ``max_length`` that were cut (``jm.score`` notes them)."""
        return ("unread_tokens",)

    def score_outputs(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """:meth:`score`, then a column of each text's tokens past ``max_length`` (0 when read in full)."""
        items = list(texts)
        unread = np.zeros((len(items), 1), dtype=np.float32)
        # a token is at least one character (four bytes at most in byte-level BPE), so only texts
        # longer than a quarter of max_length can be cut: tokenise those once more, uncut
        long = [i for i, t in enumerate(items) if 4 * len(t) + 2 > self.max_length]
        if long:
            ids = self.tokenizer([items[i] for i in long], truncation=False, verbose=False)["input_ids"]
            unread[long, 0] = [max(0, len(x) - self.max_length) for x in ids]
        return np.hstack([self.score(items), unread]).astype(np.float32)

    def _readable(self, text: object) -> bool:
        """Every text with a non-blank character: the model's own tokenizer reads emoji and symbols."""
        return _batching.has_characters(text)

    def _forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        import torch

        logits = self.model(input_ids=ids, attention_mask=mask).logits
        return torch.sigmoid(logits) if self.multi_label else torch.softmax(logits, dim=-1)

    def __repr__(self) -> str:
        return f"TransformerScorer({self.model_name!r}, id={self.id!r})"
