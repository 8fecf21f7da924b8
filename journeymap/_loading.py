"""One lock for building models in a process, and transformers kept quiet while it is held.

Scorers and encoders build their network on first use. Two threads sharing one scorer (the
threads of a Dask worker, a web service's request threads) must not both build it: importing
transformers from two threads at once can fail half-way (``cannot import name 'AutoModel'``),
and two builds double the load time and the peak memory. Loading also lowers transformers'
process-wide verbosity for a moment (the unused pooler weights of a sentence encoder are
expected, not news); under one lock, overlapping loads cannot leave it lowered.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["LOAD_LOCK", "keep_global_rng", "quiet_transformers"]

#: Held while a model is built. Reentrant: a build may load its tokenizer through another helper.
LOAD_LOCK = threading.RLock()


@contextmanager
def keep_global_rng() -> Iterator[None]:
    """Build a model without touching torch's global random state (CPU), as a library should.

    Building a network draws its initial weights (a head, layers the saved weights replace) from
    torch's global generator; a service that seeds it for its own work would see the sequence
    moved by loading a scorer. The state is restored on the way out.

    Examples:
        >>> import torch
        >>> before = torch.get_rng_state()
        >>> with keep_global_rng():
        ...     _ = torch.nn.Linear(4, 4)
        >>> bool(torch.equal(before, torch.get_rng_state()))
        True
    """
    import torch

    with torch.random.fork_rng(devices=[]):
        yield


@contextmanager
def quiet_transformers() -> Iterator[None]:
    """Import transformers and quiet its warnings and progress bars, under :data:`LOAD_LOCK`.

    The verbosity and progress-bar setting the caller had are restored on the way out.

    Examples:
        >>> from transformers.utils import logging as hf_logging
        >>> before = hf_logging.get_verbosity()
        >>> with quiet_transformers():
        ...     hf_logging.get_verbosity() == hf_logging.ERROR
        True
        >>> hf_logging.get_verbosity() == before
        True
    """
    with LOAD_LOCK:
        from journeymap._progress import quiet_tqdm

        quiet_tqdm()  # transformers imports tqdm.auto, which warns in a notebook without ipywidgets
        from transformers.utils import logging as hf_logging

        verbosity = hf_logging.get_verbosity()
        bar = hf_logging.is_progress_bar_enabled()
        hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
        hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
        try:
            yield
        finally:
            hf_logging.set_verbosity(verbosity)
            if bar:
                hf_logging.enable_progress_bar()  # type: ignore[no-untyped-call]
