"""Review 19, a maintainer's reading of the session's own diff (rv42).

* The Dask overloads named ``dask.dataframe.DataFrame``: without the ``[dask]`` extra a type
  checker reads it as ``Any``, which matched every call, so ``read_events(df)`` was typed a
  ``DaskEventLog`` for everyone.
* A user's Hugging Face encoder whose checkpoint lacks a pooler drew its weights from torch's
  global generator once the load's guard was gone.
* ``report(seed=<Generator>)`` handed the Generator to every section, each drawing further: one
  touchpoint, two intervals.
* The agent league's note said every agent's SLA share was higher than the brand's, and named a
  brand table or a "(no reply)" row that may not be there.
"""

from __future__ import annotations

import inspect
import typing

import numpy as np
import pytest

import journeymap as jm
from journeymap.analytics.replies import NO_REPLY
from journeymap.report import _agent_league
from journeymap.testing.data import planted_scores

if typing.TYPE_CHECKING:
    import pandas as pd


@pytest.mark.parametrize("name", ["read_events", "build_journeys"])
def test_no_public_overload_names_a_dask_class(name: str) -> None:
    func = getattr(jm, name)
    overloads = typing.get_overloads(getattr(func, "__wrapped__", func))
    assert len(overloads) == 2
    for overload in overloads:
        first = next(iter(inspect.signature(overload).parameters.values()))
        assert "dd." not in str(first.annotation), first.annotation  # a missing dask would make it Any: it matches all


@pytest.mark.parametrize("name", ["score", "assign_topics"])
def test_the_type_variable_names_no_dask_class(name: str) -> None:
    hint = inspect.signature(getattr(jm, name)).parameters
    variable = next(iter(hint.values())).annotation
    module = inspect.getmodule(getattr(getattr(jm, name), "__wrapped__", getattr(jm, name)))
    bound = getattr(module, str(variable)).__bound__
    assert "dd." not in str(bound) and "DaskFrame" in str(bound)


def test_a_user_encoder_without_a_pooler_leaves_the_global_generator_as_it_was(tmp_path: pytest.TempPathFactory) -> None:
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    from journeymap.emotions import _minilm
    from journeymap.topics.encoders import TransformerEncoder

    config = transformers.BertConfig(
        vocab_size=31000, hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=37
    )
    transformers.BertModel(config, add_pooling_layer=False).save_pretrained(tmp_path)
    transformers.BertTokenizerFast.from_pretrained(
        str(_minilm.base_model_path()), clean_up_tokenization_spaces=False
    ).save_pretrained(tmp_path)
    encoder = TransformerEncoder(str(tmp_path), local_files_only=True)
    torch.manual_seed(123)
    before = torch.get_rng_state()
    encoder.encode(["hello world"])
    assert torch.equal(before, torch.get_rng_state())


def test_a_generator_seed_gives_every_report_section_one_int() -> None:
    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(40, seed=0)))
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        by_generator = jm.report(js, Path(folder) / "g.html", seed=np.random.default_rng(7), examples=0).read_text()
        drawn = int(np.random.default_rng(7).integers(2**32))
        by_int = jm.report(js, Path(folder) / "i.html", seed=drawn, examples=0).read_text()
    assert by_generator == by_int


def _league(with_no_reply: bool) -> pd.DataFrame:
    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(40, seed=0)))
    agents = jm.service_levels(js, by="agent")
    return agents if with_no_reply else agents.drop(index=NO_REPLY)


def test_the_league_note_says_can_be_higher_and_names_only_what_is_there() -> None:
    full = " ".join(_agent_league(_league(True)))
    assert "can be higher than the brand's share above" in full
    assert "they are the (no reply) row" in full
    bare = " ".join(_agent_league(_league(False), brands_shown=False))
    assert "brand's share" not in bare
    assert "(no reply)" not in bare
    assert "Within SLA is over the conversations each agent answered." in bare
