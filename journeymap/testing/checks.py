"""The conformance suite a scorer plugin must pass, as named checks.

Each promise of the :class:`~journeymap.EmotionScorer` contract is one function
``check_<promise>(scorer)`` that returns nothing when the scorer keeps it and raises
:class:`ScorerCheckError` (naming the scorer, the check and what failed) when it does not. No
check uses ``assert``, so the suite works the same under ``python -O``.

Three ways to run them:

* :func:`check_scorer` runs every check and raises one error listing every failure;
* :func:`scorer_checks` yields the ``(name, check)`` pairs, to run them one by one;
* :func:`parametrize_with_checks` makes one pytest case per scorer and check (like
  scikit-learn's ``parametrize_with_checks``), so each failure is reported under its own name.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import numpy as np

from journeymap.emotions.scorer import EmotionScorer
from journeymap.emotions.taxonomy import Taxonomy
from journeymap.exceptions import JourneyMapError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence

    import numpy.typing as npt

__all__ = [
    "ADVERSARIAL_TEXTS",
    "TOLERANCE",
    "ScorerCheckError",
    "check_batch_invariance",
    "check_deterministic",
    "check_empty_batch",
    "check_id",
    "check_input_unchanged",
    "check_output_shape_dtype_range",
    "check_protocol",
    "check_scorer",
    "check_taxonomy",
    "check_valence_range",
    "parametrize_with_checks",
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
#: The texts check_batch_invariance also scores alone (a short and a longer one, with words).
_ALONE = (4, 5)


class ScorerCheckError(JourneyMapError, AssertionError):
    """A scorer that breaks the :class:`~journeymap.EmotionScorer` contract.

    An ``AssertionError`` (so test runners report it as a failed check) and a
    :class:`~journeymap.JourneyMapError`, raised explicitly: it is not switched off by
    ``python -O``.

    Attributes:
        scorer: the scorer's description (class name and id).
        failures: ``(check name, what failed)`` pairs, one per failed check.

    Example:
        >>> err = ScorerCheckError("Mine (id 'mine.v1')", [("check_id", "id must be a non-empty string, got ''")])
        >>> str(err)
        "Mine (id 'mine.v1') fails check_id: id must be a non-empty string, got ''"
        >>> isinstance(err, AssertionError)
        True
    """

    def __init__(self, scorer: str, failures: Sequence[tuple[str, str]]) -> None:
        self.scorer = scorer
        self.failures: tuple[tuple[str, str], ...] = tuple(failures)
        super().__init__(self._message())

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.scorer, self.failures))

    def _message(self) -> str:
        if len(self.failures) == 1:
            check, what = self.failures[0]
            return f"{self.scorer} fails {check}: {what}"
        lines = "".join(f"\n- {check}: {what}" for check, what in self.failures)
        return f"{self.scorer} fails {len(self.failures)} scorer checks:{lines}"


def _describe(scorer: Any) -> str:
    """The scorer as error messages name it: its class, and its id where it has a readable one."""
    name = type(scorer).__name__
    try:
        ident = scorer.id
    except Exception:  # a broken id is reported by check_id, not here
        return name
    return f"{name} (id {ident!r})" if isinstance(ident, str) and ident else name


def _fail(scorer: Any, check: str, problems: list[str]) -> None:
    if problems:
        raise ScorerCheckError(_describe(scorer), [(check, "; ".join(problems))])


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


def _score(scorer: Any, texts: Sequence[str], check: str) -> npt.NDArray[Any]:
    """``scorer.score(texts)`` as an array; a crash or a non-array is a failure of ``check``."""
    try:
        out = scorer.score(texts)
    except Exception as exc:
        shown = "ADVERSARIAL_TEXTS" if len(texts) == len(ADVERSARIAL_TEXTS) else f"{len(texts)} text(s)"
        raise ScorerCheckError(_describe(scorer), [(check, f"score({shown}) raised {_raised(exc)}")]) from exc
    if not isinstance(out, np.ndarray):
        raise ScorerCheckError(_describe(scorer), [(check, f"score must return a numpy array, got {type(out).__name__}")])
    return out


def _rows(scorer: Any, texts: Sequence[str], check: str) -> npt.NDArray[Any]:
    """``scorer.score(texts)``, which must have one numeric row per text for ``check`` to compare scores."""
    out = _score(scorer, texts, check)
    if out.ndim != 2 or out.shape[0] != len(texts) or not np.issubdtype(out.dtype, np.number):
        what = f"cannot run: score returned a {out.dtype} array of shape {out.shape} for {len(texts)} text(s)"
        raise ScorerCheckError(_describe(scorer), [(check, what)])
    return out


def _max_difference(a: npt.NDArray[Any], b: npt.NDArray[Any]) -> float:
    if a.shape != b.shape:
        return float("inf")
    with np.errstate(invalid="ignore"):
        diff = np.abs(a.astype(np.float64) - b.astype(np.float64))
    return float(np.nanmax(diff)) if diff.size and not np.isnan(diff).all() else 0.0


def check_protocol(scorer: Any) -> None:
    """The scorer has ``id``, ``taxonomy`` and a callable ``score``.

    Example:
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
    _fail(scorer, "check_protocol", problems)


def check_id(scorer: Any) -> None:
    """``id`` is a non-empty, printable string without surrounding whitespace, the same on every read.

    Example:
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
    problems = []
    if not isinstance(first, str) or not first:
        problems.append(f"id must be a non-empty string, got {first!r}")
    elif first != first.strip():
        problems.append(f"id must not start or end with whitespace, got {first!r}")
    elif not first.isprintable():  # control characters, lone surrogates: it is cached and written to files
        problems.append(f"id must be printable text (no control characters or lone surrogates), got {first!r}")
    if first != second:
        problems.append(f"id changes between reads ({first!r}, then {second!r}); cached scores are keyed by it")
    _fail(scorer, "check_id", problems)


def check_taxonomy(scorer: Any) -> None:
    """``taxonomy`` is a :class:`~journeymap.Taxonomy` with at least one label.

    Example:
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
    _fail(scorer, "check_taxonomy", problems)


