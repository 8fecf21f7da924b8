"""One self-contained HTML report: :func:`report`."""

from __future__ import annotations

import base64
import contextlib
import html
import io
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from journeymap._paths import check_path
from journeymap._report_text import (
    alt_text,
    graph_summary,
    hours_summary,
    journey_summary,
    map_summary,
    mix_summary,
    topics_summary,
    trends_summary,
)
from journeymap.analytics import (
    journey_graph,
    journey_metrics,
    pain_points,
    reply_table,
    service_levels,
    topic_summary,
    topic_trends,
    touchpoint_summary,
    triage,
)
from journeymap.analytics._checks import check_count, check_duration, check_seed, fixed_seed
from journeymap.analytics._durations import as_durations
from journeymap.analytics._prep import require_journeys
from journeymap.analytics._time import check_periods, check_tz, clock_time
from journeymap.analytics.automatic import check_auto
from journeymap.analytics.replies import BRAND_COLUMNS, MIN_GROUP_SIZE, NO_REPLY
from journeymap.analytics.service import conversation_openings, customers_only
from journeymap.analytics.time import time_patterns as patterns_table
from journeymap.analytics.trends import trends as trends_table
from journeymap.backends import dispatch
from journeymap.exceptions import ArgumentTypeError, InvalidArgumentError, SchemaError
from journeymap.io.twcs import THREAD_TOUCHPOINTS
from journeymap.journeys._table import customer_mask

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping

    from journeymap.analytics.automatic import AutoReplyRule
    from journeymap.io.eventlog import EventLog
    from journeymap.journeys import JourneySet

logger = logging.getLogger(__name__)

__all__ = ["COLUMN_HEADINGS", "DEFINITIONS", "MAX_EXAMPLES", "MAX_STEPS", "TREND_PERIODS", "report"]

#: At most this many example journeys are drawn, whatever ``examples`` asks.
MAX_EXAMPLES = 10
#: A drawn journey shows at most this many steps (its first ones); the report says so.
MAX_STEPS = 200

#: The topics table shows the messages of this many latest periods as its trend.
TREND_PERIODS = 8

#: The options the report draws its charts with, given to the chart and to its summary alike.
TOP_PAINS = 3  # pain points ringed on the journey map
MIN_HOUR_COUNT = 3  # fewer scored messages in an hour: hatched, not coloured
MIX_EMOTIONS = 8  # emotions with a colour of their own in the mix
TOPIC_LINES = 6  # topics drawn over time

#: The tables the report shows that ``journeymap map --tables`` writes as well (touchpoints.csv, pain_points.csv,
#: service_levels.csv, brand_levels.csv, triage.csv), by the function that computes them: the command computes
#: each once, with :func:`shared_tables`, and hands them to :func:`report` (``_tables=``), which shows them as they are.
#: Each is computed by :func:`_compute` (one definition, for :func:`shared_tables` and the report alike).
SHARED_TABLES: tuple[str, ...] = ("touchpoint_summary", "pain_points", "service_levels", "brand_levels", "triage")
#: The tables of :data:`SHARED_TABLES` that need someone who replies (none for customer messages alone).
SERVICE_TABLES = frozenset({"service_levels", "brand_levels", "triage"})

#: The charts the report draws that ``journeymap map --tables`` writes as PNG files as well (journey_map.png,
#: journey_graph.png, time_patterns.png, trends.png), drawn with the same data and options: given a
#: :class:`SharedTables` made with ``keep_charts=True``, the report leaves each figure open in its
#: ``charts`` once embedded, as it was drawn, for the command to save too (drawn once, for both).
SHARED_CHARTS: tuple[str, ...] = ("journey_map", "journey_graph", "time_patterns", "trends")


@dataclass(frozen=True)
class SharedTables:
    """Tables of :data:`SHARED_TABLES` computed beforehand, with the options they were computed with.

    ``frames`` maps a name of :data:`SHARED_TABLES` to its table (``service_levels`` is the agent
    league, ``brand_levels`` the same figures per brand); :func:`report` shows them only when it
    draws with the same ``seed``, ``sla`` and ``auto``. With ``keep_charts``, :func:`report` puts
    the figures of :data:`SHARED_CHARTS` it drew into ``charts`` (by name, an Axes each, as drawn:
    saved again it gives the bytes a fresh figure would) and leaves them open: the caller saves and
    closes them.

    Examples:
        >>> SharedTables(seed=0, sla=pd.Timedelta("1h"), auto=None, frames={"pain_point": pd.DataFrame()})
        Traceback (most recent call last):
        ...
        journeymap.exceptions.InvalidArgumentError: _tables: unknown table 'pain_point'; the tables the report can be ...
    """

    seed: int
    sla: pd.Timedelta
    auto: AutoReplyRule | None
    frames: Mapping[str, pd.DataFrame]
    keep_charts: bool = False
    charts: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for name, frame in self.frames.items():
            if name not in SHARED_TABLES:
                msg = f"_tables: unknown table {name!r}; the tables the report can be handed are {', '.join(SHARED_TABLES)}"
                raise InvalidArgumentError(msg)
            if not isinstance(frame, pd.DataFrame):
                msg = f"_tables: the table {name!r} must be a pandas DataFrame, got {type(frame).__name__}"
                raise ArgumentTypeError(msg)


def _compute(
    name: str, js: JourneySet, *, seed: int, sla: str | pd.Timedelta | dt.timedelta, auto: AutoReplyRule | None
) -> pd.DataFrame:
    """The table ``name`` of :data:`SHARED_TABLES` as the report shows it and ``journeymap map --tables`` writes it."""
    if name == "touchpoint_summary":
        return touchpoint_summary(js, seed=seed)
    if name == "pain_points":
        return pain_points(js, seed=seed)
    if name == "service_levels":  # the agent league
        return service_levels(js, by="agent", sla=sla, auto=auto, seed=seed)
    if name == "brand_levels":  # the report's per-brand table
        return service_levels(js, by="brand", sla=sla, auto=auto, seed=seed)
    if name == "triage":
        return triage(js, auto=auto)
    msg = f"unknown shared table {name!r}; the shared tables are {', '.join(SHARED_TABLES)}"
    raise InvalidArgumentError(msg)


def _names_brands(events: pd.DataFrame) -> bool:
    """Whether the events name brands (a ``brand`` or ``author_id`` column): the per-brand table needs one."""
    return bool(set(BRAND_COLUMNS) & set(events.columns))


def shared_tables(
    js: JourneySet,
    *,
    seed: int = 0,
    sla: str | pd.Timedelta | dt.timedelta = "1h",
    auto: AutoReplyRule | None = None,
    keep_charts: bool = False,
) -> SharedTables:
    """The tables of :data:`SHARED_TABLES` as :func:`report` computes them with ``seed``, ``sla`` and ``auto``.

    The service tables (the agent league, triage) only where someone replies, as in the report,
    and the per-brand league only where the events name brands too (a ``brand`` or ``author_id``
    column).
    The defaults are the report's and the analytics functions' own, so ``frames`` holds what
    ``jm.touchpoint_summary(js)``, ``jm.pain_points(js)``, ``jm.service_levels(js)``,
    ``jm.service_levels(js, by="brand")`` and ``jm.triage(js)`` give: ``journeymap map --tables``
    writes them and hands them to the report.
    ``keep_charts``: the report handed these keeps the figures of :data:`SHARED_CHARTS` it drew in
    ``charts`` (:class:`SharedTables`), for the command to write as PNG files too.

    Examples:
        >>> import journeymap as jm
        >>> from journeymap.testing.data import planted_scores
        >>> js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(40, seed=0)))
        >>> tables = shared_tables(js)
        >>> list(tables.frames), tables.frames["pain_points"].equals(jm.pain_points(js))
        (['touchpoint_summary', 'pain_points', 'service_levels', 'brand_levels', 'triage'], True)
    """
    replied = not customers_only(js.events)
    branded = _names_brands(js.events)
    names = [name for name in SHARED_TABLES if (replied or name not in SERVICE_TABLES) and (branded or name != "brand_levels")]
    frames = {name: _compute(name, js, seed=seed, sla=sla, auto=auto) for name in names}
    return SharedTables(seed=seed, sla=pd.Timedelta(sla), auto=auto, frames=frames, keep_charts=keep_charts)


