"""Inference shared by the transformer-based scorers.

Batches are formed from texts sorted by token count, and each is padded only to its own
longest text (dynamic padding): padding drops from 35-40% of the tokens (sorting by characters)
or far more (input order) to under 1%. Which texts are sent to the model is the scorer's choice
(``readable``): by default those with a word character (a model whose vocabulary has no emoji
reads "😡😡😡" as unknown tokens); a Hugging Face model with its own tokenizer reads every text
with a non-blank character. The others get ``empty_row`` (:func:`journeymap.score` never sends
empty or blank texts to a scorer: they get NA scores, as NA text does).
"""

from __future__ import annotations

import functools
import math
import os
import re
import sys
import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from journeymap.exceptions import (
    ArgumentTypeError,
    InvalidArgumentError,
    JourneyMapError,
    ModelLoadError,
    TextsFailedError,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy.typing as npt
    import torch

    from journeymap.emotions.taxonomy import Taxonomy

_WORD = re.compile(r"\w")


def text_list(texts: object, what: str = "texts") -> list[Any]:
    """``texts`` as a list, by position: a list, tuple, array or pandas Series (whatever its index).

    A lone string is refused: iterating it would score or encode each of its characters.

    Examples:
        >>> import pandas as pd
        >>> text_list(pd.Series(["late", "thanks"], index=[10, 11]))
        ['late', 'thanks']
        >>> text_list("late")
        Traceback (most recent call last):
        ...
        journeymap.exceptions.ArgumentTypeError: texts must be a sequence of texts, got one str: wrap it in a list (['late'])
    """
    if isinstance(texts, (str, bytes)):
        msg = f"{what} must be a sequence of texts, got one {type(texts).__name__}: wrap it in a list ([{texts[:40]!r}])"
        raise ArgumentTypeError(msg)
    if isinstance(texts, list):
        return texts
    if hasattr(texts, "to_list"):  # a pandas Series or Index: by position, not by label
        return list(texts.to_list())
    try:
        items: list[Any] = list(texts)  # type: ignore[call-overload]
    except TypeError:
        msg = f"{what} must be a sequence of texts, got {type(texts).__name__}"
        raise ArgumentTypeError(msg) from None
    return items


def scorer_texts(texts: object) -> list[Any]:
    """``texts`` as a list (:func:`text_list`), each a string or missing (None, NaN: read as no text).

    Any other value (bytes, a number, a list, a dict) is an ArgumentTypeError naming its
    position: a scorer would otherwise read it as no text, or as its Python ``repr``
    (``"b'I am furious'"``), and give it a score. :func:`journeymap.read_events` rejects such
    rows ("text must be a string"), and :func:`journeymap.score` leaves them unscored with the
    reason in ``score_note``.

    Examples:
        >>> scorer_texts(["late", None])
        ['late', None]
        >>> scorer_texts(["late", b"so angry"])
        Traceback (most recent call last):
        ...
        journeymap.exceptions.ArgumentTypeError: texts[1] must be a string, got bytes b'so angry': ...
    """
    items = text_list(texts)
    for i, item in enumerate(items):
        if isinstance(item, str) or item is None or item is pd.NA or (isinstance(item, float) and math.isnan(item)):
            continue
        msg = (
            f"texts[{i}] must be a string, got {type(item).__name__} {shorten(repr(item))}: "
            "decode bytes (value.decode()) or convert values to text before scoring"
        )
        raise ArgumentTypeError(msg)
    return items


def has_words(text: object) -> bool:
    """Whether a text has at least one word character (letters or digits in any script)."""
    return isinstance(text, str) and _WORD.search(text) is not None


#: Unicode categories of characters that show nothing: controls (NUL, ...), formats (zero-width
#: space and joiners, word joiner, a byte-order mark, soft hyphen) and separators (spaces).
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})
#: Characters of other categories that show nothing: blank fillers (Hangul fillers, the blank braille
#: pattern, used to post "empty" messages), the combining grapheme joiner and variation selectors.
_BLANKS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f" + "".join(map(chr, range(0xFE00, 0xFE10))))
_PRINTABLE_ASCII = r"[!-~]"


