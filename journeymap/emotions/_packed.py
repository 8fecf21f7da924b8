"""Linear layers through oneDNN with their weights reordered once (bfloat16 on CPU).

``nn.Linear`` in bfloat16 on CPU calls oneDNN, which lays the weight out in its blocked format
again on every call; on the default scorer's shapes (about 2,500 tokens x 384 -> 1,536) that
reorder and the separate GELU pass cost about a tenth of a run (profiled; see
``docs/architecture.md``, fourth pass). :func:`pack_linears` replaces each ``nn.Linear`` of a
module by :class:`PackedLinear`, which reorders the weight once and calls oneDNN's linear
directly, with the feed-forward GELU fused into the first feed-forward product. These are the
kernels ``torch.compile`` uses for frozen CPU models (``torch.ops.mkldnn._linear_pointwise``),
called here without compiling anything. Where they are missing (another torch build, no oneDNN,
a CPU without their bfloat16 path, such as AVX2 alone) or give other numbers than the plain
layers, the module is left as it is.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

import torch
from torch import nn

logger = logging.getLogger(__name__)

#: The number of rows oneDNN's weight layout is chosen for (a typical batch's token count).
_ROWS_HINT = 2048


@functools.cache
def _available() -> bool:
    """Whether oneDNN's bfloat16 linear kernels run here (an AVX2-only CPU has the ops but not the path)."""
    mkldnn = torch.ops.mkldnn
    if not (
        torch.backends.mkldnn.is_available()  # type: ignore[no-untyped-call]
        and hasattr(mkldnn, "_linear_pointwise")
        and hasattr(mkldnn, "_reorder_linear_weight")
    ):
        return False
    try:
        weight = mkldnn._reorder_linear_weight(torch.zeros(8, 8, dtype=torch.bfloat16), 8)
        mkldnn._linear_pointwise(torch.zeros(2, 8, dtype=torch.bfloat16), weight, None, "none", [], "")
    except (RuntimeError, NotImplementedError):
        return False
    return True


class PackedLinear(nn.Module):
    """``linear`` (then exact GELU when ``gelu``) with its weight reordered once for oneDNN.

    The original layer stays a child (``self.linear``), so its weights are what is saved,
    copied or pickled; the reordered copy is rebuilt after unpickling.

    Examples:
        >>> import torch
        >>> from journeymap.emotions._packed import PackedLinear
        >>> lin = torch.nn.Linear(8, 4).to(torch.bfloat16)
        >>> x = torch.randn(3, 8).to(torch.bfloat16)
        >>> with torch.inference_mode():
        ...     bool(torch.equal(PackedLinear(lin)(x), lin(x)))
        True
    """

    def __init__(self, linear: nn.Linear, *, gelu: bool = False) -> None:
        super().__init__()
        self.linear = linear
        self.gelu = gelu
        self._pack()

    def _pack(self) -> None:
        # None where the kernels are missing (unpickled on another torch build): plain layers then
        self._packed = torch.ops.mkldnn._reorder_linear_weight(self.linear.weight.detach(), _ROWS_HINT) if _available() else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``gelu(x @ W.T + b)`` or ``x @ W.T + b``."""
        if self._packed is None:
            y = self.linear(x)
            return nn.functional.gelu(y) if self.gelu else y
        attr, algorithm = ("gelu", "none") if self.gelu else ("none", "")
        out: torch.Tensor = torch.ops.mkldnn._linear_pointwise(x, self._packed, self.linear.bias, attr, [], algorithm)
        return out

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_packed", None)  # oneDNN's blocked tensors cannot be pickled
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._pack()


def _exact_gelu(module: nn.Module) -> bool:
    from transformers.activations import GELUActivation

    act = getattr(module, "intermediate_act_fn", None)
    return isinstance(act, GELUActivation) and act.act is nn.functional.gelu


def _packed(child: nn.Module) -> PackedLinear | None:
    """The packed stand-in for ``child``, or None where there is none."""
    if isinstance(child, nn.Linear):
        return PackedLinear(child)
    dense = getattr(child, "dense", None)
    # A transformer's feed-forward "intermediate" block: dense, then the activation, nothing else.
    parts = {name for name, _ in child.named_children()}
    if isinstance(dense, nn.Linear) and _exact_gelu(child) and parts <= {"dense", "intermediate_act_fn"}:
        return PackedLinear(dense, gelu=True)
    return None


def _agrees(original: nn.Module, packed: nn.Module, features: int, dtype: torch.dtype) -> bool:
    x = torch.randn(2, 5, features, generator=torch.Generator().manual_seed(0)).to(dtype)
    with torch.inference_mode():
        a, b = original(x).float(), packed(x).float()
    # GELU fused into the product rounds once where the plain layers round twice: one bfloat16 step.
    return bool(torch.allclose(a, b, rtol=2e-2, atol=2e-2))


def pack_linears(model: nn.Module) -> int:
    """Replace ``model``'s linear layers (and GELU feed-forward blocks) by packed ones, in place.

    For a bfloat16 model on CPU. Each replacement is checked against the layer it replaces on
    a small input first; returns how many were replaced (0 where oneDNN's kernels are missing).
    """
    if not _available():
        logger.debug("oneDNN linear kernels not available; layers left as they are")
        return 0
    return _pack_children(model)


def _pack_children(parent: nn.Module) -> int:
    replaced = 0
    for name, child in list(parent.named_children()):
        if isinstance(child, PackedLinear):
            continue  # packed already
        try:
            packed = _packed(child)
            if packed is not None:
                linear = packed.linear
                if _agrees(child, packed, linear.in_features, linear.weight.dtype):
                    setattr(parent, name, packed)
                    replaced += 1
                    continue
                logger.debug("packed %s disagrees with the plain layer; left as it is", name)
        except (RuntimeError, NotImplementedError) as exc:  # a torch build without these kernels
            logger.debug("cannot pack %s (%s); left as it is", name, exc)
            continue
        replaced += _pack_children(child)
    return replaced


def prepare_bf16_cpu(model: nn.Module, encoder: Any) -> int:
    """Set up a bfloat16 transformer on CPU as the default scorer and encoder run it; returns the packed count.

    ``encoder`` is the Hugging Face model whose attention is switched: torch's fused CPU
    attention is slow in bfloat16 on short sequences (17% of a run, profiled), and the plain
    matmul-softmax-matmul path is faster and as close to float32. Then oneDNN's linear with the
    weights reordered once and GELU fused (:func:`pack_linears`): about 12% faster again.
    """
    switch = getattr(encoder, "set_attn_implementation", None)
    if switch is not None:
        switch("eager")
    else:  # transformers 4.44 (the floor) picks the attention when the model is built: the fused one is kept, slower
        logger.debug("this transformers cannot switch a built model's attention; its fused attention is kept")
    packed = pack_linears(model)
    logger.debug("%d linear layers packed for oneDNN", packed)
    return packed
