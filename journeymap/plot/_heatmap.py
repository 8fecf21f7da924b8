"""Emotion shares: :func:`emotion_heatmap` and :func:`emotion_mix`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from journeymap.analytics._checks import check_count
from journeymap.backends import dispatch
from journeymap.plot import _theme
from journeymap.plot._stats import stage_shares
from journeymap.plot.journey_map import MIN_VOLUME

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from journeymap.analytics._levels import Level
    from journeymap.journeys import JourneySet

__all__ = ["MAX_ROWS", "emotion_heatmap", "emotion_mix"]

#: The most rows (touchpoints, stages or topics) :func:`emotion_heatmap` and :func:`emotion_mix` draw by default: those
#: of the most scored customer messages. 200 touchpoints, a row each, made a heatmap 8,100 pixels tall that took 11 s
#: to save (1,500 made one 751 inches tall: 110 s and 2.9 GB), as :func:`~journeymap.plot.journey_map` keeps
#: :data:`~journeymap.plot.journey_map.MAX_COLUMNS` cells and :func:`~journeymap.plot.graph` keeps
#: :data:`~journeymap.plot.graph.MAX_NODES` nodes.
MAX_ROWS = 30

#: The smallest figure :func:`emotion_heatmap` makes (inches): room for a note that there is nothing to show.
MIN_SIZE = (4.0, 2.5)
#: :func:`emotion_heatmap`'s colour scale is set by the rows of at least this many messages, and
#: :func:`emotion_mix` draws smaller rows faded: the journey map's :data:`~journeymap.plot.journey_map.MIN_VOLUME`.
MIN_ROW_VOLUME = MIN_VOLUME


#: How far along the valence map (0 its dark red end, 1 its dark blue one) :func:`emotion_mix` takes
#: shades from each end: paler ones come too close to the greys of valence 0 and of ``other``.
SHADE_SPAN = 0.38
#: :func:`emotion_mix`'s greys for labels of valence 0 (or unknown), one each, about 12 ΔE apart
#: (CIELAB) from each other and from ``other`` (#eeeeee).
MIX_GREYS = ("#cccccc", "#a8a8a8", "#858585", "#666666")


def _row_label(name: object, n: int, unscored: int = 0) -> str:
    """A row's label: its name, wrapped, its number of scored messages and those left unscored ("contact (n=29)").

    Examples:
        >>> _row_label("follow_up", 1234), _row_label("billing", 35, 20)
        ('follow up (n=1,234)', 'billing (n=35 +20 not scored)')
    """
    extra = f" +{unscored:,} not scored" if unscored else ""
    return f"{_theme.wrap(str(name), 18)} (n={n:,}{extra})"


def _unread_note(unread: dict[str, int]) -> str:
    """The note naming rows left out because none of their customer messages was scored ("" if none).

    Examples:
        >>> _unread_note({"billing": 20})
        'left out, no message scored: billing (20 not scored)'
    """
    if not unread:
        return ""
    names = ", ".join(f"{_theme.shorten(k, 24)} ({n:,} not scored)" for k, n in list(unread.items())[:4])
    more = f" and {len(unread) - 4} more" if len(unread) > 4 else ""
    return f"left out, no message scored: {names}{more}"


def _busiest_rows(shares: pd.DataFrame, max_rows: int | None, level: str) -> tuple[pd.DataFrame, str]:
    """At most ``max_rows`` rows of ``shares`` (of :func:`~journeymap.plot._stats.stage_shares`), and the title's note.

    The rows of the most scored customer messages (``shares.attrs["n"]``; ties keep the table's
    order) are kept, in the table's order (stages in their order, touchpoints and topics by
    volume), their ``attrs`` with them; the note says how many of how many are drawn ("" where
    none is left out).

    Examples:
        >>> import pandas as pd
        >>> shares = pd.DataFrame({"joy": [0.5, 0.2, 1.0]}, index=["contact", "wait", "resolve"])
        >>> shares.attrs = {"n": [10, 40, 25], "unscored": [0, 3, 0], "unread": {}}
        >>> kept, note = _busiest_rows(shares, 2, "stage")
        >>> list(kept.index), kept.attrs["n"], kept.attrs["unscored"], note
        (['wait', 'resolve'], [40, 25], [3, 0], ' (2 of 3 stages, the busiest by scored messages)')
        >>> _busiest_rows(shares, None, "stage")[1], _busiest_rows(shares, 3, "stage")[1]
        ('', '')
    """
    if max_rows is None or len(shares) <= max_rows:
        return shares, ""
    n = np.asarray(shares.attrs["n"], dtype=np.int64)
    keep = np.sort(np.argsort(-n, kind="stable")[:max_rows])  # the busiest, in the table's order
    kept = shares.iloc[keep].copy()
    kept.attrs = {
        **shares.attrs,
        "n": [int(n[i]) for i in keep],
        "unscored": [int(shares.attrs["unscored"][i]) for i in keep],
    }
    return kept, f" ({max_rows} of {len(shares):,} {level}s, the busiest by scored messages)"


def _check_max_rows(max_rows: object) -> None:
    """``max_rows`` is None or a positive whole number (an error naming it otherwise)."""
    if max_rows is not None:
        check_count(max_rows, "max_rows", minimum=1, what="number of rows")


def _capped_title(ax: Axes, title: str | None, default: str, note: str) -> None:
    """The chart's title with the note on the rows left out, wrapped to the Axes' width (as the journey map's)."""
    if not note:
        _theme.set_title(ax, title, default)
        return
    _theme.set_title(ax, title, _theme.axes_wide(ax, default + note))


def _lab(rgb: np.ndarray) -> np.ndarray:
    """Colours in sRGB (rows of 0-1 values) as CIELAB (D65)."""
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    xyz = linear @ np.array([[0.4124, 0.2126, 0.0193], [0.3576, 0.7152, 0.1192], [0.1805, 0.0722, 0.9505]])
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])], axis=1)


