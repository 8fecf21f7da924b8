"""Reading interaction tables: :func:`read_events`."""

from __future__ import annotations

import dataclasses
import logging
import os
from typing import TYPE_CHECKING, Any, cast, overload

from journeymap.backends import dispatch
from journeymap.io._infer import typed_attributes
from journeymap.io._time import attrs_zone, stamp_zone
from journeymap.io._values import (
    account_keys,
    ambiguous_roles,
    check_actors,
    check_brands,
    check_columns,
    check_tz,
    prepare,
    replies_across_accounts,
    role_column,
)
from journeymap.io.eventlog import EventLog, OnError
from journeymap.io.sources import file_kind, map_columns, nested_messages, read_table
from journeymap.io.validation import DANGLING_REPLY, Problems, validate_events
from journeymap.schema import CANONICAL_COLUMNS, REJECT_COLUMNS, REQUIRED_COLUMNS

if TYPE_CHECKING:
    import datetime
    from collections.abc import Iterable, Mapping

    import pandas as pd

    from journeymap._typing import DaskFrame
    from journeymap.distributed import DaskEventLog

__all__ = ["CANONICAL_COLUMNS", "REJECT_COLUMNS", "REQUIRED_COLUMNS", "EventLog", "read_events"]

logger = logging.getLogger(__name__)


