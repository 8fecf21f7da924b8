"""Drawing the journey graph: :func:`layered_layout` and :func:`graph`."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

import numpy as np

from journeymap.exceptions import ArgumentTypeError, InvalidArgumentError
from journeymap.plot import _theme

if TYPE_CHECKING:
    import networkx as nx
    from matplotlib.axes import Axes

__all__ = ["graph", "layered_layout"]


def _positions(G: object, pos: object, seed: int) -> dict[Any, tuple[float, float]]:
    """The positions :func:`graph` draws ``G`` at: ``pos`` (checked), else :func:`layered_layout`'s.

    TypeError unless ``G`` is a networkx graph (a JourneySet is not: it needs
    :func:`~journeymap.journey_graph` first) and ``pos`` a mapping or None; ValueError naming
    the nodes ``pos`` has no position for.
    """
    from collections.abc import Mapping

    import networkx as nx

    if not isinstance(G, nx.Graph):
        hint = ": draw jm.plot.graph(jm.journey_graph(js))" if type(G).__name__ == "JourneySet" else ""
        msg = f"graph needs a journey graph (a networkx DiGraph from journeymap.journey_graph), got {type(G).__name__}{hint}"
        raise ArgumentTypeError(msg)
    if pos is None:
        return layered_layout(G, seed=seed)
    if not isinstance(pos, Mapping):
        msg = f"pos must be a dict of node -> (x, y) (as layered_layout gives) or None, got {type(pos).__name__}"
        raise ArgumentTypeError(msg)
    missing = [n for n in G.nodes if n not in pos]
    if missing:
        shown = ", ".join(repr(n) for n in missing[:10]) + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
        msg = f"pos has no position for {len(missing)} node(s) of the graph: {shown}; give one for every node, or pos=None"
        raise InvalidArgumentError(msg)
    return dict(pos)


def layered_layout(G: nx.DiGraph, *, seed: int = 0, layer_width: float = 1.0) -> dict[Any, tuple[float, float]]:
    """Positions left to right by stage order (node attribute ``rank``), spread vertically.

    Nodes whose ranks fall in the same ``layer_width`` bin share a column and are stacked,
    largest volume in the middle; ``seed`` breaks ties between equal volumes reproducibly.

    Examples:
        >>> import journeymap as jm
        >>> from journeymap.testing.data import planted_scores
        >>> js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(40, seed=0)))
        >>> pos = layered_layout(jm.journey_graph(js, level="stage"), seed=1)
        >>> pos["__start__"][0] < pos["contact"][0] < pos["resolution"][0] < pos["__end__"][0]
        True
    """
    rng = np.random.default_rng(seed)
    layers: dict[float, list[Any]] = {}
    for node, data in G.nodes(data=True):
        key = round(float(data.get("rank", 0.0)) / layer_width) * layer_width
        layers.setdefault(key, []).append(node)
    pos: dict[Any, tuple[float, float]] = {}
    for x, nodes in layers.items():
        tie = rng.random(len(nodes))
        ordered = [n for _, _, n in sorted(zip([-G.nodes[n].get("volume", 0) for n in nodes], tie, nodes))]
        # centre-out: largest in the middle, then alternate above and below
        ys = [0.0]
        for i in range(1, len(ordered)):
            ys.append((i + 1) // 2 * (1 if i % 2 else -1))
        for node, y in zip(ordered, ys):
            pos[node] = (float(x), float(y))
    return pos


def _height(pos: dict[Any, Any]) -> float:
    """A figure height with room for every node of the layout's tallest column (at least 5.5 inches)."""
    columns = Counter(round(float(x), 3) for x, _ in pos.values())
    return max(5.5, 0.55 * max(columns.values(), default=1))


def _rim(width: float) -> list[Any]:
    """A grey rim under an edge: one of no change (the colour scale's near-white middle) stays visible."""
    from matplotlib import patheffects

    return [patheffects.Stroke(linewidth=width + 1.2, foreground="#a0a0a0"), patheffects.Normal()]


def _width(count: int, cmax: int) -> float:
    """An edge's line width: 0.6 points plus up to 7 by its transitions (``cmax``: the most of any edge drawn)."""
    return 0.6 + 7 * count / cmax