def _shades(k: int, *, positive: bool) -> list[Any]:
    """``k`` shades of one end of the valence map, darkest first, equally far apart in CIELAB (ΔE) along it.

    The map's first :data:`SHADE_SPAN` from its red end (or its blue one, ``positive``): the
    distance along the map is measured in CIELAB, so the steps look equal, not merely are.

    Examples:
        >>> import matplotlib.colors as mc
        >>> [mc.to_hex(c) for c in _shades(2, positive=False)]
        ['#67001f', '#fbd0b9']
    """
    cmap = _theme.valence_cmap()
    t = np.linspace(0.0, SHADE_SPAN, 256)
    lab = _lab(np.asarray(cmap(1.0 - t if positive else t))[:, :3])
    arc = np.r_[0.0, np.cumsum(np.linalg.norm(np.diff(lab, axis=0), axis=1))]
    at = np.interp(np.linspace(0.0, arc[-1], k), arc, t)
    return [cmap(1.0 - a if positive else a) for a in at]


def mix_colours(emotions: list[str], valence: dict[str, float]) -> dict[str, Any]:
    """:func:`emotion_mix`'s colour of each emotion shown: distinct steps of the valence map, by rank of valence.

    The negative emotions shown take shades of the map's red end, the most negative the darkest;
    the positive ones its blue end likewise; labels of valence 0 (or unknown to ``valence``) a
    grey each (:data:`MIX_GREYS`), ``other`` a light grey. Shades go by rank among the emotions
    shown, equally far apart (:func:`_shades`), so no two are alike (by the valence itself,
    disappointment -0.6 and nervousness -0.5 came out two near-equal salmons). A single emotion
    on its side keeps the shade of its own valence.

    Examples:
        >>> import matplotlib.colors as mc
        >>> c = mix_colours(["anger", "annoyance", "neutral", "joy", "other"], {"anger": -0.9, "annoyance": -0.6, "joy": 0.9})
        >>> {k: mc.to_hex(v) for k, v in c.items()}["other"]
        '#eeeeee'
    """
    out: dict[str, Any] = {}
    cmap, norm = _theme.valence_cmap(), _theme.valence_norm()
    for positive in (False, True):
        side = [e for e in emotions if e != "other" and (valence.get(e, 0.0) > 0) == positive and valence.get(e, 0.0) != 0]
        side.sort(key=lambda e: -valence[e] if positive else valence[e])  # stable: ties in order of frequency
        if len(side) == 1:  # no neighbour to tell apart from: its own valence, not paler than the span
            v = valence[side[0]]
            out[side[0]] = cmap(float(np.clip(norm(v), 1 - SHADE_SPAN, 1.0) if positive else np.clip(norm(v), 0.0, SHADE_SPAN)))
        else:
            out |= dict(zip(side, _shades(len(side), positive=positive)))
    greys = [e for e in emotions if e != "other" and valence.get(e, 0.0) == 0]
    out |= {e: MIX_GREYS[min(i, len(MIX_GREYS) - 1)] for i, e in enumerate(greys)}
    if "other" in emotions:
        out["other"] = "#eeeeee"
    return {e: out[e] for e in emotions}


