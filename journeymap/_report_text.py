"""What each chart of :func:`~journeymap.report` shows, in words: its alt text and its caption.

A chart is a complex image, and gets the two-part text alternative WAI's tutorial on complex
images gives one (https://www.w3.org/WAI/tutorials/images/complex/): a short alt text that
names the chart and its subject and says where its description is (:func:`alt_text`), and
the long description in the figure's caption beneath it, which a screen reader reads with the
figure. The summary was both, and each chart's finding was read out twice.

Every number a reader of the page gets only from a chart's pixels is lost to a screen reader
(and to whoever copies the page's text), so each summary (the caption) names what the chart
draws and its main finding: the stages' means, the lowest and highest cells, the busiest transitions, the
busiest and the most negative hours, each example journey's lowest and highest moment. The
numbers come from the tables the charts draw (:func:`~journeymap.trends`,
:func:`~journeymap.time_patterns`, :func:`~journeymap.journey_graph`, ...), read with the same
options the report passes to the chart; the journey map's are those of the very table the map
drew (:func:`~journeymap.plot._stats.journey_map_table`, which the map hands over on its Axes),
not a grouping of the messages of the caption's own.

No module here imports matplotlib: the plotting constants are read inside the functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from journeymap.journeys._table import customer_mask

if TYPE_CHECKING:
    import datetime as dt

    import networkx as nx


__all__ = [
    "alt_text",
    "graph_summary",
    "hours_summary",
    "journey_summary",
    "map_summary",
    "mix_summary",
    "topics_summary",
    "trends_summary",
]

#: The most graph nodes (the largest) and transitions (the busiest) a summary names.
MAX_NODES_NAMED = 8
MAX_EDGES_NAMED = 6
#: The most emotions named per stage in the emotion mix's summary.
MAX_EMOTIONS_NAMED = 3
#: Quotes in a journey's summary are cut to this many characters.
QUOTE_CHARS = 60
#: The most characters of a chart's alt text: a short name (WAI: "a short phrase or sentence"); the
#: description is the caption. A journey id is cut to fit it.
MAX_ALT_CHARS = 120


def _v(value: float) -> str:
    """A valence as the charts write it: signed, two decimals."""
    return f"{value:+.2f}"


def _n(n: int, noun: str) -> str:
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def _series(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``.

    Examples:
        >>> _series(["a"]), _series(["a", "b"]), _series(["a", "b", "c"])
        ('a', 'a and b', 'a, b and c')
    """
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _periods(n: int, name: str) -> str:
    """``n`` periods named as :func:`~journeymap.plot._theme.period_name` names one.

    Examples:
        >>> _periods(5, "week"), _periods(1, "day"), _periods(3, "6 hours")
        ('5 weeks', '1 day', '3 periods of 6 hours')
    """
    return _n(n, name) if name.isalpha() else f"{_n(n, 'period')} of {name}"


def _quote(text: object) -> str:
    words = " ".join(str(text).split())
    return "“" + (words if len(words) <= QUOTE_CHARS else words[: QUOTE_CHARS - 1] + "…") + "”"


def _dates(index: pd.Index) -> list[str]:
    """Period starts as the charts' ticks write them (dates; with the time where periods are shorter than a day)."""
    from journeymap.plot.trends import tick_format

    stamps = pd.DatetimeIndex(index)
    fmt = tick_format(stamps)
    return [t.strftime(fmt) for t in stamps]


def alt_text(chart: str, subject: str) -> str:
    """A chart's alt text: its kind and subject, and that the caption below describes it; at most :data:`MAX_ALT_CHARS`.

    The first part of a complex image's text alternative: it tells a screen reader's user what
    the image is, and the figure's caption (the summary, with the chart's numbers) follows it.
    A long ``subject`` (a journey's id is the data's own) is cut, with an ellipsis.

    Examples:
        >>> alt_text("Journey map", "mean customer valence by stage and touchpoint")
        'Journey map: mean customer valence by stage and touchpoint, described below'
        >>> len(alt_text("Example journey", "x" * 500)) == MAX_ALT_CHARS
        True
    """
    head, tail = f"{chart}: ", ", described below"
    room = MAX_ALT_CHARS - len(head) - len(tail)
    words = " ".join(subject.split())
    return head + (words if len(words) <= room else words[: room - 1] + "…") + tail


