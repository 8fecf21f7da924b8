"""Checking what a topic model is given: texts, label names, labelled examples."""

from __future__ import annotations

import re
import sys
from collections.abc import Hashable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from journeymap.exceptions import JourneyMapError

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = [
    "OTHER",
    "TopicInputError",
    "as_examples",
    "as_groups",
    "as_label_descriptions",
    "as_label_values",
    "as_labels",
    "as_texts",
    "check_example_labels",
    "check_templates",
    "is_missing",
    "label_array",
    "label_order",
    "readable_name",
]

#: The topic of texts that fit no topic (and of texts without words).
OTHER = "other"

#: Column names accepted for the label of an examples DataFrame, in order of preference.
LABEL_COLUMNS = ("label", "topic", "intent", "category")


class TopicInputError(JourneyMapError, ValueError):
    """Arguments a topic model cannot work with; the message names the argument.

    ``argument``: the argument the message begins with, where it is one a command line gives as an
    option (``"n_topics"``); :meth:`for_option` spells it as that option.

    Examples:
        >>> TopicInputError("n_topics=500 is more than the 49 distinct texts", argument="n_topics").for_option("--n-topics")
        '--n-topics 500 is more than the 49 distinct texts'
    """

    def __init__(self, message: str, *, argument: str | None = None) -> None:
        super().__init__(message)
        self.argument = argument

    def for_option(self, option: str) -> str:
        """The message with the argument that begins it written as the command-line ``option``."""
        text = str(self)
        if not self.argument or not text.startswith(self.argument):
            return text
        rest = text[len(self.argument) :]
        return f"{option} {rest[1:]}" if rest.startswith("=") else f"{option}{rest}"


#: Items that are not one text: a 2-D input read row by row gives these.
_NESTED = (list, tuple, dict, set, frozenset, np.ndarray, pd.Series, pd.DataFrame)


def _is_sparse(value: Any) -> bool:
    """Whether ``value`` is a scipy sparse matrix or array (scipy is not imported for this: unimported, it is none)."""
    sparse = sys.modules.get("scipy.sparse")
    return sparse is not None and bool(sparse.issparse(value))


def _values(texts: Any, argument: str, *, sort_sets: bool) -> list[Any]:
    """The items of a 1-D sequence of texts (a set sorted with ``sort_sets``, else refused)."""
    if isinstance(texts, (str, bytes)):
        msg = f"{argument} must be a sequence of texts, not a single string"
        raise TopicInputError(msg)
    if _is_sparse(texts):  # make_pipeline(TfidfVectorizer(), TopicModel()): each row's repr would be embedded
        msg = (
            f"{argument} must be raw texts (one str per item), got a scipy sparse matrix of shape {texts.shape}: "
            "a topic model embeds the texts itself, so give it the texts, not the output of a vectorizer "
            "(in a Pipeline, put TopicModel first, without a TfidfVectorizer or CountVectorizer before it)"
        )
        raise TopicInputError(msg)
    if isinstance(texts, Mapping):  # list(d) is its keys
        msg = (
            f"{argument} must be a sequence of texts, not a {type(texts).__name__} (it would be read as its keys): "
            "pass list(d.values()), or pd.Series(d) to keep the keys as the index"
        )
        raise TopicInputError(msg)
    if isinstance(getattr(texts, "events", None), pd.DataFrame):  # a JourneySet or an EventLog: its items are no texts
        msg = (
            f"{argument} must be a sequence of texts, got a {type(texts).__name__}: use journeymap.assign_topics(js, model) "
            "for journeys, or pass their texts (js.events['text'])"
        )
        raise TopicInputError(msg)
    if isinstance(texts, pd.DataFrame):
        if "text" not in texts.columns:
            msg = f"{argument}: a DataFrame must have a 'text' column (columns: {list(texts.columns)})"
            raise TopicInputError(msg)
        texts = texts["text"]
    if isinstance(texts, np.ndarray) and texts.ndim != 1:
        msg = f"{argument} must be one-dimensional (one text per item), got an array of shape {texts.shape}"
        raise TopicInputError(msg)
    if isinstance(texts, (set, frozenset)):
        if not sort_sets:
            msg = f"{argument} must be an ordered sequence (a list, Series or array), not a set: the results follow its order"
            raise TopicInputError(msg)
        return sorted(texts, key=str)  # a set's own order depends on the hash seed (PYTHONHASHSEED)
    try:
        return list(texts)
    except TypeError as exc:
        msg = f"{argument} must be a sequence of texts, got {type(texts).__name__}"
        raise TopicInputError(msg) from exc