@overload
def read_events(
    source: DaskFrame,
    *,
    columns: Mapping[str, str] | None = None,
    actors: Mapping[Any, str] | None = None,
    brands: Iterable[str | int] | None = None,
    tz: str | datetime.tzinfo | None = None,
    on_error: OnError = "raise",
) -> DaskEventLog: ...  # first: a dask frame (its __getattr__) would pass for os.PathLike; see journeymap._typing
@overload
def read_events(
    source: pd.DataFrame | str | os.PathLike[str],
    *,
    columns: Mapping[str, str] | None = None,
    actors: Mapping[Any, str] | None = None,
    brands: Iterable[str | int] | None = None,
    tz: str | datetime.tzinfo | None = None,
    on_error: OnError = "raise",
) -> EventLog: ...
@dispatch
def read_events(
    source: pd.DataFrame | str | os.PathLike[str] | DaskFrame,
    *,
    columns: Mapping[str, str] | None = None,
    actors: Mapping[Any, str] | None = None,
    brands: Iterable[str | int] | None = None,
    tz: str | datetime.tzinfo | None = None,
    on_error: OnError = "raise",
) -> EventLog | DaskEventLog:
    """Read and validate interaction events into an :class:`EventLog`.

    Args:
        source: a pandas DataFrame, or the path of a CSV (``.csv``, ``.tsv``), Parquet
            (``.parquet``), JSON Lines (``.jsonl``), JSON (``.json``) or Excel (``.xlsx``)
            file. A named index (``df.set_index("event_id")``) is read as its column.
        columns: maps your column names to the canonical ones, e.g.
            ``{"user": "customer_id", "created_at": "timestamp"}``; a target that is no
            canonical column is kept as an attribute, with a ``UserWarning`` where it nearly
            names one the result lacks (``"txt"``: did you mean ``"text"``?). Names are matched
            exactly, case included, as pandas matches them: an input column named like a
            canonical one the result lacks but for case, spaces, ``-`` or ``_`` (``"Text"``,
            ``"Customer ID"``) is kept as an attribute, not renamed, with a ``UserWarning``
            naming the ``columns={"Text": "text"}`` that reads it.
        actors: maps your role names to actors (``customer``, ``agent``, ``bot``, ``system``),
            any case, e.g. ``{"end-user": "customer", "admin": "agent", "trigger": "system"}``.
            Common spellings are known without it (:data:`~journeymap.io.validation.ACTOR_ALIASES`:
            ``user``, ``end-user``, ``operator``, ``chatbot``, ...). ``user`` is read as the customer,
            as Intercom and Zendesk (its end-users) write it; in Drift and Help Scout exports it is
            the company's team member (Drift's visitor is ``contact``): map it with
            ``actors={"user": "agent"}``. A WARNING says so where a column holds ``user`` beside
            another customer role (``contact``, ``visitor``, ``end-user``). A flag column (TWCS's
            ``inbound``, an ``is_brand`` field) takes True and False as keys:
            ``actors={True: "customer", False: "agent"}``. An unknown role is rejected with the
            mapping that reads it (``unknown actor 'Consumer': map your roles with actors=...``).
        brands: the company's accounts, as they appear in the column read as ``customer_id``
            (ids or handles, e.g. ``["AppleSupport", "Tesco"]`` or ``[40000003]``), compared
            after the reader's id normalisation (trimmed; whole numbers as digits), without a
            leading ``@`` and in any case. Their rows are the company's replies (``actor``
            ``"agent"``): where the input has no actor column every other row is the customer's;
            where it has one, its values win and only brand rows with no actor become ``"agent"``.
            Social exports (the X API, most listening tools) name no role: this is how their
            replies are told from the customers'. A warning says when no row matches.
        tz: the time zone of timestamps written without an offset (an IANA name such as
            ``"Europe/London"``, an offset such as ``"+05:30"``, or a tzinfo): they are read as
            wall times there, and ``YYYYMMDD`` dates (text or numbers) at that day's local
            midnight. None reads them as UTC. Times with an offset (``Z``, ``+05:30``, ``UTC``,
            ``GMT``) and epoch numbers are instants and are not changed. A wall time the clocks
            pass twice (when they go back) is read as its first occurrence (daylight time), or
            the second where it is a naive ``datetime`` with ``fold=1``; one they skip (when they
            go forward) is moved forward by the length of the gap (Europe/London's 01:30 on 31
            March 2024 is 02:30 BST). Each such row is kept with a note in ``EventLog.warnings``
            naming the rule. The log keeps the zone the events were read in (``EventLog.tz``),
            and so do the journeys built from it: :func:`~journeymap.time_patterns`,
            :func:`~journeymap.trends` and the report read hours and days in it unless given
            another ``tz``. Without ``tz=``, a tz-aware timestamp column
            (``datetime64[us, America/New_York]``, from a frame or a Parquet file) gives its own
            zone, a named one or a fixed offset (``UTC+05:00``), unless it is UTC; text with
            offsets (``"2024-03-04T09:00-05:00"``) gives none: its times are read in UTC.
        on_error: ``"raise"`` raises :class:`~journeymap.SchemaError` listing the first bad rows;
            ``"collect"`` keeps them out of the events and lists them in ``EventLog.rejects``.

    ``customer_id`` and ``timestamp`` are required. Without ``event_id`` ids are generated from
    the row number; without ``actor`` every event is the customer's (but those of ``brands``),
    with a warning where replies (``in_reply_to``) answer another account's messages, as a
    company's replies do; without ``channel`` it is
    ``"unknown"``; without ``touchpoint`` the channel is used. Timestamps are parsed to UTC from
    ISO 8601 (naive values are taken as UTC; a time followed by ``UTC`` or ``GMT`` is UTC),
    ``YYYYMMDD`` dates (``"20240301"``, ``20240301``), epoch seconds or milliseconds, and
    Twitter's ``Wed Oct 11 06:55:44 +0000 2017``; a number
    that as epoch seconds lands before 1973 (an Excel serial date, a row number) is rejected, not
    read as a day in 1970. A repeated ``event_id`` is rejected after its first copy that passes
    every other check. A ``public`` column (:data:`~journeymap.schema.PUBLIC`; map a helpdesk's
    flag with ``columns={"is_public": "public"}``) keeps a helpdesk's internal notes out: a row
    with ``public`` False is listed in the rejects ("internal note (public is False): the customer
    never saw it") whatever ``on_error`` says, and a reply to a note replies to the message the
    note answered instead (:func:`~journeymap.io.validation.past_notes`); True or missing keeps it; the flag words
    (true/false, yes/no, 1/0) are read, and another value rejects its row. Other columns are kept
    as attributes; one holding arrays of nested messages (Intercom's
    ``conversation_parts.conversation_parts``, Instagram's ``replies.data``) is kept as one list
    value per row, with a WARNING naming it and the ``pd.json_normalize`` that reads them. A CSV,
    TSV, JSON or JSON Lines file starting with a UTF-16 byte-order mark (Google Play's review
    exports) is read as UTF-16 (:func:`journeymap.distributed.read_events` reads a UTF-16 CSV or
    TSV, but JSON and JSON Lines as UTF-8 only); other files must be UTF-8. A dask
    DataFrame is validated partition by partition (:func:`journeymap.distributed.read_events`).
    A CSV or TSV file is read as text, but its attribute columns are then typed as
    :func:`pandas.read_csv` types them (as a Parquet file of the same data holds them): whole
    numbers ``int64`` (nullable ``Int64`` where some fields are empty), other numbers ``float64``,
    ``True``/``False`` ``bool`` (``boolean`` with empty fields); other text, numbers written with a
    leading zero (``"00123"``), the ids and the columns journeymap reads itself stay as written.

    Raises:
        SchemaError: a required column is missing (whatever ``on_error`` says), a ``columns``
            entry names no input column, maps two columns onto one name or onto a name the
            input already has, a JSON file is one object wrapping a list of records (an API's
            envelope, ``{"data": [...], "paging": ...}``: the message names the key), or (with
            ``on_error="raise"``) any row is invalid (an internal note is no error).
        ArgumentTypeError: ``source`` is neither a DataFrame nor a path, or ``columns`` or
            ``actors`` is not a mapping (``columns=["user"]``), naming the argument.

    Examples:
        >>> import pandas as pd
        >>> df = pd.DataFrame({"user": ["a", "a"], "at": [1507704944, 1507708544],
        ...                    "text": ["my order is late", "thanks, it arrived"]})
        >>> log = read_events(df, columns={"user": "customer_id", "at": "timestamp"})
        >>> log.events["timestamp"].iloc[0]
        Timestamp('2017-10-11 06:55:44+0000', tz='UTC')

        A social export names no role; the company's accounts tell its replies:

        >>> posts = pd.DataFrame({"id": [1, 2, 3], "author": ["ann", "@Tesco", "ann"],
        ...                       "at": [1507704944, 1507705544, 1507706144], "reply_to": [None, 1, 2]})
        >>> log = read_events(posts, columns={"id": "event_id", "author": "customer_id", "at": "timestamp",
        ...                                   "reply_to": "in_reply_to"}, brands=["tesco"])
        >>> log.events["actor"].astype(str).tolist()
        ['customer', 'agent', 'customer']
    """
    check_columns(columns)
    actor_map, zone, brand_keys = check_actors(actors), check_tz(tz), check_brands(brands)
    problems, notes = Problems(), Problems()
    # @dispatch sends a dask frame to the Dask reader: here the source is a frame or a path
    raw = read_table(cast("pd.DataFrame | str | os.PathLike[str]", source), problems=problems, event_keys=columns or ())
    nested_messages(raw, skip=["in_reply_to", *(src for src, dst in (columns or {}).items() if dst == "in_reply_to")])
    frame = map_columns(raw, columns)
    if _is_csv(source):  # its attributes as pd.read_csv types them (numbers, booleans); ids and times stay text
        frame = typed_attributes(frame)
    no_actor = "actor" not in frame.columns
    # rejects name the columns as the user knows them ("sent_at", not "timestamp")
    named = {str(dst): str(src) for src, dst in (columns or {}).items()}
    ambiguous_roles(frame, actor_map, column=named.get("actor", "actor"))
    frame = prepare(frame, actors=actor_map, tz=zone, warnings=notes, brands=brand_keys)
    roles = role_column(frame, actor_map)
    log = validate_events(frame, on_error=on_error, problems=problems, warnings=notes, source_columns=named or None)
    _dangling_replies(log, named.get("in_reply_to", "in_reply_to"))
    if brand_keys:  # judged on the input rows: a brand reply rejected for another reason still matched
        _brands_found(frame, brand_keys, named.get("customer_id", "customer_id"))
    elif no_actor and roles is None:
        replies_across_accounts(log.events)
    attrs = getattr(source, "attrs", None)  # a DataFrame's metadata travels with it, as pandas' methods carry it
    if isinstance(attrs, dict) and attrs:
        log.events.attrs = dict(attrs)
    if zone is None and log.tz is None:  # times in UTC: the zone the events of saved journeys record (attrs)
        zone = attrs_zone(raw) or attrs_zone(source)
    if zone is None:
        stamp_zone(log.events, None)  # a zone the attrs name but that the log has not (one that names no zone)
        return log
    return dataclasses.replace(log, tz=zone)


