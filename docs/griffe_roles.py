"""A Griffe extension for the API page: Sphinx roles in docstrings become inline code.

The docstrings name other objects the Sphinx way (``:func:`~journeymap.score```), which reads
well in ``help()`` and IDEs; mkdocstrings renders docstrings as Markdown, where the role would
show as written. This turns ``:role:`~a.b.name``` into ``name`` and ``:role:`a.b.name``` into
``a.b.name``, as code, when the page is built (the source keeps the roles).
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:py:)?(?:func|class|meth|data|mod|attr|exc|obj|const):`(~?)([^`]+)`")


def _plain(match: re.Match[str]) -> str:
    short, target = match.group(1), match.group(2).strip()
    if "<" in target and target.endswith(">"):  # :func:`title <target>`
        return f"`{target.split('<', 1)[0].strip()}`"
    return f"`{target.rsplit('.', 1)[-1] if short else target}`"


def unrole(text: str) -> str:
    """``text`` with every Sphinx role written as inline code.

    Example:
        >>> unrole("see :func:`~journeymap.score` and :class:`journeymap.JourneySet`")
        'see `score` and `journeymap.JourneySet`'
    """
    return _ROLE.sub(_plain, text)


class SphinxRoles(griffe.Extension):
    """Rewrites the docstring of every object Griffe loads (see :func:`unrole`)."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Griffe's hook, called once per object loaded: its docstring without roles."""
        if obj.docstring is not None:
            obj.docstring.value = unrole(obj.docstring.value)
