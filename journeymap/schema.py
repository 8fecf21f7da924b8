"""The one schema: every column journeymap reads or adds, and the thresholds the analytics share.

The event columns are declared once, as :data:`EVENT_COLUMNS` (name, kind, whether required, what
it means). The readers validate against it, the docs describe it and
:mod:`journeymap.testing.strategies` generates Hypothesis data from it, so the three cannot drift
apart. A new reader (a ticketing export, say) maps its columns onto these names and calls
:func:`journeymap.io.validate_events`; see the guide "Writing a reader".

Examples:
    >>> from journeymap import schema
    >>> schema.REQUIRED_COLUMNS
    ('customer_id', 'timestamp')
    >>> schema.score_column("anger"), schema.is_score_column("emo_anger")
    ('emo_anger', True)
    >>> schema.is_negative(-0.3), schema.is_positive(0.25)
    (True, False)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from journeymap.model.touchpoint import ACTORS

if TYPE_CHECKING:
    import logging
    from collections.abc import Collection, Iterable, Mapping

__all__ = [
    "ACTORS",
    "ADDRESSED",
    "CANONICAL_COLUMNS",
    "CLOSED",
    "EMOTION_COLUMNS",
    "EVENT_COLUMNS",
    "FALSE_WORDS",
    "ID_COLUMNS",
    "INPUT_SUFFIX",
    "JOURNEY_COLUMNS",
    "JOURNEY_TABLE_COLUMNS",
    "NEGATIVE_VALENCE",
    "POSITIVE_VALENCE",
    "PUBLIC",
    "REJECT_COLUMNS",
    "REPLY_OUTSIDE_DATA",
    "REQUIRED_COLUMNS",
    "SCORE_PREFIX",
    "SENTIMENTS",
    "SIGNIFICANT_DROP",
    "TEXT_COLUMNS",
    "TOPIC_COLUMNS",
    "TRUE_WORDS",
    "Column",
    "ColumnKind",
    "input_names",
    "is_negative",
    "is_positive",
    "is_score_column",
    "label_of",
    "log_kept",
    "score_column",
]

#: What a column holds: an id (string; integral numbers are read as their digits), a time
#: (UTC), an actor name, or free text.
ColumnKind = Literal["id", "timestamp", "actor", "text"]


@dataclass(frozen=True)
class Column:
    """One canonical event column.

    Attributes:
        name: the canonical name.
        kind: what it holds (:data:`ColumnKind`); it decides how a reader parses and checks it.
        required: a row without a value here is rejected, and a table without the column is
            refused as a whole.
        description: its meaning, in words (shown in the docs).
    """

    name: str
    kind: ColumnKind
    required: bool = False
    description: str = ""


#: The canonical event columns, in the order the events frame puts them.
EVENT_COLUMNS: tuple[Column, ...] = (
    Column("event_id", "id", description="the source's id, or generated from the input row number; unique"),
    Column("customer_id", "id", required=True, description="who the journey belongs to"),
    Column("timestamp", "timestamp", required=True, description="when, in UTC (naive inputs are taken as UTC)"),
    Column("actor", "actor", description="who spoke: customer, agent, bot or system (default customer)"),
    Column("channel", "text", description="twitter, email, chat, phone, web, survey, ... (default 'unknown')"),
    Column("touchpoint", "text", description="where in the service it happened (default: the channel)"),
    Column(
        "stage",
        "text",
        description="the journey stage, where the source has one (kept by StageModel.from_column; else rewritten)",
    ),
    Column("text", "text", description="what was said; missing for silent events"),
    Column("thread_id", "id", description="the conversation, where the source has it"),
    Column("in_reply_to", "id", description="the event_id this one answers, where the source has it"),
    Column("agent_id", "id", description="the person (or bot) who answered for the brand, where known"),
)
CANONICAL_COLUMNS: tuple[str, ...] = tuple(c.name for c in EVENT_COLUMNS)
#: Columns without which no row can be placed in a journey.
REQUIRED_COLUMNS: tuple[str, ...] = tuple(c.name for c in EVENT_COLUMNS if c.required)
#: Columns read as ids and as free text.
ID_COLUMNS: tuple[str, ...] = tuple(c.name for c in EVENT_COLUMNS if c.kind == "id")
TEXT_COLUMNS: tuple[str, ...] = tuple(c.name for c in EVENT_COLUMNS if c.kind == "text")

#: Columns that :func:`journeymap.build_journeys` adds (``stage`` is replaced unless the stage
#: model reads it).
JOURNEY_COLUMNS: tuple[str, ...] = ("journey_id", "step", "stage")
#: The columns of ``JourneySet.journeys`` (its index is ``journey_id``).
JOURNEY_TABLE_COLUMNS: tuple[str, ...] = ("customer_id", "start", "end", "n_steps")

#: Scoring adds one ``emo_<label>`` column per label of the scorer's taxonomy, then these:
#: ``emotion`` (dominant label, the one that agrees with ``sentiment``), ``valence`` (float32
#: in [-1, 1]), ``sentiment`` (negative, neutral, positive), ``irony`` (float32 probability,
#: NaN from scorers without it), ``lang`` (detected language code, ``und`` when undetermined),
#: ``score_note`` (why a text was not scored or not read in full; NA otherwise) and ``scorer``
#: (the id that scored the row).
SCORE_PREFIX = "emo_"
EMOTION_COLUMNS: tuple[str, ...] = ("emotion", "valence", "sentiment", "irony", "lang", "score_note", "scorer")
#: The values of the ``sentiment`` column.
SENTIMENTS: tuple[str, ...] = ("negative", "neutral", "positive")

#: :func:`journeymap.assign_topics` adds these to the customers' messages (NA on other rows):
#: ``topic`` (str; ``"other"`` where no topic fits) and ``topic_score`` (float32, how well it fits).
TOPIC_COLUMNS: tuple[str, ...] = ("topic", "topic_score")

#: An optional boolean attribute column: the message has replies that are not in the data (a
#: slice of a corpus; :func:`journeymap.read_twcs` sets it from ``response_tweet_id``). The reply
#: analytics count such a message as neither answered nor unanswered: its wait is unknown.
REPLY_OUTSIDE_DATA = "reply_outside_data"

#: The touchpoint of a brand reply asking the customer to move to private messages ("please DM
#: us"): the conversation changes channel, and the reply analytics count what follows as moved.
DM_REQUEST = "dm_request"
#: A brand message inviting the customer to private messages: :func:`journeymap.read_twcs` marks
#: such a reply ``touchpoint="dm_request"``, and the reply analytics read it from the text of a
#: brand message whose touchpoint is none of :data:`REPLY_TOUCHPOINTS` (a source that does not
#: tell DM requests apart).
DM_PATTERN = r"(?i)\b(?:DM|DMs|direct message|private message|send us a message|message us)\b"
#: The touchpoints of a source that tells a brand's DM request from its other messages
#: (:func:`journeymap.read_twcs`): a brand message at one of these is a DM request exactly when
#: it is at ``dm_request``; its text is not read for one.
REPLY_TOUCHPOINTS: frozenset[str] = frozenset({"public_reply", DM_REQUEST, "broadcast"})

#: An optional boolean attribute column: False for a customer message addressed to no brand (on
#: a social network: it names no brand account and answers no brand message, directly or through
#: the messages above it; :func:`journeymap.read_twcs` sets it). Without a reply it waits for
#: none: the reply analytics count it as neither answered nor unanswered (``"unaddressed"``).
ADDRESSED = "addressed"

#: An optional boolean attribute column: True where the source says the case is closed (a
#: helpdesk ticket whose status is solved or closed: ``events["closed"] =
#: events["status"].isin(["solved", "closed"])``). A customer message with no reply after it, in
#: a conversation with a True here, waits for none: a survey comment or a last word on a solved
#: ticket. Triage lists it as ``"closing"``, and the reply analytics count it as neither answered
#: nor unanswered, as a customer's thanks. A ``closed`` column of other values (a close date)
#: is not read as the flag: a WARNING says so.
CLOSED = "closed"

#: An optional boolean column: False for a message the customer never saw (a helpdesk's internal
#: note: Zendesk's comments have ``public`` False for them, ``columns={"public": "public"}`` or
#: ``--columns public=public`` reads it). The readers keep such a row out of the events and list
#: it in the rejects ("internal note (public is False): the customer never saw it"), whatever
#: ``on_error`` says, since read as an agent's reply a note would make the first response look
#: faster than it was. True or missing keeps the row; the flag words (:data:`TRUE_WORDS`,
#: :data:`FALSE_WORDS`) are read as for the other flags, and any other value rejects its row.
PUBLIC = "public"

#: The words a flag column (``inbound``, ``addressed``, ``closed``, ``public``, ``reply_outside_data``) may hold for yes
#: and for no, compared stripped and lower-cased: what a CSV written and read back holds.
TRUE_WORDS: frozenset[str] = frozenset({"true", "t", "yes", "y", "1", "1.0"})
FALSE_WORDS: frozenset[str] = frozenset({"false", "f", "no", "n", "0", "0.0"})

#: The columns of every rejects (and warnings) frame: one row per problem.
REJECT_COLUMNS: tuple[str, ...] = ("row", "column", "reason", "value")

#: A scored message is negative below this valence and positive above :data:`POSITIVE_VALENCE`.
NEGATIVE_VALENCE = -0.25
POSITIVE_VALENCE = 0.25
#: How far past -1 or 1 a valence may lie and still be read (clipped): float32 rounding.
VALENCE_TOLERANCE = 1e-6
#: A change of valence between two customer messages counts as a drop (a moment of truth)
#: when it is larger than this.
SIGNIFICANT_DROP = 0.25


def score_column(label: str) -> str:
    """The events column holding a label's probability: ``emo_<label>``."""
    return f"{SCORE_PREFIX}{label}"


