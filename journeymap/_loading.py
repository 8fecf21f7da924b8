"""One lock for building models in a process, and transformers kept quiet while it is held.

Scorers and encoders build their network on first use. Two threads sharing one scorer (the
threads of a Dask worker, a web service's request threads) must not both build it: importing
transformers from two threads at once can fail half-way (``cannot import name 'AutoModel'``),
and two builds double the load time and the peak memory. Loading also lowers transformers'
process-wide verbosity for a moment (the unused pooler weights of a sentence encoder are
expected, not news); under one lock, overlapping loads cannot leave it lowered.
"""

from __future__ import annotations

import importlib
import os
import re
import threading
import warnings
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Literal

from journeymap.exceptions import ModelLoadError

if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import ModuleType

__all__ = ["INSTALL", "LOAD_LOCK", "keep_global_rng", "load_tokenizer", "quiet_transformers", "require"]

#: How to install the libraries the models run on, as the README says (torch is pinned first).
INSTALL = {
    "torch": "pip install torch==2.13.0 (for the CPU build: pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu)",
    "transformers": "pip install 'transformers>=4.44'",
}

#: Held while a model is built. Reentrant: a build may load its tokenizer through another helper.
#: A forked child gets a fresh one (:func:`_fresh_lock_after_fork`): look it up when it is used
#: (``with _loading.LOAD_LOCK``, or ``from journeymap._loading import LOAD_LOCK`` inside the
#: function), never keep a reference from import time.
LOAD_LOCK = threading.RLock()


def _fresh_lock_after_fork() -> None:
    """In a forked child: a new :data:`LOAD_LOCK`.

    The parent may have been building a model on another thread at the fork (for seconds: the
    first load, an ONNX export): the child inherits the lock held by a thread it does not have,
    and its first load waited for ever.
    """
    global LOAD_LOCK  # noqa: PLW0603 - the lock is the process's; the child's is a new one
    LOAD_LOCK = threading.RLock()


if hasattr(os, "register_at_fork"):  # once, at import (not on Windows)
    os.register_at_fork(after_in_child=_fresh_lock_after_fork)


def require(module: Literal["torch", "transformers"], what: str = "this model") -> ModuleType:
    """Import torch or transformers, or raise ModelLoadError saying how to install it.

    ``import journeymap`` needs neither; every model does (the ONNX backends too: they export
    their graph from the torch network, and read text with the transformers tokenizer). Without
    this check a missing library surfaces as a bare ``ModuleNotFoundError`` from deep inside a
    build (the CLI printed it as a traceback), or wrapped as a model that "could not be loaded".
    The message is one line (the CLI prints the first) and the ImportError is chained.

    Examples:
        >>> require("torch").__name__
        'torch'
        >>> import sys
        >>> saved, sys.modules["torch"] = sys.modules["torch"], None  # as if torch were not installed
        >>> try:
        ...     require("torch", "the default scorer")
        ... except ModelLoadError as exc:
        ...     print(str(exc)[:64])
        ... finally:
        ...     sys.modules["torch"] = saved
        the default scorer needs torch, which cannot be imported (import
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        msg = f"{what} needs {module}, which cannot be imported ({exc}); install it with: {INSTALL[module]}"
        raise ModelLoadError(msg) from exc


@contextmanager
def keep_global_rng() -> Iterator[None]:
    """Run training, which seeds torch's global generator (CPU), with its state put back afterwards.

    Training seeds the generator and draws from it (initial heads, dropout, shuffling); the
    caller's state is saved and restored on the way out. Not for loading a model to score: in a
    process with other threads drawing from the generator, the numbers they drew meanwhile come
    again after the restore. Loading the bundled models draws nothing instead (heads are left
    uninitialised, then their weights loaded: :func:`journeymap.emotions._minilm.build` with
    ``init=False``). A user's Hugging Face encoder is loaded inside it
    (:class:`~journeymap.topics.TransformerEncoder`): its checkpoint may lack weights that
    transformers then draws, and leaving the caller's sequence moved is the larger harm there.

    Examples:
        >>> import torch
        >>> before = torch.get_rng_state()
        >>> with keep_global_rng():
        ...     _ = torch.nn.Linear(4, 4)
        >>> bool(torch.equal(before, torch.get_rng_state()))
        True
    """
    require("torch")
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
        require("transformers")
        from transformers.utils import logging as hf_logging

        verbosity = hf_logging.get_verbosity()
        bar = hf_logging.is_progress_bar_enabled()
        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        try:
            yield
        finally:
            hf_logging.set_verbosity(verbosity)
            if bar:
                hf_logging.enable_progress_bar()


#: transformers 4.44 warns (FutureWarning, which Python shows) on loading a tokenizer whose config
#: does not set ``clean_up_tokenization_spaces``, as the bundled encoder's does not: the setting's
#: default was to change. Only decoding reads it, and journeymap never decodes (it reads texts in).
_DECODE_NOTICE = re.escape("`clean_up_tokenization_spaces` was not set")


def load_tokenizer(source: str, **kwargs: Any) -> Any:
    """``AutoTokenizer.from_pretrained(source, **kwargs)``, without transformers 4.44's notice on decoding.

    The one notice is ignored (:data:`_DECODE_NOTICE`), for this call only; any other warning is
    raised as usual. Call it under :data:`LOAD_LOCK` (the filter is the process's while it loads).

    Examples:
        >>> from journeymap.emotions._minilm import base_model_path
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("error")  # as a test suite with filterwarnings=error does
        ...     tokenizer = load_tokenizer(str(base_model_path()))
        >>> tokenizer("lost bag")["input_ids"]
        [101, 2439, 4524, 102]
    """
    from transformers import AutoTokenizer

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_DECODE_NOTICE, category=FutureWarning)
        return AutoTokenizer.from_pretrained(source, **kwargs)