def is_missing(v: Any) -> bool:
    """Whether ``v`` is one missing value (None, NaN of any float type, ``pd.NA``, ``pd.NaT``, ``np.datetime64("NaT")``).

    Examples:
        >>> [is_missing(v) for v in (None, np.float32("nan"), pd.NaT, pd.NA, "nan", 0.0, [None])]
        [True, True, True, True, False, False, False]
    """
    if v is None or isinstance(v, str):
        return v is None
    if not pd.api.types.is_scalar(v):
        return False
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _as_str(v: Any) -> str:
    return v if isinstance(v, str) else "" if is_missing(v) else str(v)


def as_texts(texts: Any, argument: str = "texts", *, allow_empty: bool = False, sort_sets: bool = False) -> list[str]:
    """A list of str from a list, Series, 1-D array or tuple of texts; missing values (:func:`is_missing`) become ``""``.

    Other values are converted with ``str``. A 2-D array, a scipy sparse matrix (a vectorizer's
    output), a mapping (``list(d)`` would be its keys), or items that are themselves lists,
    tuples or arrays, raise :class:`TopicInputError` naming ``argument``; so does a set, unless
    ``sort_sets`` (then it is read in sorted order, which does not depend on the hash seed).

    Examples:
        >>> as_texts(["card lost", None, 3, np.float32("nan"), pd.NaT])
        ['card lost', '', '3', '', '']
        >>> try:
        ...     as_texts(np.array([["card lost"], ["refund"]]), "texts")
        ... except TopicInputError as err:
        ...     print(err)
        texts must be one-dimensional (one text per item), got an array of shape (2, 1)
    """
    values = _values(texts, argument, sort_sets=sort_sets)
    if len(values) == 0 and not allow_empty:
        msg = f"{argument} is empty: give at least one text"
        raise TopicInputError(msg)
    out = []
    for i, v in enumerate(values):
        if isinstance(v, _NESTED) or _is_sparse(v):
            msg = (
                f"{argument}: item {i} is a {type(v).__name__}, not a text; give one text per item (a 1-D list, Series or array)"
            )
            raise TopicInputError(msg)
        out.append(_as_str(v))
    return out


def as_labels(labels: Any, argument: str) -> list[str]:
    """Topic names of labelled texts: each value as str (missing: ``""``), stripped of surrounding spaces.

    ``"card "`` and ``"card"`` are one topic. Values of other types are converted with ``str``,
    but two different values with the same name (``1`` and ``"1"``) raise, rather than merge.
    :func:`as_label_values` gives the values as well.

    Examples:
        >>> as_labels(["card ", "card", 2, 2], "examples")
        ['card', 'card', '2', '2']
        >>> try:
        ...     as_labels([1, "1"], "examples")
        ... except TopicInputError as err:
        ...     print(err)
        examples: the labels 1 and '1' are different values with the same name '1'; give labels of one type (e.g. all str)
    """
    return as_label_values(labels, argument)[0]