def _width_legend(ax: Axes, counts: list[int], *, unfelt: bool = False) -> None:
    """A legend of the thinnest and thickest edges drawn, by their transitions, and of the nodes without valence (``unfelt``)."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = [
        Line2D([], [], color=_theme.NEUTRAL, lw=_width(c, max(counts)), label=_theme.count(c, "transition"))
        for c in sorted({min(counts), max(counts)})
    ] if counts else []  # fmt: skip
    if unfelt:
        handles.append(Patch(facecolor=_theme.NO_VALENCE, edgecolor="#333333", linestyle="--", label="no customer message"))
    if handles:
        ax.legend(handles=handles, loc="upper left")


def graph(
    G: nx.DiGraph,
    *,
    pos: dict[Any, tuple[float, float]] | None = None,
    ax: Axes | None = None,
    # appearance
    seed: int = 0,
    min_share: float = 0.0,
    title: str | None = None,
) -> Axes:
    """Draw a journey graph (:func:`~journeymap.journey_graph`).

    Node colour is mean valence on a diverging, colour-blind-safe scale centred on zero (with a
    colour bar; white in a dashed outline for a node without customer messages, such as a brand
    reply), node size
    is volume; edge width is the number of transitions, scaled to the
    thickest edge drawn (the legend gives the thinnest and thickest), and edge colour the mean
    valence change across it. Edges carrying less than ``min_share`` of their source's
    transitions are left out; repeat visits (self-loops) are not drawn as edges but counted
    beside their node (``↻ n``). Positions come from :func:`layered_layout` unless given
    (``pos``: a position for every node). A graph of no journeys (start and end only) is drawn
    as a note that there is nothing to show.

    Examples:
        >>> import journeymap as jm
        >>> from journeymap.testing.data import planted_scores
        >>> js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(40, seed=0)))
        >>> G = jm.journey_graph(js, level="stage")
        >>> ax = jm.plot.graph(G)
        >>> nodes = next(c for c in ax.collections if c.get_gid() == "nodes")
        >>> len(nodes.get_offsets()) == G.number_of_nodes()
        True
    """
    from matplotlib.cm import ScalarMappable
    from matplotlib.patches import FancyArrowPatch

    pos = _positions(G, pos, seed)
    ax = _theme.get_ax(ax, figsize=(10, _height(pos)))
    nodes = list(G.nodes)
    inner = [n for n in nodes if G.nodes[n].get("kind") not in ("start", "end")]
    if not inner:  # start and end only: no journeys
        return _theme.empty(ax, "journeys")
    cmap, norm = _theme.valence_cmap(), _theme.valence_norm()
    volume = np.array([float(G.nodes[n].get("volume", 1)) for n in nodes])
    vmax = max((G.nodes[n]["volume"] for n in inner), default=1)
    sizes = np.where([G.nodes[n].get("kind") in ("start", "end") for n in nodes], 250.0, 250 + 2200 * volume / max(vmax, 1))
    valence = np.array([G.nodes[n].get("mean_valence", np.nan) for n in nodes], dtype=float)
    colours = [cmap(norm(v)) if not np.isnan(v) else _theme.NO_VALENCE for v in valence]
    shown = [(a, b, d) for a, b, d in G.edges(data=True) if d.get("probability", 1.0) >= min_share]
    # a repeat visit (self-loop) is counted beside its node, not drawn as an arrow: left out of the widths' scale
    loops: dict[Any, int] = {a: d["count"] for a, b, d in shown if a == b}
    arrows = [(a, b, d) for a, b, d in shown if a != b]
    counts = [d["count"] for _, _, d in arrows]
    cmax = max(counts, default=1)
    drawn = 0
    for a, b, d in arrows:
        change = d.get("mean_valence_change", np.nan)
        colour = cmap(norm(np.clip(change, -1, 1))) if not np.isnan(change) else "#bbbbbb"  # the colour bar's scale
        skip = abs(pos[b][0] - pos[a][0]) > 1.5 and pos[a][1] == pos[b][1]
        style = "arc3,rad=0.25" if (G.has_edge(b, a) or skip) else "arc3,rad=0.05"
        width = _width(d["count"], cmax)
        patch = FancyArrowPatch(
            pos[a], pos[b], arrowstyle="-|>", mutation_scale=12, connectionstyle=style,
            lw=width, color=colour, alpha=0.8, zorder=1, shrinkA=14, shrinkB=14,
            gid=f"edge:{a}->{b}", path_effects=_rim(width),
        )  # fmt: skip
        ax.add_patch(patch)
        drawn += 1
    xy = np.array([pos[n] for n in nodes])
    # a node without customer valence: white in a dashed outline (the scale's middle is white too)
    dashes = ["--" if np.isnan(v) else "-" for v in valence]
    scatter = ax.scatter(
        xy[:, 0], xy[:, 1], s=sizes, c=colours, edgecolors="#333333", linewidths=0.8, linestyles=dashes, zorder=2
    )
    scatter.set_gid("nodes")
    for n, (x, y), size in zip(nodes, xy, sizes):
        label = {"__start__": "start", "__end__": "end"}.get(str(n), str(n))
        radius = float(np.sqrt(size)) / 2  # marker radius in points
        ax.annotate(_theme.wrap(label, 14), (x, y), xytext=(0, -radius - 3), textcoords="offset points",
                    ha="center", va="top", fontsize=8, zorder=3)  # fmt: skip
        if n in loops:
            ax.annotate(f"↻ {loops[n]:,}", (x, y), xytext=(radius + 3, radius * 0.6), textcoords="offset points",
                        ha="left", va="center", fontsize=7, color="#555555", gid=f"selfloop:{n}")  # fmt: skip
    bar = ax.figure.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.7)
    bar.set_label("node: mean valence; edge: valence change")
    # start and end always lack a valence; a step only the brand takes (a reply) is told apart in the legend
    unfelt = any(np.isnan(v) and G.nodes[n].get("kind") not in ("start", "end") for n, v in zip(nodes, valence))
    _width_legend(ax, counts, unfelt=unfelt)
    xs, ys = xy[:, 0], xy[:, 1]
    ax.set_xlim(xs.min() - 0.7, xs.max() + 0.7)
    ax.set_ylim(ys.min() - 0.9, ys.max() + 0.7)
    ax.set_axis_off()
    journeys = G.graph.get("n_journeys")
    journeys_text = "? journeys" if journeys is None else _theme.count(int(journeys), "journey")
    ax.set_title(title or f"Journey graph ({G.graph.get('level', '')}, {journeys_text})")
    ax.set_gid(f"graph:{len(nodes)}-nodes:{drawn}-edges")
    _theme.style(ax)
    return ax
