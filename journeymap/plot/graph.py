"""Drawing the journey graph: :func:`layered_layout` and :func:`graph`."""

from __future__ import annotations

import itertools
from collections import Counter
from typing import TYPE_CHECKING, Any

import numpy as np

from journeymap.analytics._checks import check_count, check_seed
from journeymap.exceptions import ArgumentTypeError, InvalidArgumentError
from journeymap.plot import _theme

if TYPE_CHECKING:
    import networkx as nx
    from matplotlib.axes import Axes

__all__ = ["MAX_HEIGHT", "MAX_NODES", "graph", "layered_layout"]

#: The most nodes (besides start and end) a graph draws by default: the busiest. 200 touchpoints
#: made a figure 95 inches tall.
MAX_NODES = 40
#: A node whose customer messages the scorer read none of (a language it does not read): light grey in a dotted outline.
NOT_SCORED = "#eeeeee"
#: An edge without a valence change (from start, to end, to or from a node without valence): no colour of the scale,
#: a mid grey 3.2:1 against white as drawn (at the edges' alpha, over their rim), the 3:1 WCAG asks of a mark;
#: #bbbbbb was 1.96:1, the faintest mark of the graph and often its most drawn.
GREY_EDGE = "#888888"


def _positions(G: object, pos: object, seed: int | np.random.Generator | None) -> dict[Any, tuple[float, float]]:
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


def layered_layout(
    G: nx.DiGraph,
    *,
    seed: int | np.random.Generator | None = 0,
    layer_width: float = 1.0,
    max_rows: int | None = None,
) -> dict[Any, tuple[float, float]]:
    """Positions left to right by stage order (node attribute ``rank``), spread vertically.

    Nodes whose ranks fall in the same ``layer_width`` bin share a column and are stacked,
    largest volume in the middle; ``seed`` breaks ties between equal volumes: an int reproducibly,
    None afresh each call, a ``numpy.random.Generator`` from its sequence
    (:func:`~journeymap.analytics._checks.check_seed`).

    ``max_rows``: the most nodes stacked in one column (None: every node of a bin, however many).
    A bin of more is wrapped into as few columns side by side as hold it, ``layer_width`` apart
    (the columns after it move right to make room), every other one half a row up so that a
    straight edge past it runs between its nodes. Its nodes are shared out in the order they
    come in the journeys, the earliest in the leftmost column: by their mean step, estimated
    from the edges' ``count`` as a Markov chain from ``__start__``. Topics have no stage of their
    own (their ``rank`` is the mean stage of their steps, 0 for all where the events have no
    stage), so 40 of them stood in one column 37 inches tall; :func:`graph` picks the
    ``max_rows`` that keeps its figure within :data:`MAX_HEIGHT`.

    Raises:
        ArgumentTypeError: ``G`` is not a networkx graph (a JourneySet needs :func:`~journeymap.journey_graph` first).

    Examples:
        >>> import journeymap as jm
        >>> from journeymap.testing.data import planted_scores
        >>> js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(40, seed=0)))
        >>> pos = layered_layout(jm.journey_graph(js, level="stage"), seed=1)
        >>> pos["__start__"][0] < pos["contact"][0] < pos["resolution"][0] < pos["__end__"][0]
        True
        >>> G = jm.journey_graph(js, level="touchpoint")
        >>> from collections import Counter
        >>> max(Counter(x for x, _ in layered_layout(G).values()).values())  # the tallest column
        5
        >>> max(Counter(x for x, _ in layered_layout(G, max_rows=2).values()).values())
        2
    """
    import networkx as nx

    if not isinstance(G, nx.Graph):
        hint = ": lay out jm.plot.layered_layout(jm.journey_graph(js))" if type(G).__name__ == "JourneySet" else ""
        msg = (
            f"layered_layout needs a journey graph (a networkx DiGraph from journeymap.journey_graph), "
            f"got {type(G).__name__}{hint}"
        )
        raise ArgumentTypeError(msg)
    rng = check_seed(seed)
    if max_rows is not None:
        check_count(max_rows, "max_rows", minimum=1, what="number of nodes")
    return _layered(G, rng, layer_width, max_rows)


