"""An encoder named by a one-part hub id in the local Hugging Face cache loads, as a scorer does."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from journeymap.topics import encoders
from journeymap.topics.encoders import UnknownEncoderError, get_encoder

from .test_scorers import tiny_model

if TYPE_CHECKING:
    from pathlib import Path


def test_a_one_part_hub_id_in_the_local_cache_is_an_encoder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from huggingface_hub import constants

    cache, commit = tmp_path / "hub", "e" * 40
    repo = cache / "models--tinylegacy"
    tiny_model(repo / "snapshots" / commit, ["negative", "positive"], None)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    assert encoders.is_registered("tinylegacy") is False  # before: UnknownEncoderError, though get_scorer loads it
    encoder = get_encoder("tinylegacy", max_length=16)
    assert encoder.id == f"hf-encoder:tinylegacy@{commit}+mean+l16"
    assert encoder.encode(["my card has not arrived"]).shape == (1, 32)


def test_a_one_part_name_in_no_cache_is_still_an_unknown_encoder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "empty-hub"))
    with pytest.raises(UnknownEncoderError, match="tinylegacy"):
        get_encoder("tinylegacy")
