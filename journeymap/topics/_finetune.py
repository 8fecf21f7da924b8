"""Few-shot fine-tuning of a sentence encoder on labelled examples (SetFit-style, contrastive).

The encoder is trained so that examples of one topic come together and others move apart:
supervised contrastive loss (Khosla et al., 2020) over batches that hold two or more
examples of each of several topics, with the word embeddings frozen. The changed weights are
rounded to float16 and kept in a :class:`FineTunedEncoder`, which pickles them (about 20 MB for
MiniLM) with the name of its base encoder, never a torch module.
"""

from __future__ import annotations

import copy
import hashlib
import logging
from typing import TYPE_CHECKING, Any

import numpy as np

from journeymap.topics._inputs import TopicInputError
from journeymap.topics.encoders import TransformerEncoder

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy.typing as npt
    import torch

    from journeymap.topics.encoders import SentenceEncoder

logger = logging.getLogger(__name__)

#: Parameters left as the base encoder has them (large, and rarely worth moving on few examples).
FROZEN = ("embeddings.word_embeddings.",)


class FineTunedEncoder(TransformerEncoder):
    """A transformer encoder with fine-tuned weights on top of a base encoder.

    Args:
        base: the encoder that was fine-tuned (pickled by its arguments).
        state: the changed parameters, name -> float16 array.
    """

    def __init__(self, base: TransformerEncoder, state: dict[str, npt.NDArray[np.float16]]) -> None:
        base_id = base.id  # loads the base: its max_length is then capped at what its model reads
        super().__init__(base.model_name, device=base.device_name, batch_size=base.batch_size, max_length=base.max_length)
        self.base = base
        self.state = state
        digest = hashlib.sha256()
        for name in sorted(state):
            digest.update(name.encode())
            digest.update(np.ascontiguousarray(state[name]).tobytes())
        self._id = f"{base_id}+ft-{digest.hexdigest()[:16]}"

    def _build(self) -> None:
        import torch

        net = copy.deepcopy(self.base.network)
        tensors = {k: torch.from_numpy(v.astype(np.float32)) for k, v in self.state.items()}
        net.load_state_dict(tensors, strict=False)
        self._tokenizer = self.base.tokenizer
        self._device = self.base._device
        self._net = net.to(self._device).eval()

    @property
    def dim(self) -> int:
        """The base encoder's dimension."""
        return self.base.dim

    def __repr__(self) -> str:
        return f"FineTunedEncoder(base={self.base!r}, id={self.id!r})"


def _supcon(z: torch.Tensor, y: torch.Tensor, temperature: float) -> torch.Tensor:
    import torch

    sim = z @ z.T / temperature
    eye = torch.eye(len(z), dtype=torch.bool, device=z.device)
    sim = sim.masked_fill(eye, float("-inf"))
    log_prob = sim - torch.logsumexp(sim, dim=1, keepdim=True)
    positives = (y[:, None] == y[None, :]) & ~eye
    count = positives.sum(dim=1)
    has = count > 0
    loss = -(log_prob.masked_fill(~positives, 0.0).sum(dim=1)[has] / count[has])
    return loss.mean()


def _batches(labels: npt.NDArray[np.int64], batch_size: int, rng: np.random.Generator) -> list[npt.NDArray[np.int64]]:
    """One epoch of batches, each of pairs of same-label examples (every example used once or more)."""
    by_class = [rng.permutation(np.flatnonzero(labels == c)) for c in np.unique(labels)]
    pairs = []
    for members in by_class:
        if len(members) < 2:
            continue
        seq = members if len(members) % 2 == 0 else np.append(members, members[0])
        pairs += [seq[i : i + 2] for i in range(0, len(seq), 2)]
    order = rng.permutation(len(pairs))
    per = max(1, batch_size // 2)
    return [np.concatenate([pairs[j] for j in order[s : s + per]]) for s in range(0, len(order), per)]


def fine_tune(
    encoder: SentenceEncoder,
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    epochs: int = 8,
    learning_rate: float = 3e-5,
    batch_size: int = 64,
    temperature: float = 0.05,
    seed: int | None = 0,
    progress: bool | None = None,
) -> FineTunedEncoder:
    """Fine-tune ``encoder`` contrastively on labelled examples; returns a new encoder (``seed=None``: a fresh seed)."""
    import torch

    from journeymap._progress import progress as progress_bar

    if not isinstance(encoder, TransformerEncoder):
        msg = f"fine_tune needs a transformers-based encoder (TransformerEncoder, MiniLMEncoder), got {type(encoder).__name__}"
        raise TopicInputError(msg)
    from journeymap.emotions._batching import has_words, valid_utf8
    from journeymap.topics.encoders import MiniLMEncoder

    if isinstance(encoder, MiniLMEncoder) and (encoder.backend, encoder.precision) != ("torch", "float32"):
        # training needs the float32 torch network (not ONNX Runtime's, nor bfloat16's packed layers)
        encoder = MiniLMEncoder(
            device=encoder.device_name,
            batch_size=encoder.batch_size,
            max_length=encoder.max_length,
            backend="torch",
            precision="float32",
        )

    keep = [i for i, t in enumerate(texts) if has_words(t)]
    docs = [valid_utf8(texts[i]) for i in keep]
    _, y = np.unique(np.asarray([labels[i] for i in keep], dtype=object).astype(str), return_inverse=True)
    tokenizer = encoder.tokenizer
    net = copy.deepcopy(encoder.network).train()
    device = encoder._device
    for name, param in net.named_parameters():
        param.requires_grad_(not name.startswith(FROZEN))
    params = [p for p in net.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(params, lr=learning_rate, weight_decay=0.01)
    if seed is None:
        seed = int(np.random.default_rng().integers(2**31))
    rng = np.random.default_rng(seed)
    epochs_batches = [_batches(y, batch_size, rng) for _ in range(epochs)]
    total = sum(len(b) for b in epochs_batches)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min(1.0, (step + 1) / max(1, total // 10)) * max(0.0, 1 - step / total)
    )
    show = progress if progress is not None else True
    # dropout draws from torch's global generator: seeded here, in a fork, so the caller's is kept
    with (
        torch.random.fork_rng(devices=[]),
        progress_bar(total=total, desc="fine-tuning the encoder", unit="batch", disable=not show) as bar,
    ):
        torch.manual_seed(seed)
        for batches in epochs_batches:
            for batch in batches:
                enc = tokenizer(
                    [docs[i] for i in batch], truncation=True, max_length=encoder.max_length, padding=True, return_tensors="pt"
                )
                ids, mask = enc["input_ids"].to(device), enc["attention_mask"].to(device)
                hidden = net(input_ids=ids, attention_mask=mask).last_hidden_state
                weights = mask.unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)
                z = torch.nn.functional.normalize(pooled, dim=-1)
                loss = _supcon(z, torch.as_tensor(y[batch], device=device), temperature)
                optimiser.zero_grad()
                loss.backward()  # type: ignore[no-untyped-call]
                torch.nn.utils.clip_grad_norm_(params, 1.0)
                optimiser.step()
                scheduler.step()
                bar.set_postfix(loss=f"{loss.item():.3f}")
                bar.update(1)
    state: dict[str, Any] = {
        name: tensor.detach().cpu().to(torch.float16).numpy()
        for name, tensor in net.state_dict().items()
        if not name.startswith(FROZEN) and tensor.is_floating_point()
    }
    logger.info("fine-tuned %s on %d examples of %d topics (%d steps)", encoder.id, len(docs), int(y.max()) + 1, total)
    return FineTunedEncoder(encoder, state)
