"""The conformance suites scorer and encoder plugins must pass, as named checks.

Each promise of the :class:`~journeymap.EmotionScorer` contract is one function
``check_<promise>(scorer)`` that returns nothing when the scorer keeps it and raises
:class:`ScorerCheckError` (naming the scorer, the check and what failed) when it does not;
each promise of the :class:`~journeymap.topics.SentenceEncoder` contract is one
``check_encoder_<promise>(encoder)``, raising :class:`EncoderCheckError`. No check uses
``assert``, so the suites work the same under ``python -O``.

Three ways to run them:

* :func:`check_scorer` (:func:`check_encoder`) runs every check and raises one error listing
  every failure;
* :func:`scorer_checks` (:func:`encoder_checks`) yields the ``(name, check)`` pairs, to run
  them one by one;
* :func:`parametrize_with_checks` (:func:`parametrize_with_encoder_checks`) makes one pytest
  case per plugin and check (like scikit-learn's ``parametrize_with_checks``), so each failure
  is reported under its own name.
"""

from __future__ import annotations

import functools
import pickle
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from journeymap.emotions.scorer import OUTPUTS, EmotionScorer, id_problem, languages_problem
from journeymap.emotions.taxonomy import Taxonomy
from journeymap.exceptions import JourneyMapError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence

    import numpy.typing as npt

__all__ = [
    "ADVERSARIAL_TEXTS",
    "MAX_TOLERANCE",
    "NO_WORDS",
    "TOLERANCE",
    "EncoderCheckError",
    "ScorerCheckError",
    "check_batch_invariance",
    "check_deterministic",
    "check_empty_batch",
    "check_encoder",
    "check_encoder_batch_invariance",
    "check_encoder_deterministic",
    "check_encoder_empty_batch",
    "check_encoder_id_dim",
    "check_encoder_input_unchanged",
    "check_encoder_no_words",
    "check_encoder_output",
    "check_encoder_pickle",
    "check_encoder_protocol",
    "check_id",
    "check_input_unchanged",
    "check_languages",
    "check_output_shape_dtype_range",
    "check_outputs",
    "check_protocol",
    "check_scorer",
    "check_taxonomy",
    "check_valence_range",
    "encoder_checks",
    "parametrize_with_checks",
    "parametrize_with_encoder_checks",
    "scorer_checks",
]

#: Texts every scorer must handle without failing.
ADVERSARIAL_TEXTS: tuple[str, ...] = (
    "",
    " ",
    "😡😡😡",
    "!!!???",
    "thank you so much, that fixed it!",
    "this is the worst service I have ever had",
    "c'est vraiment nul, personne ne répond",
    "配送が遅れています",
    "word " * 2000,
    "a\x00b\ud800",
    "<script>alert(1)</script>",
)

#: How far two scores of the same text may differ (batch invariance, repeated calls).
TOLERANCE = 1e-3
#: The widest tolerance a plugin may declare for itself (reduced precision, such as bfloat16).
MAX_TOLERANCE = 0.05
#: The texts check_batch_invariance also scores alone (a short and a longer one, with words).
_ALONE = (4, 5)


class _ContractError(JourneyMapError, AssertionError):
    """What both suites raise: the plugin's description and ``(check name, what failed)`` pairs."""

    _kind = "contract"

    def __init__(self, subject: str, failures: Sequence[tuple[str, str]]) -> None:
        self.failures: tuple[tuple[str, str], ...] = tuple(failures)
        self._subject = subject
        super().__init__(self._message())

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self._subject, self.failures))

    def _message(self) -> str:
        if len(self.failures) == 1:
            check, what = self.failures[0]
            return f"{self._subject} fails {check}: {what}"
        lines = "".join(f"\n- {check}: {what}" for check, what in self.failures)
        return f"{self._subject} fails {len(self.failures)} {self._kind} checks:{lines}"


class ScorerCheckError(_ContractError):
    """A scorer that breaks the :class:`~journeymap.EmotionScorer` contract.

    An ``AssertionError`` (so test runners report it as a failed check) and a
    :class:`~journeymap.JourneyMapError`, raised explicitly: it is not switched off by
    ``python -O``.

    Attributes:
        scorer: the scorer's description (class name and id).
        failures: ``(check name, what failed)`` pairs, one per failed check.

    Examples:
        >>> err = ScorerCheckError("Mine (id 'mine.v1')", [("check_id", "id must be a non-empty string, got ''")])
        >>> str(err)
        "Mine (id 'mine.v1') fails check_id: id must be a non-empty string, got ''"
        >>> isinstance(err, AssertionError)
        True
    """

    _kind = "scorer"

    def __init__(self, scorer: str, failures: Sequence[tuple[str, str]]) -> None:
        self.scorer = scorer
        super().__init__(scorer, failures)


def _describe(scorer: Any) -> str:
    """The scorer as error messages name it: its class, and its id where it has a readable one."""
    name = type(scorer).__name__
    try:
        ident = scorer.id
    except Exception:  # a broken id is reported by check_id, not here
        return name
    return f"{name} (id {ident!r})" if isinstance(ident, str) and ident else name


@dataclass(frozen=True)
class _Contract:
    """What differs between the scorer and the encoder suites: the error, the method, the words."""

    error: type[_ContractError]
    method: str  # the method under test: "score" or "encode"
    noun: str  # what it returns per text: "score" or "vector"
    gerund: str  # "scoring" or "encoding"


def _fail(contract: _Contract, obj: Any, check: str, problems: list[str]) -> None:
    if problems:
        raise contract.error(_describe(obj), [(check, "; ".join(problems))])