def has_visible(text: str) -> bool:
    r"""Whether ``text`` has a character that shows: not only whitespace, controls or format characters.

    ``"\x00"``, ``"\u200b"`` (a zero-width space), ``"\ufeff"`` (a stray byte-order mark) and
    their mixtures with whitespace are no text, as ``"   "`` is; emoji and ``:(`` are text.

    Examples:
        >>> has_visible("😡"), has_visible(":("), has_visible(" \u200b\ufeff\x00 "), has_visible("")
        (True, True, False, False)
    """
    return any(c not in _BLANKS and unicodedata.category(c) not in _INVISIBLE_CATEGORIES for c in text)


def visible_texts(text: pd.Series) -> pd.Series:
    r"""Per row of a string Series, whether its text has a visible character (:func:`has_visible`); False for NA.

    The one rule of what is "no text" for :func:`journeymap.score` (and every scorer it routes
    to) and the scorers' own ``score``: NA, empty, whitespace, or only invisible characters.
    Texts with a printable ASCII character are told at once; only the others (emoji, other
    scripts, invisible characters) are read character by character, once per distinct text.

    Examples:
        >>> visible_texts(pd.Series(["hi", "   ", "\u200b", None, "😡"], dtype="string")).tolist()
        [True, False, False, False, True]
    """
    stripped = text.astype("string").str.strip()
    present = (stripped.str.len() > 0).fillna(False).to_numpy(dtype=bool)
    quick = stripped.str.contains(_PRINTABLE_ASCII, regex=True).fillna(False).to_numpy(dtype=bool)
    out = present & quick
    rest = present & ~quick
    if rest.any():
        values = stripped[rest]
        verdict = {value: has_visible(value) for value in pd.unique(values.to_numpy(dtype=object))}
        out[rest] = values.map(verdict).to_numpy(dtype=bool)
    return pd.Series(out, index=text.index, dtype=bool)


def has_characters(text: object) -> bool:
    r"""Whether a text has at least one character that shows (emoji and ``:(`` count; :func:`has_visible`).

    Examples:
        >>> has_characters("😡"), has_characters(" \n"), has_characters("\u200b\ufeff"), has_characters(None)
        (True, False, False, False)
    """
    return isinstance(text, str) and has_visible(text)


def shorten(text: str, limit: int = 40) -> str:
    """A text as an error message shows it: its first ``limit`` characters, with ``…`` when cut.

    Examples:
        >>> shorten("boom goes the phone", 8)
        'boom goe…'
    """
    return text if len(text) <= limit else text[:limit] + "…"


def check_batch_size(batch_size: object) -> int:
    """``batch_size`` as an int, or a ValueError naming it: it must be a whole number of at least 1.

    Shared by the scorers' constructors, so a bad value fails when the scorer is built, not
    halfway through a run (``range() arg 3 must not be zero``).

    Examples:
        >>> check_batch_size(8)
        8
        >>> check_batch_size(0)
        Traceback (most recent call last):
        ...
        journeymap.exceptions.InvalidArgumentError: batch_size must be a whole number of at least 1 ..., got 0
    """
    return _at_least_one(batch_size, "batch_size", "texts per forward pass")


def _at_least_one(value: object, name: str, what: str) -> int:
    """``value`` as an int, or an InvalidArgumentError naming ``name``: a whole number of at least 1 (``what``)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        msg = f"{name} must be a whole number of at least 1 ({what}), got {value!r}"
        raise InvalidArgumentError(msg)
    return int(value)


def check_max_windows(value: object) -> int:
    """``max_windows`` as an int, or an InvalidArgumentError: a whole number of at least 1.

    Examples:
        >>> check_max_windows(4)
        4
        >>> check_max_windows(0)
        Traceback (most recent call last):
        ...
        journeymap.exceptions.InvalidArgumentError: max_windows must be a whole number of at least 1 ..., got 0
    """
    return _at_least_one(value, "max_windows", "windows read per text")


def check_max_length(value: object, *, special: int, limit: int) -> int:
    """``max_length`` as an int, or an InvalidArgumentError naming it and the range the model takes.

    A window is the model's ``special`` tokens (``[CLS]`` and ``[SEP]``: 2) and at least one
    token of text, and no longer than the model's ``limit`` positions; a value outside that range
    was read as one-token windows (below) or failed on the first long text (above).

    Examples:
        >>> check_max_length(64, special=2, limit=512)
        64
        >>> check_max_length(0, special=2, limit=512)
        Traceback (most recent call last):
        ...
        journeymap.exceptions.InvalidArgumentError: max_length must be a whole number from 3 to 512 ..., got 0
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not special < value <= limit:
        msg = (
            f"max_length must be a whole number from {special + 1} to {limit} (tokens per window: the model's "
            f"{special} special tokens and at least one of the text, at most its {limit} positions), got {value!r}"
        )
        raise InvalidArgumentError(msg)
    return int(value)