#: The hatching over a row of fewer than :data:`MIN_ROW_VOLUME` messages in :func:`emotion_mix` (white, over its colours).
FEW_HATCH = "////"
#: Behind a percentage on a hatched segment: the fill's own colour is kept, the stripes do not cross the digits.
_PERCENT_BOX = {"boxstyle": "square,pad=0.15", "edgecolor": "none"}


def mix_order(emotions: list[str], valence: dict[str, float]) -> list[str]:
    """:func:`emotion_mix`'s order of the stacked segments: by valence, as a diverging stacked bar.

    The negative emotions from the most negative to the least, then those of valence 0 (or
    unknown to ``valence``) and ``other``, then the positive ones from the least positive to the
    most: the red parts of every bar share its left end and the blue its right, so that "how
    negative" reads off the bars (ordered by frequency, the reds were split by greys and blues).

    Examples:
        >>> valence = {"anger": -0.9, "annoyance": -0.6, "joy": 0.9, "gratitude": 0.7}
        >>> mix_order(["neutral", "annoyance", "joy", "other", "anger", "gratitude"], valence)
        ['anger', 'annoyance', 'neutral', 'other', 'gratitude', 'joy']
    """

    def key(emotion: str) -> tuple[int, float]:
        v = 0.0 if emotion == "other" else float(valence.get(emotion, 0.0))
        side = 0 if v < 0 else 2 if v > 0 else 1
        return side, v if side != 1 else float(emotion == "other")

    return sorted(emotions, key=key)  # stable: ties keep the order of frequency


