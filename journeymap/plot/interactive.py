"""Interactive views for notebooks (plotly): the journey graph and the journey map, with hover and a filter.

An optional extra (``pip install 'journeymap[interactive]'``); the matplotlib helpers stay the
default. Each function returns a ``plotly.graph_objects.Figure``: in Jupyter it renders with
the plotly.js bundled in the plotly package (no CDN), and ``fig.write_html(path)`` writes a
self-contained page (plotly.js embedded) that works offline.

Hovering a node of the graph (or a cell of the map) shows its volume, mean valence with its 95%
interval, the share of negative messages, its top emotions and up to three customer quotes (the
most negative where the mean is below zero, else the most positive). ``filter_by="brand"`` (any
column that is constant within a journey, such as a brand or a segment) adds a drop-down that
shows one value's journeys at a time. Every text shown is HTML-escaped.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from journeymap.analytics import journey_graph, touchpoint_summary
from journeymap.analytics._checks import check_count, check_seed, fixed_seed
from journeymap.analytics._levels import check_level
from journeymap.analytics._prep import require_scored
from journeymap.exceptions import InvalidArgumentError, SchemaError
from journeymap.journeys._table import journey_set_from_events
from journeymap.plot._theme import NO_VALENCE
from journeymap.plot.graph import layered_layout

if TYPE_CHECKING:
    import networkx as nx
    import plotly.graph_objects as go

    from journeymap.analytics._levels import Level
    from journeymap.journeys import JourneySet

__all__ = ["interactive_graph", "interactive_map"]

#: A diverging scale for valence: red below zero, grey at zero, blue above.
VALENCE_SCALE = [[0.0, "#b2182b"], [0.25, "#ef8a62"], [0.5, "#e0e0e0"], [0.75, "#67a9cf"], [1.0, "#2166ac"]]
_QUOTE_CHARS = 140


def _plotly() -> Any:
    try:
        import plotly.graph_objects as go
    except ImportError:
        msg = (
            "the interactive views need plotly: pip install 'journeymap[interactive]' "
            "(the static journeymap.plot helpers need only matplotlib)"
        )
        raise ImportError(msg) from None
    return go


def _subsets(js: JourneySet, filter_by: str | None, max_values: int) -> list[tuple[str, JourneySet]]:
    """``[("all", js), (value, journeys with that value), ...]``, busiest values first."""
    if filter_by is None:
        return [("all", js)]
    events = js.events
    if filter_by not in events.columns:
        msg = f"filter_by={filter_by!r}: no such column; columns: {list(events.columns)}"
        raise SchemaError(msg)
    values = events[filter_by].astype("string")
    # each journey's first non-missing value (``first`` skips NA)
    per_journey = values.groupby(events["journey_id"].to_numpy(), sort=False).first()
    counts = per_journey.value_counts()
    out = [("all", js)]
    for value in counts.index[:max_values]:
        ids = per_journey.index[(per_journey == value).fillna(False).to_numpy()]
        subset = events[events["journey_id"].isin(ids)]
        out.append((str(value), journey_set_from_events(subset, js.stages, by=js.by, taxonomy=js.taxonomy, tz=js.tz)))
    return out


_CELL = "\x1f"  # joins a map row's value and a stage into one quote key (not NUL: pandas 2.2 hashes strings up to one)


def _quotes(events: pd.DataFrame, key: pd.Series, n: int) -> dict[str, list[str]]:
    """Up to ``n`` customer quotes per key: the most negative where the key's mean valence < 0, else the most positive."""
    if "text" not in events.columns:
        return {}
    customer = (events["actor"].astype("string") == "customer").fillna(False).to_numpy() & events["valence"].notna().to_numpy()
    frame = pd.DataFrame(
        {
            "key": key.to_numpy()[customer],
            "text": events["text"].astype("string").to_numpy()[customer],
            "v": events["valence"].to_numpy(dtype=float)[customer],
        }
    )
    frame = frame.dropna(subset=["text", "key"])
    out: dict[str, list[str]] = {}
    for name, group in frame.groupby("key", sort=False):
        ascending = bool(group["v"].mean() < 0)
        picked = group.drop_duplicates("text").sort_values("v", ascending=ascending, kind="stable").head(n)
        out[str(name)] = [f"{html.escape(_short(t))} ({v:+.2f})" for t, v in zip(picked["text"], picked["v"])]
    return out


def _short(text: str) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= _QUOTE_CHARS else flat[: _QUOTE_CHARS - 1] + "…"


def _fmt(value: Any, spec: str = "+.2f") -> str:
    return "n/a" if value is None or (isinstance(value, float) and np.isnan(value)) else format(value, spec)