def _layered(
    G: nx.DiGraph, rng: np.random.Generator, layer_width: float, max_rows: int | None, flow: dict[Any, float] | None = None
) -> dict[Any, tuple[float, float]]:
    """:func:`layered_layout` of checked arguments; ``flow``: :func:`_mean_steps` of ``G`` where already found."""
    layers: dict[float, list[Any]] = {}
    for node, data in G.nodes(data=True):
        key = round(float(data.get("rank", 0.0)) / layer_width) * layer_width
        layers.setdefault(key, []).append(node)
    # each bin's columns: more than one where it holds more than max_rows nodes
    widths = {key: 1 if max_rows is None else -(-len(nodes) // max_rows) for key, nodes in layers.items()}
    shift, before = 0.0, {}
    for key in sorted(layers):
        before[key] = shift
        shift += (widths[key] - 1) * layer_width
    if flow is None:
        flow = _mean_steps(G) if any(w > 1 for w in widths.values()) else {}
    pos: dict[Any, tuple[float, float]] = {}
    for key, nodes in layers.items():  # in the graph's order, as the ties were always drawn
        tie = rng.random(len(nodes))
        if widths[key] == 1:
            columns = [list(zip(nodes, tie))]
        else:  # shared out in the journeys' order, as evenly as can be
            ordered = sorted(zip(nodes, tie), key=lambda item: (flow.get(item[0], np.inf), str(item[0])))
            columns = [[ordered[i] for i in part] for part in np.array_split(np.arange(len(ordered)), widths[key])]
        for i, column in enumerate(columns):
            x = key + before[key] + i * layer_width
            by_volume = sorted(column, key=lambda item: (-G.nodes[item[0]].get("volume", 0), item[1]))
            # centre-out: largest in the middle, then alternate above and below; every other column of a wrapped
            # bin half a row up, so that a straight edge past it runs between its nodes, not through one
            for k, (node, _) in enumerate(by_volume):
                y = (k // 2 + 0.5) * (-1 if k % 2 else 1) if i % 2 else (k + 1) // 2 * (1 if k % 2 else -1)
                pos[node] = (float(x), float(y))
    return pos


def _mean_steps(G: nx.DiGraph, *, steps: int = 1000) -> dict[Any, float]:
    """Each node's mean step in the journeys (1: the first step), estimated from the graph's transitions.

    The journeys are taken as a Markov chain of the edges' ``count``: from ``__start__`` (the
    node of ``kind`` "start") the share of journeys at each node after 1, 2, ... steps, over
    ``steps`` steps at most; a node's value is the mean of the step numbers of its visits. Nodes
    no journey reaches (in a graph cut down to its busiest nodes, say) are left out, as are
    start and end. :func:`layered_layout` orders the nodes of a wrapped column by it: topics that
    open journeys left, those that close them right.

    Examples:
        >>> import networkx as nx
        >>> G = nx.DiGraph()
        >>> G.add_nodes_from([("__start__", {"kind": "start"}), ("__end__", {"kind": "end"})])
        >>> G.add_edges_from([("__start__", "order", {"count": 4}), ("order", "refund", {"count": 2}),
        ...                   ("order", "__end__", {"count": 2}), ("refund", "__end__", {"count": 2})])
        >>> _mean_steps(G)
        {'order': 1.0, 'refund': 2.0}
    """
    inner = [n for n, d in G.nodes(data=True) if d.get("kind") not in ("start", "end")]
    index = {n: i for i, n in enumerate(inner)}
    moves, first, out = np.zeros((len(inner), len(inner))), np.zeros(len(inner)), np.zeros(len(inner))
    for a, b, d in G.edges(data=True):
        count = float(d.get("count", 1))
        if a in index:
            out[index[a]] += count
            if b in index:
                moves[index[a], index[b]] += count
        elif G.nodes[a].get("kind") == "start" and b in index:
            first[index[b]] += count
    if not first.sum():
        return {}
    moves /= np.where(out > 0, out, 1.0)[:, None]
    share, visits, weighted = first / first.sum(), np.zeros(len(inner)), np.zeros(len(inner))
    for step in range(1, steps + 1):
        visits += share
        weighted += step * share
        share = share @ moves
        if share.sum() < 1e-9:
            break
    return {n: float(weighted[i] / visits[i]) for n, i in index.items() if visits[i] > 0}


#: The size of a node's label (points) and the gap (points) kept between a label and the next mark below it.
LABEL_SIZE = 8.0
GAP = 4.0
#: Points per unit of height where a layout sets no spacing (one node per column), and what the title, the
#: legend below the plot and the margins take (inches).
BASE_SPACING = 58.0
OVERHEAD = 1.9


def _label_height(label: str) -> float:
    """A node label's height in points: its lines at :data:`LABEL_SIZE` (matplotlib's line spacing, 1.2)."""
    return (label.count("\n") + 1) * LABEL_SIZE * 1.2


def _spacing(pos: dict[Any, Any], radii: dict[Any, float], labels: dict[Any, str]) -> float:
    """The points one unit of height needs so that no node's label reaches the node (or its repeat count) below.

    Between two nodes of one column, upper ``a`` and lower ``b``: ``a``'s radius, its label
    (under it) and ``b``'s radius (or its ``↻ n`` count, which sits above its centre), with gaps.
    """
    columns: dict[float, list[Any]] = {}
    for node, (x, _) in pos.items():
        if node in radii:
            columns.setdefault(round(float(x), 6), []).append(node)
    need = BASE_SPACING
    for column in columns.values():
        column.sort(key=lambda n: -float(pos[n][1]))
        for a, b in itertools.pairwise(column):
            dy = float(pos[a][1]) - float(pos[b][1])
            if dy <= 0:  # two nodes at one place (a layout given as pos): no spacing can part them
                continue
            below = radii[a] + 3 + _label_height(labels[a]) + GAP
            above = max(radii[b], 0.6 * radii[b] + LABEL_SIZE) + GAP
            need = max(need, (below + above) / dy)
        # the lowest node's label and the highest node's top are kept inside the plot by the limits
    return need


def _margins(pos: dict[Any, Any], radii: dict[Any, float], labels: dict[Any, str]) -> tuple[float, float]:
    """Points below the lowest and above the highest node centre that their marks and labels take."""
    ys = {n: float(y) for n, (_, y) in pos.items() if n in radii}
    low, high = min(ys.values()), max(ys.values())
    bottom = max(radii[n] + 3 + _label_height(labels[n]) + GAP for n, y in ys.items() if y == low)
    top = max(radii[n] + LABEL_SIZE + GAP for n, y in ys.items() if y == high)
    return bottom, top


#: The most edges within one column drawn beside it on each side (downward on the left, upward on the
#: right): the busiest. 11 touchpoints in one column have 110 such edges, and a bracket each, every one
#: a step further out, made a cage of lines past the figure's edge.
MAX_BRACKETS = 6
#: Points between neighbouring brackets beside a column.
BRACKET_STEP = 6.0
#: The ``↻ n`` count's size (points); its centre is at least this high above its node's centre, clear of
#: an edge arriving level from the right (half an arrowhead and the widest line: about 5 points).
LOOP_SIZE = 7.0
LOOP_RISE = 10.0
#: ... and at least this share of its node's radius above it, or higher (:data:`LOOP_RISES`) where an arrowhead lands there.
LOOP_RISE_SHARE = 0.6
#: The heights (shares of the node's radius, and at least :data:`LOOP_RISE`; a negative one below the
#: node's centre) tried in turn for a ``↻ n`` count, until no arrowhead drawn touches it.
LOOP_RISES = (0.6, 0.95, 1.3, -0.6)


class _Bracket:
    """An ``arc`` connection style whose arms and rounding are in points (matplotlib takes them in pixels).

    Pixels made the brackets lie nearer their column at 100 dpi than at 72, over the labels and
    counts they were measured to clear. The figure's dpi is read when the edge is drawn (``savefig``
    sets it), so the offsets hold at any resolution.
    """

    def __init__(self, figure: Any, angle: float, arm: float) -> None:
        self.figure, self.angle, self.arm = figure, angle, arm

    def __call__(self, posA: Any, posB: Any, **kwargs: Any) -> Any:
        """The path from ``posA`` to ``posB`` (display coordinates); ``kwargs``: the shrinks and patches matplotlib passes."""
        from matplotlib.patches import ConnectionStyle

        arm, scale = self.arm * float(self.figure.dpi) / 72, float(self.figure.dpi) / 72
        return ConnectionStyle.Arc(angleA=self.angle, angleB=self.angle, armA=arm, armB=arm, rad=6 * scale)(posA, posB, **kwargs)


def _reach(members: list[Any], radii: dict[Any, float], labels: dict[Any, str], loops: dict[Any, int], *, right: bool) -> float:
    """Points from a column's centre beyond its widest disc and label (and, on the right, its ``↻ n`` counts)."""
    # a label's characters are about 0.6 of its size wide (centred: half of it each side); the count's about 0.65
    reach = max(max(radii[n], max(map(len, labels[n].split("\n"))) * LABEL_SIZE * 0.3) for n in members) + 2 * GAP
    if right:
        counts = [radii[n] + 3 + len(f"↻ {loops[n]:,}") * LOOP_SIZE * 0.65 + GAP for n in members if n in loops]
        reach = max([reach, *counts])
    return reach


def _brackets(
    edges: list[tuple[Any, Any, int]],
    pos: dict[Any, Any],
    radii: dict[Any, float],
    labels: dict[Any, str],
    loops: dict[Any, int],
) -> tuple[dict[tuple[Any, Any], float], list[tuple[Any, Any]], dict[float, float]]:
    """Where the edges within a column run: each one's arm (points), those left out, and each column's outer arm per side.

    A straight edge between two nodes of one column would run under the label of the upper one
    and under every node and label between them. These leave their node sideways, further out
    than the column's discs and labels reach, downward edges on the left (a negative arm) and
    upward ones on the right (so an edge and its reverse are both seen; on the right beyond the
    ``↻ n`` counts of ``loops`` too), each :data:`BRACKET_STEP` points further out than the one before
    (shorter edges nearest the column), so that none is drawn over another. At most
    :data:`MAX_BRACKETS` a side, those of the most transitions (``edges``: source, target,
    transitions); the rest are returned as left out. The third value maps ``(x, +1 or -1)`` of
    each side to the outermost arm drawn there, for the plot's margins.
    """
    arms: dict[tuple[Any, Any], float] = {}
    left_out: list[tuple[Any, Any]] = []
    outer: dict[Any, float] = {}
    sides: dict[tuple[float, bool], list[tuple[int, float, str, str, Any, Any]]] = {}
    for a, b, count in edges:
        (xa, ya), (xb, yb) = pos[a], pos[b]
        if abs(float(xa) - float(xb)) < 1e-9 and float(ya) != float(yb):
            down = float(yb) < float(ya)
            sides.setdefault((round(float(xa), 6), down), []).append((count, abs(float(ya) - float(yb)), str(a), str(b), a, b))
    for (x, down), column_edges in sides.items():
        members = [n for n in radii if abs(float(pos[n][0]) - x) < 1e-6]
        reach = _reach(members, radii, labels, loops, right=not down)
        busiest = sorted(column_edges, key=lambda e: (-e[0], e[1:4]))  # the most transitions first, then stable
        left_out += [(a, b) for *_, a, b in busiest[MAX_BRACKETS:]]
        kept = sorted(busiest[:MAX_BRACKETS], key=lambda e: e[1:4])  # the shortest nearest the column
        for k, (*_, a, b) in enumerate(kept):
            arms[(a, b)] = (-1 if down else 1) * (reach + BRACKET_STEP * k)
        outer[(x, -1 if down else 1)] = reach + BRACKET_STEP * (len(kept) - 1)
    return arms, left_out, outer


def _bound_brackets(
    ax: Axes,
    arms: dict[tuple[Any, Any], float],
    *,
    pos: dict[Any, Any],
    radii: dict[Any, float],
    labels: dict[Any, str],
    loops: dict[Any, int],
) -> list[tuple[Any, Any]]:
    """The brackets (``arms``, points) that would reach the neighbouring column's discs and labels: dropped from ``arms``.

    Measured in the final x scale. A bracket on the right of one column runs toward the next
    column's left side (and one on the left toward the previous column's right): where it
    reached that column's widest disc or label it ran behind a node there, as if the node lay on
    the path. Where both columns put brackets into the gap between them, each gets half of it.
    Returns the dropped edges, outermost (longest arms) first.
    """
    units = ax.transData.transform([(0.0, 0.0), (1.0, 0.0)])
    per_unit = float(units[1][0] - units[0][0]) * 72 / float(ax.figure.dpi)  # points per unit of x
    columns = sorted({round(float(pos[n][0]), 6) for n in radii})
    members = {x: [n for n in radii if abs(float(pos[n][0]) - x) < 1e-6] for x in columns}
    facing = {(round(float(pos[a][0]), 6), 1 if arm > 0 else -1) for (a, _), arm in arms.items()}
    dropped: list[tuple[Any, Any]] = []
    for (a, b), arm in sorted(arms.items(), key=lambda item: -abs(item[1])):
        x, side = round(float(pos[a][0]), 6), 1 if arm > 0 else -1
        at = columns.index(x) + side
        if not 0 <= at < len(columns):
            continue  # the outer column: the x limits make room for it
        other = columns[at]
        gap = abs(other - x) * per_unit
        if (other, -side) in facing:  # the neighbour's brackets come the other way: half the gap each
            room = gap / 2 - BRACKET_STEP / 2
        else:
            room = gap - _reach(members[other], radii, labels, loops, right=side < 0) + 2 * GAP  # its disc and label, no gap
        if abs(arm) + 4 > room:  # half the widest line and its rim
            dropped.append((a, b))
            del arms[(a, b)]
    return dropped


def _x_limits(ax: Axes, xs: np.ndarray, outer: dict[Any, float]) -> tuple[float, float]:
    """The x limits: 0.7 beyond the outer columns, more where their brackets (``outer``: points) reach further.

    Measured after the figure's layout (the colour bar narrows the plot), so that no bracket
    leaves the Axes, cut off at the figure's edge.
    """
    from matplotlib.figure import Figure

    lo, hi = float(xs.min()), float(xs.max())
    # points each side needs past its outer column: the arm, half the widest line and its rim, and a gap
    need_lo = max([v + 6 for (x, side), v in outer.items() if side < 0 and abs(x - lo) < 1e-6], default=0.0)
    need_hi = max([v + 6 for (x, side), v in outer.items() if side > 0 and abs(x - hi) < 1e-6], default=0.0)
    margins = [0.7, 0.7]
    figure = ax.get_figure()
    if (need_lo or need_hi) and figure is not None:
        root = figure if isinstance(figure, Figure) else figure.figure
        root.draw_without_rendering()  # the layout: the plot's width as drawn
        width = ax.bbox.width * 72 / root.dpi  # points
        span = hi - lo
        for i, need in enumerate((need_lo, need_hi)):
            # points per unit = width / (span + both margins): solved for this margin, the other at its least
            other = margins[1 - i]
            if need and width > need:
                margins[i] = max(margins[i], need * (span + other) / (width - need))
    return lo - margins[0], hi + margins[1]


#: The tallest figure (inches) :func:`graph` makes with a layout of its own: a column that would make it taller
#: is wrapped into several (:func:`layered_layout`'s ``max_rows``). 40 topics in one column were 37 inches.
MAX_HEIGHT = 12.0
#: The widest figure (inches) :func:`graph` wraps a column to: 10, wider where many columns' labels need it; and what
#: the colour bar and the margins take of it (inches).
MAX_WIDTH = 13.5
WIDTH_OVERHEAD = 1.6
#: Points kept between neighbouring columns' widest marks (discs, labels, counts) where the figure is widened for
#: them: an edge between the two is seen, with room for brackets beside each (:data:`BRACKET_STEP` apart).
COLUMN_GAP = 16.0


def _height(span: float, spacing: float, margins: tuple[float, float]) -> float:
    """A figure height (inches, at least 5.5) whose plot gives each unit of height ``spacing`` points, and the margins."""
    return max(5.5, (span * spacing + sum(margins)) / 72 + OVERHEAD)


def _radii(nodes: list[Any], sizes: np.ndarray) -> dict[Any, float]:
    """Each node's marker radius in points, of its size (points squared)."""
    return {n: float(np.sqrt(size)) / 2 for n, size in zip(nodes, sizes)}


def _labels(nodes: list[Any], *, unread: frozenset[Any] = frozenset()) -> dict[Any, str]:
    """Each node's label as drawn: its name wrapped, "start" and "end", "(not scored)" under a node of ``unread``."""
    labels = {n: _theme.wrap({"__start__": "start", "__end__": "end"}.get(str(n), str(n)), 14) for n in nodes}
    return labels | {n: f"{labels[n]}\n(not scored)" for n in unread}  # not the dashed "no customer message"


def _place(
    G: nx.DiGraph,
    nodes: list[Any],
    pos: dict[Any, tuple[float, float]],
    sizes: np.ndarray,
    ax: Axes | None,
    *,
    seed: int | np.random.Generator | None,
    own: bool,
    labels: dict[Any, str],
    loops: dict[Any, int],
) -> tuple[dict[Any, tuple[float, float]], Axes, np.ndarray, tuple[float, float]]:
    """The positions, Axes, node sizes and y limits :func:`graph` draws with (:func:`_bounded_layout`, :func:`_fit`).

    ``own``: ``pos`` is :func:`layered_layout`'s with ``seed``, wrapped where its figure would be
    too tall; else it was given, and is drawn as it is.
    """
    wrapped = False
    if own:
        bounded = _bounded_layout(G, pos, seed=seed, radii=_radii(nodes, sizes), labels=labels, loops=loops)
        wrapped, pos = bounded is not pos, bounded
    ax, sizes, ylim = _fit(nodes, pos, sizes, ax, labels=labels, loops=loops if wrapped else None)
    return pos, ax, sizes, ylim


def _bounded_layout(
    G: nx.DiGraph,
    pos: dict[Any, tuple[float, float]],
    *,
    seed: int | np.random.Generator | None,
    radii: dict[Any, float],
    labels: dict[Any, str],
    loops: dict[Any, int],
) -> dict[Any, tuple[float, float]]:
    """``pos`` (:func:`layered_layout`'s), or its tallest columns wrapped where its figure would pass :data:`MAX_HEIGHT`.

    Wrapped (``max_rows``) into as few columns as bring the figure within that and
    :data:`MAX_WIDTH`. Where no wrapping does (more nodes than fit, as ``max_nodes=None`` may draw), the one whose
    figure exceeds them least, in proportion: its labels are kept apart and the figure grows
    both ways. Forty topics in one column made a figure 37 inches tall (3,574 pixels at 96 dpi);
    they now stand in columns of a few, side by side in the order they come in the journeys.
    """

    def excess(layout: dict[Any, tuple[float, float]]) -> tuple[float, float]:
        height = _figure_height(layout, radii, labels)
        return max(height / MAX_HEIGHT, _figure_width(layout, radii, labels, loops) / MAX_WIDTH), height

    best, (least, height) = pos, excess(pos)
    tallest = max(Counter(round(float(x), 6) for x, _ in pos.values()).values())
    flow, rows = _mean_steps(G), tallest
    # One row fewer at a time, down to the first layout short enough: fewer rows only make it wider. A smaller
    # ``max_rows`` wraps every bin taller than it, not only the tallest, so of the ``max_rows`` that give the tallest
    # bin as many columns the largest wraps the fewest other bins: 40 topics over 13.5 inches at 9 rows fit at 12.
    while least > 1 and height > MAX_HEIGHT and rows > 1:
        rows -= 1
        layout = _layered(G, check_seed(seed), 1.0, rows, flow)
        score, height = excess(layout)
        if score < least:
            best, least = layout, score
    return best


def _figure_height(pos: dict[Any, Any], radii: dict[Any, float], labels: dict[Any, str]) -> float:
    """The height (inches) :func:`_fit` gives a new figure of this layout."""
    ys = [float(y) for _, y in pos.values()]
    return _height(max(ys) - min(ys), _spacing(pos, radii, labels), _margins(pos, radii, labels))


def _figure_width(pos: dict[Any, Any], radii: dict[Any, float], labels: dict[Any, str], loops: dict[Any, int]) -> float:
    """A new figure's width (inches): 10, or wider where neighbouring columns' discs, labels and counts need it.

    Each unit of x is given the points that the widest disc or label of a column (and, on its
    right, its ``↻ n`` counts) and of the next column take, and :data:`COLUMN_GAP` between them;
    the plot is about :data:`WIDTH_OVERHEAD` inches (the colour bar, the margins) narrower than
    the figure.
    """
    columns: dict[float, list[Any]] = {}
    for node, (x, _) in pos.items():
        columns.setdefault(round(float(x), 6), []).append(node)
    xs = sorted(columns)
    per_unit = max(
        [
            (
                _reach(columns[a], radii, labels, loops, right=True)
                + COLUMN_GAP
                + _reach(columns[b], radii, labels, loops, right=False)
            )
            / (b - a)
            for a, b in itertools.pairwise(xs)
        ],
        default=0.0,
    )
    plot = per_unit * ((xs[-1] - xs[0]) + 1.4) / 72  # the x limits: 0.7 beyond the outer columns
    return float(max(10.0, plot + WIDTH_OVERHEAD))


def _fit(
    nodes: list[Any],
    pos: dict[Any, tuple[float, float]],
    sizes: np.ndarray,
    ax: Axes | None,
    *,
    labels: dict[Any, str],
    loops: dict[Any, int] | None,
) -> tuple[Axes, np.ndarray, tuple[float, float]]:
    """The Axes to draw on, sized to the layout: with the node sizes (points squared) and y limits.

    The nodes of a column are one unit apart: a unit is given the points that a node's disc,
    its label beneath (``labels``) and the next node's disc take (:func:`_spacing`), so that no
    label lies under the node below it; a new figure is made that tall, 10 inches wide, and for
    a layout whose columns :func:`_bounded_layout` wrapped (``loops`` given, not None) as wide as
    neighbouring columns' labels and ``↻ n`` counts need to clear each other
    (:func:`_figure_width`). On a given Axes too short for it the discs shrink (to no less than
    0.3 of their radius; the labels keep their size).
    """
    at = {n: pos[n] for n in nodes}
    radii = _radii(nodes, sizes)  # marker radius in points
    spacing = _spacing(at, radii, labels)
    bottom, top = _margins(at, radii, labels)
    ys = np.array([float(y) for _, y in at.values()])
    span = float(ys.max() - ys.min())
    given = ax is not None
    width = 10.0 if loops is None else _figure_width(at, radii, labels, loops)
    size = (width, _height(span, spacing, (bottom, top)))
    ax = _theme.get_ax(ax, figsize=size)
    ylim = (float(ys.min()) - max(0.9, bottom / spacing), float(ys.max()) + max(0.7, top / spacing))
    if given and span > 0:
        room = ax.bbox.height * 72 / ax.figure.dpi / (ylim[1] - ylim[0])  # points per unit the Axes gives
        if room < spacing:
            sizes = sizes * max(0.3, room / spacing) ** 2
    return ax, sizes, ylim


def _node_looks(G: nx.DiGraph, nodes: list[Any]) -> tuple[np.ndarray, list[bool], list[Any], list[str]]:
    """Each node's mean valence, whether its customer messages went unscored, its fill and its outline's line style.

    A node without customer valence is white in a dashed outline (the scale's middle is white
    too); one whose customer messages the scorer read none of (``n_unscored``, a language it does
    not read) light grey in a dotted one: it has customer messages, only no valence.
    """
    cmap, norm = _theme.valence_cmap(), _theme.valence_norm()
    valence = np.array([G.nodes[n].get("mean_valence", np.nan) for n in nodes], dtype=float)
    unread = [bool(np.isnan(v) and G.nodes[n].get("n_unscored", 0)) for n, v in zip(nodes, valence)]
    colours = [NOT_SCORED if u else _theme.NO_VALENCE if np.isnan(v) else cmap(norm(v)) for u, v in zip(unread, valence)]
    dashes = [":" if u else "--" if np.isnan(v) else "-" for u, v in zip(unread, valence)]
    return valence, unread, colours, dashes


def _busiest(G: nx.DiGraph, max_nodes: int | None) -> tuple[nx.DiGraph, str]:
    """``G`` with its ``max_nodes`` busiest nodes (by ``volume``) besides start and end, and the title's note."""
    import networkx as nx

    from journeymap.analytics._checks import check_count

    if max_nodes is None or not isinstance(G, nx.Graph):  # not a graph: _positions says what to pass
        return G, ""
    check_count(max_nodes, "max_nodes", minimum=1, what="number of nodes")
    inner = [n for n, d in G.nodes(data=True) if d.get("kind") not in ("start", "end")]
    if len(inner) <= max_nodes:
        return G, ""
    busiest = sorted(inner, key=lambda n: -float(G.nodes[n].get("volume", 0)))[:max_nodes]  # stable: ties keep graph order
    kept = set(busiest) | {n for n in G.nodes if n not in set(inner)}
    return G.subgraph([n for n in G.nodes if n in kept]).copy(), f"; {max_nodes} busiest of {len(inner)} nodes"


#: About the tallest colour bar (inches) :func:`graph` draws: 70% of the plot's height up to this, then no taller.
#: Forty topics in one column made a figure 37 inches tall and a bar of 23 inches beside it.
COLORBAR_INCHES = 3.5


def _colorbar_size(ax: Axes) -> dict[str, Any]:
    """The colour bar's ``shrink`` (70% of the plot's height, up to about :data:`COLORBAR_INCHES`) and, when capped, its anchor.

    The plot's height is read before the layout, which then makes a tall plot a little taller
    (a 37-inch figure's bar of 3.5 inches grew to 4.4). A bar cut short sits at the top beside
    the plot, where the reader starts, not midway down a tall figure.
    """
    figure = ax.get_figure()
    inches = ax.bbox.height / figure.dpi if figure is not None else 0.0  # in display pixels: a subfigure's too
    if inches * 0.7 <= COLORBAR_INCHES:
        return {"shrink": 0.7}
    return {"shrink": COLORBAR_INCHES / inches, "anchor": (0.0, 1.0), "panchor": (1.0, 1.0)}


def _rim(width: float) -> list[Any]:
    """A grey rim under an edge: one of no change (the colour scale's near-white middle) stays visible."""
    from matplotlib import patheffects

    return [patheffects.Stroke(linewidth=width + 1.2, foreground="#a0a0a0"), patheffects.Normal()]


def _width(count: int, cmax: int) -> float:
    """An edge's line width: 0.6 points plus up to 7 by its transitions (``cmax``: the most of any edge drawn)."""
    return 0.6 + 7 * count / cmax


def _width_legend(
    ax: Axes, counts: list[int], *, unfelt: bool = False, unread: bool = False, grey: bool = False, left_out: int = 0
) -> None:
    """A legend of the thinnest and thickest edges drawn, by their transitions, and of the nodes without valence.

    ``unfelt``: a node without customer messages is drawn; ``unread``: one whose customer
    messages were none of them scored; ``grey``: an edge without a valence change is drawn (from
    start, to end, or to or from a node without valence: grey is no colour of the scale);
    ``left_out``: how many edges within a column were not drawn (:data:`MAX_BRACKETS`).
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = [
        Line2D([], [], color=_theme.NEUTRAL, lw=_width(c, max(counts)), label=_theme.count(c, "transition"))
        for c in sorted({min(counts), max(counts)})
    ] if counts else []  # fmt: skip
    if grey:
        handles.append(Line2D([], [], color=GREY_EDGE, lw=2.5, path_effects=_rim(2.5),
                              label="grey edge: from start, to end or a node\nwithout valence (no valence change)"))  # fmt: skip
    if left_out:
        label = (
            f"{_theme.count(left_out, 'edge')} within a column not drawn\n"
            f"(the busiest each side that fit are, {MAX_BRACKETS} at most)"
        )
        handles.append(Line2D([], [], color="none", label=label))
    if unfelt:
        handles.append(Patch(facecolor=_theme.NO_VALENCE, edgecolor="#333333", linestyle="--", label="no customer message"))
    if unread:
        handles.append(Patch(facecolor=NOT_SCORED, edgecolor="#333333", linestyle=":", label="customer messages not scored"))
    if handles:  # below the plot: inside it, the longer entries covered the nodes of a tall column
        _legend_inside(ax, handles)


def _legend_inside(ax: Axes, handles: list[Any]) -> None:
    """The legend below the plot, in as many columns (3 at most) as keep it inside the figure, measured in its layout.

    Centred under the plot, a 3-column legend (about 820 pixels with the "edges within a column
    not drawn" entry) began 7 pixels left of the figure on a tall graph: the colour bar pushes the
    plot left of the figure's centre, and the layout does not move a legend sideways. Anchored
    to the figure instead, the layout narrowed the plot at every draw. No wider than the plot
    either: a legend past both its sides made the layout move the plot at each of six draws
    before it settled (once the colour bar of a tall graph was no longer 70% of its height).
    """
    from matplotlib.figure import Figure

    figure = ax.get_figure()
    for ncols in range(min(3, len(handles)), 0, -1):
        legend = ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncols=ncols)
        if figure is None or ncols == 1:
            return
        root = figure if isinstance(figure, Figure) else figure.figure
        root.draw_without_rendering()
        box, page = legend.get_window_extent(), figure.bbox
        if box.x0 >= page.x0 and box.x1 <= page.x1 and box.width <= ax.bbox.width + 1:
            return


def _loop_counts_clear(ax: Axes) -> None:
    """Each ``↻ n`` count moved up (or below its node) where an arrowhead or a node's label lands on it, measured as drawn.

    An edge arriving at a node from the right at a slight angle (the 12-touchpoint graph's
    porting -> outage) put its arrowhead on the count; tried at :data:`LOOP_RISES`, the first
    height that no arrowhead and no label touches is kept (else the first).
    """
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch
    from matplotlib.transforms import Bbox

    counts = [t for t in ax.texts if (t.get_gid() or "").startswith("selfloop:")]
    figure = ax.get_figure()
    if not counts or figure is None:
        return
    root = figure if isinstance(figure, Figure) else figure.figure
    root.draw_without_rendering()
    heads = []
    for patch in ax.patches:
        if isinstance(patch, FancyArrowPatch) and (patch.get_gid() or "").startswith("edge:"):
            vertices = np.asarray(patch.get_transform().transform_path(patch.get_path()).vertices, dtype=float)
            if len(vertices) >= 4:  # the head: the closed triangle that ends the path
                tip = vertices[-4:-1]
                half = patch.get_linewidth() / 2 * root.dpi / 72
                heads.append(Bbox.from_extents(*tip.min(axis=0), *tip.max(axis=0)).padded(half))
    # nor on a node's label (below its own small node, a count ran into the name: "↻ 3" over "topic 15")
    labels = [t.get_window_extent() for t in ax.texts if (t.get_gid() or "").startswith("label:")]
    for text in counts:
        dx, _ = text.get_position()
        radius = dx - 3  # placed radius + 3 points right of its node
        for share in LOOP_RISES:
            rise = max(radius * abs(share), LOOP_RISE) * (1 if share > 0 else -1)
            text.set_position((dx, rise))
            box = text.get_window_extent()
            if not any(box.overlaps(other) for other in heads + labels):
                break
        else:
            text.set_position((dx, max(radius * LOOP_RISES[0], LOOP_RISE)))


def _draw_edges(
    ax: Axes,
    G: nx.DiGraph,
    arrows: list[tuple[Any, Any, Any]],
    *,
    pos: dict[Any, Any],
    radii: dict[Any, float],
    arms: dict[Any, float],
) -> int:
    """The edges, as arrows: a bracket (``arms``, points) within a column, a gentle arc between columns; how many are drawn."""
    from matplotlib.patches import FancyArrowPatch

    cmap, norm = _theme.valence_cmap(), _theme.valence_norm()
    cmax = max((d["count"] for _, _, d in arrows), default=1)
    drawn = 0
    for a, b, d in arrows:
        change = d.get("mean_valence_change", np.nan)
        colour = cmap(norm(np.clip(change, -1, 1))) if not np.isnan(change) else GREY_EDGE  # the colour bar's scale
        skip = abs(pos[b][0] - pos[a][0]) > 1.5 and pos[a][1] == pos[b][1]
        arm = arms.get((a, b))
        style: Any = (
            _Bracket(ax.figure, 180 if arm < 0 else 0, abs(arm)) if arm is not None
            else "arc3,rad=0.25" if (G.has_edge(b, a) or skip) else "arc3,rad=0.05"
        )  # fmt: skip
        width = _width(d["count"], cmax)
        patch = FancyArrowPatch(
            pos[a], pos[b], arrowstyle="-|>", mutation_scale=12, connectionstyle=style,
            lw=width, color=colour, alpha=0.8, zorder=1, shrinkA=radii[a] + 2, shrinkB=radii[b] + 2,
            gid=f"edge:{a}->{b}", path_effects=_rim(width),
        )  # fmt: skip
        ax.add_patch(patch)
        drawn += 1
    return drawn


def graph(
    G: nx.DiGraph,
    *,
    pos: dict[Any, tuple[float, float]] | None = None,
    ax: Axes | None = None,
    # appearance
    seed: int | np.random.Generator | None = 0,
    min_share: float = 0.0,
    title: str | None = None,
    max_nodes: int | None = MAX_NODES,
) -> Axes:
    """Draw a journey graph (:func:`~journeymap.journey_graph`).

    Node colour is mean valence on a diverging, colour-blind-safe scale centred on zero (with a
    colour bar; white in a dashed outline for a node without customer messages, such as a brand
    reply; light grey in a dotted outline, labelled "not scored", for a node whose customer
    messages the scorer gave no valence, such as those in a language it does not read: node
    attribute ``n_unscored``), node size
    is volume; edge width is the number of transitions, scaled to the
    thickest edge drawn (the legend gives the thinnest and thickest), and edge colour the mean
    valence change across it. Edges carrying less than ``min_share`` of their source's
    transitions are left out; repeat visits (self-loops) are not drawn as edges but counted
    beside their node (``↻ n``). Positions come from :func:`layered_layout` unless given
    (``pos``: a position for every node drawn). A graph of no journeys (start and end only) is drawn
    as a note that there is nothing to show.

    Nodes that share a column (the topics of ``level="topic"``) are drawn far enough apart that
    each label, beneath its node, clears the node below it: a new figure is made tall enough
    for it; on a given ``ax`` too short for it the discs shrink. A column that would make the
    figure taller than :data:`MAX_HEIGHT` (12 inches) is wrapped into several side by side
    (:func:`layered_layout`'s ``max_rows``), as few as bring it within that, its nodes in the
    order they come in the journeys, and the figure is made as wide as their labels need
    (up to about :data:`MAX_WIDTH`, 16 inches; where both cannot hold, with ``max_nodes=None``
    on a large graph, it grows past them rather than overlap the labels). A layout given as
    ``pos`` is drawn as it is. The colour bar is 70% of the
    plot's height, up to about :data:`COLORBAR_INCHES` (3.5), at the top beside a taller plot. An edge between two nodes of
    one column leaves its node sideways and runs beside the column (downward edges on the left,
    upward ones on the right, beyond the labels and the ``↻ n`` counts), not under the labels
    and nodes between its ends; at most :data:`MAX_BRACKETS` such edges a side of a column are
    drawn, those of the most transitions, and the legend says how many others were left out
    (11 touchpoints in one column have 110 of them: a cage of lines). The plot is made wide
    enough that none leaves it. Edges without a valence change (from start, to end, to or from
    a node without valence) are grey, and the legend, below the plot, says so.

    At most ``max_nodes`` nodes besides start and end are drawn (default :data:`MAX_NODES`; None
    for all): those of the most steps (``volume``), as :func:`journey_map` keeps its largest
    cells; the edges to and from the others are left out with them, and the title says how many
    of how many are shown. 200 touchpoints, a node each, made a figure 95 inches tall. ``title``
    replaces that title (None keeps it, ``""`` removes it).

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

    G, shown_of = _busiest(G, max_nodes)
    own = pos is None
    pos = _positions(G, pos, seed)
    nodes = list(G.nodes)
    inner = [n for n in nodes if G.nodes[n].get("kind") not in ("start", "end")]
    if not inner:  # start and end only: no journeys
        return _theme.empty(_theme.get_ax(ax, figsize=(10, 5.5)), "journeys", title=title)
    cmap, norm = _theme.valence_cmap(), _theme.valence_norm()
    volume = np.array([float(G.nodes[n].get("volume", 1)) for n in nodes])
    vmax = max((G.nodes[n]["volume"] for n in inner), default=1)
    sizes = np.where([G.nodes[n].get("kind") in ("start", "end") for n in nodes], 250.0, 250 + 2200 * volume / max(vmax, 1))
    valence, unread, colours, dashes = _node_looks(G, nodes)
    labels = _labels(nodes, unread=frozenset(n for n, u in zip(nodes, unread) if u))
    shown = [(a, b, d) for a, b, d in G.edges(data=True) if d.get("probability", 1.0) >= min_share]
    # a repeat visit (self-loop) is counted beside its node, not drawn as an arrow: left out of the widths' scale
    loops: dict[Any, int] = {a: d["count"] for a, b, d in shown if a == b}
    pos, ax, sizes, ylim = _place(G, nodes, pos, sizes, ax, seed=seed, own=own, labels=labels, loops=loops)
    radii = _radii(nodes, sizes)
    arrows = [(a, b, d) for a, b, d in shown if a != b]
    arms, left_out, outer = _brackets([(a, b, d["count"]) for a, b, d in arrows], pos, radii, labels, loops)
    arrows = [(a, b, d) for a, b, d in arrows if (a, b) not in set(left_out)]
    counts = [d["count"] for _, _, d in arrows]
    xy = np.array([pos[n] for n in nodes])
    bar = ax.figure.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, **_colorbar_size(ax))
    bar.set_label("node: mean valence; edge: valence change")
    # start and end always lack a valence; a step only the brand takes (a reply) is told apart in the legend
    unfelt = any(
        np.isnan(v) and not u and G.nodes[n].get("kind") not in ("start", "end") for n, v, u in zip(nodes, valence, unread)
    )
    grey = any(np.isnan(d.get("mean_valence_change", np.nan)) for _, _, d in arrows)
    _width_legend(ax, counts, unfelt=unfelt, unread=any(unread), grey=grey, left_out=len(left_out))
    ax.set_ylim(*ylim)
    ax.set_axis_off()
    ax.set_xlim(*_x_limits(ax, xy[:, 0], outer))  # after the layout: wide enough for the brackets beside the outer columns
    crowded = _bound_brackets(
        ax, arms, pos=pos, radii=radii, labels=labels, loops=loops
    )  # and none reaching the next column's nodes
    if crowded:
        arrows = [(a, b, d) for a, b, d in arrows if (a, b) not in set(crowded)]
        _width_legend(ax, [d["count"] for _, _, d in arrows], unfelt=unfelt, unread=any(unread), grey=grey,
                      left_out=len(left_out) + len(crowded))  # fmt: skip
    drawn = _draw_edges(ax, G, arrows, pos=pos, radii=radii, arms=arms)
    scatter = ax.scatter(
        xy[:, 0], xy[:, 1], s=sizes, c=colours, edgecolors="#333333", linewidths=0.8, linestyles=dashes, zorder=2
    )
    scatter.set_gid("nodes")
    from journeymap.plot.journey_map import CALLOUT_BOX

    for n, (x, y), size in zip(nodes, xy, sizes):
        radius = float(np.sqrt(size)) / 2  # marker radius in points
        ax.annotate(labels[n], (x, y), xytext=(0, -radius - 3), textcoords="offset points",
                    ha="center", va="top", fontsize=LABEL_SIZE, zorder=3, gid=f"label:{n}")  # fmt: skip
        if n in loops:  # above an edge arriving level from the right, on a small node too
            rise = max(radius * LOOP_RISE_SHARE, LOOP_RISE)
            # in a light box, as the journey map's callouts: an edge leaving the node may pass under the words
            # (the store -> end edge under "↻ 57": 3.3:1 without it)
            ax.annotate(f"↻ {loops[n]:,}", (x, y), xytext=(radius + 3, rise), textcoords="offset points",
                        ha="left", va="center", fontsize=LOOP_SIZE, color="#555555", gid=f"selfloop:{n}",
                        bbox=CALLOUT_BOX)  # fmt: skip
    _loop_counts_clear(ax)
    journeys = G.graph.get("n_journeys")
    journeys_text = "? journeys" if journeys is None else _theme.count(int(journeys), "journey")
    _theme.set_title(ax, title, f"Journey graph ({G.graph.get('level', '')}, {journeys_text}{shown_of})")
    ax.set_gid(f"graph:{len(nodes)}-nodes:{drawn}-edges")
    _theme.style(ax)
    return ax