def _call(contract: _Contract, obj: Any, texts: Sequence[str], check: str) -> npt.NDArray[Any]:
    """``obj.score(texts)`` (or ``encode``) as an array; a crash or a non-array is a failure of ``check``."""
    try:
        out = getattr(obj, contract.method)(texts)
    except Exception as exc:
        shown = "ADVERSARIAL_TEXTS" if len(texts) == len(ADVERSARIAL_TEXTS) else f"{len(texts)} text(s)"
        raise contract.error(_describe(obj), [(check, f"{contract.method}({shown}) raised {_raised(exc)}")]) from exc
    if not isinstance(out, np.ndarray):
        what = f"{contract.method} must return a numpy array, got {type(out).__name__}"
        raise contract.error(_describe(obj), [(check, what)])
    return out


def _table(contract: _Contract, obj: Any, texts: Sequence[str], check: str) -> npt.NDArray[Any]:
    """The output for ``texts``, which must have one numeric row per text for ``check`` to compare rows."""
    out = _call(contract, obj, texts, check)
    if out.ndim != 2 or out.shape[0] != len(texts) or not np.issubdtype(out.dtype, np.number):
        what = f"cannot run: {contract.method} returned a {out.dtype} array of shape {out.shape} for {len(texts)} text(s)"
        raise contract.error(_describe(obj), [(check, what)])
    return out


def _empty_batch(contract: _Contract, obj: Any, check: str, width: int) -> None:
    out = _call(contract, obj, [], check)
    expected = (0, width)
    problems = [] if out.shape == expected else [f"{contract.method}([]) must have shape {expected}, got {out.shape}"]
    _fail(contract, obj, check, problems)


def _tolerance(obj: Any) -> float:
    """:data:`TOLERANCE`, or the plugin's own ``tolerance`` where wider, capped at :data:`MAX_TOLERANCE`.

    A plugin computing in reduced precision (bfloat16 rounds at the third significant digit) may
    declare how far two scores of one text can differ; a bad or missing value counts as none.
    """
    declared = getattr(obj, "tolerance", None)
    if isinstance(declared, bool) or not isinstance(declared, (int, float)) or not np.isfinite(declared):
        return TOLERANCE
    return float(min(max(TOLERANCE, declared), MAX_TOLERANCE))


def _batch_invariance(contract: _Contract, obj: Any, check: str) -> None:
    tolerance = _tolerance(obj)
    texts = list(ADVERSARIAL_TEXTS)
    together = _table(contract, obj, texts, check)
    backwards = _table(contract, obj, texts[::-1], check)[::-1]
    problems = []
    alone = {i: _table(contract, obj, [texts[i]], check) for i in _ALONE}
    widths = sorted({out.shape[1] for out in alone.values()} - {together.shape[1]})
    if widths:  # not a difference in value: name the shapes (the widths must match to compare at all)
        problems.append(
            f"{contract.method} returned shape {(1, widths[0])} for 1 text but {together.shape} for "
            f"{len(texts)} texts: each text must get a row of the same width, whatever the batch"
        )
    else:
        worst_alone = max(_max_difference(out, together[i : i + 1]) for i, out in alone.items())
        if worst_alone > tolerance:
            problems.append(
                f"a text's {contract.noun} changes with the batch it is in (by up to {worst_alone:.4g} alone vs together)"
            )
    worst_order = _max_difference(backwards, together)
    if worst_order > tolerance:
        problems.append(f"a text's {contract.noun} changes with its position in the batch (by up to {worst_order:.4g})")
    _fail(contract, obj, check, problems)


def _deterministic(contract: _Contract, obj: Any, check: str) -> None:
    texts = list(ADVERSARIAL_TEXTS)
    worst = _max_difference(_table(contract, obj, texts, check), _table(contract, obj, texts, check))
    problems = [] if worst <= _tolerance(obj) else [f"{contract.gerund} the same texts twice differs by up to {worst:.4g}"]
    _fail(contract, obj, check, problems)


def _input_unchanged(contract: _Contract, obj: Any, check: str) -> None:
    texts = list(ADVERSARIAL_TEXTS)
    _call(contract, obj, texts, check)
    problems = [] if texts == list(ADVERSARIAL_TEXTS) else [f"{contract.method} changed the list of texts it was given"]
    _fail(contract, obj, check, problems)


def _run_all(contract: _Contract, obj: Any, checks: Sequence[Callable[[Any], None]]) -> None:
    """Run every check; raise one error listing every failure (a check that crashes counts as failed)."""
    failures: list[tuple[str, str]] = []
    for check in checks:
        try:
            check(obj)
        except contract.error as err:
            failures.extend(err.failures)
        except Exception as exc:  # a check that cannot even run is a failure too
            failures.append((check.__name__, f"raised {_raised(exc)}"))
    if failures:
        raise contract.error(_describe(obj), failures)


def _parametrize(argname: str, objs: Iterable[Any], checks: Sequence[Callable[[Any], None]]) -> Any:
    import pytest

    cases = [pytest.param(o, c, id=f"{type(o).__name__}-{c.__name__}") for o in objs for c in checks]
    return pytest.mark.parametrize((argname, "check"), cases)


_SCORER = _Contract(ScorerCheckError, "score", "score", "scoring")


def _n_labels(scorer: Any, check: str) -> int:
    """The number of score columns, from the taxonomy; a failure of ``check`` without one."""
    try:
        taxonomy = scorer.taxonomy
    except Exception as exc:
        raise ScorerCheckError(_describe(scorer), [(check, f"cannot run: reading taxonomy raised {_raised(exc)}")]) from exc
    if not isinstance(taxonomy, Taxonomy):
        what = f"cannot run: taxonomy is a {type(taxonomy).__name__}, not a journeymap Taxonomy"
        raise ScorerCheckError(_describe(scorer), [(check, what)])
    return len(taxonomy.labels)