def _node_hover(name: str, data: dict[str, Any], quotes: list[str]) -> str:
    lines = [
        f"<b>{html.escape(name)}</b>",
        f"steps: {int(data.get('volume', 0)):,}",
        f"mean valence: {_fmt(data.get('mean_valence'))} [{_fmt(data.get('ci_low'))}, {_fmt(data.get('ci_high'))}]",
        f"negative: {_fmt(data.get('share_negative'), '.0%')}",
    ]
    top = data.get("top_emotions")
    if top:
        lines.append(f"top emotions: {html.escape(str(top))}")
    lines.extend(f"“{q}”" for q in quotes)
    return "<br>".join(lines)


def _graph_traces(
    go: Any, G: nx.DiGraph, quotes: dict[str, list[str]], min_count: int, seed: int | np.random.Generator | None
) -> list[Any]:
    pos = layered_layout(G, seed=seed)
    edge_x: list[float | None] = []
    edge_y: list[float | None] = []
    mid_x, mid_y, mid_text = [], [], []
    for a, b, data in G.edges(data=True):
        if int(data.get("count", 0)) < min_count:
            continue
        xs, ys, (hx, hy) = _edge_path(pos, a, b, reverse=G.has_edge(b, a))
        edge_x += [*xs, None]
        edge_y += [*ys, None]
        mid_x.append(hx)
        mid_y.append(hy)
        seconds = data.get("median_seconds")
        wait = "n/a" if seconds is None or np.isnan(seconds) else f"{float(seconds) / 60:.0f} min"
        mid_text.append(
            f"{html.escape(str(a))} → {html.escape(str(b))}<br>transitions: {int(data['count']):,}"
            f"<br>probability: {_fmt(data.get('probability'), '.0%')}<br>valence change: {_fmt(data.get('mean_valence_change'))}"
            f"<br>median wait: {wait}"
        )
    names = list(G.nodes)
    volume = np.array([float(G.nodes[n].get("volume", 0) or 0) for n in names])
    valence = np.array([float(G.nodes[n].get("mean_valence", np.nan)) for n in names])
    size = 12 + 30 * np.sqrt(volume / volume.max()) if len(volume) and volume.max() > 0 else np.full(len(names), 12.0)
    return [
        go.Scatter(x=edge_x, y=edge_y, mode="lines", line={"width": 1, "color": "#999"}, hoverinfo="skip", showlegend=False),
        go.Scatter(
            x=mid_x,
            y=mid_y,
            mode="markers",
            marker={"size": 6, "color": "#999", "opacity": 0.4},
            text=mid_text,
            hoverinfo="text",
            showlegend=False,
        ),
        *[
            go.Scatter(
                x=[pos[n][0] for n in group],
                y=[pos[n][1] for n in group],
                mode="markers+text",
                text=[str(n) for n in group],
                textposition="top center",
                hovertext=[_node_hover(str(n), G.nodes[n], quotes.get(str(n), [])) for n in group],
                hoverinfo="text",
                marker=marker,
                showlegend=False,
            )
            for group, marker in _node_groups(names, valence, size)
        ],
    ]


def _edge_path(
    pos: dict[Any, tuple[float, float]], a: Any, b: Any, *, reverse: bool, n: int = 16
) -> tuple[list[float], list[float], tuple[float, float]]:
    """Points along the edge ``a -> b`` and where its hover point goes, as :func:`~journeymap.plot.graph` bends them.

    An edge is a quadratic curve bent like matplotlib's ``arc3``: slightly (``rad=0.05``), or
    more (``0.25``) where it skips over a node of its row or runs both ways (each way then
    bends to its own side). The hover point is the curve's middle, so that it lands neither on
    a node nor on another edge's. A repeat visit (``a == b``) is a small loop below its node
    (its name is above it), hovered at its bottom.
    """
    (x0, y0), (x1, y1) = pos[a], pos[b]
    if a == b:
        angle = np.linspace(0.0, 2 * np.pi, n)
        xs, ys = x0 + 0.12 * np.sin(angle), y0 - 0.15 + 0.15 * np.cos(angle)
        return xs.tolist(), ys.tolist(), (x0, y0 - 0.3)
    skip = abs(x1 - x0) > 1.5 and y0 == y1
    rad = 0.25 if (reverse or skip) else 0.05
    dx, dy = x1 - x0, y1 - y0
    cx, cy = (x0 + x1) / 2 + rad * dy, (y0 + y1) / 2 - rad * dx  # arc3's control point
    t = np.linspace(0.0, 1.0, n)
    xs = (1 - t) ** 2 * x0 + 2 * (1 - t) * t * cx + t**2 * x1
    ys = (1 - t) ** 2 * y0 + 2 * (1 - t) * t * cy + t**2 * y1
    return xs.tolist(), ys.tolist(), (0.25 * x0 + 0.5 * cx + 0.25 * x1, 0.25 * y0 + 0.5 * cy + 0.25 * y1)


