"""Review 17, documentation: examples of attribute docstrings run; training checks its data before seeding."""

from __future__ import annotations

import ast
import doctest
import importlib
import itertools
import random
from pathlib import Path

import numpy as np
import pytest

import journeymap as jm

PACKAGE = Path(jm.__file__).parent


def _attribute_docstrings(path: Path) -> dict[str, str]:
    """The docstrings written under module-level assignments (``NAME = ...`` then a string), by name."""
    body = ast.parse(path.read_text(encoding="utf-8")).body
    found = {}
    for node, after in itertools.pairwise(body):
        if not (isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant) and isinstance(after.value.value, str)):
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        for target in targets:
            if isinstance(target, ast.Name):
                found[target.id] = after.value.value
    return found


def test_the_examples_of_attribute_docstrings_run() -> None:
    """pytest's doctests do not see a docstring under an assignment (``OnError``); mkdocstrings shows it."""
    ran = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
        for name, text in _attribute_docstrings(path).items():
            if ">>>" not in text:
                continue
            globs = dict(vars(importlib.import_module(module)))
            test = doctest.DocTestParser().get_doctest(text, globs, f"{module}.{name}", str(path), 0)
            runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
            runner.run(test)
            assert runner.failures == 0, f"the example of {module}.{name} fails"
            ran.append(f"{module}.{name}")
    assert "journeymap.io.eventlog.OnError" in ran  # before: a comment, shown nowhere, without an example


def test_training_checks_its_data_before_seeding_the_generators(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    from journeymap.emotions.train import train

    data = tmp_path / "labelled.csv"
    data.write_text("text,label\nso slow,meh\nthanks!,positive\n")
    random.seed(1)
    before = (random.getstate(), np.random.get_state()[1].copy(), torch.random.get_rng_state().clone())  # noqa: NPY002
    with pytest.raises(jm.SchemaError, match=r"labels \['meh'\] have no known valence"):
        train(data, tmp_path / "model")
    after = (random.getstate(), np.random.get_state()[1], torch.random.get_rng_state())  # noqa: NPY002
    assert before[0] == after[0]  # before: seeded with 13 before the data was read
    assert np.array_equal(before[1], after[1]) and torch.equal(before[2], after[2])
    assert not (tmp_path / "model").exists()


def test_a_training_run_leaves_the_callers_random_state_as_it_was(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    from journeymap.emotions.train import TrainConfig, train

    from .test_evaluate import tiny_goemotions

    data = tiny_goemotions(tmp_path / "g")
    random.seed(5)
    np.random.seed(5)  # noqa: NPY002
    torch.manual_seed(5)
    expected = (random.random(), np.random.random(), float(torch.rand(1)))  # noqa: NPY002
    random.seed(5)
    np.random.seed(5)  # noqa: NPY002
    torch.manual_seed(5)
    train(data, tmp_path / "model", TrainConfig(epochs=1, batch_size=2), device="cpu")
    assert (random.random(), np.random.random(), float(torch.rand(1))) == expected  # noqa: NPY002 - before: seeded with 13