@dispatch(name="plot.emotion_heatmap")
def emotion_heatmap(
    js: JourneySet,
    *,
    level: Level = "touchpoint",
    ax: Axes | None = None,
    top: int | None = 10,
    title: str | None = None,
    max_rows: int | None = MAX_ROWS,
) -> Axes:
    """Share of each dominant emotion (columns) per touchpoint or stage (rows), annotated.

    Each row is labelled with its number of scored customer messages (``n``, the base of its
    shares) and, where there are any, those left unscored ("n=35 +20 not scored": another
    language, no text); a touchpoint none of whose messages was scored has no row and is named
    under the table instead of left out unseen. The colour scale runs to the
    largest share among rows of at least :data:`MIN_ROW_VOLUME` messages (where there are
    any), so a row of one message at 100% does not wash out the others (its cell is drawn at
    the darkest shade, its number written in it).

    Args:
        js: scored journeys.
        level: the rows: ``"touchpoint"``, ``"stage"`` or ``"topic"`` (after
            :func:`~journeymap.assign_topics`).
        ax: the Axes to draw on (default: a new figure sized to the table).
        top: how many emotions get a column (a positive whole number), the most frequent
            overall; the rest are ``other``. None: every emotion, as ``top=None`` is every row
            in :func:`~journeymap.pain_points`.
        title: the title; None: "Emotions by <level>" (and the note on the rows left out), ``""``: none.
        max_rows: the most rows drawn (a positive whole number; default :data:`MAX_ROWS`, 30),
            those of the most scored customer messages, in the order they would have (stages in
            their order, touchpoints and topics by volume); the title then says how many of
            how many are shown ("30 of 200 touchpoints, the busiest by scored messages"). None:
            every row, on a figure as tall as they need (200 touchpoints: 8,100 pixels).

    Examples:
        >>> import journeymap as jm
        >>> from journeymap.testing.data import planted_scores
        >>> js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(40, seed=0)))
        >>> ax = jm.plot.emotion_heatmap(js, level="stage")
        >>> [t.get_text() for t in ax.get_yticklabels()][0].split(" (n=")[0], ax.get_title()
        ('contact', 'Emotions by stage')
        >>> ax = jm.plot.emotion_heatmap(js, top=None, title="")  # every emotion a column, no title
        >>> len(ax.get_xticklabels()) == js.events["emotion"].nunique(), ax.get_title()
        (True, '')
        >>> ax = jm.plot.emotion_heatmap(js, max_rows=2)  # the two touchpoints of the most scored messages
        >>> len(ax.get_yticklabels()), " ".join(ax.get_title().split())
        (2, 'Emotions by touchpoint (2 of 6 touchpoints, the busiest by scored messages)')
    """
    if top is not None:
        check_count(top, "top", minimum=1, what="number of emotions")
    _check_max_rows(max_rows)
    shares, shown_of = _busiest_rows(stage_shares(js, level=level, top=top), max_rows, level)
    # at least MIN_SIZE: a figure sized for no rows cannot hold the note that there are none
    width, height = 1.0 + 0.8 * shares.shape[1], 1.2 + 0.5 * shares.shape[0]
    ax = _theme.get_ax(ax, figsize=(max(MIN_SIZE[0], width), max(MIN_SIZE[1], height)))
    unread = _unread_note(shares.attrs.get("unread", {}))
    if shares.empty:
        return _theme.empty(ax, "scored customer messages", unread, title=title)
    grid = shares.to_numpy(dtype=float)
    n = np.asarray(shares.attrs["n"], dtype=np.int64)
    # the scale is the rows' of MIN_ROW_VOLUME messages or more: one message makes a 100% cell
    # that would turn every row of real volume pale (a smaller row's darker cells are clipped)
    sized = grid[n >= MIN_ROW_VOLUME] if (n >= MIN_ROW_VOLUME).any() else grid
    top_share = max(0.01, float(sized.max()))
    image = ax.imshow(grid, cmap="Blues", vmin=0, vmax=top_share, aspect="auto")
    # each number black or white by its cell's own colour (as drawn: a clipped share takes the darkest), 4.5:1 or more
    # on it; white above half the scale was 2.4:1 on Blues' mid blues
    fills = np.asarray(image.cmap(image.norm(grid)))
    for i in range(grid.shape[0]):
        for j in range(grid.shape[1]):
            v = float(grid[i, j])
            ax.text(j, i, f"{v:.0%}", ha="center", va="center", fontsize=8, color=_theme.ink(fills[i, j]))
    ax.set_xticks(np.arange(shares.shape[1]), [_theme.wrap(str(c), 12) for c in shares.columns], rotation=45, ha="right")
    labels = [_row_label(r, k, u) for r, k, u in zip(shares.index, n, shares.attrs["unscored"])]
    ax.set_yticks(np.arange(shares.shape[0]), labels)
    ax.figure.colorbar(image, ax=ax, shrink=0.8, label="share of the row's\nscored customer messages")
    if unread:  # a row none of whose messages was scored has no shares: named, not dropped unseen
        ax.set_xlabel(_theme.wrap(unread, 60, name=False), fontsize=8, color="#666666")
    _capped_title(ax, title, f"Emotions by {level}", shown_of)
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    _theme.style(ax)
    return ax