def _node_groups(names: list[Any], valence: np.ndarray, size: np.ndarray) -> list[tuple[list[Any], dict[str, Any]]]:
    """Nodes with a mean valence (on the colour scale) and those without (start, end, brand-only: open rings, not "0")."""
    scored = ~np.isnan(valence)
    return [  # both, even when one is empty: every panel has the same traces
        (
            [n for n, s in zip(names, scored) if s],
            {
                "size": size[scored], "color": valence[scored], "colorscale": VALENCE_SCALE, "cmin": -1, "cmax": 1,
                "colorbar": {"title": "mean valence"}, "line": {"width": 1, "color": "#333"},
            },
        ),
        (
            [n for n, s in zip(names, scored) if not s],
            {"size": size[~scored], "color": NO_VALENCE, "symbol": "circle-open", "line": {"width": 2, "color": "#555"}},
        ),
    ]  # fmt: skip


def _with_filter(go: Any, panels: list[tuple[str, list[Any]]], title: str, filter_by: str | None) -> go.Figure:
    """One figure of the panels' traces, the first shown, with a drop-down of the panels where ``filter_by`` is given."""
    fig = go.Figure()
    sizes = [len(traces) for _, traces in panels]
    for i, (_, traces) in enumerate(panels):
        for trace in traces:
            trace.visible = i == 0
            fig.add_trace(trace)
    if filter_by is not None and len(panels) > 1:
        buttons = []
        start = 0
        total = sum(sizes)
        for (label, _), size in zip(panels, sizes):
            visible = [start <= k < start + size for k in range(total)]
            shown = f"{title} ({filter_by}: {label})" if title else f"{filter_by}: {label}"
            buttons.append({"label": label, "method": "update", "args": [{"visible": visible}, {"title": shown}]})
            start += size
        fig.update_layout(
            updatemenus=[{"buttons": buttons, "direction": "down", "x": 0.0, "xanchor": "left", "y": 1.15, "yanchor": "top"}]
        )
    fig.update_layout(title=title, template="plotly_white", hovermode="closest", margin={"l": 20, "r": 20, "t": 80, "b": 20})
    return fig


def interactive_graph(
    js: JourneySet,
    *,
    level: Level = "touchpoint",
    filter_by: str | None = None,
    max_values: int = 12,
    min_count: int = 1,
    n_quotes: int = 3,
    seed: int | np.random.Generator | None = 0,
    title: str | None = None,
) -> go.Figure:
    """The journey graph as an interactive plotly figure: hover nodes and edges, filter by a column.

    Args:
        js: scored journeys.
        level: what nodes are: ``"touchpoint"``, ``"stage"`` or ``"topic"`` (after
            :func:`~journeymap.assign_topics`), the levels :func:`~journeymap.journey_graph` takes.
        filter_by: a column constant within a journey (``"brand"``, a segment): adds a drop-down
            with "all" and its ``max_values`` busiest values.
        max_values: how many values the drop-down offers.
        min_count: edges with fewer transitions are not drawn (the statistics keep them).
        n_quotes: customer quotes per node in the hover.
        seed: layout and bootstrap seed: an int (reproducible), None (fresh each call) or a
            ``numpy.random.Generator``, as for :func:`~journeymap.touchpoint_summary`.
        title: the figure's title; None: "Journey graph by <level>", ``""``: none.

    Examples:
        >>> import journeymap as jm
        >>> from journeymap.testing.data import planted_scores
        >>> js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(30, seed=0)))
        >>> fig = interactive_graph(js, filter_by="tier")
        >>> [b["label"] for b in fig.layout.updatemenus[0].buttons][:1]
        ['all']
    """
    _check_counts(max_values=max_values, n_quotes=n_quotes, seed=seed, min_count=min_count)
    seed = fixed_seed(seed)  # one int for every panel: one interval per touchpoint in each
    check_level(level)
    go = _plotly()
    require_scored(js, "interactive_graph")
    panels = []
    for label, subset in _subsets(js, filter_by, max_values):
        G = journey_graph(subset, level=level, seed=seed)
        key = (
            subset.events[level].astype("string")
            if level in subset.events.columns
            else pd.Series(pd.NA, index=subset.events.index)
        )
        panels.append((label, _graph_traces(go, G, _quotes(subset.events, key, n_quotes), min_count, seed)))
    fig = _with_filter(go, panels, f"Journey graph by {level}" if title is None else title, filter_by)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def _check_counts(*, max_values: object, n_quotes: object, seed: object, min_count: object = 1) -> None:
    """The interactive figures' counts, checked before any work: whole numbers, none negative (an error naming it)."""
    check_count(max_values, "max_values", minimum=1, what="number of values")
    check_count(n_quotes, "n_quotes", what="number of quotes")
    check_seed(seed)
    check_count(min_count, "min_count", minimum=1, what="number of transitions")


