"""Fixes from a review of plugging Hugging Face classifiers into journeymap (``TransformerScorer``):
folders without a classification head, decoder classifiers' padding, long texts read in windows,
the RoBERTa-family position offset, a tokenizer bigger than the vocabulary, and rating-scale labels.
Every model here is tiny and random (hidden 32, one layer), built offline."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pytest

import journeymap as jm
from journeymap import ModelLoadError, TransformerScorer
from journeymap.emotions import _batching
from journeymap.emotions.evaluate_labelled import evaluate_labelled, format_labelled
from journeymap.emotions.transformer import special_ends

if TYPE_CHECKING:
    from pathlib import Path

SENTIMENT = ["negative", "neutral", "positive"]
LONG = "the agent was polite and the lounge was nice, thanks for the coffee " * 6 + "but my refund never arrived"


def _tokenizer() -> Any:
    from transformers import AutoTokenizer

    from journeymap.emotions._minilm import base_model_path

    return AutoTokenizer.from_pretrained(str(base_model_path()), clean_up_tokenization_spaces=False)


def _bert_config(labels: list[str], *, positions: int = 512, vocab: int | None = None, **extra: Any) -> Any:
    from transformers import BertConfig

    return BertConfig(
        vocab_size=vocab or _tokenizer().vocab_size,
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=positions,
        id2label=dict(enumerate(labels)),
        label2id={lab: i for i, lab in enumerate(labels)},
        **extra,
    )


def tiny_bert(
    folder: Path, labels: list[str], *, positions: int = 512, cls: str = "BertForSequenceClassification", **extra: Any
) -> Path:
    """A random BERT of class ``cls`` (a classifier, or BertModel / BertForMaskedLM: no head) saved with its tokenizer."""
    import torch
    import transformers

    torch.manual_seed(0)
    getattr(transformers, cls)(_bert_config(labels, positions=positions, **extra)).save_pretrained(folder)
    _tokenizer().save_pretrained(folder)
    return folder


# -- 1. a folder with no classification head is refused -------------------------------------------------
@pytest.mark.parametrize("cls", ["BertModel", "BertForMaskedLM"])
def test_a_folder_without_a_classification_head_is_refused(tmp_path: Path, cls: str) -> None:
    folder = tiny_bert(tmp_path / "m", SENTIMENT, cls=cls)
    with pytest.raises(ModelLoadError, match=r"no trained classification head.*classifier\.weight") as err:
        TransformerScorer(folder)
    assert cls in str(err.value)  # config.architectures named
    with pytest.raises(ModelLoadError, match="no trained classification head"):  # a label_map does not get it past
        TransformerScorer(folder, label_map={"LABEL_0": "negative", "LABEL_1": "positive"})


def test_a_classifier_saved_under_another_architecture_is_refused(tmp_path: Path) -> None:
    folder = tiny_bert(tmp_path / "m", SENTIMENT)
    config = json.loads((folder / "config.json").read_text())
    config["architectures"] = ["BertForMaskedLM"]
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelLoadError, match=r"architectures is \['BertForMaskedLM'\], no \*ForSequenceClassification"):
        TransformerScorer(folder)


# -- 2. decoder classifiers: padding the model reads, or one text per batch -----------------------------
def _bpe_tokenizer(*, pad: bool, eos: bool) -> Any:
    """A byte-level BPE tokenizer trained here, GPT-2 style (no special tokens around a text)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    # id 0 is a token of its own, so padding with 0 (what journeymap did) is no token the model reads as padding
    specials = [t for t, keep in (("<mask>", True), ("<|endoftext|>", eos), ("<pad>", pad)) if keep]
    raw = Tokenizer(models.BPE())
    raw.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    raw.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=300, special_tokens=specials, initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    raw.train_from_iterator([LONG, "thanks, that fixed it!", "where is my parcel?"] * 5, trainer=trainer)
    kwargs = {"eos_token": "<|endoftext|>"} if eos else {}
    if pad:
        kwargs["pad_token"] = "<pad>"
    return PreTrainedTokenizerFast(tokenizer_object=raw, clean_up_tokenization_spaces=False, **kwargs)