def as_label_values(labels: Any, argument: str) -> tuple[list[str], list[Any]]:
    """``(names, values)`` of labels: the names as :func:`as_labels` gives them, and the values as given.

    A few-shot model predicts the values (``1``, ``"card "``), so they can be scored against the
    labels; its topics are named by the names (``"1"``, ``"card"``).

    Examples:
        >>> as_label_values(["card ", 2], "y")
        (['card', '2'], ['card ', 2])
    """
    values = _values(labels, argument, sort_sets=False)
    out = [name.strip() for name in as_texts(values, argument, allow_empty=True)]
    first: dict[str, Any] = {}
    for value, name in zip(values, out):
        if name not in first:
            first[name] = value
            continue
        seen = first[name]
        if not name or (isinstance(seen, str) and isinstance(value, str)):
            continue
        try:
            same = bool(seen == value)
        except (TypeError, ValueError):
            same = False
        if not same:
            msg = (
                f"{argument}: the labels {seen!r} and {value!r} are different values with the same name {name!r}; "
                "give labels of one type (e.g. all str)"
            )
            raise TopicInputError(msg)
    return out, values


def label_array(values: Sequence[Any]) -> npt.NDArray[Any]:
    """Label values as one array: str where all are str, numbers where all are numbers, else objects.

    Examples:
        >>> label_array(["card ", "refund"]).dtype.kind, label_array([0, 1]).dtype.kind, label_array([0, "a"]).dtype.kind
        ('U', 'i', 'O')
    """
    if all(isinstance(v, str) for v in values):
        return np.asarray(values, dtype=str)
    typed = np.asarray(values) if all(isinstance(v, (int, float, np.number, np.bool_)) for v in values) else None
    if typed is not None and typed.ndim == 1 and typed.dtype.kind in "biuf":
        return typed
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def label_order(values: Sequence[Any]) -> list[int]:
    """Positions of distinct label ``values`` in the order ``np.unique`` sorts them: scikit-learn's ``classes_`` order.

    Ints in numeric order (``10`` after ``2``), str by code point (``" zebra"`` before
    ``"apple"``). Labels that do not sort together (ints beside the str names of ``labels=``)
    are ordered by their ``str``.

    Examples:
        >>> label_order([0, 1, 10, 2]), label_order(["apple", " zebra"]), label_order([10, "card", 2])
        ([0, 1, 3, 2], [1, 0], [0, 2, 1])
    """
    try:
        return [int(i) for i in np.argsort(label_array(values), kind="stable")]
    except TypeError:  # ints and str together: no order between them
        return sorted(range(len(values)), key=lambda i: str(values[i]))


#: Characters that join the words of identifier-like names (``card_arrival``, ``card-arrival``, ``qa.factoid``).
_JOINERS = re.compile(r"[_\-.:/]+")
#: A lower-case letter or digit followed by a capital (``AddToPlaylist``), or the end of a run of
#: capitals before a capitalised word (``SMSReply``).
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def readable_name(name: str) -> str:
    """The words of a label name, as the encoder should read them: identifier-style names split.

    Underscores, hyphens, dots, colons and slashes become spaces, and camel case is split
    (``"AddToPlaylist"`` reads "Add To Playlist"), except after a single leading lower-case letter
    (``iPhone``, ``eBay``), which is how brand names are written. Names that are already words are
    left as they are.

    Examples:
        >>> [readable_name(n) for n in ["card_arrival", "AddToPlaylist", "iPhone-repair", "qa.factoid", "SMSReply"]]
        ['card arrival', 'Add To Playlist', 'iPhone repair', 'qa factoid', 'SMS Reply']
        >>> readable_name("late delivery")
        'late delivery'
    """
    words = []
    for word in _JOINERS.sub(" ", name).split():
        split = _CAMEL.sub(" ", word)
        words.append(word[0] + split[2:] if re.match(r"[a-z][A-Z]", word) else split)  # "i Phone" -> "iPhone"
    return " ".join(words) if words else name


