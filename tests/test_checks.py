"""The scorer conformance suite: named checks, one error listing every failure, pytest cases per check."""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from journeymap import JourneyMapError, Taxonomy
from journeymap.testing import ScorerCheckError, check_scorer, parametrize_with_checks, scorer_checks
from journeymap.testing import checks as checks_module
from journeymap.testing.checks import (
    ADVERSARIAL_TEXTS,
    check_batch_invariance,
    check_deterministic,
    check_empty_batch,
    check_id,
    check_input_unchanged,
    check_output_shape_dtype_range,
    check_protocol,
    check_taxonomy,
    check_valence_range,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = Path(__file__).parent / "fake_plugin"


def _fake_plugin() -> Any:
    """The fake plugin's module, loaded from its file without putting its distribution on sys.path.

    (On sys.path its entry points would be discovered by every later test; test_registry checks
    they are not.)
    """
    init = PLUGIN / "fake_scorer_plugin" / "__init__.py"
    spec = importlib.util.spec_from_file_location("_fake_scorer_plugin_for_checks", init)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fake_scorer_plugin = _fake_plugin()


class Constant:
    """The smallest conforming scorer."""

    id = "constant.v1"
    taxonomy = Taxonomy.sentiment()

    def score(self, texts: Sequence[str]) -> np.ndarray:
        return np.full((len(texts), 4), 0.25, dtype=np.float32)


class ManyWaysBroken:
    """Empty id, float64 out of range, batch-dependent, random, and sorts its input in place."""

    id = ""
    taxonomy = Taxonomy.sentiment()

    def __init__(self) -> None:
        self.rng = np.random.default_rng(0)

    def score(self, texts: list[str]) -> np.ndarray:
        texts.sort()
        return 1.5 * self.rng.random((len(texts), 4))


@parametrize_with_checks([Constant(), fake_scorer_plugin.LexiconScorer(), fake_scorer_plugin.SlowScorer()])
def test_conforming_scorers(scorer: Any, check: Callable[[Any], None]) -> None:
    check(scorer)


def test_parametrize_with_checks_names_each_case() -> None:
    mark = parametrize_with_checks([Constant(), fake_scorer_plugin.LexiconScorer()])
    assert mark.name == "parametrize"
    assert mark.args[0] == ("scorer", "check")
    ids = [case.id for case in mark.args[1]]
    names = [name for name, _ in scorer_checks(Constant())]
    assert ids == [f"Constant-{n}" for n in names] + [f"LexiconScorer-{n}" for n in names]
    assert "Constant-check_empty_batch" in ids
    assert [case.values[1].__name__ for case in mark.args[1]][: len(names)] == names


def test_every_failure_is_reported_in_one_error() -> None:
    with pytest.raises(ScorerCheckError) as info:
        check_scorer(ManyWaysBroken())
    err = info.value
    assert isinstance(err, AssertionError) and isinstance(err, JourneyMapError)
    failed = [check for check, _ in err.failures]
    assert failed == [
        "check_id",
        "check_output_shape_dtype_range",
        "check_batch_invariance",
        "check_deterministic",
        "check_input_unchanged",
    ]
    message = str(err)
    assert message.startswith("ManyWaysBroken fails 5 scorer checks:")
    for expected in (
        "id must be a non-empty string, got ''",
        "score must return float32, got float64",
        r"score returned values outside [0, 1]",
        "changes with the batch it is in",
        "scoring the same texts twice differs",
        "score changed the list of texts it was given",
    ):
        assert expected in message


def test_plugin_without_a_taxonomy_fails_every_check_that_needs_one() -> None:
    with pytest.raises(ScorerCheckError) as info:
        check_scorer(fake_scorer_plugin.BrokenScorer())
    failures = dict(info.value.failures)
    assert failures["check_protocol"] == "it has no taxonomy"
    assert failures["check_taxonomy"].startswith("reading taxonomy raised AttributeError")
    assert failures["check_empty_batch"].startswith("cannot run: reading taxonomy raised AttributeError")
    assert "check_id" not in failures
    assert info.value.scorer == "BrokenScorer (id 'fake.broken.v1')"


class Float64(Constant):
    def score(self, texts: Sequence[str]) -> np.ndarray:
        return np.full((len(texts), 4), 0.25)


class WithNaN(Constant):
    def score(self, texts: Sequence[str]) -> np.ndarray:
        out = np.full((len(texts), 4), 0.25, dtype=np.float32)
        out[:, 0] = np.nan
        return out


class Lists(Constant):
    def score(self, texts: Sequence[str]) -> Any:
        return [[0.25] * 4 for _ in texts]


class SurrogateCrash(Constant):
    def score(self, texts: Sequence[str]) -> np.ndarray:
        for t in texts:
            t.encode("utf-8")
        return super().score(texts)


class FlatEmpty(Constant):
    def score(self, texts: Sequence[str]) -> np.ndarray:
        return super().score(texts) if texts else np.zeros(0, dtype=np.float32)


class BatchNormalised(Constant):
    def score(self, texts: Sequence[str]) -> np.ndarray:
        n = np.array([len(t) for t in texts], dtype=np.float32)
        return np.repeat((n / max(n.max(initial=0), 1))[:, None], 4, axis=1)


class PositionDependent(Constant):
    def score(self, texts: Sequence[str]) -> np.ndarray:
        out = super().score(texts)
        out[-1:] = 0.5
        return out


class Counter(Constant):
    calls = 0

    def score(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        return np.full((len(texts), 4), (self.calls % 2) / 2, dtype=np.float32)


class Sorts(Constant):
    def score(self, texts: list[str]) -> np.ndarray:
        texts.sort()
        return super().score(texts)


class ShiftingId(Constant):
    n = 0

    @property
    def id(self) -> str:  # type: ignore[override]
        self.n += 1
        return f"shifting.v{self.n}"


class PaddedId(Constant):
    id = " padded.v1 "


class SurrogateId(Constant):
    id = "x\ud800.v1"


class NoScore:
    id = "noscore.v1"
    taxonomy = Taxonomy.sentiment()


class LabelTuple(Constant):
    taxonomy = ("joy", "anger")  # type: ignore[assignment]


class Infinite(Constant):
    def score(self, texts: Sequence[str]) -> np.ndarray:
        return np.full((len(texts), 4), np.inf, dtype=np.float32)


class LoudTaxonomy(Taxonomy):
    def valence_of(self, scores: Any) -> np.ndarray:
        return np.full(len(scores), 2.0, dtype=np.float32)


class LoudValence(Constant):
    taxonomy = LoudTaxonomy(name="loud", labels=("a", "b", "c", "d"), valence={"a": 1, "b": -1, "c": 0, "d": 0})


BREACHES = [
    (NoScore(), check_protocol, "it has no score"),
    (ShiftingId(), check_id, "id changes between reads"),
    (PaddedId(), check_id, "must not start or end with whitespace"),
    (SurrogateId(), check_id, r"id must be printable text (no control characters or lone surrogates), got 'x\ud800.v1'"),
    (LabelTuple(), check_taxonomy, "taxonomy must be a journeymap Taxonomy, got tuple"),
    (Float64(), check_output_shape_dtype_range, "score must return float32, got float64"),
    (WithNaN(), check_output_shape_dtype_range, "NaN or inf (11 values)"),
    (Lists(), check_output_shape_dtype_range, "score must return a numpy array, got list"),
    (SurrogateCrash(), check_output_shape_dtype_range, "score(ADVERSARIAL_TEXTS) raised UnicodeEncodeError"),
    (FlatEmpty(), check_empty_batch, r"score([]) must have shape (0, 4), got (0,)"),
    (BatchNormalised(), check_batch_invariance, "changes with the batch it is in"),
    (PositionDependent(), check_batch_invariance, "changes with its position in the batch"),
    (Counter(), check_deterministic, "scoring the same texts twice differs by up to 0.5"),
    (Sorts(), check_input_unchanged, "score changed the list of texts it was given"),
    (Infinite(), check_valence_range, "valence outside [-1, 1] (or NaN) for 11 text(s)"),
    (LoudValence(), check_valence_range, "valence outside [-1, 1] (or NaN) for 11 text(s)"),
]


@pytest.mark.parametrize(
    ("scorer", "check", "message"), BREACHES, ids=[f"{type(s).__name__}-{c.__name__}" for s, c, _ in BREACHES]
)
def test_each_check_catches_its_breach(scorer: Any, check: Callable[[Any], None], message: str) -> None:
    with pytest.raises(ScorerCheckError) as info:
        check(scorer)
    (name, what), *rest = info.value.failures
    assert rest == [] and name == check.__name__
    assert message in what
    assert str(info.value).startswith(type(scorer).__name__)
    # The conforming scorer passes the same check, and check_scorer reports the breach too.
    check(Constant())
    with pytest.raises(ScorerCheckError) as whole:
        check_scorer(scorer)
    assert name in [n for n, _ in whole.value.failures]


def test_a_crashing_check_is_a_failure_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    def explodes(scorer: Any) -> None:
        raise RuntimeError("boom")

    explodes.__name__ = "check_explodes"
    monkeypatch.setattr(checks_module, "CHECKS", (*checks_module.CHECKS, explodes))
    with pytest.raises(ScorerCheckError) as info:
        check_scorer(Constant())
    assert info.value.failures == (("check_explodes", "raised RuntimeError: boom"),)
    assert str(info.value) == "Constant (id 'constant.v1') fails check_explodes: raised RuntimeError: boom"


def test_errors_pickle() -> None:
    import pickle

    err = ScorerCheckError("X", [("check_id", "bad"), ("check_taxonomy", "worse")])
    again = pickle.loads(pickle.dumps(err))
    assert again.failures == err.failures and str(again) == str(err)


def test_adversarial_texts_include_invalid_unicode() -> None:
    assert "" in ADVERSARIAL_TEXTS
    assert any("\ud800" in t for t in ADVERSARIAL_TEXTS)
    assert max(map(len, ADVERSARIAL_TEXTS)) >= 10_000


def test_checks_still_fail_under_python_dash_O() -> None:
    """Asserts vanish under -O; the checks raise explicitly, so a broken scorer still fails."""
    code = textwrap.dedent(
        """
        import sys
        import numpy as np
        from journeymap import Taxonomy
        from journeymap.testing import check_scorer, ScorerCheckError

        class Constant:
            id = "constant.v1"
            taxonomy = Taxonomy.sentiment()
            def score(self, texts):
                return np.full((len(texts), 4), 0.25, dtype=np.float32)

        class WrongShape(Constant):
            def score(self, texts):
                return np.full((len(texts), 3), 2.0)

        assert False, "unreachable under -O"
        check_scorer(Constant())
        print("optimize", sys.flags.optimize)
        check_scorer(WrongShape())
        """
    )
    result = subprocess.run([sys.executable, "-O", "-c", code], capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.stdout.strip() == "optimize 1"
    assert result.returncode == 1
    assert "ScorerCheckError: WrongShape (id 'constant.v1') fails 3 scorer checks" in result.stderr
    assert "score returned shape (11, 3), expected (11, 4)" in result.stderr


def test_the_library_has_no_assert_statements() -> None:
    """``python -O`` strips asserts: library code raises its errors explicitly."""
    found = []
    for path in sorted((ROOT / "journeymap").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found += [f"{path.relative_to(ROOT)}:{node.lineno}" for node in ast.walk(tree) if isinstance(node, ast.Assert)]
    assert found == []


class Rounding(Constant):
    """Like a reduced-precision model: a text's score moves by ``jitter`` with the size of its batch."""

    def __init__(self, jitter: float, tolerance: object = None) -> None:
        self.jitter = jitter
        if tolerance is not None:
            self.tolerance = tolerance

    def score(self, texts: Sequence[str]) -> np.ndarray:
        return np.full((len(texts), 4), 0.25 + self.jitter * (len(texts) > 1), dtype=np.float32)


@pytest.mark.parametrize(
    ("jitter", "tolerance", "passes"),
    [
        (0.005, None, False),  # beyond the contract's 0.001
        (0.005, 0.01, True),  # within what the scorer declares
        (0.005, 0.004, False),
        (0.1, 1.0, False),  # a declared tolerance is capped at MAX_TOLERANCE
        (0.04, 1.0, True),
        (0.005, "0.01", False),  # not a number: ignored
        (0.005, float("nan"), False),
    ],
)
def test_a_declared_tolerance_widens_the_batch_check_up_to_a_cap(jitter: float, tolerance: object, passes: bool) -> None:
    scorer = Rounding(jitter, tolerance)
    if passes:
        check_batch_invariance(scorer)
    else:
        with pytest.raises(ScorerCheckError, match="changes with the batch it is in"):
            check_batch_invariance(scorer)
    assert checks_module.MAX_TOLERANCE == 0.05