def check_output_shape_dtype_range(scorer: Any) -> None:
    """``score`` returns a float32 array of shape ``(len(texts), n_labels)``, finite, in [0, 1].

    On :data:`ADVERSARIAL_TEXTS`: empty, blank, emoji-only, very long, non-English, a NUL and a
    lone surrogate (invalid unicode), markup.

    Example:
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
    out = _score(scorer, list(ADVERSARIAL_TEXTS), check)
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
    _fail(scorer, check, problems)


def check_empty_batch(scorer: Any) -> None:
    """``score([])`` returns an empty array of shape ``(0, n_labels)``.

    Example:
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
    k = _n_labels(scorer, check)
    out = _score(scorer, [], check)
    _fail(scorer, check, [] if out.shape == (0, k) else [f"score([]) must have shape (0, {k}), got {out.shape}"])


def check_batch_invariance(scorer: Any) -> None:
    """A text's score does not depend on the other texts in its batch, nor on its position.

    Scores :data:`ADVERSARIAL_TEXTS` together, in order and reversed, and two of them (of
    different lengths) alone, and compares (within :data:`TOLERANCE`).

    Example:
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
    check = "check_batch_invariance"
    texts = list(ADVERSARIAL_TEXTS)
    together = _rows(scorer, texts, check)
    backwards = _rows(scorer, texts[::-1], check)[::-1]
    problems = []
    worst_alone = max(_max_difference(_rows(scorer, [texts[i]], check), together[i : i + 1]) for i in _ALONE)
    if worst_alone > TOLERANCE:
        problems.append(f"a text's score changes with the batch it is in (by up to {worst_alone:.4g} alone vs together)")
    worst_order = _max_difference(backwards, together)
    if worst_order > TOLERANCE:
        problems.append(f"a text's score changes with its position in the batch (by up to {worst_order:.4g})")
    _fail(scorer, check, problems)


def check_deterministic(scorer: Any) -> None:
    """Scoring the same texts twice gives the same scores (within :data:`TOLERANCE`).

    Example:
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
    check = "check_deterministic"
    texts = list(ADVERSARIAL_TEXTS)
    first = _rows(scorer, texts, check)
    second = _rows(scorer, texts, check)
    worst = _max_difference(first, second)
    _fail(scorer, check, [] if worst <= TOLERANCE else [f"scoring the same texts twice differs by up to {worst:.4g}"])


def check_input_unchanged(scorer: Any) -> None:
    """``score`` leaves the list it is given as it was (no sorting or editing in place).

    Example:
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
    check = "check_input_unchanged"
    texts = list(ADVERSARIAL_TEXTS)
    _score(scorer, texts, check)
    _fail(scorer, check, [] if texts == list(ADVERSARIAL_TEXTS) else ["score changed the list of texts it was given"])


def check_valence_range(scorer: Any) -> None:
    """The valence the taxonomy derives from the scores of :data:`ADVERSARIAL_TEXTS` is in [-1, 1].

    Example:
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
    out = _rows(scorer, list(ADVERSARIAL_TEXTS), check)
    if out.shape[1] != k:
        raise ScorerCheckError(_describe(scorer), [(check, f"cannot run: score returned {out.shape[1]} columns for {k} labels")])
    try:
        with np.errstate(all="ignore"):  # inf or NaN scores: the NaN valence is the finding
            valence = np.asarray(scorer.taxonomy.valence_of(out), dtype=np.float64)
    except Exception as exc:
        raise ScorerCheckError(_describe(scorer), [(check, f"taxonomy.valence_of(scores) raised {_raised(exc)}")]) from exc
    bad = ~((valence >= -1) & (valence <= 1))  # NaN is outside too
    _fail(scorer, check, [f"valence outside [-1, 1] (or NaN) for {int(bad.sum())} text(s)"] if bad.any() else [])


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
)


def scorer_checks(scorer: Any) -> Iterator[tuple[str, Callable[[], None]]]:
    """The checks for ``scorer`` as ``(name, check)`` pairs; calling ``check()`` runs it on the scorer.

    Example:
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
    agree, that the input is left as it was and that valences are in range) and raises one
    :class:`ScorerCheckError` listing every failure; a check that crashes counts as failed.

    Raises:
        ScorerCheckError: an ``AssertionError`` naming the scorer and each failed check.

    Example:
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
    failures: list[tuple[str, str]] = []
    for name, check in scorer_checks(scorer):
        try:
            check()
        except ScorerCheckError as err:
            failures.extend(err.failures)
        except Exception as exc:  # a check that cannot even run is a failure too
            failures.append((name, f"raised {_raised(exc)}"))
    if failures:
        raise ScorerCheckError(_describe(scorer), failures)


def parametrize_with_checks(scorers: Iterable[Any]) -> Any:
    """A ``pytest.mark.parametrize`` decorator with one case per scorer and check.

    The cases are ``(scorer, check)`` with ids like ``Constant-check_empty_batch``; the test
    calls ``check(scorer)``. Imports pytest (a test-time dependency) only when called.

    Example:
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
    import pytest

    cases = [pytest.param(s, c, id=f"{type(s).__name__}-{c.__name__}") for s in scorers for c in CHECKS]
    return pytest.mark.parametrize(("scorer", "check"), cases)