def as_groups(groups: Any, n_texts: int) -> list[Any]:
    """Who wrote each of ``n_texts`` texts (customer or journey ids), as a list; missing ids become None.

    Examples:
        >>> as_groups(pd.Series(["c1", "c1", None]), 3)
        ['c1', 'c1', None]
        >>> try:
        ...     as_groups(["c1"], 2)
        ... except TopicInputError as err:
        ...     print(err)
        groups: 2 texts but 1 groups; give one writer (a customer or journey id) per text
    """
    if isinstance(groups, (str, bytes, set, frozenset, Mapping)) or (isinstance(groups, np.ndarray) and groups.ndim != 1):
        msg = f"groups must be a 1-D list, Series or array of customer or journey ids, one per text; got {type(groups).__name__}"
        raise TopicInputError(msg)
    try:
        values = list(groups)
    except TypeError as exc:
        msg = f"groups must be a list, Series or array of customer or journey ids, got {type(groups).__name__}"
        raise TopicInputError(msg) from exc
    if len(values) != n_texts:
        msg = f"groups: {n_texts} texts but {len(values)} groups; give one writer (a customer or journey id) per text"
        raise TopicInputError(msg)
    out: list[Any] = []
    for i, v in enumerate(values):
        if isinstance(v, _NESTED) or not isinstance(v, Hashable):
            msg = f"groups: item {i} is a {type(v).__name__}, not an id; give one customer or journey id per text"
            raise TopicInputError(msg)
        out.append(None if is_missing(v) else v)
    return out


def as_label_descriptions(labels: Any) -> tuple[list[str], list[str]]:
    """``(names, descriptions)`` from a list of names or a mapping name -> description.

    Names are stripped of surrounding spaces; names in a list are read by :func:`readable_name`
    (``"card_arrival"`` -> "card arrival"). A set of names is taken in sorted order (its own
    order depends on the hash seed).
    """
    if isinstance(labels, str):
        msg = "labels must be a list of topic names or a mapping name -> description, not a single string"
        raise TopicInputError(msg)
    if isinstance(labels, Mapping):
        names = as_labels(list(labels), "labels")
        descriptions = [str(v) if v is not None and str(v).strip() else n for n, v in zip(names, labels.values())]
    else:
        names = [n.strip() for n in as_texts(labels, "labels", allow_empty=True, sort_sets=True)]
        descriptions = [readable_name(n) for n in names]
    _check_names(names, "labels")
    return names, descriptions


def _check_names(names: list[str], argument: str) -> None:
    """Raise unless ``names`` (stripped) hold two different topics, none empty or ``"other"``; ``labels`` each once.

    ``labels`` (zero-shot names) differing only in case are repeats too: an uncased encoder (the
    bundled MiniLM) embeds ``"Card"`` and ``"card"`` alike, so one of them could never be chosen.

    Examples:
        >>> try:
        ...     _check_names(["battery", "battery"], "labels")  # ["battery", "battery "], stripped
        ... except TopicInputError as err:
        ...     print(err)
        labels: each name must be given once (spaces around a name and its case do not count); repeated: ['battery']
        >>> try:
        ...     _check_names(["Card", "refund", "card"], "labels")
        ... except TopicInputError as err:
        ...     print(err)
        labels: each name must be given once (spaces around a name and its case do not count); repeated: ['Card', 'card']
    """
    distinct = sorted(set(names))
    folded = [n.strip().casefold() for n in names]
    if len(set(folded)) != len(names) and argument == "labels":  # a repeat first: ["a", "a "] is a repeat, not one name
        dupes = sorted({n for n, f in zip(names, folded) if folded.count(f) > 1})
        msg = f"labels: each name must be given once (spaces around a name and its case do not count); repeated: {dupes}"
        raise TopicInputError(msg)
    if len(distinct) < 2:
        msg = f"{argument}: need at least two different topics, got {distinct or 'none'}"
        raise TopicInputError(msg)
    bad = [n for n in distinct if not n.strip() or n.strip().casefold() == OTHER]
    if bad:
        msg = f"{argument}: topic names must be non-empty and not {OTHER!r} (reserved for texts that fit no topic); got {bad}"
        raise TopicInputError(msg)


