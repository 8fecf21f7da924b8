"""Process-mining interop: XES files and pm4py-style event frames, with the emotion attributes kept.

* :func:`to_xes` writes a JourneySet as an XES event log (IEEE 1849): one trace per journey
  (``concept:name`` = journey id), one event per step with the standard keys ``concept:name``
  (the activity: the touchpoint, or the stage or topic), ``time:timestamp``, ``org:resource``
  (the actor) and ``lifecycle:transition`` (``complete``), plus every other event column as a
  typed attribute (scores and valence as ``float``, ids and texts as ``string``). The stage
  model, the taxonomy and ``by`` go into log-level attributes, so that
* :func:`read_xes` reads such a file back into an equal JourneySet. A log written by another
  tool (pm4py, ProM, Disco) reads too: traces become journeys, the activity becomes
  ``touchpoint``, ``org:resource`` is kept as ``resource``, steps count as customer steps, and
  the columns :func:`~journeymap.read_events` would give are there with its defaults. A log
  that pm4py wrote from :func:`to_pm4py`'s frame is recognised by its journeymap columns and
  actors, and read with them (roles, scores, attributes).
* :func:`to_pm4py` gives the frame pm4py's functions take (``case:concept:name``,
  ``concept:name``, ``time:timestamp``, ``org:resource`` and the other columns), with no pm4py
  import: ``pm4py.discover_dfg(jm.to_pm4py(js))``.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import re
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TextIO
from xml.sax.saxutils import quoteattr

import numpy as np
import pandas as pd

from journeymap._paths import check_path
from journeymap.backends import dispatch
from journeymap.emotions.taxonomy import Taxonomy
from journeymap.exceptions import (
    ArgumentTypeError,
    InvalidArgumentError,
    JourneyMapError,
    SchemaError,
    SourceNotFoundError,
    WriteError,
)
from journeymap.io._time import EARLIEST, LATEST, OUT_OF_RANGE, out_of_range
from journeymap.io._values import check_tz, zone_name
from journeymap.journeys._set import JourneySet
from journeymap.journeys._table import journey_set_from_events
from journeymap.journeys.stages import assign_stages
from journeymap.model import StageModel
from journeymap.model.touchpoint import ACTORS
from journeymap.schema import (
    ADDRESSED,
    CANONICAL_COLUMNS,
    CLOSED,
    EMOTION_COLUMNS,
    JOURNEY_COLUMNS,
    REPLY_OUTSIDE_DATA,
    SCORE_PREFIX,
    TOPIC_COLUMNS,
)

if TYPE_CHECKING:
    import numpy.typing as npt

logger = logging.getLogger(__name__)

__all__ = ["read_xes", "to_pm4py", "to_xes"]

#: Columns that map onto XES's standard extension keys (the activity is chosen by ``activity=``).
_STANDARD = {"timestamp": "time:timestamp", "actor": "org:resource"}
_CASE = "case:concept:name"
_NOT_XML = "[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"
_ROW = "journeymap:row"  # the events' index (input row numbers), kept for an exact round trip
_TRACE = "_trace"  # the trace's own concept:name (the journey id differs where two traces share one)
#: Names an attribute of a foreign log may not take as it is: journeymap's own columns. Such an
#: attribute is kept as ``xes:<name>`` (``xes:event_id``), so that the columns read_xes builds stay.
_RESERVED = frozenset(
    {*CANONICAL_COLUMNS, *JOURNEY_COLUMNS, *EMOTION_COLUMNS, *TOPIC_COLUMNS, REPLY_OUTSIDE_DATA, ADDRESSED, CLOSED, "resource"}
)
_ACTIVITIES = ("touchpoint", "stage", "topic")
#: The keys :func:`to_xes` writes itself on each event, and the names :func:`read_xes` gives its own
#: fields: a column of such a name would be written twice in an event (or be overwritten when read).
_TAKEN = frozenset({"concept:name", *_STANDARD.values(), "lifecycle:transition", _ROW, _CASE, _TRACE, "_position"})
_EXTENSIONS = (
    ("Concept", "concept", "http://www.xes-standard.org/concept.xesext"),
    ("Time", "time", "http://www.xes-standard.org/time.xesext"),
    ("Organizational", "org", "http://www.xes-standard.org/org.xesext"),
    ("Lifecycle", "lifecycle", "http://www.xes-standard.org/lifecycle.xesext"),
)


def _check_activity(js: JourneySet, activity: str) -> None:
    if activity not in _ACTIVITIES:
        msg = f"activity must be one of {', '.join(repr(a) for a in _ACTIVITIES)}, got {activity!r}"
        raise InvalidArgumentError(msg)
    if activity not in js.events.columns:
        hint = " (run jm.assign_topics first)" if activity == "topic" else ""
        msg = f"activity={activity!r}: the events have no {activity!r} column{hint}"
        raise SchemaError(msg)


def _activity_keys(js: JourneySet, activity: str) -> pd.Series:
    """Each step's activity as :func:`~journeymap.journey_graph` keys it.

    ``"(none)"`` where missing; with ``"topic"``, a brand step has the topic of the customer
    message it answers (topics are assigned to customer messages only).
    """
    from journeymap.analytics._levels import level_keys  # the graph's own rule, so the exports' DFG is the graph's

    return level_keys(js.events, activity)


@dispatch
def to_pm4py(js: JourneySet, *, activity: str = "touchpoint") -> pd.DataFrame:
    """The events as a pm4py event frame: standard column names, one case per journey.

    ``case:concept:name`` is the journey id, ``concept:name`` the ``activity`` of each step
    (``"touchpoint"``, ``"stage"`` or ``"topic"``) as :func:`~journeymap.journey_graph` keys it
    (``"(none)"`` where missing; with ``"topic"``, a brand step has the topic of the customer
    message it answers), so pm4py's directly-follows graph is the journey graph;
    ``time:timestamp`` the timestamp (UTC) and ``org:resource`` the actor; every other column,
    the activity's own among them, is kept under its own name.

    Examples:
        >>> import journeymap as jm
        >>> js = jm.build_journeys(jm.datasets.service_journeys(5, seed=0))
        >>> frame = jm.to_pm4py(js)
        >>> list(frame.columns[:4])
        ['case:concept:name', 'concept:name', 'time:timestamp', 'org:resource']
        >>> frame["case:concept:name"].nunique() == len(js)
        True
    """
    if not isinstance(js, JourneySet):
        msg = f"to_pm4py needs a JourneySet (from build_journeys), got {type(js).__name__}"
        raise ArgumentTypeError(msg)
    _check_activity(js, activity)
    ev = js.events
    front = pd.DataFrame(
        {
            _CASE: ev["journey_id"].astype("string").to_numpy(dtype=object),
            "concept:name": _activity_keys(js, activity).to_numpy(dtype=object),
            "time:timestamp": ev["timestamp"].dt.tz_convert("UTC").to_numpy(),
            "org:resource": ev["actor"].astype("string").to_numpy(dtype=object),
        },
        index=ev.index,
    )
    front["time:timestamp"] = pd.to_datetime(front["time:timestamp"], utc=True)
    rest = ev.drop(columns=[c for c in ("timestamp", "actor") if c in ev.columns])
    return pd.concat([front, rest], axis=1)


def _xes_type(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "int"
    if pd.api.types.is_float_dtype(series):
        return "float"
    if isinstance(series.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(series):
        return "date"
    return "string"


def _one_fragment(value: Any, key: str) -> str:
    """The typed fragment of one value of an object column: booleans, integers and floats keep their type."""
    if isinstance(value, (bool, np.bool_)):
        kind, text = "boolean", "true" if value else "false"
    elif isinstance(value, (int, np.integer)):
        kind, text = "int", str(int(value))
    elif isinstance(value, (float, np.floating)):
        kind, text = "float", repr(float(value))
    else:  # text, and anything else (dates, lists) as its text
        kind, text = "string", re.sub(_NOT_XML, "\ufffd", str(value))
    return f"<{kind} key={quoteattr(key)} value={quoteattr(text)}/>"


def _fragments(series: pd.Series, key: str) -> npt.NDArray[np.object_]:
    """One ``<type key=... value=.../>`` fragment per row ('' for a missing value).

    An object column of other values than text is typed value by value (``[True, None]`` as
    booleans, ``[7, "x"]`` as an int and a string), so that it reads back as written.
    """
    if pd.api.types.is_object_dtype(series.dtype) and pd.api.types.infer_dtype(series, skipna=True) not in {"string", "empty"}:
        present = series.notna().to_numpy(dtype=bool)
        return np.array(
            [_one_fragment(v, key) if ok else "" for v, ok in zip(series.to_numpy(dtype=object), present)], dtype=object
        )
    kind = _xes_type(series)
    missing = series.isna().to_numpy(dtype=bool)
    if kind == "date":  # milliseconds, or nanoseconds where a time has finer digits
        stamps = pd.to_datetime(series, utc=True).astype("datetime64[ns, UTC]")
        nanos = pd.Series(stamps.dt.tz_localize(None).to_numpy().view(np.int64) % 1_000_000_000, index=series.index)
        fine = bool((nanos[~missing] % 1_000_000 != 0).any())
        digits = nanos.map(lambda n: f"{n:09d}") if fine else nanos.map(lambda n: f"{n // 1_000_000:03d}")
        # as objects: an empty column would come out int64 from map, and text + int fails
        values = stamps.dt.strftime("%Y-%m-%dT%H:%M:%S.").astype(object) + digits.astype(object) + "+00:00"
    elif kind == "boolean":
        values = series.map({True: "true", False: "false"})
    elif kind == "float":  # repr: the shortest text that reads back to the same number
        floats = series.to_numpy(dtype=np.float64, na_value=np.nan)
        values = pd.Series([repr(float(x)) for x in floats], index=series.index)
    else:
        values = series.astype("string")
        bad = values.str.contains(_NOT_XML, regex=True).fillna(False)
        if bad.any():  # XML 1.0 cannot carry control characters, not even as references
            logger.warning(
                "column %r: %d value(s) hold control characters XML cannot carry; written as U+FFFD", key, int(bad.sum())
            )
            values = values.str.replace(_NOT_XML, "\ufffd", regex=True)
    head = f"<{kind} key={quoteattr(key)} value="
    out = np.empty(len(series), dtype=object)
    text = values.astype("string").fillna("").to_numpy(dtype=object)
    for i, value in enumerate(text):
        out[i] = "" if missing[i] else f"{head}{quoteattr(str(value))}/>"
    return out


def _dtype_spec(series: pd.Series) -> Any:
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        numeric = dtype.categories.dtype.kind in "iuf"  # numbers stay numbers; anything else as text
        categories = dtype.categories.tolist() if numeric else [str(c) for c in dtype.categories]
        return {"categories": categories, "ordered": bool(dtype.ordered), "numeric": numeric}
    return str(dtype)


def _xml_names(events: pd.DataFrame) -> pd.DataFrame:
    """The events with control characters in column names (which XML cannot carry) written as U+FFFD, with a warning.

    Raises:
        InvalidArgumentError: two names become one that way.
    """
    renamed = {c: re.sub(_NOT_XML, "\ufffd", c) for c in events.columns if isinstance(c, str) and re.search(_NOT_XML, c)}
    if not renamed:
        return events
    names = [renamed.get(c, c) for c in events.columns]
    if len(set(names)) < len(names):
        msg = (
            f"column names {list(renamed)} hold control characters XML cannot carry, "
            "and written with U+FFFD they repeat other names: rename them"
        )
        raise InvalidArgumentError(msg)
    logger.warning(
        "column name(s) %s hold control characters XML cannot carry; written as %s", list(renamed), list(renamed.values())
    )
    return events.rename(columns=renamed)


def _write(fh: TextIO, js: JourneySet, activity: str) -> None:
    ev = _xml_names(js.events)
    keys = dict(_STANDARD)  # the activity column is written under its own name too: read back as it was
    columns = [c for c in ev.columns if c != "journey_id"]
    rows = pd.Series(ev.index.to_numpy(), index=ev.index)
    fh.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    fh.write('<log xes.version="1849-2016" xes.features="nested-attributes" xmlns="http://www.xes-standard.org/">\n')
    for name, prefix, uri in _EXTENSIONS:
        fh.write(f"  <extension name={quoteattr(name)} prefix={quoteattr(prefix)} uri={quoteattr(uri)}/>\n")
    log_attrs = {
        "concept:name": "journeymap journeys",
        "journeymap:by": js.by,
        "journeymap:activity": activity,
        "journeymap:stages": js.stages.model_dump_json(),
        "journeymap:taxonomy": "" if js.taxonomy is None else js.taxonomy.model_dump_json(),
        "journeymap:columns": json.dumps({c: _dtype_spec(ev[c]) for c in ev.columns}),
        "journeymap:index": json.dumps({"name": ev.index.name, "dtype": str(ev.index.dtype)}),
        "journeymap:tz": zone_name(js.tz) or "",  # the zone the journeys read hours and days in
    }
    for key, value in log_attrs.items():
        fh.write(f"  <string key={quoteattr(key)} value={quoteattr(value)}/>\n")
    parts = [_fragments(_activity_keys(js, activity).set_axis(ev.index), "concept:name")]
    parts += [_fragments(ev[c], keys.get(c, c)) for c in columns]
    parts.append(_fragments(rows, _ROW))
    lifecycle = '<string key="lifecycle:transition" value="complete"/>'
    trace_ids = ev["journey_id"].astype("string").str.replace(_NOT_XML, "\ufffd", regex=True).to_numpy(dtype=object)
    bounds = np.r_[0, np.cumsum(js.journeys["n_steps"].to_numpy(dtype=np.int64))]
    for j in range(len(js)):
        start, stop = int(bounds[j]), int(bounds[j + 1])
        fh.write(f'  <trace>\n    <string key="concept:name" value={quoteattr(str(trace_ids[start]))}/>\n')
        for i in range(start, stop):
            attrs = "".join(p[i] for p in parts)
            fh.write(f"    <event>{attrs}{lifecycle}</event>\n")
        fh.write("  </trace>\n")
    fh.write("</log>\n")


@dispatch
def to_xes(js: JourneySet, path: str | os.PathLike[str], *, activity: str = "touchpoint") -> Path:
    """Write ``js`` as an XES event log at ``path`` (UTF-8 XML; ``.xes.gz`` is gzip-compressed).

    Args:
        js: the journeys (scored or not).
        path: the file to write.
        activity: the column that becomes each event's ``concept:name``: ``"touchpoint"``,
            ``"stage"`` or ``"topic"``.

    Raises:
        InvalidArgumentError: an event column named like a key the log writes itself
            (``concept:name``, ``time:timestamp``, ``org:resource``, ``lifecycle:transition``,
            ``case:concept:name``, ...): an event would hold that key twice, and
            :func:`read_xes` refuses such an event.
        SchemaError: ``activity="topic"`` on events without a ``topic`` column (run
            :func:`~journeymap.assign_topics` first).
        WriteError: (an ``OSError``) the file cannot be written (its folder missing, say).

    Examples:
        >>> import tempfile, pathlib
        >>> import journeymap as jm
        >>> js = jm.build_journeys(jm.datasets.service_journeys(5, seed=0))
        >>> back = jm.read_xes(jm.to_xes(js, pathlib.Path(tempfile.mkdtemp()) / "log.xes"))
        >>> back.journeys.equals(js.journeys)
        True
    """
    if not isinstance(js, JourneySet):
        msg = f"to_xes needs a JourneySet, got {type(js).__name__}"
        raise ArgumentTypeError(msg)
    if not isinstance(path, (str, os.PathLike)):
        msg = f"to_xes needs a file path (str or pathlib.Path) to write to, got {type(path).__name__}"
        raise ArgumentTypeError(msg)
    js._fresh()  # rows changed in place would be written under other journeys: refused as the analytics refuse them
    _check_activity(js, activity)
    taken = [c for c in js.events.columns if c in _TAKEN]
    if taken:
        msg = (
            f"to_xes: event column(s) {taken} have names the XES log uses for its own values ({sorted(_TAKEN)}): "
            "rename them, js.with_events(js.events.rename(columns=...))"
        )
        raise InvalidArgumentError(msg)
    target = Path(path)
    try:
        if target.suffix == ".gz":
            with gzip.open(target, "wt", encoding="utf-8") as fh:
                _write(fh, js, activity)
        else:
            with target.open("w", encoding="utf-8") as fh:
                _write(fh, js, activity)
    except OSError as exc:
        msg = f"cannot write the XES log to {target}: {exc}"
        raise WriteError(msg) from exc
    logger.info("wrote %d journeys (%d events) as XES to %s", len(js), len(js.events), target)
    return target


#: The most characters of a bad value an error quotes, and the most traces a warning names.
_SHOWN = 80
_SHOWN_TRACES = 5


def _shown(raw: object) -> str:
    text = str(raw)
    return repr(text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…")


def _value(elem: ET.Element, where: str = "the log") -> Any:
    """The value of a typed XES attribute (``<int key=... value=...>``); text for strings and dates.

    Raises:
        SchemaError: an ``int`` or ``float`` whose value is no such number, naming ``where``
            (the trace and event), the key and the value.
    """
    kind = elem.tag.rsplit("}", 1)[-1]
    raw = elem.get("value")
    if raw is None:
        return None
    try:
        if kind == "float":
            return float(raw)
        if kind == "int":
            return int(raw)
    except ValueError:
        number = "whole number" if kind == "int" else "number"
        msg = f"{where}: attribute {elem.get('key')!r} is typed <{kind}> but its value {_shown(raw)} is no {number}"
        raise SchemaError(msg) from None
    if kind == "boolean":
        return raw.strip().lower() == "true"
    return raw  # dates stay text until their column is converted at once


def _parse(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]], list[str]]:
    """The log attributes, one row per event (with its trace's attributes) and the names of the traces without events."""
    if path.suffix == ".gz":
        with gzip.open(path, "rb") as fh:
            return _parse_stream(fh)
    with path.open("rb") as fh:
        return _parse_stream(fh)


_ATTRIBUTES = frozenset({"string", "date", "int", "float", "boolean", "id"})


def _set_once(target: dict[str, Any], key: str, elem: ET.Element, where: str) -> None:
    """``target[key]`` = the value of ``elem``; a key the element (event, trace, log) already has is an error.

    Raises:
        SchemaError: the key given twice, naming ``where`` and the key: one value would be lost.
    """
    if key in target:
        msg = f"{where}: attribute {key!r} is given twice (one value would be lost): give each value its own key"
        raise SchemaError(msg)
    target[key] = _value(elem, where)


def _parse_stream(fh: IO[bytes] | gzip.GzipFile) -> tuple[dict[str, Any], list[dict[str, Any]], list[str]]:
    log_attrs: dict[str, Any] = {}
    rows: list[dict[str, Any]] = []
    empty: list[str] = []  # the traces without events
    parents: list[str] = []  # the tags of the elements open around the current one
    trace: dict[str, Any] = {}
    trace_events: list[dict[str, Any]] = []
    event: dict[str, Any] = {}
    n_traces = 0
    names: set[str] = set()  # the journey ids given so far: a repeated trace name gets " (2)", " (3)", ...
    for what, elem in ET.iterparse(fh, events=("start", "end")):
        tag = elem.tag.rsplit("}", 1)[-1]
        if what == "start":
            parents.append(tag)
            if tag == "trace":
                trace, trace_events = {}, []
            elif tag == "event":
                event = {}
            continue
        parents.pop()
        parent = parents[-1] if parents else ""
        if tag == "event" and parent == "trace":
            trace_events.append(event)
        elif tag == "trace" and parent == "log":
            n_traces += 1
            case = _case_name(trace, n_traces, names)
            if not trace_events:
                empty.append(case)
            name = str(trace.get("concept:name", f"trace {n_traces}"))
            for position, item in enumerate(trace_events, start=1):
                row = {**{f"case:{k}": v for k, v in trace.items()}, **item}
                rows.append({**row, "_position": position, _TRACE: name, _CASE: case})
            elem.clear()
        elif tag in _ATTRIBUTES and elem.get("key") is not None:
            key = str(elem.get("key"))
            if parent == "event" and parents[-2:-1] == ["trace"]:
                _set_once(event, key, elem, f"{_trace_named(trace, n_traces + 1)}, event {len(trace_events) + 1}")
            elif parent == "trace" and parents[-2:-1] == ["log"]:
                _set_once(trace, key, elem, _trace_named(trace, n_traces + 1))
            elif parent == "log":
                _set_once(log_attrs, key, elem, "the log")
    return log_attrs, rows, empty


def _case_name(trace: dict[str, Any], number: int, names: set[str]) -> str:
    """The journey id of a trace: its ``concept:name`` (or ``trace <number>``), with `` (2)``, `` (3)``, ... where already given.

    The id is added to ``names``, the ids given so far.
    """
    name = str(trace.get("concept:name", f"trace {number}"))
    case, copy = name, 1
    while case in names:
        copy += 1
        case = f"{name} ({copy})"
    names.add(case)
    return case


def _trace_named(trace: dict[str, Any], number: int) -> str:
    """How an error names a trace while it is read: its ``concept:name`` where already read, and its number."""
    name = trace.get("concept:name")
    return f"trace {number}" if name is None else f"trace {number} ({str(name)!r})"


def _dates(values: pd.Series, frame: pd.DataFrame, key: str, source: Path) -> pd.Series:
    """An XES date attribute's text as UTC times.

    The event time (``time:timestamp``) must lie in the range :func:`~journeymap.read_events`
    takes (1677-09-22 to 2262-04-10, nanosecond times): beyond it a journey's start and end
    would wrap around into other years. Other date attributes keep any time.

    Raises:
        SchemaError: a value that is no ISO 8601 time, or an event time out of range, naming
            its trace, event (1-based, in the trace), the attribute key and the value.
    """
    parsed = pd.to_datetime(values, utc=True, format="ISO8601", errors="coerce")
    bad = parsed.isna() & values.notna()
    beyond = np.zeros(len(values), dtype=bool)
    if bad.any() and key == _STANDARD["timestamp"]:  # pandas 2.2 gives NaT for a year nanoseconds cannot hold (3 parses it)
        beyond[bad.to_numpy(dtype=bool)] = out_of_range(values[bad]).to_numpy(dtype=bool)
        bad &= ~beyond
    reason, count = ", which is no ISO 8601 time", "are not"
    if not bad.any() and key == _STANDARD["timestamp"]:
        bad = ((parsed < EARLIEST) | (parsed > LATEST)).fillna(False).astype(bool) | beyond
        reason, count = f": {OUT_OF_RANGE}", "are out of range"
    if bad.any():
        row = bad[bad].index[0]
        position = int(frame["_position"].astype("int64")[row])
        where = f"trace {str(frame.at[row, _CASE])!r}, event {position}"
        msg = (
            f"{source}: {where}: attribute {key!r} holds {_shown(values[row])}{reason} "
            f"({int(bad.sum())} value(s) of {key!r} {count})"
        )
        raise SchemaError(msg)
    return parsed


def _restore_dtypes(frame: pd.DataFrame, dtypes: dict[str, Any], source: Path) -> pd.DataFrame:
    out = {}
    keys = dict(_STANDARD)  # an error names the key the file holds: time:timestamp, not timestamp
    for column, dtype in dtypes.items():
        try:
            out[column] = _restored(frame, column, dtype, keys, source)
        except (ValueError, TypeError, KeyError) as exc:
            if isinstance(exc, JourneyMapError):
                raise
            msg = f"{source}: column {column!r} cannot be read back as {dtype!r} ({type(exc).__name__}: {exc})"
            raise SchemaError(msg) from exc
    return pd.DataFrame(out, index=frame.index)


def _restored(frame: pd.DataFrame, column: str, dtype: Any, keys: dict[str, str], source: Path) -> pd.Series:
    """One column of a log :func:`to_xes` wrote, in its recorded dtype (see :func:`_restore_dtypes`).

    ``keys``: the XES key of a column written under a standard name (``time:timestamp``).
    """
    values = frame[column] if column in frame.columns else pd.Series(None, index=frame.index, dtype=object)
    if isinstance(dtype, dict):
        if dtype.get("numeric"):
            categories = pd.Index(dtype["categories"])
            values = pd.to_numeric(values, errors="coerce").astype(categories.dtype if not values.isna().any() else "float64")
        else:
            categories = pd.Index(dtype["categories"], dtype="str")
            values = values.astype("string")
        codes = pd.Categorical(values, categories=categories, ordered=dtype["ordered"])
        return pd.Series(codes, index=frame.index)
    if dtype.startswith("datetime64"):
        parsed = _dates(values, frame, keys.get(column, column), source)
        if "," not in dtype:  # a naive column was written as UTC: back to naive, then the unit
            parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
        return parsed.astype(dtype)
    return values.astype(dtype)


def read_xes(path: str | os.PathLike[str]) -> JourneySet:
    """Read an XES event log (``.xes`` or ``.xes.gz``) into a JourneySet, one journey per trace.

    A log written by :func:`to_xes` comes back equal (columns, dtypes, stage model, taxonomy;
    an object column comes back with its values' types: booleans, integers, floats and text;
    other values, dates in an object column for one, come back as their text; a missing value
    in an object column comes back as NaN).
    A log that another tool wrote from :func:`to_pm4py`'s frame (``pm4py.write_xes(frame,
    path)``, after any pm4py filter) has no such metadata, but its events carry journeymap's
    columns (``event_id``, ``customer_id`` and ``journey_id`` on every event) and actors
    (``org:resource`` one of ``customer``, ``agent``, ``bot``, ``system``): it is read with them,
    every attribute under its own name (scores, topics, ``text``, your own columns) in the
    dtypes :func:`~journeymap.read_events` gives, ``org:resource`` as the ``actor``; each trace
    is a journey, its steps numbered again in time order, the stages of the service model placed
    again (a ``stage`` attribute of other stage names is kept, the stages ordered as they first
    come). Stage model, taxonomy and index are not in such a log: the taxonomy is the built-in
    one with the scores' labels, the index 0-based. Nor are the journeys' ``by`` and ``tz``:
    ``by`` is ``"customer"`` where a journey holds events of several ``thread_id`` values, else
    ``"thread"`` (journeys by customer whose customers each wrote in one thread read as by
    thread, which they equal); ``tz`` is None, the times UTC: pass the zone to what reads
    clocks (``jm.trends(js, tz="Europe/London")``, ``jm.plot.time_patterns(js, tz=...)``), or
    write the log with :func:`to_xes`, which keeps both.
    Any other XES log: the trace's ``concept:name`` is the journey id (and the customer id,
    unless the trace has a ``customer_id``), the event's ``concept:name`` becomes
    ``touchpoint``, ``time:timestamp`` the timestamp, ``org:resource`` a ``resource`` column,
    every step counts as a customer step (``actor`` ``customer``), the ``channel`` is
    ``"unknown"`` (the columns and dtypes :func:`~journeymap.read_events` gives, with its
    defaults, so every analysis runs on them), and stages follow the default service model. Other
    event attributes are kept as columns; one named like a column journeymap gives a meaning
    (``event_id``, ``timestamp``, ``actor``, ``customer_id``, ``valence``, ...) is kept as
    ``xes:<name>`` (``xes:event_id``), and a warning is logged. Traces that share a
    ``concept:name`` stay apart: the second is the journey ``"<name> (2)"``, the third
    ``"<name> (3)"`` (a warning is logged); all have the customer ``<name>``. A trace without
    events makes no journey: it is left out, and a warning names it.

    Raises:
        SourceNotFoundError: (a ``FileNotFoundError``) no file at ``path``.
        ArgumentTypeError: ``path`` is not a str or path object.
        SchemaError: (a ``JourneyMapError`` and a ``ValueError``) not XES (not XML, a ``.gz`` that
            is not gzip), or an event without a ``time:timestamp`` (named by trace and position);
            a value that is not of its attribute's type (an
            ``<int>`` of ``12.5``, a ``<float>`` of ``n/a``, a ``<date>`` that is no ISO 8601
            time), named by trace, event, key and value; a ``time:timestamp`` outside
            1677-09-22 to 2262-04-10 (:func:`~journeymap.read_events` refuses such times too:
            a journey's start and end could not hold them), named the same way; an event, trace
            or log that gives one key twice (one value would be lost), named by trace, event and
            key; journeymap's own metadata (a ``journeymap:columns`` attribute) that cannot be
            read, named by key.

    Examples:
        >>> import tempfile, pathlib
        >>> import journeymap as jm
        >>> from journeymap.testing.data import planted_scores
        >>> js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(4, seed=0)))
        >>> back = jm.read_xes(jm.to_xes(js, pathlib.Path(tempfile.mkdtemp()) / "log.xes"))
        >>> back.taxonomy == js.taxonomy, back.events["valence"].equals(js.events["valence"])
        (True, True)
    """
    source = check_path(path, "path", "the XES file to read")
    if not source.is_file():
        msg = f"no such file: {source}"
        raise SourceNotFoundError(msg)
    try:
        log_attrs, rows, empty = _parse(source)
    except (ET.ParseError, gzip.BadGzipFile, zlib.error, EOFError) as exc:  # not XML, or a .gz that is not gzip
        msg = f"{source} is not a readable XES log ({type(exc).__name__}: {exc})"
        raise SchemaError(msg) from exc
    except SchemaError as exc:  # a value not of its type: the message names where, here the file too
        msg = f"{source}: {exc}"
        raise SchemaError(msg) from None
    if empty:
        logger.warning(
            "%s: %d trace(s) hold no events and are left out (a journey needs a step): %s%s",
            source,
            len(empty),
            empty[:_SHOWN_TRACES],
            " ..." if len(empty) > _SHOWN_TRACES else "",
        )
    frame = pd.DataFrame(rows)
    if frame.empty:
        frame = pd.DataFrame(columns=[_CASE, "time:timestamp", "concept:name", "_position"])
    missing = frame["time:timestamp"].isna() if "time:timestamp" in frame.columns else pd.Series(True, index=frame.index)
    if missing.any():
        first = frame.loc[missing].iloc[0]
        msg = (
            f"{source}: trace {first[_CASE]!r}, event {int(first['_position'])} has no time:timestamp "
            f"({int(missing.sum())} events lack one); journeys need times"
        )
        raise SchemaError(msg)
    if _TRACE in frame.columns:
        renamed = frame.loc[frame[_CASE] != frame[_TRACE], _CASE].unique()
        if len(renamed):
            logger.warning(
                "%s: %d trace(s) repeat the concept:name of an earlier trace; read as journeys of their own, "
                "named with a count (first: %r)",
                source,
                len(renamed),
                str(renamed[0]),
            )
    if "journeymap:activity" in log_attrs:
        js = _journeymap_log(frame, log_attrs, source)
    elif _holds_journeymap_frame(frame):
        js = _journeymap_frame_log(frame, source)
    else:
        js = _foreign_log(frame, source)
    logger.info("read %d journeys (%d events) from %s", len(js), len(js.events), source)
    return js


def _metadata(log_attrs: dict[str, Any], key: str, read: Any, source: Path) -> Any:
    """``read`` of the log attribute ``key`` that :func:`to_xes` writes (JSON), or an error naming the key and its value.

    Raises:
        SchemaError: the attribute is missing or cannot be read (the file was altered).
    """
    if key not in log_attrs and key != "journeymap:index":
        msg = f"{source}: the log names journeymap:activity but has no {key!r} attribute: the file was altered"
        raise SchemaError(msg)
    raw = log_attrs.get(key)
    try:
        return read(raw)
    except (ValueError, TypeError) as exc:  # json's JSONDecodeError and pydantic's ValidationError are ValueErrors
        first = str(exc).splitlines()[0]
        msg = (
            f"{source}: log attribute {key!r} holds {_shown(raw)}, which is not what to_xes writes ({first}): "
            "the file was altered"
        )
        raise SchemaError(msg) from None


def _journeymap_log(frame: pd.DataFrame, log_attrs: dict[str, Any], source: Path) -> JourneySet:
    activity = str(log_attrs["journeymap:activity"])
    if "journeymap:tz" in log_attrs:  # written since the activity column goes under its own name too (absent: all missing)
        frame = frame.drop(columns="concept:name")
    names = {"concept:name": activity, **{v: k for k, v in _STANDARD.items()}}
    frame = frame.rename(columns=names)
    frame["journey_id"] = frame[_CASE]
    dtypes = _metadata(log_attrs, "journeymap:columns", json.loads, source)
    index = _metadata(log_attrs, "journeymap:index", lambda raw: json.loads(raw or "{}"), source)
    if not isinstance(dtypes, dict) or not isinstance(index, dict):
        msg = f"{source}: log attribute 'journeymap:columns' or 'journeymap:index' is no JSON object: the file was altered"
        raise SchemaError(msg)
    events = _restore_dtypes(frame, dtypes, source)
    if _ROW in frame.columns:
        events.index = pd.Index(frame[_ROW].to_numpy(), name=index.get("name")).astype(index.get("dtype", "int64"))
    stages = _metadata(log_attrs, "journeymap:stages", StageModel.model_validate_json, source)
    raw_tax = log_attrs.get("journeymap:taxonomy") or ""
    taxonomy = _metadata(log_attrs, "journeymap:taxonomy", Taxonomy.model_validate_json, source) if raw_tax else None
    by = str(log_attrs.get("journeymap:by", "thread"))
    return journey_set_from_events(events, stages, by=by, taxonomy=taxonomy, tz=check_tz(log_attrs.get("journeymap:tz") or None))


#: The event attributes that tell a log written from :func:`to_pm4py`'s frame (by pm4py, say): journeymap's own columns.
_FRAME_KEYS = ("event_id", "customer_id", "journey_id")


def _holds_journeymap_frame(frame: pd.DataFrame) -> bool:
    """Whether the events of a log without journeymap's metadata are those of a :func:`to_pm4py` frame.

    Such a log (``pm4py.write_xes(jm.to_pm4py(js), ...)``, filtered or not) carries
    journeymap's columns as event attributes (``event_id``, ``customer_id``, ``journey_id``, on
    every event) and the actor as ``org:resource`` (every value one of journeymap's actors).
    """
    if "org:resource" not in frame.columns or any(key not in frame.columns for key in _FRAME_KEYS):
        return False
    if frame[["org:resource", *_FRAME_KEYS]].isna().to_numpy().any():
        return False
    return bool(frame["org:resource"].astype("string").isin(ACTORS).all())


def _journeymap_frame_log(frame: pd.DataFrame, source: Path) -> JourneySet:
    """Journeys from a log of a :func:`to_pm4py` frame written by another tool: journeymap's columns under their names.

    ``org:resource`` is the ``actor`` and ``time:timestamp`` the ``timestamp``; every other event
    attribute is the column of that name, with the dtypes :func:`~journeymap.read_events` gives
    (the scores as floats). Each trace is a journey (its ``concept:name`` the ``journey_id``),
    its steps numbered again in time order (a filter may have left some out); the ``stage``
    attribute is kept where its values are not the service model's, which places the steps
    again otherwise. The activity (the event's ``concept:name``) is left out where the log has a
    ``touchpoint`` attribute, as it then repeats a column; else it becomes the ``touchpoint``.

    Raises:
        SchemaError: an event that is no valid journeymap event (as :func:`~journeymap.read_events` says).
    """
    from journeymap.io.validation import validate_events
    from journeymap.model.stage import SERVICE_STAGES

    events = frame.rename(columns={"time:timestamp": "timestamp", "org:resource": "actor"})
    activity = "concept:name" if "touchpoint" in events.columns else None
    events = events.rename(columns={"concept:name": "touchpoint"}) if activity is None else events
    events["journey_id"] = events[_CASE].astype("string")
    temporary = [c for c in (activity, "lifecycle:transition", _TRACE, _CASE, "_position") if c is not None]
    events = events.drop(columns=[c for c in temporary if c in events.columns])
    events["timestamp"] = _dates(frame["time:timestamp"], frame, "time:timestamp", source)
    own_steps = pd.to_numeric(events["step"], errors="coerce") if "step" in events.columns else None
    events = validate_events(events.drop(columns=[c for c in ("step",) if c in events.columns]), on_error="raise").events
    if own_steps is not None:  # the steps' order where times tie, as the journeys had it
        events["step"] = own_steps.to_numpy()
        events = events.sort_values(["journey_id", "timestamp", "step"], kind="stable")
    else:
        events = events.sort_values(["journey_id", "timestamp"], kind="stable")
    events["step"] = events.groupby("journey_id", sort=False).cumcount().astype(np.int64) + 1
    service = {name for name, _ in SERVICE_STAGES}
    named = events["stage"].dropna().astype(str).unique().tolist() if "stage" in events.columns else []
    if set(named) <= service:
        stages = StageModel.service()
    else:  # the journeys' own stage model: its stages in the order they first come in the steps
        order = events.sort_values(["step"], kind="stable")["stage"].dropna().astype(str).unique().tolist()
        stages = StageModel.from_column("stage", order=order)
    events["stage"] = assign_stages(events, stages)
    logger.info(
        "%s: the events carry journeymap's columns and actors (a to_pm4py frame written by another tool): "
        "read with their roles, scores and attributes",
        source,
    )
    # by is no attribute of such a log: journeys by customer are those where one journey holds several threads
    by = "thread"
    if "thread_id" in events.columns and events.groupby("journey_id", sort=False)["thread_id"].nunique().gt(1).any():
        by = "customer"
    return journey_set_from_events(events, stages, by=by)


def _foreign_log(frame: pd.DataFrame, source: Path) -> JourneySet:
    case = frame[_CASE].astype("string")
    trace = frame[_TRACE].astype("string") if _TRACE in frame.columns else case
    customer = frame["case:customer_id"].astype("string").fillna(trace) if "case:customer_id" in frame.columns else trace
    # the columns and dtypes read_events gives, with its defaults: actor customer, channel "unknown"
    events = pd.DataFrame(
        {
            "event_id": case + "#" + frame["_position"].astype("string"),
            "customer_id": customer,
            "timestamp": _dates(frame["time:timestamp"], frame, "time:timestamp", source).astype("datetime64[ns, UTC]"),
            "actor": pd.Categorical(["customer"] * len(frame), categories=list(ACTORS)),
            "channel": pd.Series("unknown", index=frame.index, dtype="string"),
            "touchpoint": frame["concept:name"].astype("string") if "concept:name" in frame.columns else "unknown",
        },
        index=frame.index,
    )
    events["touchpoint"] = events["touchpoint"].astype("string")
    if "org:resource" in frame.columns:
        events["resource"] = frame["org:resource"].astype("string")
    standard = {"concept:name", "time:timestamp", "org:resource", "lifecycle:transition", "_position", _TRACE}
    extra = [c for c in frame.columns if not c.startswith("case:") and c not in standard]
    reserved = {c for c in extra if c in _RESERVED or c.startswith(SCORE_PREFIX)}
    clashing = [c for c in extra if c in reserved or (c.startswith("xes:") and c[4:] in reserved)]
    if clashing:
        logger.warning(
            "%s: event attribute(s) %s have the names of journeymap's own columns: kept as %s",
            source,
            clashing,
            [f"xes:{c}" for c in clashing],
        )
    for column in extra:
        events[f"xes:{column}" if column in clashing else column] = frame[column]
    events["journey_id"] = case
    events = events.sort_values(["journey_id", "timestamp"], kind="stable")
    events["step"] = events.groupby("journey_id", sort=False).cumcount().astype(np.int64) + 1
    stages = StageModel.service()
    events["stage"] = assign_stages(events, stages)
    return journey_set_from_events(events, stages, by="thread")