def tiny_gpt2(folder: Path, *, pad: bool, eos: bool, config_pad: str | None) -> Path:
    """A random GPT2ForSequenceClassification; ``config_pad`` names the token its config pads with (None: none)."""
    import torch
    from transformers import GPT2Config, GPT2ForSequenceClassification

    torch.manual_seed(0)
    tokenizer = _bpe_tokenizer(pad=pad, eos=eos)
    pad_id = None if config_pad is None else tokenizer.convert_tokens_to_ids(config_pad)
    config = GPT2Config(
        vocab_size=len(tokenizer),
        n_embd=32,
        n_layer=1,
        n_head=2,
        n_positions=64,
        id2label=dict(enumerate(SENTIMENT)),
        label2id={lab: i for i, lab in enumerate(SENTIMENT)},
        pad_token_id=pad_id,
    )
    GPT2ForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.mark.parametrize(
    ("pad", "eos", "config_pad"),
    [
        (True, True, None),  # a pad token, none in the config: batches of two failed ("Cannot handle batch sizes > 1")
        (False, True, None),  # no pad token (stock GPT-2): the same
        (False, True, "<|endoftext|>"),  # the usual fine-tuning setup: padded with 0, the score moved with the batch
        (False, False, None),  # no padding token at all: one text per forward pass
    ],
)
def test_a_decoder_classifier_scores_a_text_the_same_alone_and_in_a_batch(
    tmp_path: Path, pad: bool, eos: bool, config_pad: str | None, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tiny_gpt2(tmp_path / "gpt2", pad=pad, eos=eos, config_pad=config_pad)
    with caplog.at_level(logging.INFO, logger="journeymap.emotions.transformer"):
        scorer = TransformerScorer(folder)
    alone = scorer.score(["thanks, that fixed it!"])
    together = scorer.score(["thanks, that fixed it!", "where is my parcel? " * 3])
    np.testing.assert_allclose(together[0], alone[0], atol=1e-5)
    if pad or eos:
        assert scorer.pad_id == scorer.model.config.pad_token_id is not None
    else:
        assert scorer.pad_id is None and "one per forward pass" in caplog.text


def test_run_sorted_pads_with_the_id_it_is_given() -> None:
    import torch

    class Tok:
        pad_token_id = 7

        def __call__(self, texts: list[str], **_: Any) -> dict[str, list[list[int]]]:
            return {"input_ids": [[1] * len(t) for t in texts]}

    def last_id(ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return ids[:, -1:].float()

    run = {"tokenizer": Tok(), "forward": last_id, "empty_row": np.zeros(1, np.float32), "batch_size": 4, "max_length": 9}
    texts = ["a", "abc"]
    assert _batching.run_sorted(texts, **run, device=torch.device("cpu"))[:, 0].tolist() == [7, 1]
    assert _batching.run_sorted(texts, **run, device=torch.device("cpu"), pad_id=3)[:, 0].tolist() == [3, 1]


# -- 3. long texts are read in windows of the model's own form --------------------------------------------
def test_the_special_tokens_are_the_models_own() -> None:
    from tokenizers import processors

    bert = _tokenizer()
    assert special_ends(bert) == ([bert.cls_token_id], [bert.sep_token_id])
    gpt = _bpe_tokenizer(pad=False, eos=True)
    assert special_ends(gpt) == ([], [])
    eos = gpt.eos_token_id
    gpt.backend_tokenizer.post_processor = processors.TemplateProcessing(
        single="<|endoftext|> $A", special_tokens=[("<|endoftext|>", eos)]
    )
    assert special_ends(gpt) == ([eos], [])


def _by_hand(folder: Path, text: str, *, size: int, multi_label: bool) -> np.ndarray:
    """The combine rule over the windows' probabilities, each window run alone through transformers."""
    import torch
    from transformers import AutoModelForSequenceClassification

    tokenizer = _tokenizer()
    model = AutoModelForSequenceClassification.from_pretrained(folder).eval()
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    body = size - 2
    starts = [*range(0, len(ids) - body, body // 2), len(ids) - body]
    rows = []
    for s in starts:
        window = [tokenizer.cls_token_id, *ids[s : s + body], tokenizer.sep_token_id]
        with torch.inference_mode():
            logits = model(input_ids=torch.tensor([window])).logits[0]
        rows.append((torch.sigmoid(logits) if multi_label else torch.softmax(logits, -1)).numpy())
    probs = np.stack(rows)
    out = probs.max(axis=0)
    out[1] = probs[:, 1].min()  # neutral
    return out if multi_label else out / out.sum()


@pytest.mark.parametrize("multi_label", [False, True])
def test_a_long_text_is_read_in_windows_and_combined(tmp_path: Path, multi_label: bool) -> None:
    folder = tiny_bert(tmp_path / "m", SENTIMENT, positions=16)
    scorer = TransformerScorer(folder, multi_label=multi_label)
    assert scorer.max_length == 16
    assert len(_tokenizer()(LONG, add_special_tokens=False)["input_ids"]) > 3 * 16  # several windows
    got = scorer.score_outputs([LONG, "thanks"])
    np.testing.assert_allclose(got[0, :3], _by_hand(folder, LONG, size=16, multi_label=multi_label), atol=1e-5)
    assert got[:, 3].tolist() == [0, 0]  # read in full
    np.testing.assert_allclose(got[1, :3], scorer.score(["thanks"])[0], atol=1e-6)
    assert "+win" in scorer.id  # rows cached by the truncating scorer are never served


def test_tokens_past_max_windows_are_counted_and_noted(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder = tiny_bert(tmp_path / "m", SENTIMENT, positions=16)
    scorer = TransformerScorer(folder, max_windows=2)
    assert scorer.id == TransformerScorer(folder).id + "+w2"
    n = len(_tokenizer()(LONG, add_special_tokens=False)["input_ids"])
    with caplog.at_level(logging.WARNING, logger="journeymap.emotions.transformer"):
        unread = scorer.score_outputs([LONG, "thanks"])[:, 3]
    assert unread.tolist() == [n - (7 + 14), 0]  # windows of 14 tokens, 7 apart: two windows read 21
    assert "tokens not read" in caplog.text
    note = jm.score(pd.DataFrame({"text": [LONG]}), scorer=scorer, cache=False)["score_note"].iloc[0]
    assert note == f"{n - 21} tokens at the end not read (longer than the scorer reads: 2 windows of 16 tokens)"
    with pytest.raises(jm.InvalidArgumentError, match="max_windows"):
        TransformerScorer(folder, max_windows=0)


def test_evaluate_labelled_reports_the_texts_not_read_in_full(tmp_path: Path) -> None:
    scorer = TransformerScorer(tiny_bert(tmp_path / "m", SENTIMENT, positions=16), max_windows=1)
    data = pd.DataFrame({"text": [LONG, "thanks", "awful"], "label": ["negative", "positive", "negative"]})
    result = evaluate_labelled(data, scorer=scorer)
    assert result["not_read_in_full"] == 1
    assert "not read in full: 1 text(s)" in format_labelled(result)


# -- 4. the position offset is the model's own -------------------------------------------------------------
def test_an_mpnet_model_with_a_small_position_table_reads_long_texts(tmp_path: Path) -> None:
    import torch
    from transformers import MPNetConfig, MPNetForSequenceClassification

    torch.manual_seed(0)
    tokenizer = _tokenizer()
    config = MPNetConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=34,
        id2label=dict(enumerate(SENTIMENT)),
        label2id={lab: i for i, lab in enumerate(SENTIMENT)},
    )
    folder = tmp_path / "mpnet"
    MPNetForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    scorer = TransformerScorer(folder)
    assert scorer.max_length == 32  # positions are numbered from padding_idx + 1 = 2
    rows = scorer.score([LONG, "thanks"])
    assert np.isfinite(rows).all()


# -- 5. a tokenizer bigger than the vocabulary is refused at load -------------------------------------------
def test_a_tokenizer_bigger_than_the_vocabulary_is_refused(tmp_path: Path) -> None:
    folder = tiny_bert(tmp_path / "m", SENTIMENT, vocab=400)
    with pytest.raises(ModelLoadError, match=r"tokenizer has 30522 tokens, more than the model's vocabulary of 400"):
        TransformerScorer(folder)


# -- 7. rating scales have known valences ---------------------------------------------------------------------
STARS = ["1 star", "2 stars", "3 stars", "4 stars", "5 stars"]


def test_a_star_model_works_by_name_and_in_a_route(tmp_path: Path) -> None:
    folder = tiny_bert(tmp_path / "stars", STARS)
    scorer = TransformerScorer(folder)
    assert [scorer.taxonomy.valence[s] for s in STARS] == [-0.9, -0.45, 0.0, 0.45, 0.9]
    assert scorer.taxonomy.groups["sentiment"] == {
        "negative": ("1 star", "2 stars"),
        "neutral": ("3 stars",),
        "positive": ("4 stars", "5 stars"),
    }
    frame = pd.DataFrame({"text": ["el servicio es muy malo y quiero un reembolso"]})
    out = jm.score(frame, scorer={"en": "default", "*": str(folder)}, cache=False)
    assert out["scorer"].iloc[0] == scorer.id and out["sentiment"].iloc[0] in {"negative", "neutral", "positive"}


def test_five_level_sentiment_labels_are_evenly_spaced(tmp_path: Path) -> None:
    labels = ["very negative", "negative", "neutral", "positive", "very positive"]
    scorer = TransformerScorer(tiny_bert(tmp_path / "five", labels))
    assert [scorer.taxonomy.valence[s] for s in labels] == [-0.9, -0.45, 0.0, 0.45, 0.9]
    assert scorer.taxonomy.groups["sentiment"]["negative"] == ("very negative", "negative")


def test_another_scale_is_refused_with_a_taxonomy_hint(tmp_path: Path) -> None:
    folder = tiny_bert(tmp_path / "points", ["1 point", "2 points", "3 points"])
    with pytest.raises(ModelLoadError, match=r"look like a rating scale: pass taxonomy=\{'name': 'rating'") as err:
        TransformerScorer(folder)
    assert "'1 point': -0.9, '2 points': 0.0, '3 points': 0.9" in str(err.value)