def as_examples(examples: Any) -> tuple[list[str], list[str], list[Any]]:
    """``(texts, labels, values)`` of labelled examples: the labels' names, and their values as given.

    Accepts a DataFrame with a ``text`` column and a ``label`` (or ``topic``, ``intent``,
    ``category``) column, a tuple ``(texts, labels)`` of equal length, a list of
    ``(text, label)`` pairs, or a mapping label -> texts. Labels are read by :func:`as_label_values`
    (names as str, stripped; ``1`` and ``"1"`` together raise); a set of texts or pairs is read in
    sorted order.

    Examples:
        >>> as_examples([("card lost", 1), ("refund", 2)])
        (['card lost', 'refund'], ['1', '2'], [1, 2])
    """
    if isinstance(examples, pd.DataFrame):
        label_col = next((c for c in LABEL_COLUMNS if c in examples.columns), None)
        if "text" not in examples.columns or label_col is None:
            msg = f"examples: a DataFrame needs a 'text' column and a 'label' column (columns: {list(examples.columns)})"
            raise TopicInputError(msg)
        texts, labels = examples["text"].tolist(), examples[label_col].tolist()
    elif isinstance(examples, Mapping):
        texts, labels = [], []
        for label, group in examples.items():
            group_texts = as_texts(group, f"examples[{label!r}]", allow_empty=True, sort_sets=True)
            texts += group_texts
            labels += [label] * len(group_texts)
    elif isinstance(examples, (str, bytes)):
        msg = "examples must be (texts, labels), (text, label) pairs, a mapping or a DataFrame, not a string"
        raise TopicInputError(msg)
    else:
        try:
            items = sorted(examples, key=repr) if isinstance(examples, (set, frozenset)) else list(examples)
        except TypeError as exc:
            msg = (
                f"examples must be (texts, labels), (text, label) pairs, a mapping or a DataFrame, got {type(examples).__name__}"
            )
            raise TopicInputError(msg) from exc
        is_pair_of_columns = (
            isinstance(examples, tuple)
            and len(items) == 2
            and all(isinstance(c, (Sequence, pd.Series, np.ndarray)) and not isinstance(c, str) for c in items)
        )
        if is_pair_of_columns and all(isinstance(c, tuple) and len(c) == 2 for c in items):
            msg = (
                "examples: a tuple of two 2-tuples could be (texts, labels) or two (text, label) pairs; "
                "give the pairs as a list, or the columns as lists"
            )
            raise TopicInputError(msg)
        if is_pair_of_columns:
            texts, labels = list(items[0]), list(items[1])
        else:
            if not all(isinstance(p, (tuple, list)) and len(p) == 2 for p in items):
                msg = "examples must be (texts, labels), (text, label) pairs, a mapping label -> texts or a DataFrame"
                raise TopicInputError(msg)
            texts, labels = [p[0] for p in items], [p[1] for p in items]
    if len(texts) != len(labels):
        msg = f"examples: {len(texts)} texts but {len(labels)} labels; give one label per text"
        raise TopicInputError(msg)
    text_list = as_texts(texts, "examples", allow_empty=True)
    label_list, values = as_label_values(labels, "examples")
    check_example_labels(label_list, "examples")
    return text_list, label_list, values


def check_example_labels(labels: list[str], argument: str) -> None:
    """Raise naming ``argument`` unless every label is non-empty, none is ``"other"`` (in any case), and there are two or more."""
    if any(not lab.strip() for lab in labels):
        msg = f"{argument}: every example needs a non-empty label"
        raise TopicInputError(msg)
    _check_names(labels, argument)


def check_templates(templates: Sequence[str]) -> None:
    """Raise unless each zero-shot template holds exactly one ``{}`` for the topic's description.

    Examples:
        >>> check_templates(["{}", "a customer message about {}"])
        >>> try:
        ...     check_templates(["{name}"])
        ... except TopicInputError as err:
        ...     print(err)
        templates: each must hold exactly one '{}' for the topic description; not: ['{name}']
    """
    bad = []
    for template in templates:
        try:
            ok = isinstance(template, str) and template.count("{}") == 1 and template.format("x") != template
        except (IndexError, KeyError, ValueError):
            ok = False
        if not ok:
            bad.append(template)
    if bad:
        msg = f"templates: each must hold exactly one '{{}}' for the topic description; not: {bad}"
        raise TopicInputError(msg)