def valid_utf8(text: str) -> str:
    """The text with lone surrogates (invalid UTF-8, which tokenizers reject) replaced by U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return text


def neutral_row(taxonomy: Taxonomy) -> npt.NDArray[np.float32]:
    """The score of a text without words: certain ``neutral`` where the taxonomy has it, else zeros."""
    row = np.zeros(len(taxonomy.labels), dtype=np.float32)
    if "neutral" in taxonomy.labels:
        row[taxonomy.labels.index("neutral")] = 1.0
    return row


def run_sorted(
    texts: Sequence[str],
    *,
    tokenizer: Any,
    forward: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    empty_row: npt.NDArray[np.float32],
    batch_size: int,
    max_length: int,
    device: torch.device,
    what: str = "scoring",
    workers: int = 1,
    readable: Callable[[object], bool] = has_words,
    pad_id: int | None = None,
) -> npt.NDArray[np.float32]:
    """Rows of ``forward(input_ids, attention_mask)`` for ``texts``, in length-sorted batches.

    Shared by the scorers (rows are probabilities) and the sentence encoders (rows are
    embeddings). Texts that are not ``readable`` (by default: without words) are not sent to the
    model: their row is ``empty_row``. Rows are float32; NaN is replaced by 0. ``workers``: see
    :func:`forward_sorted`. ``pad_id``: the id padding is filled with (default: the tokenizer's
    pad token, else 0); a model that reads padding by its id (a decoder classifier pools the last
    token that is not its ``config.pad_token_id``) needs its own.
    """
    n = len(texts)
    out = np.tile(np.asarray(empty_row, dtype=np.float32), (n, 1))
    idx = [i for i, t in enumerate(texts) if readable(t)]
    if not idx:
        return out
    clean = [valid_utf8(texts[i]) for i in idx]
    encoded = tokenizer(clean, truncation=True, max_length=max_length)["input_ids"]
    rows = forward_sorted(
        encoded,
        forward=forward,
        pad_id=tokenizer_pad_id(tokenizer) if pad_id is None else int(pad_id),
        batch_size=batch_size,
        device=device,
        what=what,
        positions=idx,
        workers=workers,
        names=[texts[i] for i in idx],
    )
    if len(rows):
        out[idx] = rows
    return out


def tokenizer_pad_id(tokenizer: Any) -> int:
    """The id a tokenizer pads with: its pad token's, else 0.

    Examples:
        >>> class Tok:
        ...     pad_token_id = None
        >>> tokenizer_pad_id(Tok())
        0
    """
    return int(getattr(tokenizer, "pad_token_id", None) or 0)


def forward_sorted(
    encoded: Sequence[Sequence[int]],
    *,
    forward: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    pad_id: int,
    batch_size: int,
    device: torch.device,
    what: str = "scoring",
    positions: Sequence[int] | None = None,
    workers: int = 1,
    names: Sequence[str] | None = None,
) -> npt.NDArray[np.float32]:
    """Rows of ``forward`` for token-id sequences, in length-sorted batches padded per batch.

    ``positions`` names each sequence in an error message (default: its index), ``names`` (one
    text per sequence) shows its text there too, shortened. NaN becomes 0.
    ``workers > 1`` runs that many batches at once, each on its own thread: for a ``forward``
    that is safe to call concurrently and runs each call on one core (an ONNX Runtime session
    with one intra-op thread), which keeps both cores busier than one call split over two. Fewer
    sequences than ``workers`` full batches are split into ``workers`` smaller batches. The rows
    do not depend on ``workers``. A failure raises :class:`~journeymap.exceptions.JourneyMapError`
    naming the texts of the failing batch (one at a time: the first; at once: every one): a
    :class:`TextsFailedError` whose ``positions`` are those positions and whose ``texts`` are
    their ``names``.
    """
    import torch

    n = len(encoded)
    if n == 0:
        return np.zeros((0, 0), dtype=np.float32)
    workers = max(1, int(workers))
    size = max(1, min(batch_size, -(-n // workers))) if workers > 1 else batch_size
    order = np.argsort([len(e) for e in encoded], kind="stable")
    chunks = [order[start : start + size] for start in range(0, n, size)]

    def run(chunk: npt.NDArray[np.intp]) -> npt.NDArray[np.float32]:
        width = max(len(encoded[j]) for j in chunk)
        ids = torch.full((len(chunk), width), pad_id, dtype=torch.long)
        mask = torch.zeros((len(chunk), width), dtype=torch.long)
        for row, j in enumerate(chunk):
            ids[row, : len(encoded[j])] = torch.as_tensor(encoded[j])
            mask[row, : len(encoded[j])] = 1
        with torch.inference_mode():  # per thread: the mode is thread-local
            rows: npt.NDArray[np.float32] = forward(ids.to(device), mask.to(device)).float().cpu().numpy()
        return rows

    def failed(bad: list[npt.NDArray[np.intp]], exc: BaseException) -> JourneyMapError:
        seqs = sorted({int(j) for chunk in bad for j in chunk}, key=lambda j: positions[j] if positions is not None else j)
        where = sorted({positions[j] if positions is not None else j for j in seqs})
        texts = list(dict.fromkeys(names[j] for j in seqs)) if names is not None else []
        shown = f" (texts: {', '.join(repr(shorten(t)) for t in texts[:5])}{', ...' if len(texts) > 5 else ''})" if texts else ""
        message = f"{what} failed for the texts at positions {where[:20]}: {exc}{shown}"
        return TextsFailedError(message, texts=texts, positions=where)

    results: list[npt.NDArray[np.float32]] = []
    if workers > 1 and len(chunks) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="journeymap-batch") as pool:
            futures = [pool.submit(run, chunk) for chunk in chunks]
            errors = [(chunk, f.exception()) for chunk, f in zip(chunks, futures, strict=True)]
        bad = [(chunk, exc) for chunk, exc in errors if exc is not None]
        if bad:  # every failing batch is named, as one batch over the same texts would be
            first = bad[0][1]
            raise failed([chunk for chunk, _ in bad], first) from first
        results = [f.result() for f in futures]
    else:
        for chunk in chunks:
            try:
                results.append(run(chunk))
            except Exception as exc:
                raise failed([chunk], exc) from exc
    out = np.zeros((n, results[0].shape[1]), dtype=np.float32)
    for chunk, rows in zip(chunks, results, strict=True):
        out[chunk] = np.nan_to_num(rows, nan=0.0)
    return out


def split_windows(
    content: Sequence[Sequence[int]],
    *,
    max_length: int,
    max_windows: int,
    cls_id: int | None = None,
    sep_id: int | None = None,
    prefix: Sequence[int] = (),
    suffix: Sequence[int] = (),
) -> tuple[list[list[int]], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Overlapping windows over token ids without special tokens, for texts longer than one window.

    Each window is ``prefix``, up to ``max_length - len(prefix) - len(suffix)`` tokens of the
    text, then ``suffix``: a model's own special tokens (``cls_id`` and ``sep_id`` are short for
    ``prefix=[cls_id]`` and ``suffix=[sep_id]``, BERT's ``[CLS] ... [SEP]``). Windows start every
    half window, so every token is read in a window with context on both sides (the last window
    is aligned to the end of the text). At most ``max_windows`` windows per text: the tokens
    after them are not read, and counted.

    Returns ``(windows, owner, unread)``: the windows, the text each belongs to, and per text
    the number of tokens not read.

    Examples:
        >>> text = [10, 11, 12, 13, 14, 15, 16, 17]
        >>> w, owner, unread = split_windows([text, [5]], max_length=6, cls_id=0, sep_id=2, max_windows=8)
        >>> w
        [[0, 10, 11, 12, 13, 2], [0, 12, 13, 14, 15, 2], [0, 14, 15, 16, 17, 2], [0, 5, 2]]
        >>> owner.tolist(), unread.tolist()
        ([0, 0, 0, 1], [0, 0])
        >>> split_windows([text], max_length=6, cls_id=0, sep_id=2, max_windows=2)[2].tolist()
        [2]

        A model that adds only a start token (``<s> ...``), and one that adds none (GPT-2):

        >>> split_windows([text], max_length=5, prefix=[1], max_windows=8)[0]
        [[1, 10, 11, 12, 13], [1, 12, 13, 14, 15], [1, 14, 15, 16, 17]]
        >>> split_windows([text], max_length=6, max_windows=8)[0]
        [[10, 11, 12, 13, 14, 15], [12, 13, 14, 15, 16, 17]]
    """
    head = [*([] if cls_id is None else [cls_id]), *prefix]
    tail = [*suffix, *([] if sep_id is None else [sep_id])]
    size = max(1, max_length - len(head) - len(tail))
    stride = max(1, size // 2)
    windows: list[list[int]] = []
    owner: list[int] = []
    unread = np.zeros(len(content), dtype=np.int64)
    for i, ids in enumerate(content):
        n = len(ids)
        if n <= size:
            starts = [0]
        else:
            starts = [*range(0, n - size, stride), n - size]
            if len(starts) > max_windows:
                starts = starts[:max_windows]
                unread[i] = n - (starts[-1] + size)
        for s in starts:
            windows.append([*head, *ids[s : s + size], *tail])
            owner.append(i)
    return windows, np.asarray(owner, dtype=np.int64), unread


def combine_windows(
    probs: npt.NDArray[np.float32], owner: npt.NDArray[np.int64], n_texts: int, *, neutral: int | None, renormalise: bool
) -> npt.NDArray[np.float32]:
    """Rows per text from the probabilities of its windows (the rows of text ``owner[j]``).

    The default scorer's rule: each label's highest probability over the windows (an emotion
    anywhere in the text is seen), the ``neutral`` column's (index ``neutral``) lowest; with
    ``renormalise`` (a softmax model) each row is then divided by its sum, so it sums to 1.
    A text read in one window keeps its row as it is.

    Examples:
        >>> p = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.2, 0.5, 0.3]], dtype=np.float32)
        >>> combine_windows(p, np.array([0, 0, 1]), 2, neutral=1, renormalise=True).astype(float).round(3).tolist()
        [[0.467, 0.133, 0.4], [0.2, 0.5, 0.3]]
    """
    rows = np.asarray(probs, dtype=np.float64)
    if len(owner) == n_texts:  # one window per text: nothing to combine
        return rows.astype(np.float32)
    high = np.full((n_texts, rows.shape[1]), -np.inf)
    np.maximum.at(high, owner, rows)
    if neutral is not None:
        low = np.full(n_texts, np.inf)
        np.minimum.at(low, owner, rows[:, neutral])
        high[:, neutral] = low
    if renormalise:
        total = high.sum(axis=1, keepdims=True)
        high = np.divide(high, total, out=np.zeros_like(high), where=total > 0)
    return high.astype(np.float32)


def score_sorted(
    texts: Sequence[str],
    *,
    tokenizer: Any,
    forward: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    taxonomy: Taxonomy,
    batch_size: int,
    max_length: int,
    device: torch.device,
    readable: Callable[[object], bool] = has_words,
    pad_id: int | None = None,
) -> npt.NDArray[np.float32]:
    """Score texts with ``forward(input_ids, attention_mask) -> probabilities``, length-sorted.

    Texts that are not ``readable`` get :func:`neutral_row`. ``pad_id``: see :func:`run_sorted`.
    """
    out = run_sorted(
        texts,
        tokenizer=tokenizer,
        forward=forward,
        empty_row=neutral_row(taxonomy),
        batch_size=batch_size,
        max_length=max_length,
        device=device,
        readable=readable,
        pad_id=pad_id,
    )
    return out.clip(0.0, 1.0).astype(np.float32)


class SortedBatchScorer:
    """Base of the transformer scorers: ``score`` runs :func:`score_sorted` with ``_forward``.

    Subclasses set ``tokenizer``, ``_taxonomy``, ``batch_size``, ``max_length`` and ``device``
    and implement ``_forward(input_ids, attention_mask) -> probabilities``; ``_readable(text)``
    says which texts go to the model (default :func:`has_words`). ``pad_id`` is the id padding is
    filled with (None: the tokenizer's, :func:`tokenizer_pad_id`).
    """

    tokenizer: Any
    _taxonomy: Taxonomy
    batch_size: int
    max_length: int
    device: torch.device
    pad_id: int | None = None

    def _forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def _readable(self, text: object) -> bool:
        """Whether ``text`` is sent to the model (else it gets :func:`neutral_row`)."""
        return has_words(text)

    def score(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Per-label probabilities, shape ``(len(texts), n_labels)``, float32 in [0, 1]."""
        return score_sorted(
            scorer_texts(texts),
            tokenizer=self.tokenizer,
            forward=self._forward,
            taxonomy=self._taxonomy,
            batch_size=self.batch_size,
            max_length=self.max_length,
            device=self.device,
            readable=self._readable,
            pad_id=self.pad_id,
        )


#: What a scorer's network is: a torch module, or anything called like one
#: (:class:`journeymap.emotions._onnx.OnnxNetwork`): ``network(input_ids, attention_mask)``.
Network = Callable[["torch.Tensor", "torch.Tensor"], "torch.Tensor"]


def _check_cuda(device: object) -> None:
    """Refuse, naming the device, to load onto CUDA where this torch has none (torch's own error is an AssertionError)."""
    import torch

    if isinstance(device, torch.device) and device.type == "cuda" and not torch.cuda.is_available():
        msg = f"device={str(device)!r}: this torch has no CUDA device (a CPU build, or no GPU); use 'cpu' or None"
        raise InvalidArgumentError(msg)


class LazyNetworkScorer(SortedBatchScorer):
    """A :class:`SortedBatchScorer` whose network and tokenizer are built on the first text to score.

    Subclasses implement ``_build() -> (network, tokenizer)``; a run whose texts are all in the
    score cache (which needs only the id and the taxonomy) never builds them.

    A subclass whose id carries a fingerprint of its weight files sets ``_fingerprint`` (what
    the id names) and implements ``_weights_now() -> (fingerprint, folder)``: the files are
    fingerprinted again before and after the build, and a change since the id was made fails
    with :class:`~journeymap.ModelLoadError` (else the new weights' scores would be cached under
    the old weights' id).
    """

    _model: Network | None = None
    _tokenizer: Any = None
    #: The fingerprint of the weight files the id names (None: the id names none).
    _fingerprint: str | None = None

    def _build(self) -> tuple[Network, Any]:
        raise NotImplementedError

    def _weights_now(self) -> tuple[str, Any]:
        """The fingerprint of the weight files as they are now, and the folder that holds them."""
        raise NotImplementedError

    def _check_weights(self) -> None:
        """Fail when the weight files are no longer those the id was made from (see the class docstring)."""
        if self._fingerprint is None:
            return
        scorer_id = getattr(self, "id", type(self).__name__)
        try:
            now, folder = self._weights_now()
        except OSError as exc:
            msg = f"the weights of scorer {scorer_id!r} cannot be read any more: {exc}"
            raise ModelLoadError(msg) from exc
        if now != self._fingerprint:
            msg = (
                f"the weights in {folder} changed since the scorer {scorer_id!r} was built (fingerprint "
                f"{self._fingerprint} then, {now} now): its id names the old weights, so the new ones' scores would "
                "be cached and attributed under it. Build a new scorer (jm.get_scorer(...)) to use the new weights."
            )
            raise ModelLoadError(msg)

    def _load(self) -> tuple[Network, Any]:
        from journeymap._loading import LOAD_LOCK

        with LOAD_LOCK:  # threads sharing the scorer build it once (the others wait, then reuse it)
            if self._model is None or self._tokenizer is None:
                _check_cuda(getattr(self, "device", None))
                self._check_weights()  # the id was made at construction; the files are read only now
                # _build draws no random number (heads left uninitialised, then loaded): the caller's
                # torch.manual_seed sequence is not moved, and is not saved and put back either, which
                # made the numbers other threads drew during the build come again after it
                try:
                    model, tokenizer = self._build()
                except JourneyMapError:
                    raise
                except OSError as exc:  # a file of the model missing or unwritable: not the texts' fault
                    scorer_id = getattr(self, "id", type(self).__name__)
                    msg = f"could not load the model of scorer {scorer_id!r}: {exc}"
                    raise ModelLoadError(msg) from exc
                self._check_weights()  # and not rewritten while they were being read
                self._model, self._tokenizer = model, tokenizer
            return self._model, self._tokenizer

    @property
    def loaded(self) -> bool:
        """Whether the network has been built (it is, on the first call that scores a text)."""
        return self._model is not None

    def __getstate__(self) -> dict[str, Any]:
        # Pickled as its settings: the copy (a Dask worker's, say) builds its own network on
        # first use, instead of receiving one the size of the model.
        state = self.__dict__.copy()
        state.pop("_model", None)
        state.pop("_tokenizer", None)
        return state

    @property
    def model(self) -> Network:
        """The network (built on first use): a torch module, or an ONNX Runtime session called like one."""
        return self._model if self._model is not None else self._load()[0]

    @property
    def tokenizer(self) -> Any:
        """The tokenizer (loaded with the network, on first use)."""
        return self._tokenizer if self._tokenizer is not None else self._load()[1]


def _one_thread_after_fork() -> None:
    """In a forked child: torch on one thread (its parent's OpenMP pool did not come along)."""
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(1)


@functools.cache
def guard_fork() -> None:
    """Make a process forked from this one run torch on one thread (registered once per process).

    GNU OpenMP's thread pool does not survive ``fork``: a child forked after the parent ran a
    model on several threads hangs in its first parallel operator (a ``ProcessPoolExecutor``
    on Linux forks by default; a scorer sent to it loads its weights there). PyTorch's own
    ``DataLoader`` workers run on one thread for the same reason; a pool of worker processes
    is also what one thread each suits. Processes started with ``spawn`` or ``forkserver`` are
    fresh and unaffected.
    """
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_one_thread_after_fork)


def pick_device(device: str | None, *, what: str = "this model") -> torch.device:
    """The torch device: as asked, else CUDA when available, else CPU.

    Every model picks its device before it builds anything: without torch, this is where a
    :class:`~journeymap.ModelLoadError` says so (``what`` needs it) and how to install it.
    """
    from journeymap._loading import require

    require("torch", what)
    import torch

    guard_fork()  # every model built here picks its device first
    if device:
        try:  # a CUDA device need not exist here (a scorer built on a client for GPU workers): checked on loading
            return torch.device(device)
        except RuntimeError as exc:  # "Expected one of cpu, cuda, ... device type"
            msg = f"device={device!r} is not a torch device; use 'cpu', 'cuda', 'cuda:1', 'mps' or None (CUDA when available)"
            raise InvalidArgumentError(msg) from exc
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def device_key(device: object) -> object:
    """The device a model asked for ``device`` runs on, as a key for sharing its network.

    ``None`` (the default: CUDA when available, else CPU) and the device it picks are one key,
    as are ``"cuda"`` and ``"cuda:<n>"`` of the current CUDA device, so that ``device=None`` and
    ``device="cpu"`` on a machine without a GPU share one network (:func:`pick_device` picks the
    same device for both). A value that is no torch device, and any value without torch
    installed, is its own key (the model's build says what is wrong with it).

    Examples:
        >>> import torch
        >>> device_key("cpu"), device_key(torch.device("cpu")), device_key(" mps") == " mps"
        ('cpu', 'cpu', True)
        >>> device_key(None) == device_key("cuda" if torch.cuda.is_available() else "cpu")
        True
    """
    if device is None or isinstance(device, str):
        asked = device
    elif type(device).__name__ == "device":  # a torch.device
        asked = str(device)
    else:
        return device
    try:
        import torch
    except ImportError:
        return device
    try:
        picked = torch.device(asked) if asked else torch.device("cuda" if torch.cuda.is_available() else "cpu")
    except (RuntimeError, TypeError):  # no torch device: its own key
        return device
    if picked.type == "cuda" and picked.index is None and torch.cuda.is_available():
        picked = torch.device("cuda", torch.cuda.current_device())
    return str(picked)
