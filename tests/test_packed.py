"""The bfloat16 CPU scorer's packed oneDNN linear layers (journeymap.emotions._packed)."""

from __future__ import annotations

import pickle

import pytest
import torch
from torch import nn

from journeymap.emotions import _packed
from journeymap.emotions._packed import PackedLinear, pack_linears

pytestmark = pytest.mark.skipif(not _packed._available(), reason="no oneDNN bfloat16 linear kernels here (torch build or CPU)")


def tiny_bert() -> nn.Module:
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=50,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=16,
    )
    return BertModel(config, add_pooling_layer=False).eval().to(torch.bfloat16)


def x(*shape: int) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(1)).to(torch.bfloat16)


def test_packed_linear_equals_the_plain_layer_and_fuses_gelu() -> None:
    lin = nn.Linear(16, 24).to(torch.bfloat16)
    inputs = x(3, 5, 16)
    with torch.inference_mode():
        assert torch.equal(PackedLinear(lin)(inputs), lin(inputs))
        fused = PackedLinear(lin, gelu=True)(inputs).float()
        plain = nn.functional.gelu(lin(inputs)).float()
    # one rounding to bfloat16 instead of two: within a bfloat16 step of the plain result
    assert torch.allclose(fused, plain, rtol=1e-2, atol=1e-2)
    assert not torch.equal(fused, lin(inputs).float())  # the GELU is really applied


def test_pack_linears_replaces_every_linear_and_keeps_the_output() -> None:
    model = tiny_bert()
    ids = torch.randint(0, 50, (4, 9), generator=torch.Generator().manual_seed(2))
    mask = torch.ones_like(ids)
    with torch.inference_mode():
        before = model(input_ids=ids, attention_mask=mask).last_hidden_state.float()
    # per layer: query, key, value, attention output, intermediate (GELU fused), output
    assert pack_linears(model) == 2 * 6
    leftover = [name for name, m in model.named_modules() if type(m) is nn.Linear and not name.endswith(".linear")]
    assert leftover == []  # every plain linear now sits inside a PackedLinear
    fused = [m for m in model.modules() if isinstance(m, PackedLinear) and m.gelu]
    assert len(fused) == 2 and all(m.linear.out_features == 64 for m in fused)
    with torch.inference_mode():
        after = model(input_ids=ids, attention_mask=mask).last_hidden_state.float()
    assert (after - before).abs().max() < 0.1  # bfloat16 hidden states (layer-normed, ~unit scale)
    assert pack_linears(model) == 0  # nothing left to pack


def test_packed_module_pickles_and_rebuilds_its_weights() -> None:
    model = tiny_bert()
    pack_linears(model)
    ids = torch.randint(0, 50, (2, 7), generator=torch.Generator().manual_seed(3))
    copy = pickle.loads(pickle.dumps(model))
    with torch.inference_mode():
        a = model(input_ids=ids).last_hidden_state
        b = copy(input_ids=ids).last_hidden_state
    assert torch.equal(a, b)


def test_nothing_is_packed_without_the_kernels_or_where_results_differ(monkeypatch: pytest.MonkeyPatch) -> None:
    model = tiny_bert()
    monkeypatch.setattr(_packed, "_available", lambda: False)
    assert pack_linears(model) == 0
    monkeypatch.undo()
    monkeypatch.setattr(_packed, "_agrees", lambda *a: False)
    assert pack_linears(model) == 0
    assert not any(isinstance(m, PackedLinear) for m in model.modules())


def test_approximate_gelu_blocks_are_not_fused() -> None:
    from transformers import BertConfig, BertModel

    config = BertConfig(
        vocab_size=50, hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64, hidden_act="gelu_new"
    )
    model = BertModel(config, add_pooling_layer=False).eval().to(torch.bfloat16)
    assert pack_linears(model) == 6  # the intermediate's linear alone is packed, its tanh GELU kept apart
    assert not any(isinstance(m, PackedLinear) and m.gelu for m in model.modules())


def test_unpickled_where_the_kernels_are_missing_it_runs_the_plain_layers(monkeypatch: pytest.MonkeyPatch) -> None:
    lin = nn.Linear(16, 24).to(torch.bfloat16)
    packed = PackedLinear(lin, gelu=True)
    blob = pickle.dumps(packed)
    monkeypatch.setattr(_packed, "_available", lambda: False)
    plain = pickle.loads(blob)
    assert plain._packed is None
    inputs = x(3, 16)
    with torch.inference_mode():
        assert torch.equal(plain(inputs), nn.functional.gelu(lin(inputs)))
