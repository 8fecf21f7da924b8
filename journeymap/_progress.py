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
    if _in_notebook() and importlib.util.find_spec("ipywidgets") is not None:
        from tqdm.notebook import tqdm as notebook_tqdm

        return notebook_tqdm(*args, **kwargs)
    from tqdm.std import tqdm as text_tqdm

    return text_tqdm(*args, **kwargs)