def map_summary(table: pd.DataFrame, *, journeys: int, min_volume: int, drawn: list[tuple[str, str]] | None = None) -> str:
    """The journey map in words: its cells, the stages' means, the lowest and highest cells and the pain points.

    ``table`` is the one the map drew (``ax._journeymap_table``: its cells in stage order, each
    with ``volume``, ``mean_valence``, ``impact`` and ``pain_point``), of ``journeys`` journeys.
    As the map calls them: high and low among cells of ``min_volume`` or more messages; the pain
    points the table's, most impact first. ``drawn`` (``ax._journeymap_cells``: the ``(stage,
    key)`` cells the map drew, where it drew only some) limits the lowest, highest and pain
    points to them, and the text says how many of the cells are drawn.

    Examples:
        >>> import journeymap as jm
        >>> from journeymap.testing.data import planted_scores
        >>> js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(40, seed=0)))
        >>> ax = jm.plot.journey_map(js)
        >>> text = map_summary(ax._journeymap_table, journeys=len(js), min_volume=5, drawn=ax._journeymap_cells)
        >>> text.startswith("Mean customer valence (-1 to +1) by stage and touchpoint"), "lowest:" in text
        (True, True)
        >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    if table.empty:
        return "Journey map: no scored customer messages to show."
    level = "topic" if "topic" in table.columns else "touchpoint"  # the map's level: the name of its key column
    cells = table.rename(columns={level: "key"})
    n = int(cells["volume"].sum())
    by_stage = cells.assign(total=cells["volume"] * cells["mean_valence"]).groupby("stage", sort=False)[["total", "volume"]].sum()
    means = _series([f"{stage} {_v(float(row.total / row.volume))}" for stage, row in by_stage.iterrows()])
    head = (
        f"Mean customer valence (-1 to +1) by stage and {level}: {_n(len(cells), 'cell')} from "
        f"{_n(n, 'scored customer message')} in {_n(journeys, 'journey')}; stage means {means}."
    )
    if drawn is not None and len(drawn) < len(cells):
        shown = set(drawn)
        on_map = [(str(stage), str(key)) in shown for stage, key in zip(cells["stage"], cells["key"])]
        head += f" The map draws {len(drawn):,} of the {len(cells):,} cells (the largest of each stage and the pain points)."
        cells = cells[on_map]
    big = cells[cells["volume"] >= min_volume]
    parts = []
    if len(big) >= 2 and big["mean_valence"].max() > big["mean_valence"].min():
        values = big["mean_valence"].to_numpy(dtype=float)  # the first of equal cells, as the map calls them
        from journeymap.plot._theme import callout_tag

        for kind, word, pos in (("low", "lowest", int(np.argmin(values))), ("high", "highest", int(np.argmax(values)))):
            row = big.iloc[pos]
            volume = _n(int(row["volume"]), "message")
            tag = callout_tag(kind, float(row["mean_valence"]))[0]  # as the map names it: "lowest (neutral)" in the band
            named = word if tag in ("high", "low") else tag
            parts.append(f"{named}: {row['key']} in {row['stage']} ({_v(float(row['mean_valence']))}, {volume})")
    pains = cells[cells["pain_point"].astype(bool)].sort_values("impact", ascending=False, kind="stable")  # as ringed
    if len(pains):
        names = _series([f"{key} in {stage}" for key, stage in zip(pains["key"], pains["stage"])])
        parts.append(f"pain points (most negativity in all, ringed): {names}")
    if not parts:
        return f"{head} No two cells of {min_volume}+ messages differ: no lowest, highest or pain point is called."
    return f"{head} Among cells of {min_volume}+ messages, " + "; ".join(parts) + "."


def trends_summary(table: pd.DataFrame, *, freq: str, tz: str | dt.tzinfo | None) -> str:
    """The response-time trend in words: the periods covered, the most and fewest messages, the median first response's range.

    ``table`` is :func:`~journeymap.trends`' (what :func:`journeymap.plot.trends` draws); partial
    periods (hatched on the chart) are left out of the highs and lows where there are whole ones.
    """
    from journeymap.plot._theme import period_name
    from journeymap.report import duration

    if table.empty:
        return "Customer messages and the median first response per period: no customer messages to show."
    dates = dict(zip(table.index, _dates(table.index)))
    partial = table["partial"].to_numpy(dtype=bool) if "partial" in table.columns else np.zeros(len(table), dtype=bool)
    name, zone = period_name(freq), "UTC" if tz is None else tz
    what = "Customer messages per {} (bars) and the median first response to a person's reply (line)"
    if len(table) == 1:
        covered = ", only partly covered by the data" if partial[0] else ""
        head = f"{what.format(name)}: all in one {name}, {dates[table.index[0]]} ({zone}){covered}, so no trend."
    else:
        first, last = dates[table.index[0]], dates[table.index[-1]]
        head = f"{what.format(name)}, {_periods(len(table), name)} from {first} to {last} ({zone})"
        head += f", {int(partial.sum())} of them only partly covered by the data (hatched)." if partial.any() else "."
    whole = table[~partial] if (~partial).any() else table
    seconds = whole["first_response_median"].dt.total_seconds().dropna()

    def spoken(key: Any) -> str:
        said = duration(pd.Timedelta(float(seconds[key]), unit="s"))
        return f"{said} ({dates[key]})" if len(whole) > 1 else said

    if len(seconds) > 1 and seconds.max() > seconds.min():
        response = f"median first response longest {spoken(seconds.idxmax())}, shortest {spoken(seconds.idxmin())}"
    elif len(seconds):
        response = f"median first response {spoken(seconds.index[0])}" + (" in each" if len(seconds) > 1 else "")
    else:
        response = "no first response to show"
    volume = whole["volume"]
    if len(whole) == 1:
        return f"{head} {_n(int(volume.iloc[0]), 'message')}; {response}."
    of = "Of the whole periods: most" if len(whole) < len(table) else "Most"
    return (
        f"{head} {of} messages {int(volume.max()):,} ({dates[volume.idxmax()]}), fewest {int(volume.min()):,} "
        f"({dates[volume.idxmin()]}); {response}."
    )


def graph_summary(G: nx.DiGraph) -> str:
    """The journey graph in words: its nodes with their steps and mean valence, its busiest transitions and repeats."""
    level = G.graph.get("level", "")
    inner = [n for n, d in G.nodes(data=True) if d.get("kind") not in ("start", "end")]
    if not inner:
        return "Journey graph: no journeys to show."
    journeys = G.graph.get("n_journeys")
    largest = sorted(inner, key=lambda n: -float(G.nodes[n].get("volume", 0)))[:MAX_NODES_NAMED]
    largest.sort(key=lambda n: float(G.nodes[n].get("rank", 0)))  # left to right, as drawn (the stages in order)

    def node(n: Any) -> str:
        data = G.nodes[n]
        valence = float(data.get("mean_valence", np.nan))
        if np.isfinite(valence):
            felt = f"mean valence {_v(valence)}"
        elif int(data.get("n_unscored", 0) or 0):
            felt = "not scored"
        else:
            felt = "no customer messages"
        return f"{n} ({_n(int(data.get('volume', 0)), 'step')}, {felt})"

    which = f"the {len(largest)} largest of {_n(len(inner), level)}" if len(largest) < len(inner) else _n(len(inner), level)
    whose = f"{_n(int(journeys), 'journey')} through " if journeys is not None else ""
    head = f"Journey graph of {whose}{which}, coloured by mean customer valence: {_series([node(n) for n in largest])}."
    edges = sorted(
        ((a, b, d) for a, b, d in G.edges(data=True) if a in inner and b in inner),
        key=lambda e: -int(e[2].get("count", 0)),
    )[:MAX_EDGES_NAMED]
    if not edges:
        return head
    named = []
    for a, b, d in edges:
        change = float(d.get("mean_valence_change", np.nan))
        what = f"{a} to {b}" if a != b else f"{a} repeated"
        named.append(f"{what} {int(d['count']):,} times" + (f" (valence change {_v(change)})" if np.isfinite(change) else ""))
    return f"{head} Busiest transitions: " + "; ".join(named) + "."


def hours_summary(table: pd.DataFrame, *, metric: str, tz: str | dt.tzinfo, min_count: int, stamped: str | None) -> str:
    """A weekday x hour chart in words: the busiest hour and days (``metric="volume"``), else the most and least negative hours.

    ``table`` is :func:`~journeymap.time_patterns`' (what :func:`journeymap.plot.time_patterns`
    draws); an hour of fewer than ``min_count`` scored messages is hatched there and is neither
    the most nor the least negative here. ``stamped``: the one time of day every message has
    (dates without times), as the chart says instead of drawing it.
    """
    what = "Customer messages" if metric == "volume" else "Share of scored customer messages that read negative"
    head = f"{what} by weekday and hour ({tz})"
    if stamped is not None:
        return f"{head}: every customer message is stamped {stamped}, so the data holds dates, not times, and no hours are shown."
    volume = table["volume"]
    if int(volume.sum()) == 0:
        return f"{head}: no customer messages to show."

    def hour(key: Any) -> str:
        return f"{key[0]} {int(key[1]):02d}:00"

    if metric == "volume":
        days = volume.groupby(level="weekday", sort=False, observed=True).sum()  # pandas 2.2 warns without observed=
        empty = int((volume == 0).sum())
        return (
            f"{head}: {int(volume.sum()):,} in all; busiest hour {hour(volume.idxmax())} ({_n(int(volume.max()), 'message')}), "
            f"busiest day {days.idxmax()} ({int(days.max()):,}), quietest day {days.idxmin()} ({int(days.min()):,}); "
            f"{empty} of {len(volume)} hours without messages."
        )
    scored = table["scored"]
    if int(scored.sum()) == 0:
        return f"{head}: no scored customer messages to show."
    share = table[metric]
    overall = float((share.fillna(0) * scored).sum() / scored.sum())
    text = f"{head}: {overall:.0%} overall"
    enough = share[(scored >= min_count) & share.notna()]
    few = int(((volume > 0) & (scored < min_count)).sum())
    if len(enough) >= 2 and enough.max() > enough.min():
        values, counts = enough.to_numpy(dtype=float), scored.reindex(enough.index).to_numpy(dtype=np.int64)

        def at(pos: int) -> str:
            return f"{hour(enough.index[pos])} ({values[pos]:.0%} of {counts[pos]:,})"

        text += (
            f"; among the {len(enough)} hours with {min_count}+ scored messages, highest {at(int(np.argmax(values)))}, "
            f"lowest {at(int(np.argmin(values)))}"
        )
    if few:
        text += f"; {_n(few, 'hour')} with fewer than {min_count} scored messages hatched, not coloured"
    return text + "."


def mix_summary(shares: pd.DataFrame, *, min_volume: int) -> str:
    """The emotion mix in words: per stage its scored messages and largest emotions' shares.

    ``shares`` is :func:`~journeymap.plot._stats.stage_shares`' (what
    :func:`journeymap.plot.emotion_mix` draws); a row of fewer than ``min_volume`` messages
    (hatched there) says so.
    """
    if shares.empty:
        return "Emotions by stage: no scored customer messages to show."
    rows = []
    for (stage, row), n in zip(shares.iterrows(), shares.attrs.get("n", [None] * len(shares))):
        largest = row.sort_values(ascending=False, kind="stable")
        largest = largest[largest > 0].head(MAX_EMOTIONS_NAMED)
        count = f" ({_n(int(n), 'message')}{', too few to compare' if n < min_volume else ''})" if n is not None else ""
        rows.append(f"{stage}{count}: " + ", ".join(f"{emotion} {share:.0%}" for emotion, share in largest.items()))
    return "Share of each stage's scored customer messages by dominant emotion, the largest first: " + "; ".join(rows) + "."


def journey_summary(rows: pd.DataFrame, journey_id: str) -> str:
    """One example journey in words: its steps and stages, the customer's lowest and highest valence where and what.

    ``rows``: the journey's events as drawn (cut to the report's ``max_steps``), in step order.
    As :func:`journeymap.plot.journey` calls them: the first lowest and highest of the
    customer's scored messages, none where the curve has one point or is flat.
    """
    customer = np.asarray(customer_mask(rows["actor"]), dtype=bool)
    steps = rows["step"].to_numpy() if "step" in rows.columns else np.arange(1, len(rows) + 1)
    stages = [str(s) for s in rows["stage"].dropna().astype(str)] if "stage" in rows.columns else []
    order = [s for i, s in enumerate(stages) if i == 0 or s != stages[i - 1]]
    whose = ""
    if "customer_id" in rows.columns and rows["customer_id"].notna().any():
        whose = f" of customer {rows['customer_id'].dropna().iloc[0]}"
    head = (
        f"Journey {journey_id}{whose}: {_n(len(rows), 'step')} ({_n(int(customer.sum()), 'customer message')}, "
        f"{_n(int((~customer).sum()), 'brand message')})"
    )
    head += f" through {_series(order)}." if order else "."
    valence = pd.to_numeric(rows["valence"], errors="coerce").to_numpy(dtype=float) if "valence" in rows.columns else None
    if valence is None:
        return head
    felt = np.flatnonzero(customer & ~np.isnan(valence))
    if len(felt) == 0:
        return f"{head} None of the customer's messages is scored."

    def moment(pos: int) -> str:
        places = [str(rows[c].iloc[pos]) for c in ("touchpoint", "stage") if c in rows.columns and pd.notna(rows[c].iloc[pos])]
        where = ", ".join(dict.fromkeys(places))  # a touchpoint named as its stage (follow_up), once
        quote = f": {_quote(rows['text'].iloc[pos])}" if "text" in rows.columns and pd.notna(rows["text"].iloc[pos]) else ""
        return f"{_v(valence[pos])} at step {steps[pos]}" + (f" ({where}{quote})" if where or quote else "")

    end = f"; it ends at {_v(valence[felt[-1]])}" if len(felt) > 1 else ""
    values = valence[felt]
    if len(felt) == 1 or values.max() == values.min():
        return f"{head} The customer's valence stays at {_v(values[0])}{end}."
    low, high = int(felt[np.argmin(values)]), int(felt[np.argmax(values)])
    return f"{head} The customer's valence is lowest {moment(low)} and highest {moment(high)}{end}."


def topics_summary(table: pd.DataFrame, *, freq: str, top: int) -> str:
    """The topics over time in words: the ``top`` largest topics (``"other"`` not drawn) with their messages and peak period.

    ``table`` is :func:`~journeymap.topic_trends`' (what :func:`journeymap.plot.topic_trends` draws).
    """
    from journeymap.plot._stats import topic_totals
    from journeymap.plot._theme import period_name

    totals = topic_totals(table)
    if totals.empty:
        other = int(table["volume"].sum()) if len(table) else 0  # every message "other": the table above lists them
        if other:
            return (
                f'Topics over time: no customer messages with a named topic to show; all {other:,} are "other" (they fit none).'
            )
        return "Topics over time: no customer messages with a topic to show."
    shown = list(totals.index[:top])
    periods = table.index.get_level_values("period").unique()
    dates = dict(zip(periods, _dates(periods)))
    name = period_name(freq)
    span = (
        f"{_periods(len(periods), name)} from {dates[periods[0]]} to {dates[periods[-1]]}" if len(periods) > 1 else f"one {name}"
    )
    named = []
    for topic in shown:
        volume = table.xs(topic, level="topic")["volume"]
        peak = f", most in {dates[volume.idxmax()]} ({int(volume.max()):,})" if len(periods) > 1 else ""
        named.append(f"{topic} {_n(int(totals[topic]), 'message')}{peak}")
    which = f"the {len(shown)} largest of {len(totals)} topics" if len(shown) < len(totals) else _n(len(shown), "topic")
    return f"Customer messages per {name} for {which}, over {span}: " + "; ".join(named) + "."
