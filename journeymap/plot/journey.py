"""One journey's emotional curve: :func:`journey`."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

import numpy as np

from journeymap.analytics._checks import check_count
from journeymap.exceptions import ArgumentTypeError, SchemaError
from journeymap.model import Journey
from journeymap.plot import _theme
from journeymap.plot._stats import extremes, journey_curve

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.transforms import Bbox

__all__ = ["MAX_TICKS", "journey"]

#: A journey with more steps than this gets at most this many x tick labels (every step is
#: labelled up to it): one label per step made a 100,000-step journey take over a minute to draw.
MAX_TICKS = 30
#: Where unscored steps are drawn: a lane below the valence scale, labelled "replies" (the brand's
#: unscored replies), "not scored" (customer messages left unscored: no text, another language) or both.
REPLY_LANE = -1.1


def journey(
    journey: Journey,
    *,
    ax: Axes | None = None,
    # annotations
    quote_chars: int = 48,
    title: str | None = None,
) -> Axes:
    """Plot a journey's valence over its steps, with stage bands, highs and lows.

    Customer messages are blue circles joined by the curve; brand replies are orange triangles
    on the baseline; customer messages left unscored (no text, a language the scorer does not
    cover: see ``score_note``) are hollow circles on a lane below the scale, not on the curve;
    the highest and lowest moments carry a shortened quote of what was said, in a light box,
    placed clear of the curve and of the replies' lane below -1 (none where the customer's curve
    has a single point or is flat); a moment is called high only above
    :data:`~journeymap.schema.POSITIVE_VALENCE` and low only below
    :data:`~journeymap.schema.NEGATIVE_VALENCE`, else named in grey
    (:func:`~journeymap.plot._theme.callout_tag`: "highest (neutral)", "lowest (neutral)" inside
    that band whatever the sign, "least negative" on an all-negative curve, "least positive" on an
    all-positive one), so that neither a complaint nor a neutral question is called a high; the
    quotes' words are drawn in darker shades of their arrows' green (high), vermillion (low) or
    grey (:func:`~journeymap.plot._theme.text_shade`: 4.5:1 or more against their box); the
    customer's last scored message, where their curve ends (``end_valence`` of
    :func:`~journeymap.journey_metrics`), is ringed and labelled ``end``; the legend names only
    the marks drawn.
    Up to :data:`MAX_TICKS` steps every step is labelled on the x axis; a longer journey gets at
    most that many tick labels. Each stage's name is fitted to its band as drawn (wrapped
    narrower), or, where it fits no wrapping, replaced by a letter named in the legend.

    Args:
        journey: a scored :class:`~journeymap.model.Journey` (``js[journey_id]``): SchemaError
            where it has customer messages and none is scored.
        ax: the Axes to draw on (default: a new figure).
        quote_chars: quotes are cut to this many characters.
        title: the title (default: the journey and customer ids; "brand broadcast" instead of
            the customer where only the brand wrote); ``""``: none.

    Returns:
        The Axes.

    Examples:
        >>> import journeymap as jm
        >>> from journeymap.testing.data import planted_scores
        >>> js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(20, seed=0)))
        >>> journey = js[js.journey_ids[0]]
        >>> ax = jm.plot.journey(journey)
        >>> [int(x) for x in ax.get_xticks()] == [i.step for i in journey.interactions]
        True
        >>> [t.get_text() for t in ax.get_legend().get_texts()]
        ['customer', 'brand reply', 'end']
    """
    if not isinstance(journey, Journey):
        hint = ": pick one with js[journey_id]" if type(journey).__name__ == "JourneySet" else ""
        msg = f"journey needs one Journey (js[journey_id]), got {type(journey).__name__}{hint}"
        raise ArgumentTypeError(msg)
    check_count(quote_chars, "quote_chars", minimum=1, what="number of characters")
    curve = journey_curve(journey)
    _require_scored(journey, curve)
    ax = _theme.get_ax(ax, figsize=(9, 4.5))
    steps = curve["step"].to_numpy()
    stage_names = _stage_bands(ax, steps, curve["stage"].fillna("").to_numpy())
    ax.axhline(0, color=_theme.NEUTRAL, lw=0.8, ls="--", zorder=1)
    _marks(ax, curve)
    high, low = extremes(curve[~curve["is_brand"].astype(bool)])  # the customer's highs and lows
    valence = curve["valence"].to_numpy(dtype=float)
    if high is None or low is None or valence[high] == valence[low]:
        high = low = None  # one scored point, or a flat curve: nothing is high or low
    quotes = [
        _callout(ax, curve.iloc[pos], kind, steps, quote_chars) for pos, kind in ((high, "high"), (low, "low")) if pos is not None
    ]
    # the end of the customer's curve, as journey_metrics' end_valence reads it: their last scored
    # message (a brand reply after it is no feeling of theirs); the last step where none is scored
    felt = curve[~curve["is_brand"].astype(bool) & curve["valence"].notna()]
    end = felt.iloc[-1] if len(felt) else curve.iloc[-1]
    end_y = float(end["valence"]) if not np.isnan(end["valence"]) else REPLY_LANE  # unscored: on its lane
    ax.scatter([end["step"]], [end_y], s=160, facecolors="none", edgecolors="black", lw=1.2, zorder=4, label="end")
    ax.set_xlim(steps.min() - 0.5, steps.max() + 0.5)
    ax.set_ylim(-1.25, 1.15)
    if len(steps) <= MAX_TICKS:
        ax.set_xticks(steps)
    else:  # a long journey: a bounded number of integer ticks, not one per step
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(nbins=MAX_TICKS // 2, integer=True))
    ax.set_xlabel("step")
    ax.set_ylabel("valence")
    unscored = curve["valence"].isna().to_numpy(dtype=bool)
    brand_rows = curve["is_brand"].astype(bool).to_numpy()
    if unscored.any():
        # the unscored steps sit on a lane of their own below -1, named on the axis: no valence of -1.1
        lane = {(True, False): "replies", (False, True): "not scored", (True, True): "not scored"}
        name = lane[(bool((unscored & brand_rows).any()), bool((unscored & ~brand_rows).any()))]
        ax.axhline(REPLY_LANE + 0.06, color="#cccccc", lw=0.6, zorder=0)
        ax.set_yticks([REPLY_LANE, -1.0, -0.5, 0.0, 0.5, 1.0], [name, "-1.0", "-0.5", "0.0", "0.5", "1.0"])
    _theme.set_title(ax, title, default_title(journey, curve), pad=22)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncols=3)
    _theme.style(ax)
    keys = _fit_stage_names(ax, stage_names)  # in the final layout
    if keys:  # the names of stages too narrow to hold them, after the marks
        from matplotlib.lines import Line2D

        handles, _ = ax.get_legend_handles_labels()
        handles += [Line2D([], [], color="none", label=key) for key in keys]
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncols=3)
    _place_quotes(ax, quotes)  # in the final layout
    return ax


#: How far (valence) a quote is placed from its point, first: then nearer, further, and on the other side, where it
#: would cross the curve, leave the scale (-1 .. the plot's top) or meet the replies' lane below -1.
QUOTE_OFFSETS = (0.32, 0.2, 0.1, 0.5, 0.7, 0.9, 1.1)
#: Sideways shifts (in widths of the quote's box) tried where no height alone clears the curve.
QUOTE_SHIFTS = (0.0, -0.5, 0.5, -1.0, 1.0)


def _callout(ax: Axes, row: pd.Series, kind: str, steps: np.ndarray, quote_chars: int) -> Any:
    """The quote at the curve's high or low (``kind``), named by :func:`~journeymap.plot._theme.callout_tag`, in a light box.

    Placed beside its point here; :func:`_place_quotes` moves it once the figure is laid out.
    """
    from journeymap.plot.journey_map import CALLOUT_BOX

    y = float(row["valence"])
    tag, colour = _theme.callout_tag(kind, y)
    preferred = QUOTE_OFFSETS[0] if kind == "high" else -QUOTE_OFFSETS[0]
    # no room beyond the point: put the quote on the inner side
    offset = preferred if abs(y + preferred) <= 0.95 else -preferred
    va = "bottom" if offset > 0 else "top"
    text = f"{tag}: “{_theme.shorten(row['text'], quote_chars)}”"
    edge = "center"
    if len(steps) > 1 and row["step"] == steps.max():
        edge = "right"
    elif row["step"] == steps.min():
        edge = "left"
    return ax.annotate(
        _theme.wrap(text, 30, name=False), xy=(row["step"], y), xytext=(row["step"], np.clip(y + offset, -1.0, 1.0)),
        ha=edge, va=va, fontsize=8, color=_theme.text_shade(colour), gid=f"annotation-{kind}", bbox=CALLOUT_BOX, zorder=5,
        arrowprops={"arrowstyle": "-", "color": colour, "lw": 0.8},
    )  # fmt: skip


def _place_quotes(ax: Axes, quotes: list[Any]) -> None:
    """Each quote inside the Axes where it crosses neither the curve nor the other quote, between -1 and the plot's top.

    Measured after the figure's layout. Tried at :data:`QUOTE_OFFSETS` from its point, on its own
    side first, then on the other, then against the plot's top (a high) or -1 (a low), where a
    dense curve leaves a band free; then moved sideways (:data:`QUOTE_SHIFTS`). Every try is
    first moved sideways into the Axes: a quote at the customer's last message, with a brand reply
    after it, hung past the plot's right edge, and on a small Axes over the stage names above it.
    Where no place is clear of the curve, the one crossing it least (its box keeps the words
    legible). Below -1 lies the lane of the brand's replies: a low quote hanging from -0.6 ran
    into the triangles there.
    """
    from matplotlib.figure import Figure

    figure = ax.get_figure()
    if figure is None or not quotes:
        return
    root = figure if isinstance(figure, Figure) else figure.figure
    root.draw_without_rendering()
    frame = ax.get_window_extent()
    floor = float(ax.transData.transform((0, -1.0))[1])
    curve = next((line for line in ax.lines if line.get_label() == "_curve"), None)
    path = (
        curve.get_transform().transform_path(curve.get_path()) if curve is not None and np.size(curve.get_xdata()) > 1 else None
    )
    pad = 2 * root.dpi / 72
    top = float(ax.transData.inverted().transform((0, frame.y1 - pad))[1])
    placed: list[Bbox] = []
    for quote in quotes:
        x, y = quote.xy
        first = 1.0 if quote.get_gid() == "annotation-high" else -1.0  # a high above its point, a low beneath it
        heights = [(y + side * d, "bottom" if side > 0 else "top") for side in (first, -first) for d in QUOTE_OFFSETS]
        heights.insert(len(QUOTE_OFFSETS), (top, "top") if first > 0 else (-1.0, "bottom"))  # the band at the edge
        best: tuple[float, float, float, str] | None = None
        for shift in QUOTE_SHIFTS:
            for at, va in heights:
                box, at_x = _try_quote(ax, quote, x=x, at=at, va=va, shift=shift, frame=frame, pad=pad)
                if box.y0 < floor - 0.5 or box.y1 > frame.y1 + 0.5 or box.x0 < frame.x0 - 0.5 or box.x1 > frame.x1 + 0.5:
                    continue
                crossed = 0.0
                if path is not None and path.intersects_bbox(box, filled=False):  # and how many points lie under the words
                    crossed = 1.0 + float(box.count_contains(path.vertices))
                crossed += 100.0 * sum(box.overlaps(o) for o in placed)
                if best is None or crossed < best[0]:
                    best = (crossed, at_x, at, va)
                if crossed == 0:
                    break
            if best is not None and best[0] == 0:
                break
        if best is None:  # no place inside the Axes (a tiny one): beside the point, clamped below
            best = (0.0, x, float(np.clip(y + first * QUOTE_OFFSETS[0], -1.0, 1.0)), "bottom" if first > 0 else "top")
        _, at_x, at, va = best
        box, _ = _try_quote(ax, quote, x=at_x, at=at, va=va, shift=0.0, frame=frame, pad=pad)
        placed.append(box)


def _try_quote(
    ax: Axes, quote: Any, *, x: float, at: float, va: str, shift: float, frame: Bbox, pad: float
) -> tuple[Bbox, float]:
    """``quote`` moved to ``(x, at)``, shifted ``shift`` of its width, then into ``frame``: its box and its x (data).

    The box is the words', padded by ``pad`` (not the line to its point); moved sideways into the
    frame (and up or down where it sticks out), the left edge kept where it is wider.
    """
    from matplotlib.text import Text

    quote.set_verticalalignment(va)
    quote.set_position((x, at))
    box = Text.get_window_extent(quote).padded(pad)
    dx = shift * box.width
    dx -= max(0.0, box.x1 + dx - frame.x1)  # into the frame: its right edge, then its left (a box wider than the frame)
    dx += max(0.0, frame.x0 - (box.x0 + dx))
    dy = max(0.0, frame.y0 - box.y0) - max(0.0, box.y1 - frame.y1)
    if dx or dy:
        px, py = ax.transData.transform((x, at))
        x, at = (float(v) for v in ax.transData.inverted().transform((px + dx, py + dy)))
        quote.set_position((x, at))
        box = Text.get_window_extent(quote).padded(pad)
    return box, x


def _require_scored(journey: Journey, curve: pd.DataFrame) -> None:
    """SchemaError where the customer wrote something to score and nothing is scored: its curve would be empty."""
    texts = curve.loc[~curve["is_brand"].astype(bool), "text"]
    if curve["valence"].isna().all() and texts.map(lambda t: isinstance(t, str) and bool(t.strip())).any():
        msg = (
            f"journey needs emotion scores, and no message of journey {journey.journey_id!r} is scored: "
            "run journeymap.score(js) first; where score left its messages unscored (their score_note says why: "
            "a language the scorer does not cover, say), route them to a scorer that covers them "
            "(jm.score(js, scorer={'en': 'default', '*': <a multilingual model>}))"
        )
        raise SchemaError(msg)


def _marks(ax: Axes, curve: pd.DataFrame) -> None:
    """The customer's curve and points, and the brand's replies; the legend lists only the marks drawn."""
    scored = curve[curve["valence"].notna()]
    customer = scored[~scored["is_brand"]]
    # the curve is the customer's; scored brand replies (score(..., agents=True)) are markers beside it
    ax.plot(customer["step"], customer["valence"], color=_theme.CUSTOMER, lw=1.8, zorder=2, label="_curve")
    if len(customer):
        ax.scatter(customer["step"], customer["valence"], s=55, color=_theme.CUSTOMER, zorder=3, label="customer")
    brand_scored = scored[scored["is_brand"]]
    brand = curve[curve["is_brand"] & curve["valence"].isna()]  # unscored replies: on the baseline
    if len(brand_scored):
        ax.scatter(brand_scored["step"], brand_scored["valence"], s=55, marker="^", color=_theme.BRAND, zorder=3,
                   label="_brand scored" if len(brand) else "brand reply")  # fmt: skip
    if len(brand):
        lane = np.full(len(brand), REPLY_LANE)
        ax.scatter(brand["step"], lane, marker="^", s=60, color=_theme.BRAND, zorder=3, label="brand reply")
    silent = curve[~curve["is_brand"].astype(bool) & curve["valence"].isna()]  # customer messages left unscored
    if len(silent):
        ax.scatter(silent["step"], np.full(len(silent), REPLY_LANE), s=55, facecolors="none", edgecolors=_theme.CUSTOMER,
                   lw=1.2, zorder=3, label="customer, not scored")  # fmt: skip


def default_title(journey: Journey, curve: pd.DataFrame) -> str:
    """``journey <id> (customer <id>)``, or ``(brand broadcast)`` when no customer wrote in it."""
    if not len(curve) or curve["is_brand"].astype(bool).all():
        return _theme.literal(f"journey {journey.journey_id} (brand broadcast)")
    return _theme.literal(f"journey {journey.journey_id} (customer {journey.customer.id})")


def _stage_bands(ax: Axes, steps: np.ndarray, stages: np.ndarray) -> list[tuple[Any, float, float, str]]:
    """A shaded band per run of equal stages, named above the plot; neighbouring bands differ in shade.

    Returns each name drawn, with its band's left and right edges (steps) and the stage, for
    :func:`_fit_stage_names` to measure once the figure is laid out.
    """
    # one band per run of equal stages (change points found with NumPy, not per step)
    bounds = np.r_[0, np.flatnonzero(stages[1:] != stages[:-1]) + 1, len(stages)] if len(stages) else np.zeros(1, dtype=int)
    band = 0
    names: list[tuple[Any, float, float, str]] = []
    for start, stop in itertools.pairwise(bounds):
        if stages[start]:
            # alternate by the band's count (not the parity of its first step), so neighbours never share a shade
            shade = "#f2f2f2" if band % 2 == 0 else "#e0e0e0"
            band += 1
            lo, hi = float(steps[start]) - 0.5, float(steps[stop - 1]) + 0.5
            ax.axvspan(lo, hi, color=shade, zorder=0, lw=0)
            if len(bounds) <= MAX_TICKS + 1:
                text = ax.text(
                    (steps[start] + steps[stop - 1]) / 2, 1.01, _theme.wrap(str(stages[start]), 16),
                    ha="center", va="bottom", fontsize=8, color="#555555", transform=ax.get_xaxis_transform(), gid="stage-name",
                )  # fmt: skip
                names.append((text, lo, hi, str(stages[start])))
    return names


#: Points kept free between the names of neighbouring stage bands.
NAME_GAP = 3.0


def _fit_stage_names(ax: Axes, names: list[tuple[Any, float, float, str]]) -> list[str]:
    """Each stage's name fitted to its band, as drawn: wrapped narrower (two lines at most), else a letter.

    Measured with the figure's renderer after its layout, as :func:`journey_map` fits its tick
    labels: a one-step band is about 0.3 inch wide, and "contact" and "first response" centred
    over two of them read "confirstresponse". A name that fits no narrower wrapping is replaced
    by a letter (A, B, ...); the letters are returned as "A: first response", for the legend;
    where not even a letter fits, nothing is drawn over the band and the legend gives its steps
    ("step 2: first response").
    """
    from matplotlib.figure import Figure

    figure = ax.get_figure()
    if figure is None or not names:
        return []
    root = figure if isinstance(figure, Figure) else figure.figure  # a subfigure is laid out with its figure
    root.draw_without_rendering()
    gap = NAME_GAP * root.dpi / 72
    keys: dict[str, str] = {}
    unnamed: list[str] = []
    for text, lo, hi, stage in names:
        room = abs(float(ax.transData.transform((hi, 0))[0] - ax.transData.transform((lo, 0))[0])) - gap
        for width in (16, 12, 10, 8, 6):
            label = _theme.wrap(stage, width)
            text.set_text(label)
            if label.count("\n") < 2 and text.get_window_extent().width <= room:
                break
        else:  # no wrapping fits the band: a letter, the name in the legend (one letter per stage, however often it recurs)
            text.set_text("W")  # as wide as a letter is
            if text.get_window_extent().width <= room:
                text.set_text(keys.setdefault(stage, chr(ord("A") + len(keys)) if len(keys) < 26 else "*"))
            else:  # not even a letter: no mark, the legend gives its steps
                text.set_visible(False)
                first, last = round(lo + 0.5), round(hi - 0.5)
                where = f"step {first}" if first == last else f"steps {first}-{last}"
                unnamed.append(f"{where}: {_theme.wrap(stage, 40)}")
    return [f"{key}: {_theme.wrap(stage, 40)}" for stage, key in keys.items()] + unnamed
