"""Progress bars: tqdm's notebook widget where it can draw, its text bar everywhere else.

``tqdm.auto`` picks the notebook widget in Jupyter and, without ipywidgets installed, warns
("IProgress not found") on every bar. :func:`progress` checks for ipywidgets first, so a
notebook without it gets the plain text bar and no warning.
"""

from __future__ import annotations

import importlib.util
import sys
from typing import Any

__all__ = ["progress", "quiet_tqdm"]


def quiet_tqdm() -> None:
    """Import ``tqdm.auto`` once with its "IProgress not found" warning silenced.

    transformers and huggingface_hub import ``tqdm.auto``, which warns in a notebook without
    ipywidgets; call this before importing them. Later imports of ``tqdm.auto`` are silent
    anyway (the module is imported once).
    """
    if "tqdm.auto" in sys.modules:  # imported already: no warnings filter to touch (they are process-wide)
        return
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="IProgress not found")
        import tqdm.auto  # noqa: F401


def _in_notebook() -> bool:
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    get_ipython = getattr(shell, "get_ipython", None)
    ip = get_ipython() if callable(get_ipython) else None
    return ip is not None and type(ip).__name__ == "ZMQInteractiveShell"


def progress(*args: Any, **kwargs: Any) -> Any:
    """A tqdm progress bar (same arguments as ``tqdm.tqdm``), a widget only where widgets work.

    Examples:
        >>> import io
        >>> with progress(total=3, file=io.StringIO()) as bar:
        ...     _ = bar.update(3)
        >>> bar.n
        3
    """
    if kwargs.get("disable") is True:  # no tqdm at all: any tqdm starts its monitor thread, shown or not
        return _Hidden(*args, **kwargs)
    if _in_notebook() and importlib.util.find_spec("ipywidgets") is not None:
        from tqdm.notebook import tqdm as notebook_tqdm

        return notebook_tqdm(*args, **kwargs)
    from tqdm.std import tqdm as text_tqdm

    return text_tqdm(*args, **kwargs)


class _Hidden:
    """A progress bar that shows nothing and starts no thread: what ``progress(..., disable=True)`` gives.

    It counts as a bar does (``n``, ``update``), takes ``set_postfix``, ``set_description`` and
    ``close``, works as a context manager, and iterates what it wraps.

    Examples:
        >>> with progress(total=2, disable=True) as bar:
        ...     _ = bar.update(2)
        >>> bar.n, list(progress([1, 2], disable=True))
        (2, [1, 2])
    """

    def __init__(self, iterable: Any = None, *args: Any, total: float | None = None, **kwargs: Any) -> None:
        self.iterable = iterable
        self.total = total
        self.n: float = 0

    def __iter__(self) -> Any:
        return iter(self.iterable if self.iterable is not None else ())

    def __enter__(self) -> _Hidden:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, n: float = 1) -> bool:
        """Count ``n`` more steps."""
        self.n += n
        return False

    def set_postfix(self, *args: Any, **kwargs: Any) -> None:
        """Nothing to show."""

    def set_description(self, *args: Any, **kwargs: Any) -> None:
        """Nothing to show."""

    def close(self) -> None:
        """Nothing to close."""