def _raised(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _max_difference(a: npt.NDArray[Any], b: npt.NDArray[Any]) -> float:
    if a.shape != b.shape:
        return float("inf")
    with np.errstate(invalid="ignore"):
        diff = np.abs(a.astype(np.float64) - b.astype(np.float64))
    return float(np.nanmax(diff)) if diff.size and not np.isnan(diff).all() else 0.0


def check_protocol(scorer: Any) -> None:
    """The scorer has ``id``, ``taxonomy`` and a callable ``score``.

    Examples:
        >>> class NoScore:
        ...     id = "x.v1"
        ...     taxonomy = Taxonomy.sentiment()
        >>> try:
        ...     check_protocol(NoScore())
        ... except ScorerCheckError as err:
        ...     print(err)
        NoScore (id 'x.v1') fails check_protocol: it has no score
    """
    problems = [f"it has no {attr}" for attr in ("id", "taxonomy", "score") if not hasattr(scorer, attr)]
    if not problems and not callable(scorer.score):
        problems.append("score is not callable")
    if not problems and not isinstance(scorer, EmotionScorer):
        problems.append("it is not an EmotionScorer")
    _fail(_SCORER, scorer, "check_protocol", problems)


def check_id(scorer: Any) -> None:
    """``id`` is a non-empty, printable string without surrounding whitespace, the same on every read.

    Examples:
        >>> class Blank:
        ...     id = ""
        >>> try:
        ...     check_id(Blank())
        ... except ScorerCheckError as err:
        ...     print(err)
        Blank fails check_id: id must be a non-empty string, got ''
    """
    try:
        first, second = scorer.id, scorer.id
    except Exception as exc:
        raise ScorerCheckError(_describe(scorer), [("check_id", f"reading id raised {_raised(exc)}")]) from exc
    problem = id_problem(first)  # the rule journeymap.get_scorer applies
    problems = [problem] if problem else []
    if first != second:
        problems.append(f"id changes between reads ({first!r}, then {second!r}); cached scores are keyed by it")
    _fail(_SCORER, scorer, "check_id", problems)


def check_taxonomy(scorer: Any) -> None:
    """``taxonomy`` is a :class:`~journeymap.Taxonomy` with at least one label.

    Examples:
        >>> class Labels:
        ...     id = "x.v1"
        ...     taxonomy = ("joy", "anger")
        >>> try:
        ...     check_taxonomy(Labels())
        ... except ScorerCheckError as err:
        ...     print(err)
        Labels (id 'x.v1') fails check_taxonomy: taxonomy must be a journeymap Taxonomy, got tuple
    """
    try:
        taxonomy = scorer.taxonomy
    except Exception as exc:
        raise ScorerCheckError(_describe(scorer), [("check_taxonomy", f"reading taxonomy raised {_raised(exc)}")]) from exc
    problems = []
    if not isinstance(taxonomy, Taxonomy):
        problems.append(f"taxonomy must be a journeymap Taxonomy, got {type(taxonomy).__name__}")
    elif not taxonomy.labels:
        problems.append("taxonomy has no labels")
    _fail(_SCORER, scorer, "check_taxonomy", problems)


def check_output_shape_dtype_range(scorer: Any) -> None:
    """``score`` returns a float32 array of shape ``(len(texts), n_labels)``, finite, in [0, 1].

    On :data:`ADVERSARIAL_TEXTS`: empty, blank, emoji-only, very long, non-English, a NUL and a
    lone surrogate (invalid unicode), markup.

    Examples:
        >>> class Percent:
        ...     id = "percent.v1"
        ...     taxonomy = Taxonomy.sentiment()
        ...     def score(self, texts):
        ...         return np.full((len(texts), 4), 25.0, dtype=np.float32)
        >>> try:
        ...     check_output_shape_dtype_range(Percent())
        ... except ScorerCheckError as err:
        ...     print(err)
        Percent (id 'percent.v1') fails check_output_shape_dtype_range: score returned values outside [0, 1] (min 25, max 25)
    """
    check = "check_output_shape_dtype_range"
    k = _n_labels(scorer, check)
    out = _call(_SCORER, scorer, list(ADVERSARIAL_TEXTS), check)
    problems = []
    expected = (len(ADVERSARIAL_TEXTS), k)
    if out.shape != expected:
        problems.append(f"score returned shape {out.shape}, expected {expected}")
    if out.dtype != np.float32:
        problems.append(f"score must return float32, got {out.dtype}")
    if np.issubdtype(out.dtype, np.number) and out.size:
        values = out.astype(np.float64)
        finite = np.isfinite(values)
        if not finite.all():
            problems.append(f"score returned NaN or inf ({int((~finite).sum())} values)")
        inside = values[finite]
        if inside.size and (inside.min() < 0 or inside.max() > 1):
            problems.append(f"score returned values outside [0, 1] (min {inside.min():.4g}, max {inside.max():.4g})")
    elif not np.issubdtype(out.dtype, np.number):
        problems.append(f"score returned non-numbers ({out.dtype})")
    _fail(_SCORER, scorer, check, problems)


def check_empty_batch(scorer: Any) -> None:
    """``score([])`` returns an empty array of shape ``(0, n_labels)``.

    Examples:
        >>> class Flat:
        ...     id = "flat.v1"
        ...     taxonomy = Taxonomy.sentiment()
        ...     def score(self, texts):
        ...         return np.zeros(len(texts), dtype=np.float32)
        >>> try:
        ...     check_empty_batch(Flat())
        ... except ScorerCheckError as err:
        ...     print(err)
        Flat (id 'flat.v1') fails check_empty_batch: score([]) must have shape (0, 4), got (0,)
    """
    check = "check_empty_batch"
    _empty_batch(_SCORER, scorer, check, _n_labels(scorer, check))


def check_batch_invariance(scorer: Any) -> None:
    """A text's score does not depend on the other texts in its batch, nor on its position.

    Scores :data:`ADVERSARIAL_TEXTS` together, in order and reversed, and two of them (of
    different lengths) alone, and compares within :data:`TOLERANCE`, or within the scorer's own
    ``tolerance`` attribute where it declares a wider one (reduced precision), capped at
    :data:`MAX_TOLERANCE`.

    Examples:
        >>> class Relative:
        ...     id = "relative.v1"
        ...     taxonomy = Taxonomy.sentiment()
        ...     def score(self, texts):
        ...         n = np.array([len(t) for t in texts], dtype=np.float32)
        ...         return np.repeat((n / max(n.max(initial=0), 1))[:, None], 4, axis=1)
        >>> try:
        ...     check_batch_invariance(Relative())
        ... except ScorerCheckError as err:
        ...     print(err)
        Relative (id 'relative.v1') fails check_batch_invariance: a text's score changes with the batch it is in ...
    """
    _batch_invariance(_SCORER, scorer, "check_batch_invariance")


def check_deterministic(scorer: Any) -> None:
    """Scoring the same texts twice gives the same scores (within :data:`TOLERANCE`).

    Examples:
        >>> class Dice:
        ...     id = "dice.v1"
        ...     taxonomy = Taxonomy.sentiment()
        ...     rng = np.random.default_rng(0)
        ...     def score(self, texts):
        ...         return self.rng.random((len(texts), 4), dtype=np.float32)
        >>> try:
        ...     check_deterministic(Dice())
        ... except ScorerCheckError as err:
        ...     print(err)
        Dice (id 'dice.v1') fails check_deterministic: scoring the same texts twice differs by up to ...
    """
    _deterministic(_SCORER, scorer, "check_deterministic")


def check_input_unchanged(scorer: Any) -> None:
    """``score`` leaves the list it is given as it was (no sorting or editing in place).

    Examples:
        >>> class Sorts:
        ...     id = "sorts.v1"
        ...     taxonomy = Taxonomy.sentiment()
        ...     def score(self, texts):
        ...         texts.sort()
        ...         return np.zeros((len(texts), 4), dtype=np.float32)
        >>> try:
        ...     check_input_unchanged(Sorts())
        ... except ScorerCheckError as err:
        ...     print(err)
        Sorts (id 'sorts.v1') fails check_input_unchanged: score changed the list of texts it was given
    """
    _input_unchanged(_SCORER, scorer, "check_input_unchanged")


def check_valence_range(scorer: Any) -> None:
    """The valence the taxonomy derives from the scores of :data:`ADVERSARIAL_TEXTS` is in [-1, 1].

    Examples:
        >>> class Infinite:
        ...     id = "infinite.v1"
        ...     taxonomy = Taxonomy.sentiment()
        ...     def score(self, texts):
        ...         return np.full((len(texts), 4), np.inf, dtype=np.float32)
        >>> try:
        ...     check_valence_range(Infinite())
        ... except ScorerCheckError as err:
        ...     print(err)
        Infinite (id 'infinite.v1') fails check_valence_range: valence outside [-1, 1] (or NaN) for 11 text(s)
    """
    check = "check_valence_range"
    k = _n_labels(scorer, check)
    out = _table(_SCORER, scorer, list(ADVERSARIAL_TEXTS), check)
    if out.shape[1] != k:
        raise ScorerCheckError(_describe(scorer), [(check, f"cannot run: score returned {out.shape[1]} columns for {k} labels")])
    try:
        with np.errstate(all="ignore"):  # inf or NaN scores: the NaN valence is the finding
            valence = np.asarray(scorer.taxonomy.valence_of(out), dtype=np.float64)
    except Exception as exc:
        raise ScorerCheckError(_describe(scorer), [(check, f"taxonomy.valence_of(scores) raised {_raised(exc)}")]) from exc
    bad = ~((valence >= -1) & (valence <= 1))  # NaN is outside too
    _fail(_SCORER, scorer, check, [f"valence outside [-1, 1] (or NaN) for {int(bad.sum())} text(s)"] if bad.any() else [])


#: Sentiment outputs whose three probabilities must sum to 1, within this.
SUM_TOLERANCE = 1e-3
_SENTIMENT_OUTPUTS = ("sentiment_negative", "sentiment_neutral", "sentiment_positive")


def _declared_outputs(scorer: Any, check: str) -> tuple[str, ...] | None:
    """The scorer's ``outputs`` as a tuple of names, None without ``score_outputs``; a failure when unreadable."""
    if not callable(getattr(scorer, "score_outputs", None)):
        return None
    try:
        declared = scorer.outputs
    except Exception as exc:
        raise ScorerCheckError(_describe(scorer), [(check, f"reading outputs raised {_raised(exc)}")]) from exc
    if isinstance(declared, str) or not all(isinstance(name, str) for name in declared or ()):
        what = f"outputs must be a tuple of output names, got {declared!r}"
        raise ScorerCheckError(_describe(scorer), [(check, what)])
    return tuple(declared or ())


def _outputs_names_problems(declared: tuple[str, ...]) -> list[str]:
    """What is wrong with the names in ``outputs``: unknown, out of order, sentiment not all three."""
    unknown = [name for name in declared if name not in OUTPUTS]
    if unknown:
        return [f"outputs names unknown outputs {unknown}; known: {list(OUTPUTS)}"]
    problems = []
    if list(declared) != sorted(declared, key=OUTPUTS.index) or len(set(declared)) != len(declared):
        problems.append(f"outputs must be in the order of OUTPUTS, each once: {list(OUTPUTS)}; got {list(declared)}")
    present = [name for name in _SENTIMENT_OUTPUTS if name in declared]
    if present and len(present) != len(_SENTIMENT_OUTPUTS):
        problems.append(f"outputs has {present} but not all three sentiment outputs {list(_SENTIMENT_OUTPUTS)}")
    return problems


def _outputs_values_problems(values: npt.NDArray[np.float64], k: int, declared: tuple[str, ...]) -> list[str]:
    """What is wrong with the values of ``score_outputs``: NaN, probabilities outside [0, 1], sums, counts."""
    problems = []
    if not np.isfinite(values).all():
        problems.append(f"score_outputs returned NaN or inf ({int((~np.isfinite(values)).sum())} values)")
    column = {name: k + j for j, name in enumerate(declared)}
    inside = values[:, [*range(k), *(column[name] for name in declared if name != "unread_tokens")]]
    with np.errstate(invalid="ignore"):
        if np.nanmin(inside, initial=0.0) < 0 or np.nanmax(inside, initial=0.0) > 1:
            low, high = np.nanmin(inside, initial=0.0), np.nanmax(inside, initial=0.0)
            problems.append(f"score_outputs returned probabilities outside [0, 1] (min {low:.4g}, max {high:.4g})")
        if all(name in column for name in _SENTIMENT_OUTPUTS):
            total = values[:, [column[name] for name in _SENTIMENT_OUTPUTS]].sum(axis=1)
            off = np.nan_to_num(np.abs(total - 1.0), nan=np.inf)
            if (off > SUM_TOLERANCE).any():
                problems.append(f"the three sentiment outputs must sum to 1; they sum to {float(total[np.argmax(off)]):.4g}")
        if "unread_tokens" in column:
            unread = values[:, column["unread_tokens"]]
            if not ((unread >= 0) & (unread == np.round(unread))).all():
                problems.append("unread_tokens must be a whole number of tokens, 0 or more")
    return problems


def check_outputs(scorer: Any) -> None:
    """A scorer with ``score_outputs`` keeps the :class:`~journeymap.emotions.scorer.SentimentScorer` contract.

    ``outputs`` names known outputs (:data:`~journeymap.emotions.scorer.OUTPUTS`) in that order,
    the three sentiment outputs all or none; ``score_outputs`` returns float32 of shape
    ``(len(texts), n_labels + len(outputs))`` on :data:`ADVERSARIAL_TEXTS`, finite; its label
    columns are what ``score`` returns (within the tolerance); the probabilities (labels,
    sentiment, irony) are in [0, 1] and the three sentiment ones sum to 1 (within 0.001);
    ``unread_tokens`` is a whole number, 0 or more. A scorer without ``score_outputs`` passes.

    Examples:
        >>> class Forgetful:
        ...     id = "forgetful.v1"
        ...     taxonomy = Taxonomy.sentiment()
        ...     outputs = ("sentiment_negative", "sentiment_neutral", "sentiment_positive")
        ...     def score(self, texts):
        ...         return np.full((len(texts), 4), 0.25, dtype=np.float32)
        ...     def score_outputs(self, texts):  # the outputs without the labels before them
        ...         return np.full((len(texts), 3), 1 / 3, dtype=np.float32)
        >>> try:
        ...     check_outputs(Forgetful())
        ... except ScorerCheckError as err:
        ...     print(err)
        Forgetful (id 'forgetful.v1') fails check_outputs: score_outputs returned shape (11, 3), expected (11, 7): ...
    """
    check = "check_outputs"
    declared = _declared_outputs(scorer, check)
    if declared is None:
        return
    _fail(_SCORER, scorer, check, _outputs_names_problems(declared))
    k = _n_labels(scorer, check)
    texts = list(ADVERSARIAL_TEXTS)
    try:
        out = scorer.score_outputs(texts)
    except Exception as exc:
        raise ScorerCheckError(_describe(scorer), [(check, f"score_outputs(ADVERSARIAL_TEXTS) raised {_raised(exc)}")]) from exc
    if not isinstance(out, np.ndarray) or not np.issubdtype(out.dtype, np.number):
        what = type(out).__name__ if not isinstance(out, np.ndarray) else f"an array of {out.dtype}"
        _fail(_SCORER, scorer, check, [f"score_outputs must return a numpy array of numbers, got {what}"])
    expected = (len(texts), k + len(declared))
    if out.shape != expected:
        what = f"score_outputs returned shape {out.shape}, expected {expected}: {k} labels, then the outputs {list(declared)}"
        _fail(_SCORER, scorer, check, [what])
    problems = [] if out.dtype == np.float32 else [f"score_outputs must return float32, got {out.dtype}"]
    values = out.astype(np.float64)
    problems += _outputs_values_problems(values, k, declared)
    try:
        labels = _table(_SCORER, scorer, texts, check)
    except ScorerCheckError:
        labels = None  # check_output_shape_dtype_range reports a bad score()
    if labels is not None and labels.shape == (len(texts), k):
        worst = _max_difference(values[:, :k], labels)
        if worst > _tolerance(scorer):
            problems.append(f"the label columns of score_outputs differ from score by up to {worst:.4g}")
    _fail(_SCORER, scorer, check, problems)


def check_languages(scorer: Any) -> None:
    """``languages``, where the scorer declares it, is None or a non-empty collection of language codes.

    A bare string (``"en"``) would be read letter by letter (``{"e", "n"}``), and every English
    text would be left unscored.

    Examples:
        >>> class Bare:
        ...     id = "bare.v1"
        ...     taxonomy = Taxonomy.sentiment()
        ...     languages = "en"
        ...     def score(self, texts):
        ...         return np.full((len(texts), 4), 0.25, dtype=np.float32)
        >>> try:
        ...     check_languages(Bare())
        ... except ScorerCheckError as err:
        ...     print(err)
        Bare (id 'bare.v1') fails check_languages: languages must be codes such as ('en',), not the string 'en'
    """
    check = "check_languages"
    try:
        declared = getattr(scorer, "languages", None)
    except Exception as exc:
        raise ScorerCheckError(_describe(scorer), [(check, f"reading languages raised {_raised(exc)}")]) from exc
    problem = languages_problem(declared)
    _fail(_SCORER, scorer, check, [problem] if problem else [])


#: Every check, in the order :func:`check_scorer` runs them.
CHECKS: tuple[Callable[[Any], None], ...] = (
    check_protocol,
    check_id,
    check_taxonomy,
    check_output_shape_dtype_range,
    check_empty_batch,
    check_batch_invariance,
    check_deterministic,
    check_input_unchanged,
    check_valence_range,
    check_outputs,
    check_languages,
)


def scorer_checks(scorer: Any) -> Iterator[tuple[str, Callable[[], None]]]:
    """The checks for ``scorer`` as ``(name, check)`` pairs; calling ``check()`` runs it on the scorer.

    Examples:
        >>> class Constant:
        ...     id = "constant.v1"
        ...     taxonomy = Taxonomy.sentiment()
        ...     def score(self, texts):
        ...         return np.full((len(texts), 4), 0.25, dtype=np.float32)
        >>> for name, check in scorer_checks(Constant()):
        ...     check()
        >>> [name for name, _ in scorer_checks(Constant())][:3]
        ['check_protocol', 'check_id', 'check_taxonomy']
    """
    for check in CHECKS:
        yield check.__name__, functools.partial(check, scorer)


def check_scorer(scorer: Any) -> None:
    """Check that ``scorer`` honours the :class:`~journeymap.EmotionScorer` contract.

    Runs every check of :func:`scorer_checks` (the id, the taxonomy, the output's type, shape,
    dtype and range on hard inputs (empty, emoji-only, very long, non-English, invalid unicode),
    an empty batch, that scores do not depend on the batch a text is in, that repeated calls
    agree, that the input is left as it was, that valences are in range, and, for a scorer with
    ``score_outputs`` or ``languages``, that those keep their contract) and raises one
    :class:`ScorerCheckError` listing every failure; a check that crashes counts as failed.

    Raises:
        ScorerCheckError: an ``AssertionError`` naming the scorer and each failed check.

    Examples:
        >>> class Constant:
        ...     id = "constant.v1"
        ...     taxonomy = Taxonomy.sentiment()
        ...     def score(self, texts):
        ...         return np.full((len(texts), 4), 0.25, dtype=np.float32)
        >>> check_scorer(Constant())
        >>> class Broken(Constant):
        ...     id = ""
        ...     def score(self, texts):
        ...         return np.full((len(texts), 3), 2.0)
        >>> try:
        ...     check_scorer(Broken())
        ... except ScorerCheckError as err:
        ...     print(err)
        Broken fails 4 scorer checks:
        - check_id: id must be a non-empty string, got ''
        - check_output_shape_dtype_range: score returned shape (11, 3), expected (11, 4); score must return float32, ...
        - check_empty_batch: score([]) must have shape (0, 4), got (0, 3)
        - check_valence_range: cannot run: score returned 3 columns for 4 labels
    """
    _run_all(_SCORER, scorer, CHECKS)


def parametrize_with_checks(scorers: Iterable[Any]) -> Any:
    """A ``pytest.mark.parametrize`` decorator with one case per scorer and check.

    The cases are ``(scorer, check)`` with ids like ``Constant-check_empty_batch``; the test
    calls ``check(scorer)``. Imports pytest (a test-time dependency) only when called.

    Examples:
        >>> class Constant:
        ...     id = "constant.v1"
        ...     taxonomy = Taxonomy.sentiment()
        ...     def score(self, texts):
        ...         return np.full((len(texts), 4), 0.25, dtype=np.float32)
        >>> mark = parametrize_with_checks([Constant()])
        >>> mark.args[0], [case.id for case in mark.args[1]][:2]
        (('scorer', 'check'), ['Constant-check_protocol', 'Constant-check_id'])

        In a test module::

            @parametrize_with_checks([Constant(), LexiconScorer()])
            def test_scorer(scorer, check):
                check(scorer)
    """
    return _parametrize("scorer", scorers, CHECKS)


# -- sentence encoders ---------------------------------------------------------------------------
#: Positions in :data:`ADVERSARIAL_TEXTS` of the texts without words (empty, blank, emoji, punctuation).
NO_WORDS: tuple[int, ...] = (0, 1, 2, 3)
#: How far a vector's length may be from 1 (or, for a text without words, from 0).
NORM_TOLERANCE = 1e-3


class EncoderCheckError(_ContractError):
    """A sentence encoder that breaks the :class:`~journeymap.topics.SentenceEncoder` contract.

    An ``AssertionError`` and a :class:`~journeymap.JourneyMapError`, raised explicitly (not
    switched off by ``python -O``).

    Attributes:
        encoder: the encoder's description (class name and id).
        failures: ``(check name, what failed)`` pairs, one per failed check.

    Examples:
        >>> str(EncoderCheckError("Mine", [("check_encoder_id_dim", "dim must be a positive int, got 0")]))
        'Mine fails check_encoder_id_dim: dim must be a positive int, got 0'
    """

    _kind = "encoder"

    def __init__(self, encoder: str, failures: Sequence[tuple[str, str]]) -> None:
        self.encoder = encoder
        super().__init__(encoder, failures)


_ENCODER = _Contract(EncoderCheckError, "encode", "vector", "encoding")


def _dim(encoder: Any, check: str) -> int:
    """The encoder's ``dim``; a failure of ``check`` when it cannot be read or is not a positive int."""
    try:
        dim = encoder.dim
    except Exception as exc:
        raise EncoderCheckError(_describe(encoder), [(check, f"cannot run: reading dim raised {_raised(exc)}")]) from exc
    if isinstance(dim, bool) or not isinstance(dim, int) or dim < 1:
        raise EncoderCheckError(_describe(encoder), [(check, f"cannot run: dim is {dim!r}, not a positive int")])
    return dim


def check_encoder_protocol(encoder: Any) -> None:
    """The encoder has ``id``, ``dim`` and a callable ``encode``.

    Examples:
        >>> class NoEncode:
        ...     id = "x.v1"
        ...     dim = 8
        >>> try:
        ...     check_encoder_protocol(NoEncode())
        ... except EncoderCheckError as err:
        ...     print(err)
        NoEncode (id 'x.v1') fails check_encoder_protocol: it has no encode
    """
    problems = [f"it has no {attr}" for attr in ("id", "dim", "encode") if not hasattr(encoder, attr)]
    if not problems and not callable(encoder.encode):
        problems.append("encode is not callable")
    _fail(_ENCODER, encoder, "check_encoder_protocol", problems)


def check_encoder_id_dim(encoder: Any) -> None:
    """``id`` is a non-empty printable string, the same on every read (embeddings are cached under it); ``dim`` a positive int.

    Examples:
        >>> class Blank:
        ...     id = ""
        ...     dim = 0
        >>> try:
        ...     check_encoder_id_dim(Blank())
        ... except EncoderCheckError as err:
        ...     print(err)
        Blank fails check_encoder_id_dim: id must be a non-empty string, got ''; dim must be a positive int, got 0
    """
    check = "check_encoder_id_dim"
    try:
        first, second = encoder.id, encoder.id
        dim = encoder.dim
    except Exception as exc:
        raise EncoderCheckError(_describe(encoder), [(check, f"reading id or dim raised {_raised(exc)}")]) from exc
    problems = []
    if not isinstance(first, str) or not first:
        problems.append(f"id must be a non-empty string, got {first!r}")
    elif first != first.strip() or not first.isprintable():
        problems.append(f"id must be printable text without surrounding whitespace, got {first!r}")
    if first != second:
        problems.append(f"id changes between reads ({first!r}, then {second!r}); cached embeddings are keyed by it")
    if isinstance(dim, bool) or not isinstance(dim, int) or dim < 1:
        problems.append(f"dim must be a positive int, got {dim!r}")
    _fail(_ENCODER, encoder, check, problems)


def check_encoder_output(encoder: Any) -> None:
    """``encode`` returns a finite float32 array of shape ``(len(texts), dim)`` whose rows with words have length 1.

    On :data:`ADVERSARIAL_TEXTS` (empty, emoji-only, very long, non-English, invalid unicode,
    markup). The topic model compares vectors by their dot product, so they must be unit vectors.

    Examples:
        >>> class Raw:
        ...     id = "raw.v1"
        ...     dim = 4
        ...     def encode(self, texts):
        ...         return np.full((len(texts), 4), 2.0, dtype=np.float32)
        >>> try:
        ...     check_encoder_output(Raw())
        ... except EncoderCheckError as err:
        ...     print(err)
        Raw (id 'raw.v1') fails check_encoder_output: rows must have length 1 (L2-normalised); lengths from 4 to 4
    """
    check = "check_encoder_output"
    dim = _dim(encoder, check)
    out = _call(_ENCODER, encoder, list(ADVERSARIAL_TEXTS), check)
    problems = []
    if out.shape != (len(ADVERSARIAL_TEXTS), dim):
        problems.append(f"encode returned shape {out.shape}, expected {(len(ADVERSARIAL_TEXTS), dim)}")
    if out.dtype != np.float32:
        problems.append(f"encode must return float32, got {out.dtype}")
    if np.issubdtype(out.dtype, np.number) and out.ndim == 2 and out.size:
        values = out.astype(np.float64)
        if not np.isfinite(values).all():
            problems.append(f"encode returned NaN or inf ({int((~np.isfinite(values)).sum())} values)")
        else:
            words = [i for i in range(len(out)) if i not in NO_WORDS]
            norms = np.linalg.norm(values[words], axis=1)
            if np.abs(norms - 1).max(initial=0) > NORM_TOLERANCE:
                problems.append(f"rows must have length 1 (L2-normalised); lengths from {norms.min():.4g} to {norms.max():.4g}")
    elif not np.issubdtype(out.dtype, np.number):
        problems.append(f"encode returned non-numbers ({out.dtype})")
    _fail(_ENCODER, encoder, check, problems)


def check_encoder_no_words(encoder: Any) -> None:
    """Texts without words (empty, blank, emoji or punctuation only) get zero vectors.

    The topic model tells them by their zero length and puts them in ``"other"``; a vector for
    ``"😡😡😡"`` would land it in some topic.

    Examples:
        >>> class Ones:
        ...     id = "ones.v1"
        ...     dim = 4
        ...     def encode(self, texts):
        ...         return np.full((len(texts), 4), 0.5, dtype=np.float32)
        >>> try:
        ...     check_encoder_no_words(Ones())
        ... except EncoderCheckError as err:
        ...     print(err)
        Ones (id 'ones.v1') fails check_encoder_no_words: texts without words must get zero vectors; not: '', ' ', ...
    """
    check = "check_encoder_no_words"
    texts = [ADVERSARIAL_TEXTS[i] for i in NO_WORDS]
    out = _table(_ENCODER, encoder, texts, check)
    nonzero = [t for t, row in zip(texts, out) if float(np.abs(row.astype(np.float64)).max(initial=0)) > NORM_TOLERANCE]
    shown = ", ".join(repr(t) for t in nonzero)
    _fail(_ENCODER, encoder, check, [f"texts without words must get zero vectors; not: {shown}"] if nonzero else [])


def check_encoder_empty_batch(encoder: Any) -> None:
    """``encode([])`` returns an empty array of shape ``(0, dim)``.

    Examples:
        >>> class Flat:
        ...     id = "flat.v1"
        ...     dim = 4
        ...     def encode(self, texts):
        ...         return np.zeros(len(texts), dtype=np.float32)
        >>> try:
        ...     check_encoder_empty_batch(Flat())
        ... except EncoderCheckError as err:
        ...     print(err)
        Flat (id 'flat.v1') fails check_encoder_empty_batch: encode([]) must have shape (0, 4), got (0,)
    """
    check = "check_encoder_empty_batch"
    _empty_batch(_ENCODER, encoder, check, _dim(encoder, check))


def check_encoder_batch_invariance(encoder: Any) -> None:
    """A text's vector does not depend on the other texts in its batch, nor on its position (cached vectors must not).

    Examples:
        >>> class Centred:
        ...     id = "centred.v1"
        ...     dim = 2
        ...     def encode(self, texts):
        ...         x = np.array([[len(t), 1.0] for t in texts], dtype=np.float32)
        ...         x -= x.mean(axis=0)
        ...         return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-9)
        >>> try:
        ...     check_encoder_batch_invariance(Centred())
        ... except EncoderCheckError as err:
        ...     print(err)
        Centred (id 'centred.v1') fails check_encoder_batch_invariance: a text's vector changes with the batch it is in ...
    """
    _batch_invariance(_ENCODER, encoder, "check_encoder_batch_invariance")


def check_encoder_deterministic(encoder: Any) -> None:
    """Encoding the same texts twice gives the same vectors (within :data:`TOLERANCE`)."""
    _deterministic(_ENCODER, encoder, "check_encoder_deterministic")


def check_encoder_input_unchanged(encoder: Any) -> None:
    """``encode`` leaves the list it is given as it was (no sorting or editing in place)."""
    _input_unchanged(_ENCODER, encoder, "check_encoder_input_unchanged")


def check_encoder_pickle(encoder: Any) -> None:
    """The encoder pickles, and the copy has the same id and encodes the same (a fitted topic model holds it).

    Examples:
        >>> import threading
        >>> from journeymap.testing import HashingEncoder
        >>> encoder = HashingEncoder(dim=8)
        >>> encoder.lock = threading.Lock()  # say, a model guarded by a lock
        >>> try:
        ...     check_encoder_pickle(encoder)
        ... except EncoderCheckError as err:
        ...     print(err)
        HashingEncoder (id 'testing.hashing.v1(dim=8)') fails check_encoder_pickle: pickling raised TypeError: ...
    """
    check = "check_encoder_pickle"
    try:
        copy = pickle.loads(pickle.dumps(encoder))
    except Exception as exc:
        raise EncoderCheckError(_describe(encoder), [(check, f"pickling raised {_raised(exc)}")]) from exc
    problems = []
    if copy.id != encoder.id:
        problems.append(f"the copy's id is {copy.id!r}, not {encoder.id!r}")
    texts = [ADVERSARIAL_TEXTS[i] for i in _ALONE]
    worst = _max_difference(_table(_ENCODER, copy, texts, check), _table(_ENCODER, encoder, texts, check))
    if worst > _tolerance(encoder):
        problems.append(f"the unpickled copy encodes differently (by up to {worst:.4g})")
    _fail(_ENCODER, encoder, check, problems)


#: Every encoder check, in the order :func:`check_encoder` runs them.
ENCODER_CHECKS: tuple[Callable[[Any], None], ...] = (
    check_encoder_protocol,
    check_encoder_id_dim,
    check_encoder_output,
    check_encoder_no_words,
    check_encoder_empty_batch,
    check_encoder_batch_invariance,
    check_encoder_deterministic,
    check_encoder_input_unchanged,
    check_encoder_pickle,
)


def encoder_checks(encoder: Any) -> Iterator[tuple[str, Callable[[], None]]]:
    """The checks for ``encoder`` as ``(name, check)`` pairs; calling ``check()`` runs it on the encoder.

    Examples:
        >>> from journeymap.testing import HashingEncoder
        >>> [name for name, _ in encoder_checks(HashingEncoder())][:3]
        ['check_encoder_protocol', 'check_encoder_id_dim', 'check_encoder_output']
    """
    for check in ENCODER_CHECKS:
        yield check.__name__, functools.partial(check, encoder)


def check_encoder(encoder: Any) -> None:
    """Check that ``encoder`` honours the :class:`~journeymap.topics.SentenceEncoder` contract.

    Runs every check of :func:`encoder_checks` (id and dim; the output's type, shape, dtype and
    unit length on hard inputs: empty, emoji-only, very long, non-English, invalid unicode;
    zero vectors for texts without words; an empty batch; that vectors do not depend on the
    batch a text is in; that repeated calls agree; that the input is left as it was; that the
    encoder pickles) and raises one :class:`EncoderCheckError` listing every failure; a check
    that crashes counts as failed.

    Raises:
        EncoderCheckError: an ``AssertionError`` naming the encoder and each failed check.

    Examples:
        >>> from journeymap.testing import HashingEncoder
        >>> check_encoder(HashingEncoder(dim=32))
        >>> class Broken:
        ...     id = "broken.v1"
        ...     dim = 4
        ...     def encode(self, texts):
        ...         return np.ones((len(texts), 3))
        >>> try:
        ...     check_encoder(Broken())
        ... except EncoderCheckError as err:
        ...     print(err)
        Broken (id 'broken.v1') fails 4 encoder checks:
        - check_encoder_output: encode returned shape (11, 3), expected (11, 4); encode must return float32, got float64; ...
        - check_encoder_no_words: texts without words must get zero vectors; ...
        - check_encoder_empty_batch: encode([]) must have shape (0, 4), got (0, 3)
        - check_encoder_pickle: pickling raised PicklingError: ...

        (A class defined in a doctest cannot be pickled; one in a module can.)
    """
    _run_all(_ENCODER, encoder, ENCODER_CHECKS)


def parametrize_with_encoder_checks(encoders: Iterable[Any]) -> Any:
    """A ``pytest.mark.parametrize`` decorator with one case per encoder and check: ``(encoder, check)``.

    Examples:
        >>> from journeymap.testing import HashingEncoder
        >>> mark = parametrize_with_encoder_checks([HashingEncoder()])
        >>> mark.args[0], [case.id for case in mark.args[1]][:1]
        (('encoder', 'check'), ['HashingEncoder-check_encoder_protocol'])

        In a test module::

            @parametrize_with_encoder_checks([MyEncoder()])
            def test_encoder(encoder, check):
                check(encoder)
    """
    return _parametrize("encoder", encoders, ENCODER_CHECKS)