def label_of(column: str) -> str:
    """The label of an ``emo_<label>`` column."""
    return column.removeprefix(SCORE_PREFIX)


def is_score_column(column: object) -> bool:
    """Whether scoring adds this column (``emo_<label>`` or one of :data:`EMOTION_COLUMNS`); a name that is not text is not.

    Examples:
        >>> is_score_column("emo_anger"), is_score_column("valence"), is_score_column(0), is_score_column(("emo_x", 1))
        (True, True, False, False)
    """
    return isinstance(column, str) and (column.startswith(SCORE_PREFIX) or column in EMOTION_COLUMNS)


def is_negative(valence: float) -> bool:
    """Whether one valence is a negative moment (below :data:`NEGATIVE_VALENCE`)."""
    return valence < NEGATIVE_VALENCE


def is_positive(valence: float) -> bool:
    """Whether one valence is a positive moment (above :data:`POSITIVE_VALENCE`)."""
    return valence > POSITIVE_VALENCE


#: The suffix an input's own column gets where the library writes a column of that name.
INPUT_SUFFIX = "_input"


def input_names(columns: Iterable[object], own: Collection[str], taken: Iterable[object] = ()) -> dict[str, str]:
    """The input's columns named like the library's ``own`` ones, and the names they are kept under.

    A column the user brought is never overwritten or dropped: ``lang`` becomes ``lang_input``
    (``lang_input2``, ... when that name is ``taken`` too, or is one of ``columns``).

    Examples:
        >>> input_names(["text", "lang", "lang_input"], own={"lang", "sentiment"})
        {'lang': 'lang_input2'}
    """
    names = [str(c) for c in columns]
    used = {*names, *map(str, taken)}
    kept: dict[str, str] = {}
    for column in names:
        if column in own:
            name, i = f"{column}{INPUT_SUFFIX}", 2
            while name in used:
                name, i = f"{column}{INPUT_SUFFIX}{i}", i + 1
            used.add(name)
            kept[column] = name
    return kept


def log_kept(logger: logging.Logger, kept: Mapping[str, str], writer: str) -> None:
    """WARNING on ``logger`` that the input's own columns in ``kept`` (:func:`input_names`) were renamed, if any.

    ``writer`` names what writes the columns of those names (``"score"``, ``"read_twcs"``).
    """
    if kept:
        logger.warning(
            "the input's own columns %s are kept as %s; %s writes its own %s",
            list(kept),
            list(kept.values()),
            writer,
            ", ".join(kept),
        )
