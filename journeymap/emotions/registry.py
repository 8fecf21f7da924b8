"""Finding scorers: entry points in the group ``journeymap.scorers``, loaded lazily.

Built-in scorers register through the same entry-point group as third-party plugins (see
``pyproject.toml``), so there is one discovery path. Nothing is imported or registered when
journeymap is imported: the group is read on the first call and a plugin's code is imported
only when that plugin is asked for. The built-in names (:data:`BUILTINS`) belong to the
built-ins: a plugin that registers one of them is ignored, with a warning naming it, so
installing a package never changes what ``get_scorer("default")`` returns.
"""

from __future__ import annotations

import functools
import logging
import os
import re
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

from journeymap._plugins import building, options_problem, read_group
from journeymap.emotions.scorer import EmotionScorer, id_problem, languages_problem
from journeymap.emotions.taxonomy import Taxonomy
from journeymap.exceptions import (
    ArgumentTypeError,
    InvalidArgumentError,
    PluginError,
    ScorerOptionsError,
    UnknownScorerError,
)

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

    from journeymap.emotions.default import DefaultScorer
    from journeymap.emotions.transformer import TransformerScorer

logger = logging.getLogger(__name__)

_Scorer = TypeVar("_Scorer", bound=EmotionScorer)

__all__ = [
    "BUILTINS",
    "GROUP",
    "ScorerOptionsError",
    "available_scorers",
    "build_scorer",
    "get_scorer",
    "refresh",
    "verify_scorer",
]

GROUP = "journeymap.scorers"
#: What a one-part Hugging Face hub id looks like (``bert-base-uncased``).
_HUB_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
#: The built-in scorers, as ``pyproject.toml`` registers them: their names are not a plugin's to take.
BUILTINS: dict[str, str] = {
    "default": "journeymap.emotions.default:DefaultScorer",
    "transformer": "journeymap.emotions.transformer:TransformerScorer",
}


@functools.cache
def _entry_points() -> dict[str, EntryPoint]:
    """The group's entry points by name: the built-ins (:data:`BUILTINS`) under their names, the first of two others.

    See :func:`journeymap._plugins.read_group`: a plugin registering a built-in's name is ignored, with a warning.
    """
    return read_group(GROUP, "scorer", BUILTINS)


def refresh() -> None:
    """Forget the entry points read so far (after installing a plugin in a running session)."""
    _entry_points.cache_clear()


def available_scorers() -> list[str]:
    """Names of the registered scorers, sorted.

    Besides these, any Hugging Face sequence-classification model can be named by hub id or
    local path (``get_scorer("org/model")``); a one-part hub id by name only when the local
    Hugging Face cache holds it, else as ``get_scorer("transformer", model="bert-base-uncased")``.

    Examples:
        >>> "default" in available_scorers()
        True
    """
    return sorted(_entry_points())


def verify_scorer(scorer: Any, name: str) -> EmotionScorer:
    """Check the parts of the contract that can be checked without scoring; raise naming the plugin.

    Checked: an object (not a class) with an ``id`` of non-empty, printable text without
    surrounding whitespace (:func:`~journeymap.emotions.scorer.id_problem`: a lone surrogate
    cannot be written to the ``scorer`` column), a :class:`Taxonomy`, a
    callable ``score`` and, where it declares ``languages``, a collection of language codes (a
    bare string such as ``"en"`` would be read letter by letter, and every English text left
    unscored; see :func:`~journeymap.emotions.scorer.languages_problem`).
    """
    problems = []
    if isinstance(scorer, type):
        problems.append(f"it is the class {scorer.__qualname__}, not a scorer built from it")
    elif not isinstance(scorer, EmotionScorer):
        problems.append("it lacks id, taxonomy or score()")
    else:
        problem = id_problem(scorer.id)
        if problem:
            problems.append(problem)
        if not isinstance(scorer.taxonomy, Taxonomy):
            problems.append(f"taxonomy must be a journeymap Taxonomy, got {type(scorer.taxonomy).__name__}")
        if not callable(getattr(scorer, "score", None)):
            problems.append("score must be callable")
        try:
            problem = languages_problem(getattr(scorer, "languages", None))
        except Exception as exc:  # a property that raises
            problem = f"reading languages raised {type(exc).__name__}: {exc}"
        if problem:
            problems.append(problem)
    if problems:
        msg = f"scorer plugin {name!r} breaks the EmotionScorer contract: {'; '.join(problems)}"
        raise PluginError(msg)
    return scorer  # type: ignore[no-any-return]


def build_scorer(name: str, factory: Any, options: dict[str, Any]) -> Any:
    """``factory(**options)``, options that do not fit its signature failing as :class:`ScorerOptionsError`.

    The options are matched against the signature before the call, so a ``TypeError`` raised
    inside a constructor that accepted them is not mistaken for a bad option.
    """
    problem = options_problem(factory, options)
    if problem is not None:
        raise ScorerOptionsError(name, options, problem)
    return factory(**options)


def _model_hint(name: str) -> str:
    """How to load ``name`` as a Hugging Face model, for an unknown scorer name that could be a one-part hub id."""
    if not _HUB_NAME.fullmatch(name):
        return ""
    return (  # a one-part id is looked for in the local Hugging Face cache only; the hub is asked when told to
        f"For a Hugging Face model of that id: jm.get_scorer('transformer', model={name!r}) "
        f"(command line: --scorer transformer --scorer-option model={name})."
    )