def _is_csv(source: object) -> bool:
    """Whether ``source`` is the path of a CSV or TSV file (read as text)."""
    return isinstance(source, (str, os.PathLike)) and file_kind(os.fspath(source))[0] == "csv"


def _dangling_replies(log: EventLog, column: str) -> None:
    """Log a warning where replies name an event that is not in the data (kept, each starting a thread of its own).

    ``EventLog.warnings`` lists them; the log line makes them seen, since a whole column of links
    that miss (ids written otherwise than the event ids) splits every conversation.
    """
    if not len(log.warnings):
        return
    replies = int(log.events["in_reply_to"].notna().sum()) if "in_reply_to" in log.events.columns else None
    log_dangling_replies(log.warnings, replies, column)


def log_dangling_replies(warnings: pd.DataFrame, replies: int | None, column: str) -> None:
    """The warning of :func:`_dangling_replies` from a warnings frame and the number of replies (None: unknown)."""
    found = warnings[warnings["reason"] == DANGLING_REPLY] if len(warnings) else warnings
    if found.empty:
        return
    replies = len(found) if replies is None else replies
    logger.warning(
        "%d of %d replies (column %r) name an event that is not in the data, such as %r; each is kept and starts a "
        "thread of its own (see EventLog.warnings). If the events are in the data, write the ids alike in both columns",
        len(found),
        replies,
        column,
        str(found["value"].iloc[0]),
    )


def _brands_found(events: pd.DataFrame, brands: Mapping[str, str], column: str) -> None:
    """Warn where ``brands=`` matches no input row's account: a handle given where the column holds numeric ids, say."""
    if not len(events) or "customer_id" not in events.columns or account_keys(events["customer_id"]).isin(list(brands)).any():
        return
    seen = events["customer_id"].drop_duplicates().head(3).astype(str).tolist()
    logger.warning(
        "brands=%r matches no account in column %r (values such as %s): no row was read as the company's; "
        "give the accounts as that column writes them",
        sorted(brands),
        column,
        ", ".join(map(repr, seen)),
    )