def _map_trace(
    go: Any, js: JourneySet, level: Level, quotes: dict[str, list[str]], seed: int | np.random.Generator | None
) -> Any:
    events = js.events
    stages = list(js.stages.names)
    summary = touchpoint_summary(js, level=level, seed=seed)
    summary = summary[summary["volume"] > 0]  # a touchpoint none of whose messages was scored has no cell to colour
    keys = [str(k) for k in summary.index]
    customer = (events["actor"].astype("string") == "customer").fillna(False) & events["valence"].notna()
    cells = pd.DataFrame(
        {"key": events[level].astype("string"), "stage": events["stage"].astype("string"), "v": events["valence"]}
    )[customer.to_numpy()]
    grid = cells.groupby(["key", "stage"])["v"].agg(["mean", "size"])
    means = {k: float(v) for k, v in grid["mean"].items()}
    sizes = {k: int(v) for k, v in grid["size"].items()}
    z = np.full((len(keys), len(stages)), np.nan)
    hover = [["" for _ in stages] for _ in keys]
    for i, key in enumerate(keys):
        row = summary.iloc[i]
        overall = (
            f"{level} overall: {_fmt(row.get('mean_valence'))} [{_fmt(row.get('ci_low'))}, {_fmt(row.get('ci_high'))}], "
            f"negative {_fmt(row.get('share_negative'), '.0%')}"
        )
        for j, stage in enumerate(stages):
            if (key, stage) in means:
                mean, n = means[(key, stage)], sizes[(key, stage)]
                z[i, j] = mean
                hover[i][j] = "<br>".join(
                    [
                        f"<b>{html.escape(key)}</b> · {html.escape(stage)}",
                        f"customer messages here: {int(n):,}",
                        f"mean valence here: {mean:+.2f}",
                        overall,
                        *(f"“{q}”" for q in quotes.get(key + _CELL + stage, [])),
                    ]
                )
    return go.Heatmap(
        z=z,
        x=stages,
        y=keys,
        text=hover,
        hoverinfo="text",
        colorscale=VALENCE_SCALE,
        zmin=-1,
        zmax=1,
        colorbar={"title": "mean valence"},
    )


def interactive_map(
    js: JourneySet,
    *,
    level: Literal["touchpoint", "topic"] = "touchpoint",
    filter_by: str | None = None,
    max_values: int = 12,
    n_quotes: int = 3,
    seed: int | np.random.Generator | None = 0,
    title: str | None = None,
) -> go.Figure:
    """The journey map (touchpoints by stage, coloured by customers' mean valence) as an interactive figure.

    ``js`` must be scored (:func:`journeymap.score`). Rows are touchpoints (``level="touchpoint"``)
    or the customers' topics (``level="topic"``, after :func:`~journeymap.assign_topics`), busiest
    first; columns are the stages in order, so ``level`` is ``"touchpoint"`` or ``"topic"``, as for
    :func:`~journeymap.plot.journey_map` (``"stage"`` is refused: stages are its columns). Hovering
    a cell shows the customer messages there, their mean valence, the row's overall figures with
    the 95% interval and up to ``n_quotes`` quotes of that cell's messages (the most negative where
    their mean is below 0, else the most positive).
    ``filter_by`` and ``max_values`` work as in :func:`interactive_graph`. ``title`` replaces the
    figure's title ("Journey map by <level>"; ``""``: none).

    Examples:
        >>> import journeymap as jm
        >>> from journeymap.testing.data import planted_scores
        >>> js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(30, seed=0)))
        >>> fig = interactive_map(js)
        >>> list(fig.data[0].x) == list(js.stages.names)
        True
    """
    _check_counts(max_values=max_values, n_quotes=n_quotes, seed=seed)
    seed = fixed_seed(seed)  # one int for every panel: one interval per touchpoint in each
    if level not in ("touchpoint", "topic"):  # as journey_map refuses it
        msg = f"the interactive map's level must be 'touchpoint' or 'topic' (stages are its columns), got {level!r}"
        raise InvalidArgumentError(msg)
    go = _plotly()
    require_scored(js, "interactive_map")
    if level not in js.events.columns:
        msg = f"level={level!r}: the events have no {level!r} column"
        raise SchemaError(msg)
    panels = []
    for label, subset in _subsets(js, filter_by, max_values):
        # quotes per cell (a row's value at a stage), not per row: a cell's hover quotes its own messages
        key = subset.events[level].astype("string") + _CELL + subset.events["stage"].astype("string")
        panels.append((label, [_map_trace(go, subset, level, _quotes(subset.events, key, n_quotes), seed)]))
    fig = _with_filter(go, panels, f"Journey map by {level}" if title is None else title, filter_by)
    fig.update_yaxes(autorange="reversed")
    return fig