@dispatch(name="plot.emotion_mix")
def emotion_mix(
    js: JourneySet,
    *,
    level: Level = "touchpoint",
    ax: Axes | None = None,
    top: int | None = 8,
    title: str | None = None,
    max_rows: int | None = MAX_ROWS,
) -> Axes:
    """Stacked shares of the dominant emotions per touchpoint (or stage), one bar each.

    Colours follow each emotion's valence in the scores' taxonomy (``js.taxonomy.valence``):
    blue positive, red negative (the more negative or positive, the darker, by rank among the
    emotions shown, so that no two look alike: :func:`mix_colours`), grey for valence 0 and for
    labels the taxonomy does not know. Each row is labelled with its number of scored messages
    (``n``) and those left unscored, and a touchpoint with none scored is named under the bars,
    as in :func:`emotion_heatmap`; a
    row of fewer than :data:`MIN_ROW_VOLUME` messages is hatched in white over its colours (the
    legend says so): four messages at 25% each are no mix to compare (drawn faded, its colours
    no longer matched the legend's). The segments run by valence (:func:`mix_order`): negative
    from the most negative, then neutral and ``other``, then positive, as a diverging stacked bar.

    Args:
        js: scored journeys.
        level: one bar per ``"touchpoint"``, ``"stage"`` or ``"topic"`` (after
            :func:`~journeymap.assign_topics`).
        ax: the Axes to draw on (default: a new figure sized to the bars).
        top: how many emotions get a colour (a positive whole number), the most frequent
            overall; the rest are ``other``. None: every emotion.
        title: the title; None: "Emotion mix by <level>" (and the note on the rows left out), ``""``: none.
        max_rows: the most bars drawn (default :data:`MAX_ROWS`; None: every one), those of the
            most scored customer messages, as in :func:`emotion_heatmap`; the title says how
            many of how many are shown.

    Examples:
        >>> import journeymap as jm
        >>> from journeymap.testing.data import planted_scores
        >>> js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(40, seed=0)))
        >>> ax = jm.plot.emotion_mix(js)
        >>> len(ax.get_yticklabels()) == js.events.loc[js.events["valence"].notna(), "touchpoint"].nunique()
        True
        >>> jm.plot.emotion_mix(js, level="stage").get_yticklabels()[0].get_text().split(" (n=")[0]
        'contact'
    """
    if top is not None:
        check_count(top, "top", minimum=1, what="number of emotions")
    _check_max_rows(max_rows)
    shares, shown_of = _busiest_rows(stage_shares(js, level=level, top=top), max_rows, level)
    valence = js.taxonomy.valence if js.taxonomy is not None else {}
    ax = _theme.get_ax(ax, figsize=(9, 1.5 + 0.6 * shares.shape[0]))
    unread = _unread_note(shares.attrs.get("unread", {}))
    if shares.empty:
        return _theme.empty(ax, "scored customer messages", unread, title=title)
    colours = mix_colours([str(c) for c in shares.columns], valence)
    n = np.asarray(shares.attrs["n"], dtype=np.int64)
    few = n < MIN_ROW_VOLUME  # too few messages to read a mix from: hatched (its colours kept), as the legend says
    left = np.zeros(shares.shape[0])
    y = np.arange(shares.shape[0])
    for emotion in mix_order([str(c) for c in shares.columns], valence):
        colour = colours[emotion]
        widths = shares[emotion].to_numpy()
        bars = ax.barh(y, widths, left=left, color=colour, edgecolor="white", label=emotion)
        for bar, w, faded in zip(bars, widths, few):
            if faded:  # faded, gratitude turned the grey of "other": the colour stays, white hatching says "few"
                bar.set_hatch(FEW_HATCH)
            if w >= 0.07:
                box = {**_PERCENT_BOX, "facecolor": colour} if faded else None  # the stripes kept off the digits
                ax.text(bar.get_x() + w / 2, bar.get_y() + bar.get_height() / 2, f"{w:.0%}", ha="center", va="center",
                        fontsize=7, color=_theme.ink(colour), bbox=box)  # fmt: skip
        left += widths
    ax.set_yticks(y, [_row_label(r, k, u) for r, k, u in zip(shares.index, n, shares.attrs["unscored"])])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    # the base is the scored messages: those left unscored are counted in the row labels, rows without any named below
    ax.set_xlabel("share of the row's scored customer messages" + (f"\n{_theme.wrap(unread, 90, name=False)}" if unread else ""))
    # beside the bars: below them it covered the axis label on a figure of few rows
    handles, _ = ax.get_legend_handles_labels()
    if few.any():
        from matplotlib.patches import Patch

        label = f"row of fewer than {MIN_ROW_VOLUME}\nmessages (hatched)"
        handles.append(Patch(facecolor=_theme.NEUTRAL, edgecolor="white", hatch=FEW_HATCH, label=label))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    _capped_title(ax, title, f"Emotion mix by {level}", shown_of)
    _theme.style(ax)
    return ax