class _Tables:
    """The report's tables of :data:`SHARED_TABLES`: those handed to it (``_tables``), else computed when first shown."""

    def __init__(
        self,
        js: JourneySet,
        given: object,
        *,
        seed: int,
        sla: str | pd.Timedelta | dt.timedelta,
        auto: AutoReplyRule | None,
    ) -> None:
        self._js, self._seed, self._sla, self._auto = js, seed, sla, auto
        self._shared = _checked_tables(given, seed=seed, sla=sla, auto=auto)
        self._frames: dict[str, pd.DataFrame] = dict(self._shared.frames) if self._shared is not None else {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._frames:
            self._frames[name] = _compute(name, self._js, seed=self._seed, sla=self._sla, auto=self._auto)
        return self._frames[name]

    @property
    def charts(self) -> dict[str, Any] | None:
        """Where the figures of :data:`SHARED_CHARTS` are kept for the caller (None: each is closed once embedded)."""
        return self._shared.charts if self._shared is not None and self._shared.keep_charts else None


def _kept(tables: _Tables, name: str) -> tuple[dict[str, Any], str] | None:
    """Where the chart ``name`` (of :data:`SHARED_CHARTS`) is kept once embedded, for :func:`_png`; None: it is closed."""
    charts = tables.charts
    return None if charts is None else (charts, name)


def _checked_tables(
    tables: object, *, seed: int, sla: str | pd.Timedelta | dt.timedelta, auto: AutoReplyRule | None
) -> SharedTables | None:
    """The tables handed to :func:`report` (``_tables``), or None. They must be of the report's options."""
    if tables is None:
        return None
    if not isinstance(tables, SharedTables):
        msg = f"_tables must be None or journeymap.report.shared_tables(js, ...)'s SharedTables, got {type(tables).__name__}"
        raise ArgumentTypeError(msg)
    ours = (seed, pd.Timedelta(sla), auto)
    if (tables.seed, tables.sla, tables.auto) != ours:
        msg = (
            f"_tables were computed with seed={tables.seed!r}, sla={tables.sla}, auto={tables.auto!r}; the report draws "
            f"with seed={seed!r}, sla={ours[1]}, auto={auto!r}: pass shared_tables(js, seed=..., sla=..., auto=...) of those"
        )
        raise InvalidArgumentError(msg)
    return tables


#: The headings the report's tables show instead of column names.
COLUMN_HEADINGS: dict[str, str] = {
    "rank": "rank",
    "priority": "priority",
    "status": "status",
    "customer_id": "customer",
    "timestamp": "sent",
    "text": "message",
    "emotion": "emotion",
    "reason": "why",
    "volume": "messages",
    "n_unscored": "not scored",
    "mean_valence": "mean valence",
    "ci_low": "interval low",
    "ci_high": "interval high",
    "share_negative": "share negative",
    "top_emotions": "top emotions",
    "share_positive": "share positive",
    "pos_neg_ratio": "positive per negative",
    "mean_negativity": "mean negativity",
    "impact": "impact",
    "impact_low": "impact low",
    "impact_high": "impact high",
    "n_journeys": "journeys",
    "replies": "human replies",
    "automatic": "automatic replies",
    "journeys": "journeys",
    "journeys_replied": "journeys replied in",
    "first_response_median": "first response (median)",
    "first_response_p90": "first response (90th percentile)",
    "within_sla": "answered within SLA",
    "within_sla_low": "within SLA low",
    "within_sla_high": "within SLA high",
    "unanswered": "unanswered",
    "unanswered_low": "unanswered low",
    "unanswered_high": "unanswered high",
    "valence_change": "mood change after reply",
    "valence_change_low": "mood change low",
    "valence_change_high": "mood change high",
    "recovered": "recovered",
    "recovered_low": "recovered low",
    "recovered_high": "recovered high",
    "too_small": "too few to say",
    "touchpoint": "touchpoint",
    "stage": "stage",
    "agent": "agent",
    "brand": "brand",
    "topic": "topic",
    "share": "share of messages",
    "scored": "scored",
    "keywords": "keywords",
    "quotes": "quotes",
    "trend": "trend",
}

#: The metrics the report shows, in plain words.
DEFINITIONS: dict[str, str] = {
    "first response": "time from a customer's first message in a conversation to the first reply written by a person "
    "(automatic acknowledgements do not count; a conversation with no such reply is 'unanswered').",
    "automatic reply": "a reply from a bot, or a text the same account sent at least three times, each within about "
    "a minute of the message it answers.",
    "answered within SLA": "of the conversations where it can be told, the share whose first response came within the "
    "service-level target.",
    "unanswered": "the share of conversations with no reply from a person by the end of the data (their wait is "
    "counted up to the last timestamp in the data), of those that wait for one: conversations answered outside the "
    "data, and those whose first message needs no public reply (a thank-you, a move to private messages, a remark "
    "addressed to no brand), count neither way.",
    "valence": "how positive (up to 1) or negative (down to -1) a customer message reads.",
    "negative / positive": "what the scorer decided for the message (the default model's sentiment, calibrated on "
    "tweets); for scorers that give no such decision, valence below -0.25 or above 0.25.",
    "mood change after reply": "the customer's valence in their next message after a reply minus in their last one before it.",
    "recovered": "of the conversations with a negative moment, a reply, and the customer's word after it, the share "
    "that ended positive (a customer who went quiet after the reply counts neither way).",
    "impact": "how much negativity a touchpoint carries in total: messages there times their mean negativity.",
    "not scored": "customer messages the scorer did not read (in a language it does not read, or without text): "
    "they are not in the messages, valence or impact beside them, and a triage reason says 'not scored' with why.",
    "priority": "a weighted sum of negativity, intense emotion, waiting time and repeated contacts, from 0 to 1; "
    "waiting counts more each hour up to a full day, then half as much for every further week (a case weeks old "
    "has most likely been settled elsewhere or given up).",
    "journeys (in a league)": "the customers' journeys with a conversation that belongs to the brand or agent: the one "
    "who answered its opening message in person, or (per brand) whose automatic reply alone answered it, or to whom "
    "it was addressed when no one did; 'journeys replied in': those where the brand or agent replied in person (a "
    "second agent who joined later counts it too; automatic replies are counted in their own column). The response "
    "figures read each of a journey's conversations with the brand or agent.",
    "triage status": "'waiting': no reply yet, ranked by priority; 'moved': the case went to private messages, "
    "where the answer likely is; 'reply_outside': the source lists a reply this data does not hold; 'closing': "
    "a clear thank-you after a person's reply, or a message such a thank-you settled; 'unaddressed': a message that "
    "names no brand and answers none (a bystander's remark in a thread). Only waiting messages are "
    "ranked; the others follow, most urgent first within each.",
    "stages": "with the default service stages, 'contact': the customer's opening messages (and brand messages "
    "before the first brand reply not from a bot or system account; a journey with no such reply is all contact); "
    "'first_response': that reply (stages are read from who wrote, so an automatic acknowledgement sent from an "
    "agent's account can be it, and the person's first reply a follow_up, where the response times count no "
    "reply); 'follow_up': the steps after it; 'resolution': the journey's last step said by the customer or a "
    "person (with any automatic steps after it), however it ended (a stage of the conversation, not a verdict that "
    "the case was resolved).",
    "interval": (
        "the 95% range the true value is likely in; shares use Wilson intervals, means the bootstrap over "
        "whole customers (one customer's messages are not independent) or Student's t, whichever is wider, cut at "
        "the range a value can take (-1 and 1 for valence). The service tables give no interval where fewer than "
        "five journeys stand behind a figure ('too few to say' marks a whole group so small); a mean over two to "
        "four customers gets one, wide (it may span the whole range), and the journey map fades cells of fewer than "
        "five messages and draws them no interval."
    ),
}

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1320px;color:#222}
p,dl,ul,.note,figcaption{max-width:1100px}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}h3{font-size:1rem}
dt{font-weight:600}dd{margin:0 0 .4rem 1rem}
img{max-width:100%;height:auto}
figure{margin:1rem 0 1.5rem}figcaption{color:#666;font-size:.85rem;margin-top:.25rem}
.wide{overflow-x:auto;max-width:100%}.wide img{max-width:none}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}
caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{border-bottom:1px solid #eee;padding:.25rem .5rem;text-align:left;vertical-align:top}
.note{color:#666;font-size:.85rem}
"""


#: The page's width in pixels (``max-width`` in :data:`_CSS`): a wider figure scrolls sideways in it (``.wide``).
#: The widest journey map (:data:`~journeymap.plot.journey_map.MAX_WIDTH`, 13.5 inches: 1,296 pixels at
#: :data:`_DPI`) fits it; prose keeps lines of at most 1,100 pixels.
_PAGE_WIDTH = 1320
#: The figures' resolution, shown one image pixel to one CSS pixel (1/96 inch): a chart's text is
#: shown at its own point size (8-point text 8 CSS points, 10.7 pixels). At 80 dpi it was shown at
#: 5/6 of it, the 7-point labels at 5.8 points; a 2x image shown at half its size held the same
#: text sharper but made the report 2.8 times larger (1.24 MB instead of 0.45 MB; at 96 dpi: 0.57 MB).
_DPI = 96


def _png(ax: Any, *, keep: tuple[dict[str, Any], str] | None = None) -> bytes:
    """The chart as PNG bytes; its figure closed, or with ``keep`` (``charts``, name) left open in ``charts[name]``.

    A figure kept is left as it was drawn (:func:`~journeymap.plot._theme.as_drawn`): saved again
    (``journeymap map --tables`` at its own resolution) it gives the bytes a fresh figure would.
    """
    import matplotlib.pyplot as plt

    from journeymap.plot._theme import as_drawn

    buffer = io.BytesIO()
    with as_drawn(ax.figure) if keep is not None else contextlib.nullcontext():
        ax.figure.savefig(buffer, format="png", dpi=_DPI, bbox_inches="tight")  # nothing cut at the edges (a long title)
    if keep is None:
        plt.close(ax.figure)
    else:
        charts, name = keep
        charts[name] = ax
    return buffer.getvalue()


def _figure(ax: Any, summary: str, *, alt: str, note: str = "", keep: tuple[dict[str, Any], str] | None = None) -> str:
    """The figure as an image in the page, at its full size (one wider than the page scrolls sideways), with its words.

    ``alt`` is the image's alt text: a short name of the chart and its subject
    (:func:`~journeymap._report_text.alt_text`). ``summary`` says what the chart shows and its
    main finding (:mod:`journeymap._report_text`): the figure's visible caption, with ``note``
    after it, which a screen reader reads with the figure (as the alt text too, it was read twice).
    Scaled down to the page's width, a 19-inch journey map's 8-point text was 6 pixels tall.
    ``keep``: the figure is left open for the caller (:func:`_png`).
    """
    png = _png(ax, keep=keep)
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")  # the PNG header's IHDR
    data = base64.b64encode(png).decode("ascii")
    image = f'<img alt="{html.escape(alt)}" width="{width}" height="{height}" src="data:image/png;base64,{data}">'
    if width > _PAGE_WIDTH:
        image = f'<div class="wide">{image}</div>'
    caption = html.escape(summary + (f" {note}" if note else ""), quote=False)
    return f"<figure>{image}<figcaption>{caption}</figcaption></figure>"


def duration(value: pd.Timedelta | str | None) -> str:
    """A time span in words a reader takes in at a glance: the two largest units, rounded.

    Examples:
        >>> duration(pd.Timedelta("1h8min31.5s")), duration(pd.Timedelta("347s")), duration(pd.Timedelta("30h36min"))
        ('1 h 09 min', '5 min 47 s', '1 d 7 h')
        >>> duration(pd.Timedelta("42s")), duration(pd.NaT), duration(pd.Timedelta("-90s"))
        ('42 s', '', '-1 min 30 s')
    """
    span = pd.Timedelta(value) if value is not None else pd.NaT
    if span is pd.NaT:
        return ""
    seconds = round(span.total_seconds())
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    if seconds < 60:
        return f"{sign}{seconds} s"
    if seconds < 3600:
        return f"{sign}{seconds // 60} min {seconds % 60:02d} s"
    minutes = round(seconds / 60)
    if minutes < 24 * 60:
        return f"{sign}{minutes // 60} h {minutes % 60:02d} min"
    hours = round(seconds / 3600)
    return f"{sign}{hours // 24} d {hours % 24} h"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def _response_note(conv: pd.DataFrame, *, brand_only: int, replies: pd.DataFrame) -> str:
    """The sentence over the response-time tables: every conversation with a customer message accounted for.

    ``conv``: :func:`~journeymap.analytics.service.conversation_openings`' rows (a journey by
    thread is one conversation, by customer one per thread: a later thread nobody answered is
    counted as unanswered, as the per-brand table counts it); a message read per brand (sent to
    two brands that both answered) counts once, with its first reply. ``brand_only``: journeys
    without a customer message.

    Examples:
        >>> conv = pd.DataFrame({"opening": [0, 2, 3, 4, 5, 0], "first_response_ns": [6e10, None, None, None, None, 9e10],
        ...     "censored": [False, True, False, False, False, False],
        ...     "opened_outside": [False, False, True, False, False, False],
        ...     "no_reply_needed": [False, False, False, False, True, False]})
        >>> for part in _response_note(conv, brand_only=0, replies=pd.DataFrame({"automatic": [False, True]})).split("; "):
        ...     print(part)
        First response (a person's reply): median 1 min 00 s over 1 answered conversation
        1 conversation unanswered at the end of the data
        1 conversation opened with a reply to a message outside the data
        1 conversation answered outside the data (waits unknown)
        1 conversation opened with a message needing no public reply (thanks, moved to DM, or addressed to no brand)
        1 of 2 brand reply messages automatic.
    """
    conv = conv.drop_duplicates("opening")  # in the order of the openings, the first reply first
    answered = conv["first_response_ns"].dropna()
    opened = int(conv["opened_outside"].sum())
    censored = int(conv["censored"].sum())
    settled = int(conv["no_reply_needed"].sum())
    outside = int((conv["first_response_ns"].isna() & ~conv["censored"]).sum()) - opened - settled
    head = (
        f"median {duration(pd.Timedelta(as_durations(answered.median())[0]))} over "
        f"{_plural(len(answered), 'answered conversation')}"
        if len(answered)
        else "no answered conversations"
    )
    parts = [
        f"First response (a person's reply): {head}",
        f"{_plural(censored, 'conversation')} unanswered at the end of the data",
    ]
    if opened:
        parts.append(f"{_plural(opened, 'conversation')} opened with a reply to a message outside the data")
    if outside > 0:
        parts.append(f"{_plural(outside, 'conversation')} answered outside the data (waits unknown)")
    if settled:
        parts.append(
            f"{_plural(settled, 'conversation')} opened with a message needing no public reply"
            " (thanks, moved to DM, or addressed to no brand)"
        )
    if brand_only:
        parts.append(f"{_plural(brand_only, 'journey')} with no customer message (the brand's messages only)")
    n_auto = int(replies["automatic"].sum())
    parts.append(f"{n_auto:,} of {len(replies):,} brand reply messages automatic")
    return "; ".join(parts) + "."


def _column_text(values: pd.Series) -> list[str]:
    """A table column's cells as text: a float column to a common number of decimals (up to 3), flags as words.

    A flag (``too_small``: "too few to say") reads "yes" where set and nothing where not (a
    column of True and False is read out word by word); missing values are empty.

    Examples:
        >>> _column_text(pd.Series([0.5, 0.1234, None])), _column_text(pd.Series([2.0, 3.0]))
        (['0.500', '0.123', ''], ['2.0', '3.0'])
        >>> _column_text(pd.Series([True, False])), _column_text(pd.Series([1, 2]))
        (['yes', ''], ['1', '2'])
    """
    kind = values.dtype
    if pd.api.types.is_bool_dtype(kind):
        return ["" if pd.isna(v) else ("yes" if v else "") for v in values]
    if pd.api.types.is_float_dtype(kind):
        numbers = values.to_numpy(dtype=float, na_value=np.nan).round(3)
        finite = numbers[np.isfinite(numbers)]
        places = next((d for d in range(4) if np.allclose(finite, finite.round(d), rtol=0, atol=1e-9)), 3)
        return ["" if np.isnan(v) else f"{v:.{max(1, places)}f}" for v in numbers]
    out = []
    for v in values:
        if isinstance(v, (bool, np.bool_)):
            out.append("yes" if v else "")
        elif v is None or (not isinstance(v, (list, tuple, np.ndarray)) and pd.isna(v)):
            out.append("")
        elif isinstance(v, (float, np.floating)):
            out.append(str(round(float(v), 3)))
        else:
            out.append(str(v))
    return out


def _table(frame: pd.DataFrame, *, caption: str, max_rows: int = 15, tz: str | dt.tzinfo | None = None) -> str:
    """A table as HTML: floats rounded, durations readable, times in ``tz`` (None: as stored, UTC), missing cells empty.

    Read by a screen reader as a table should be: its ``caption`` names it; one header row,
    the index's name over its column (pandas' ``to_html`` put it on a second row of otherwise
    empty header cells), every header cell with its ``scope`` (the index cells are the row
    headers); flags are "yes" or empty, not True and False. It scrolls sideways in a wrapper of
    its own where it is wider than the page (a table with ``display:block`` loses its table
    semantics in some screen readers).
    """
    shown = frame.head(max_rows).copy()
    for col in shown.columns:
        kind = shown[col].dtype
        if pd.api.types.is_timedelta64_dtype(kind):
            shown[col] = shown[col].map(duration).astype("string")
        elif isinstance(kind, pd.DatetimeTZDtype) and tz is not None:
            shown[col] = shown[col].dt.tz_convert(check_tz(tz)).dt.strftime("%Y-%m-%d %H:%M %Z").astype("string")
    shown = shown.rename(columns=COLUMN_HEADINGS)
    names = [COLUMN_HEADINGS.get(str(n), str(n)) if n is not None else "#" for n in shown.index.names]

    def esc(text: object) -> str:
        return html.escape(str(text), quote=False)

    head = "".join(f'<th scope="col">{esc(n)}</th>' for n in [*names, *map(str, shown.columns)])
    keys = (
        [["" if pd.isna(k) else str(k) for k in key] for key in shown.index]
        if isinstance(shown.index, pd.MultiIndex)
        else [["" if pd.isna(k) else str(k)] for k in shown.index]
    )
    columns = [_column_text(shown.iloc[:, i]) for i in range(shown.shape[1])]
    rows = "".join(
        "<tr>"
        + "".join(f'<th scope="row">{esc(k)}</th>' for k in key)
        + "".join(f"<td>{esc(column[r])}</td>" for column in columns)
        + "</tr>"
        for r, key in enumerate(keys)
    )
    note = "" if len(frame) <= max_rows else f'<p class="note">The first {max_rows:,} of {len(frame):,} rows.</p>'
    return (
        f'<div class="wide"><table class="dataframe"><caption>{esc(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>{note}"
    )


def _counts(
    js: JourneySet,
    log: EventLog | None,
    rejects: str | os.PathLike[str] | None = None,
    warnings: str | os.PathLike[str] | None = None,
) -> str:
    """The figures at the top: from the same objects the logs count."""
    events = js.events
    customer = events["actor"].astype("string") == "customer"
    parts = [
        f"{len(js):,} journeys",
        f"{events.loc[customer, 'customer_id'].nunique():,} customers",
        f"{len(events):,} messages ({int(customer.sum()):,} from customers, {int((~customer).sum()):,} from brands)",
    ]
    if "valence" in events.columns:
        parts.append(f"{int(events['valence'].notna().sum()):,} scored messages")
    if log is not None:
        where = Path(rejects).name if rejects is not None else "EventLog.rejects"
        rejected = len(log.rejected_rows)
        counted = f"{log.n_input:,} input rows, " + (f"{rejected:,} rejected (see {where})" if rejected else "none rejected")
        noted = int(log.warnings["row"].nunique())
        if noted:
            kept = Path(warnings).name if warnings is not None else "EventLog.warnings"
            counted += f", {noted:,} kept with a caveat (see {kept})"
        parts.append(counted)
    else:
        parts.append("rejected input rows: not known (pass log= to show them)")
    return f'<p class="note" id="counts">{html.escape("; ".join(parts))}.</p>'


def _definitions() -> str:
    items = "".join(f"<dt>{html.escape(term)}</dt><dd>{html.escape(text)}</dd>" for term, text in DEFINITIONS.items())
    return f"<h2>What the numbers mean</h2><dl>{items}</dl>"


def _drawable(js: JourneySet, journey_id: str, max_steps: int) -> tuple[JourneySet, pd.DataFrame, int]:
    """The journey cut to its first ``max_steps`` steps (a one-journey JourneySet), its events as drawn, and its full length."""
    from journeymap.journeys import JourneySet

    rows = js.events[js.events["journey_id"] == journey_id]
    n = len(rows)
    if n <= max_steps:
        return js, rows, n
    cut = rows.iloc[:max_steps]
    meta = js.journeys.loc[[journey_id]].copy()
    meta["n_steps"] = max_steps
    meta["end"] = cut["timestamp"].iloc[-1]
    return JourneySet(cut, meta, js.stages, by=js.by, taxonomy=js.taxonomy, tz=js.tz), cut, n


def _shorten(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _structural_touchpoints(js: JourneySet) -> bool:
    """Whether every touchpoint of the customers' messages is a place in a thread (social data has no other)."""
    found = set(js.events.loc[customer_mask(js.events["actor"]), "touchpoint"].dropna().astype(str))
    return bool(found) and found <= THREAD_TOUCHPOINTS


def _pain_points(js: JourneySet, *, seed: int, tables: _Tables) -> list[str]:
    """The pain points section: by touchpoint (places in a thread, said so), and by topic where there are topics."""
    pains = tables["pain_points"]
    out = [
        "<h2>Pain points</h2>",
        (
            '<p class="note">Whole touchpoints, ranked by impact. The journey map above rates each (stage, '
            "touchpoint) cell, so a cell ringed there can rank lower here, where all its stages count together.</p>"
        ),
        _table(pains, caption="Pain points: touchpoints ranked by impact"),
    ]
    topics = "topic" in js.events.columns and bool(js.events["topic"].notna().any())
    if _structural_touchpoints(js):
        out.append(
            '<p class="note">These touchpoints are places in a thread (a first message, a later one, a reply), '
            "not parts of the service: what customers complain about is in the topics"
            + (" (pain points by topic below)." if topics else "; run with topics to see it.")
            + "</p>"
        )
    if topics:
        out += [
            "<h3>Pain points by topic</h3>",
            '<p class="note">What customers write about, ranked by impact in the same way.</p>',
            _table(pain_points(js, level="topic", seed=seed), caption="Pain points by topic, ranked by impact"),
        ]
    return out


def _topics(js: JourneySet, *, seed: int | np.random.Generator | None, freq: str, tz: str | dt.tzinfo | None = None) -> list[str]:
    """The topics section (when the journeys have topics): a table, a note on the columns, a chart.

    Says why instead when there is nothing to show (no journeys, no customer message with a topic).
    """
    from journeymap import plot
    from journeymap.plot._theme import period_name

    if "topic" not in js.events.columns:
        return []
    out = ['<h2 id="topics">Topics: what customers write about</h2>']
    table = topic_summary(js, seed=seed)
    if table.empty:
        why = "there are no journeys" if len(js) == 0 else "no customer message has a topic"
        out.append(f'<p class="note">No topics to show: {html.escape(why)}.</p>')
        return out
    weekly = topic_trends(js, freq=freq, tz=tz)
    periods = weekly.index.get_level_values("period").unique()[-TREND_PERIODS:]
    recent = weekly[weekly.index.get_level_values("period").isin(periods)]
    # a period the data covers only in part is marked (26*): its count is not a whole period's
    trend = {
        str(t): " · ".join(f"{int(v)}{'*' if p else ''}" for v, p in zip(g["volume"].to_numpy(), g["partial"].to_numpy()))
        for t, g in recent.groupby(level="topic", sort=False)
    }
    partial_note = " A * marks a period the data covers only in part." if bool(recent["partial"].any()) else ""
    # the messages count every message of a topic; the mood columns read the scored ones. Where some are not
    # scored (another language, no text), the scored count stays beside them, as the touchpoint tables show theirs
    unscored = bool((table["scored"] < table["volume"]).any())
    shown = (table if unscored else table.drop(columns=["scored"])).copy()
    shown["keywords"] = table["keywords"].map(", ".join)
    shown["quotes"] = table["quotes"].map(lambda qs: " / ".join(f"“{_shorten(q)}”" for q in qs))
    name = html.escape(period_name(freq))
    if len(periods) > 1:
        shown["trend"] = [trend.get(str(t), "") for t in table.index]
        trend_note = f"trend: its messages per {name}, the last {len(periods)}, oldest first.{partial_note}"
    else:  # one period is no trend (the charts below say so too)
        trend_note = f"no trend column: all the data falls in one period ({name})."
    n, k = int(table["volume"].sum()), int((table.index != "other").sum())
    out.append(
        f'<p class="note">{n:,} customer messages in {k:,} topics; "other" holds the messages that fit none. '
        "A brand reply counts under the topic of the message it answers (in jm.plot.journey_map and jm.journey_graph "
        "with level='topic'). "
        + (
            "'messages' counts every message of a topic and 'scored' those the scorer read: share negative and mean "
            "valence are over the scored (the pain points by topic count only those). "
            if unscored
            else ""
        )
        + f"Keywords are each topic's most distinctive words; quotes the messages that fit it best; {trend_note}</p>"
    )
    caption = "Topics: messages, mood, keywords and quotes"
    if len(shown) > 30 and "other" in shown.index:  # the largest 29 topics, and always "other" (the note names it)
        shown = pd.concat([shown.drop(index="other").head(29), shown.loc[["other"]]])
        out.append(
            _table(shown, caption=caption, max_rows=30) + f'<p class="note">The largest 29 of {k:,} topics, and "other".</p>'
        )
    else:
        out.append(_table(shown, caption=caption, max_rows=30))
    ax = plot.topic_trends(js, freq=freq, tz=tz, top=TOPIC_LINES)
    alt = alt_text("Line chart", f"customer messages per {period_name(freq)} of the largest topics")
    out.append(_figure(ax, topics_summary(weekly, freq=freq, top=TOPIC_LINES), alt=alt))
    return out


#: What the report says instead of its service sections when nobody answers in the data.
NO_REPLIES = (
    "The data holds customer messages only (no agent, bot or system message): response times, the agent "
    "league and triage do not apply. The most negative messages are listed instead of a triage."
)


def _service(
    js: JourneySet,
    *,
    sla: str | pd.Timedelta | dt.timedelta,
    seed: int | np.random.Generator | None,
    freq: str,
    tz: str | dt.tzinfo | None,
    auto: AutoReplyRule | None,
    tables: _Tables,
) -> list[str]:
    """The response-time sections: the note that accounts for every conversation, per brand, over time, the agent league."""
    from journeymap import plot
    from journeymap.plot._theme import period_name

    conv = conversation_openings(js, auto=auto)
    events = js.events
    with_customer = pd.Series(customer_mask(events["actor"]), index=events.index).groupby(events["journey_id"], sort=False).any()
    brand_only = int((~with_customer).sum())
    replies = reply_table(js, auto=auto)
    note = _response_note(conv, brand_only=brand_only, replies=replies)
    out = ["<h2>Response times</h2>", f'<p class="note">{html.escape(note, quote=False)}</p>']
    out.append(f"<h3>Per brand (SLA {html.escape(duration(pd.Timedelta(sla)))})</h3>")
    if _names_brands(js.events):
        brands = tables["brand_levels"]
        caption = "Response times and mood per brand"
        out.append(_table(_marked_rates(brands), caption=caption, max_rows=20) + _few_note(brands))
    else:  # both are optional columns
        out.append('<p class="note">No brand or author_id column in the events: no per-brand figures.</p>')
    out.append("<h3>Over time</h3>")
    if conv["journey"].duplicated().any():  # journeys by customer: trends read each journey's first conversation
        out.append(
            '<p class="note">Over time, each journey counts once, in the period it opened, with its first conversation; '
            "the note and the tables above count every conversation.</p>"
        )
    summary = trends_summary(trends_table(js, freq=freq, tz=tz, auto=auto), freq=freq, tz=tz)  # the table the chart draws
    alt = alt_text("Chart", f"customer messages and the median first response per {period_name(freq)}")
    out.append(_figure(plot.trends(js, freq=freq, tz=tz, auto=auto), summary, alt=alt, keep=_kept(tables, "trends")))
    agents = tables["service_levels"]
    out += ["<h2>Agent league</h2>", *_agent_league(agents, brands_shown=_names_brands(js.events))]
    return out


#: The agent league's rows in the report: the largest agents, and "(no reply)" last.
MAX_AGENTS = 20
LEAGUE_CAPTION = "Response times and mood per agent"
TOUCHPOINTS_CAPTION = "Touchpoints: messages, mood and top emotions"
NEGATIVE_CAPTION = "The customers' most negative messages"
#: The rates of :func:`~journeymap.service_levels` with a 95% interval (``<rate>_low``, ``<rate>_high``).
RATES = ("within_sla", "unanswered", "valence_change", "recovered")
#: The mark of a rate that rests on too few conversations for an interval.
FEW = "\u2020"


def _few(league: pd.DataFrame, rate: str) -> pd.Series:
    """Where ``rate`` has a value but no interval in a group not ``too_small``: too few cases behind it."""
    return league[rate].notna() & league[f"{rate}_low"].isna() & ~league["too_small"].astype(bool)


def _marked_rates(league: pd.DataFrame) -> pd.DataFrame:
    """``league`` with each rate that has no interval in a group large enough for one marked ``0.5†``.

    :func:`~journeymap.service_levels` leaves the interval out where fewer than ``min_size``
    conversations (journeys for the mood change) are behind a rate, in a group whose
    ``too_small`` is False: "recovered 0.5" may be 1 of 2. The mark says so in the table itself.
    """
    out = league.copy()
    for rate in RATES:
        if rate not in out.columns:
            continue
        value, few = out[rate], _few(out, rate)
        if few.any():
            shown = value.round(3).astype(object).where(value.notna(), None)
            shown[few] = [f"{v:.3g}{FEW}" for v in value[few]]
            out[rate] = shown
    return out


def _few_note(league: pd.DataFrame) -> str:
    """The note under a league with marked rates (:func:`_marked_rates`), or nothing."""
    if not any(bool(_few(league, rate).any()) for rate in RATES if rate in league.columns):
        return ""
    return (
        f'<p class="note">{FEW} rests on fewer than {MIN_GROUP_SIZE} conversations (journeys for the mood change): '
        "no interval is given; read it as an anecdote, not a rate.</p>"
    )


def _agent_league(agents: pd.DataFrame, *, brands_shown: bool = True) -> list[str]:
    """The agent league as the report shows it: no unanswered share, "(no reply)" kept when cut.

    A conversation nobody answered has no agent: :func:`~journeymap.service_levels` puts it in
    the ``"(no reply)"`` row, so every agent's ``unanswered`` is 0 by construction (not a
    measurement, though it has an interval) and an agent's within-SLA share is over the
    conversations they answered, so it can be higher than their brand's (``brands_shown``: the
    per-brand table is above), which counts unanswered ones too.
    """
    shown = agents.drop(columns=[c for c in ("unanswered", "unanswered_low", "unanswered_high") if c in agents.columns])
    if NO_REPLY in shown.index:  # nobody answered these: "answered within SLA 0.000" would read as a measure
        shown.loc[NO_REPLY, ["within_sla", "within_sla_low", "within_sla_high"]] = float("nan")
    n_agents = int((shown.index != NO_REPLY).sum())
    cut = len(shown) > MAX_AGENTS
    if cut and NO_REPLY in shown.index:  # the largest agents, and always "(no reply)" (the note names it)
        shown = pd.concat([shown.drop(index=NO_REPLY).head(MAX_AGENTS - 1), shown.loc[[NO_REPLY]]])
    note = "Within SLA is over the conversations each agent answered"
    if brands_shown:
        note += ", so it can be higher than the brand's share above, which counts unanswered conversations too"
    if NO_REPLY in agents.index:
        unanswered = int(agents["journeys"].get(NO_REPLY, 0))
        note += (
            f". Conversations that no reply in the data answered (unanswered, answered outside the data, or opened "
            f"with a message needing no public reply) have no agent: they are the {NO_REPLY} row "
            f"({_plural(unanswered, 'journey')}), except a remark addressed to no brand that no brand answered, which is in "
            "neither league"
        )
    note += "."
    out = [f'<p class="note">{html.escape(note, quote=False)}</p>']
    if cut and NO_REPLY in agents.index:
        out.append(
            _table(_marked_rates(shown), caption=LEAGUE_CAPTION, max_rows=MAX_AGENTS)
            + f'<p class="note">The largest {MAX_AGENTS - 1} of {n_agents:,} agents, and {NO_REPLY}.</p>'
        )
    else:
        out.append(_table(_marked_rates(shown), caption=LEAGUE_CAPTION, max_rows=MAX_AGENTS))
    return [*out, _few_note(shown)]


def _most_negative(js: JourneySet) -> pd.DataFrame:
    """The customers' scored messages, most negative first, ranked from 1 (where there is no triage: nobody answers)."""
    events = js.events
    mine = events[(events["actor"].astype("string") == "customer") & events["valence"].notna()]
    cols = [c for c in ("customer_id", "timestamp", "text", "valence", "emotion") if c in mine.columns]
    out = mine.sort_values(["valence", "timestamp"], kind="stable")[cols].reset_index(drop=True)
    out.index = pd.RangeIndex(1, len(out) + 1, name="rank")  # the row headers: 1 the most negative (not 0, unnamed)
    return out


def _output(path: object) -> Path:
    """The report's file: a path (str or os.PathLike) that is not a folder."""
    out = check_path(path, "path", "the HTML file to write")
    if out.is_dir():
        msg = f"path {str(out)!r} is a folder: give the HTML file to write (e.g. {str(out / 'report.html')!r})"
        raise InvalidArgumentError(msg)
    return out


def _check_log(log: object) -> None:
    """``log`` must be None or the :class:`~journeymap.EventLog` the journeys were built from (not its events, nor a file)."""
    from journeymap.io.eventlog import EventLog

    if log is None or isinstance(log, EventLog):
        return
    hint = ""
    if isinstance(log, (str, os.PathLike)):
        hint = ": read the file first (log = journeymap.read_events(path)) and pass that"
    elif isinstance(log, pd.DataFrame):
        hint = ": pass the EventLog itself (log=log), not its events"
    msg = f"log must be None or the EventLog the journeys were built from, got {type(log).__name__}{hint}"
    raise ArgumentTypeError(msg)


def _checked(
    js: object,
    *,
    title: object,
    examples: int,
    seed: object,
    log: object,
    max_steps: int,
    sla: object,
    freq: str,
    tz: object,
    auto: object,
    rejects: object,
    warnings: object,
) -> JourneySet:
    """``js``, once it and the arguments are checked: every mistake fails before the first figure is drawn."""
    checked = require_journeys(js, "report")
    if not checked.is_scored:
        msg = "report needs scored journeys (emotion columns): run js = journeymap.score(js) first"
        raise SchemaError(msg)
    if not isinstance(title, str):
        msg = f"title must be the page title (a str), got {type(title).__name__} {title!r}"
        raise ArgumentTypeError(msg)
    check_count(examples, "examples", what="number of journeys")
    check_seed(seed)
    _check_log(log)
    for name, where in (("rejects", rejects), ("warnings", warnings)):
        if where is not None and not isinstance(where, (str, os.PathLike)):
            got = f"{type(where).__name__} {where!r}"
            msg = f"{name} must be None or the file the rows were written to (a str or Path), got {got}"
            raise ArgumentTypeError(msg)
    check_count(max_steps, "max_steps", minimum=1, what="number of steps")
    check_duration(sla, "sla")
    check_periods(freq, checked.events["timestamp"], check_tz(tz, checked))  # "ms" for "MS": refused before any figure
    check_auto(auto)
    return checked


def _triage_section(tables: _Tables, *, tz: Any) -> list[str]:
    """The triage table: waiting messages by priority, then the unranked ones (their priority not shown)."""
    shown_columns = ["rank", "status", "priority", "customer_id", "timestamp", "text", "emotion", "reason"]
    open_items = tables["triage"][shown_columns].copy()  # all of them: the table says how many; a copy, as it is changed
    open_items["rank"] = open_items["rank"].astype("string").fillna("–")  # unranked: moved, outside, closing, unaddressed
    # a priority only where it ranks: a reader sorting by it would act on unranked rows first
    waiting = (open_items["status"] == "waiting").to_numpy(dtype=bool)
    open_items["priority"] = [f"{p:.3f}" if w else "–" for p, w in zip(open_items["priority"], waiting)]
    return [
        "<h2>Triage: open messages</h2>",
        (
            '<p class="note">Waiting messages first, most urgent first; then those moved to private messages, '
            "those with a reply outside the data, those that close their case and those addressed to no brand "
            "(see 'triage status' above).</p>"
        ),
        _table(
            open_items.set_index("rank"), caption="Open messages: waiting ones by priority, then the rest", max_rows=20, tz=tz
        ),
    ]


def _map_section(js: JourneySet, *, seed: int | np.random.Generator | None, tables: _Tables) -> list[str]:
    """The journey map, and in words its stages' means, lowest and highest cells and pain points."""
    from journeymap import plot
    from journeymap.plot.journey_map import MIN_VOLUME

    ax = plot.journey_map(js, seed=seed, top_pains=TOP_PAINS)
    # the table the map drew, handed over on its Axes: the caption's figures are the map's own
    table, drawn = ax._journeymap_table, ax._journeymap_cells  # type: ignore[attr-defined]
    summary = map_summary(table, journeys=len(js), min_volume=MIN_VOLUME, drawn=drawn)
    alt = alt_text("Journey map", "mean customer valence by stage and touchpoint")
    return ["<h2>Journey map</h2>", _figure(ax, summary, alt=alt, keep=_kept(tables, "journey_map"))]


def _pattern_sections(js: JourneySet, *, tz: str | dt.tzinfo, tables: _Tables) -> list[str]:
    """When customers write and how they feel by weekday and hour, and the emotions by stage: charts with their words."""
    from journeymap import plot
    from journeymap.plot._heatmap import MIN_ROW_VOLUME
    from journeymap.plot._stats import stage_shares

    hours, stamped = patterns_table(js, tz=tz), clock_time(js.events, tz)  # what the two charts draw
    volume = hours_summary(hours, metric="volume", tz=tz, min_count=MIN_HOUR_COUNT, stamped=stamped)
    negative = hours_summary(hours, metric="share_negative", tz=tz, min_count=MIN_HOUR_COUNT, stamped=stamped)
    mix = mix_summary(stage_shares(js, level="stage", top=MIX_EMOTIONS), min_volume=MIN_ROW_VOLUME)
    alts = (
        alt_text("Heat map", "customer messages by weekday and hour"),
        alt_text("Heat map", "share of negative customer messages by weekday and hour"),
        alt_text("Bar chart", "the dominant emotions of customer messages by stage"),
    )
    return [
        "<h2>When customers write</h2>",
        _figure(plot.time_patterns(js, metric="volume", tz=tz), volume, alt=alts[0]),
        "<h2>How they feel, by weekday and hour</h2>",
        _figure(
            plot.time_patterns(js, tz=tz, min_count=MIN_HOUR_COUNT), negative, alt=alts[1], keep=_kept(tables, "time_patterns")
        ),
        "<h2>Emotions by stage</h2>",
        _figure(plot.emotion_mix(js, level="stage", top=MIX_EMOTIONS), mix, alt=alts[2]),
    ]


def _examples(js: JourneySet, metrics: pd.DataFrame, *, examples: int, max_steps: int) -> list[str]:
    """The example journeys: the most negative-to-positive recoveries first, each with its steps and moments in words."""
    from journeymap import plot

    out = ["<h2>Example journeys</h2>"]
    # journeys with a curve to draw: two customer messages, one of them scored at least
    ranked = metrics[(metrics["n_customer_steps"] >= 2) & metrics["mean_valence"].notna()].sort_values(
        ["recovered", "net_change", "n_steps"], ascending=[False, False, False]
    )
    shown = min(examples, MAX_EXAMPLES)
    if examples > MAX_EXAMPLES:
        out.append(f'<p class="note">{MAX_EXAMPLES} example journeys drawn (at most {MAX_EXAMPLES}).</p>')
    if shown == 0 or ranked.empty:
        why = "examples=0" if shown == 0 else "no journey has two or more customer messages, one of them scored"
        out.append(f'<p class="note">No example journeys: {why}.</p>')
    for journey_id in ranked.index[:shown]:
        drawable, rows, n_steps = _drawable(js, str(journey_id), max_steps)
        alt = alt_text("Example journey", f"{journey_id}, the customer's valence step by step")
        out.append(_figure(plot.journey(drawable[str(journey_id)]), journey_summary(rows, str(journey_id)), alt=alt))
        if n_steps > max_steps:
            out.append(
                f'<p class="note">Journey {html.escape(str(journey_id))} has {n_steps:,} steps; '
                f"the first {max_steps:,} are drawn.</p>"
            )
    return out


@dispatch
def report(
    js: JourneySet,
    path: str | os.PathLike[str],
    *,
    title: str = "Customer emotion journey report",
    examples: int = 3,
    seed: int | np.random.Generator | None = 0,
    log: EventLog | None = None,
    sla: str | pd.Timedelta | dt.timedelta = "1h",
    freq: str = "W",
    max_steps: int = MAX_STEPS,
    tz: str | dt.tzinfo | None = None,
    auto: AutoReplyRule | None = None,
    rejects: str | os.PathLike[str] | None = None,
    warnings: str | os.PathLike[str] | None = None,
    _tables: SharedTables | None = None,
) -> Path:
    """Write one self-contained HTML file: counts, journey map, service levels, pain points, triage, examples.

    At the top: journeys, customers, messages and (given the ``log`` the journeys were built
    from) input and rejected rows, counted from the same objects the readers log. Then the
    metric definitions in plain words, the journey map, response times (per brand, and over time
    per ``freq`` period), the brand and agent league (:func:`~journeymap.service_levels` with
    ``sla``), pain points, touchpoints, the journey graph, triage, time patterns, emotions by
    stage and example journeys. Journeys with topics (:func:`~journeymap.assign_topics`) get a
    topics section after the touchpoints: per topic its messages, share negative, mean valence
    with its interval, keywords, three quotes and its messages over the last
    :data:`TREND_PERIODS` periods, and a chart of the topics over time. Tables show readable
    headings (:data:`COLUMN_HEADINGS`).

    The report stays bounded on long journeys: at most :data:`MAX_EXAMPLES` example journeys
    are drawn, each with at most ``max_steps`` steps (its first ones; the caption says when a
    journey was cut).

    Every chart is a figure: its alt text names the chart and its subject ("Journey map: mean
    customer valence by stage and touchpoint, described below"), and the caption beneath it says
    what it shows and its main finding, from the table it draws (the stages' means and the lowest
    and highest cells, the busiest transitions, the busiest and most negative hours, each example
    journey's lowest and highest moment), so that no number is in pixels only and a screen
    reader reads each once; charts are shown at 96 pixels an inch, their text at its own point
    size (one wider than the page scrolls sideways). Every
    table has a caption, one header row and scoped header cells, and flags read "yes".

    Figures are embedded as PNG data URIs and the page loads nothing from the network. Every
    piece of customer text (and every label from the data) is HTML-escaped, so a tweet containing
    ``<script>`` shows as text.

    Args:
        js: scored journeys.
        path: the HTML file to write (its folder is created).
        title: the page title.
        examples: how many example journeys to draw, 0 or more (the most negative-to-positive
            recoveries first; at most :data:`MAX_EXAMPLES`).
        seed: the seed of the intervals' bootstrap resamples and of the graph layout: an int (the
            default 0: the same report each time), None (fresh draws) or a ``numpy.random.Generator``.
        log: the EventLog the journeys were built from, for the input and rejected row counts.
        sla: the service-level target for first responses (a positive duration: ``"1h"``,
            ``"90min"``, a ``pd.Timedelta``).
        freq: the period of the response-time trend (``"D"``, ``"W"``, ``"M"``, ...): at most
            :data:`~journeymap.analytics._time.MAX_PERIODS` (100,000) of them over the data's span.
        max_steps: the most steps drawn per example journey (1 or more).
        tz: the time zone of the periods and of the hours and weekdays in "When customers
            write" (an IANA name such as ``"Europe/London"``; None is the zone the events were
            read in, ``js.tz``, else UTC).
        auto: the rule telling automatic replies in every service figure (default
            :class:`~journeymap.AutoReplyRule`), as given to :func:`~journeymap.response_times`.
        rejects: where the rejected rows were written (the command line's ``.rejects.csv``),
            named in the counts at the top instead of ``EventLog.rejects``.
        warnings: where the rows kept with a caveat were written (the command line's
            ``.warnings.csv``), named in the counts at the top instead of ``EventLog.warnings``;
            the counts mention such rows only when ``log`` has any.
        _tables: internal, for ``journeymap map --tables``, which writes these tables too: the
            tables of :data:`SHARED_TABLES` computed once beforehand with this ``seed``, ``sla``
            and ``auto`` (:func:`shared_tables`), shown as they are instead of computed again.

    Returns:
        The path written.

    Raises:
        ArgumentTypeError: an argument of the wrong type, named (``title=None``, ``log=`` given
            the events frame or a file name instead of the EventLog, ``rejects=3``), before
            anything is drawn or written.
        InvalidArgumentError: an argument whose value cannot be used (``examples=-1``, a
            ``freq`` that is no period or gives too many periods, an unknown ``tz``).
        SchemaError: the journeys are not scored.

    Examples:
        >>> import tempfile, pathlib, journeymap as jm
        >>> from journeymap.testing.data import planted_scores
        >>> js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(40, seed=0)))
        >>> out = jm.report(js, pathlib.Path(tempfile.mkdtemp()) / "report.html")
        >>> page = out.read_text()
        >>> page.startswith("<!DOCTYPE html>"), page.count("data:image/png;base64,") >= 5, "billing" in page
        (True, True, True)
    """
    import matplotlib as mpl

    from journeymap import plot

    seed = fixed_seed(seed)  # one int for every section: a Generator drawn on by each would give a touchpoint two intervals
    js = _checked(
        js,
        title=title,
        examples=examples,
        seed=seed,
        log=log,
        max_steps=max_steps,
        sla=sla,
        freq=freq,
        tz=tz,
        auto=auto,
        rejects=rejects,
        warnings=warnings,
    )
    tables = _Tables(js, _tables, seed=seed, sla=sla, auto=auto)
    out = _output(path)  # before the figures: a bad path fails at once, not after the drawing
    tz = check_tz(tz, js)  # one zone for every section: the journeys' own by default
    from journeymap.journeys._set import values_checked_once
    from journeymap.plot._theme import RC_LOCK

    # one thread at a time: rcParams are the process's. The backend is left as it is (rc_context
    # never restores one it sets, so switching to Agg here outlived the call); each figure is
    # written to PNG and closed, which every backend does, and nothing is shown. Without
    # copy-on-write (pandas 2) js's values are read on entry, not at each of the report's some 46
    # analyses (values_checked_once: the report changes nothing in between).
    with RC_LOCK, mpl.rc_context(), values_checked_once(js):
        metrics = journey_metrics(js)
        sections = [f"<h1>{html.escape(title)}</h1>"]
        sections.append(_counts(js, log, rejects, warnings))
        scorers: list[str] = (
            js.events["scorer"].dropna().astype(str).unique()[:3].tolist() if "scorer" in js.events.columns else []
        )
        sections.append(f'<p class="note">Scorer {html.escape(", ".join(scorers) or "not recorded")}.</p>')
        sections.append(_definitions())
        sections += _map_section(js, seed=seed, tables=tables)
        replied = not customers_only(js.events)
        if replied:
            sections += _service(js, sla=sla, seed=seed, freq=freq, tz=tz, auto=auto, tables=tables)
        else:  # a survey, a feedback form: nobody answers, and nothing is late
            sections += ["<h2>Response times</h2>", f'<p class="note">{html.escape(NO_REPLIES)}</p>']
        sections += _pain_points(js, seed=seed, tables=tables)
        sections += ["<h2>Touchpoints</h2>", _table(tables["touchpoint_summary"], caption=TOUCHPOINTS_CAPTION)]
        sections += _topics(js, seed=seed, freq=freq, tz=tz)
        graph = journey_graph(js, level="stage", seed=seed)
        alt = alt_text("Journey graph", "the steps of the journeys from stage to stage")
        drawn = _figure(plot.graph(graph, seed=seed), graph_summary(graph), alt=alt, keep=_kept(tables, "journey_graph"))
        sections += ["<h2>Journey graph</h2>", drawn]
        if replied:
            sections += _triage_section(tables, tz=tz)
        else:
            sections += [
                "<h2>Most negative messages</h2>",
                _table(_most_negative(js), caption=NEGATIVE_CAPTION, max_rows=20, tz=tz),
            ]
        sections += _pattern_sections(js, tz=tz, tables=tables)
        sections += _examples(js, metrics, examples=examples, max_steps=max_steps)
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">"
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>\n" + "\n".join(sections) + "\n</body></html>\n"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    logger.info("wrote the report to %s", out)
    return out