def _model_scorer(name: str, options: dict[str, Any]) -> EmotionScorer:
    """The scorer of a model folder or hub id: a folder ``journeymap train`` wrote, else a :class:`TransformerScorer`."""
    from journeymap.emotions.trained import is_trained_folder, trained_factory
    from journeymap.emotions.transformer import TransformerScorer, expanded_path

    folder = expanded_path(name)
    if folder.is_dir() and is_trained_folder(folder):  # written by journeymap's trainers
        return build_scorer(str(folder), trained_factory(folder), options)  # type: ignore[no-any-return]
    return build_scorer(name, functools.partial(TransformerScorer, name), options)  # type: ignore[no-any-return]


def is_registered(name: str) -> bool:
    """True for a registered scorer name, False for a model (a hub id or path); else :class:`UnknownScorerError`.

    What :func:`get_scorer` makes of a name, told without building, importing or loading
    anything: the command line checks ``--scorer`` with it before reading a file.

    Examples:
        >>> is_registered("default"), is_registered("acme/tiny")
        (True, False)
    """
    eps = _entry_points()
    if name in eps:
        return True
    from journeymap.emotions.transformer import looks_like_model

    if looks_like_model(name):
        return False
    raise UnknownScorerError(name, eps, hint=_model_hint(name))


# The built-in names give their classes to a type checker (``get_scorer("default").loaded``); a
# scorer object comes back as its own type; any other name or path is some EmotionScorer.
@overload
def get_scorer(name: Literal["default"] = ..., **options: Any) -> DefaultScorer: ...
@overload
def get_scorer(name: Literal["transformer"], **options: Any) -> TransformerScorer: ...
@overload
def get_scorer(name: _Scorer, **options: Any) -> _Scorer: ...
@overload
def get_scorer(name: str | os.PathLike[str], **options: Any) -> EmotionScorer: ...
def get_scorer(name: str | os.PathLike[str] | EmotionScorer = "default", **options: Any) -> EmotionScorer:
    """A scorer by registered name, Hugging Face hub id or local model path.

    Typed by name for a type checker: ``"default"`` gives a
    :class:`~journeymap.emotions.default.DefaultScorer` (its ``loaded``, ``backend``, ...),
    ``"transformer"`` a :class:`~journeymap.TransformerScorer`, a scorer object its own type, any
    other name or path an :class:`~journeymap.emotions.scorer.EmotionScorer`.

    Args:
        name: a name from :func:`available_scorers`, a hub id such as
            ``"SamLowe/roberta-base-go_emotions"`` or a local model folder (both loaded with
            :class:`~journeymap.TransformerScorer`), a folder written by ``journeymap train``
            (loaded with :class:`~journeymap.emotions.trained.TrainedScorer`); a folder may be
            given as text or as a path object (``pathlib.Path``, always read as a path); or a scorer
            object (returned as it is; not its class). A one-part hub id
            (``"bert-base-uncased"``) that no scorer is registered under is loaded as a model
            when the local Hugging Face cache holds it; else it is an unknown name (the hub is
            not asked), and ``get_scorer("transformer", model="bert-base-uncased")`` fetches it.
        **options: passed to the scorer's constructor.

    Raises:
        UnknownScorerError: no scorer of that name; the message lists the available ones (and,
            for a name that could be a one-part hub id, how to load it as a model).
        ScorerOptionsError: ``options`` the scorer's constructor does not take, or a required
            one missing (``get_scorer("transformer")`` without ``model``).
        ArgumentTypeError: ``name`` is neither a string, a path nor a scorer object (a scorer class
            not yet built, say: pass ``MyScorer()``).
        PluginError: (a ``TypeError``) the plugin cannot be imported or built (its constructor
            raises: the message names the plugin and the exception, which is chained; an
            ``OSError`` there is a :class:`ModelLoadError`, a ``ValueError`` an
            :class:`InvalidArgumentError`), or what it
            builds (or the object given) breaks the contract (see :func:`verify_scorer`).

    Examples:
        >>> get_scorer("no-such-scorer")
        Traceback (most recent call last):
        ...
        journeymap.exceptions.UnknownScorerError: Unknown scorer 'no-such-scorer'. Available names: ...
    """
    if isinstance(name, os.PathLike):  # a path, never a registered name
        from journeymap.emotions.transformer import path_name

        return _model_scorer(path_name(name), options)
    if not isinstance(name, str):
        if isinstance(name, type):  # a class not yet built: its score() would be called without an instance
            msg = (
                f"scorer must be a scorer object, not the class {name.__qualname__}: pass an instance "
                f"({name.__name__}() with its options), a scorer name (see journeymap.available_scorers()) "
                "or a model id or path"
            )
            raise ArgumentTypeError(msg)
        if not isinstance(name, EmotionScorer):  # None, a number, an object without the scorer's members
            msg = (
                "scorer must be a scorer name (see journeymap.available_scorers()), a model id or path, or an object "
                f"with id, taxonomy and score(); got {type(name).__name__} {name!r}"
            )
            raise ArgumentTypeError(msg)
        if options:  # they build a scorer by name; an object is used as it is, and would silently ignore them
            raise ScorerOptionsError(type(name).__name__, options, "a scorer object is used as it is; options build one by name")
        return verify_scorer(name, type(name).__name__)
    if not name.strip():  # not the current folder
        msg = "scorer must be a scorer name (see journeymap.available_scorers()), a model id or path; got an empty string"
        raise InvalidArgumentError(msg)
    if not is_registered(name):
        return _model_scorer(name, options)
    ep = _entry_points()[name]
    try:
        factory = ep.load()
    except Exception as exc:
        msg = f"scorer plugin {name!r} ({ep.value}) could not be imported: {exc}"
        raise PluginError(msg) from exc
    if not callable(factory):
        msg = f"scorer plugin {name!r} ({ep.value}) must point to a class or factory, got {type(factory).__name__}"
        raise PluginError(msg)
    with building("scorer", ep):  # a constructor that raises: named, its exception chained
        scorer = build_scorer(name, factory, options)
    return verify_scorer(scorer, name)
