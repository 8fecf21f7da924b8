"""The aggregated journey map: :func:`journey_map`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np

from journeymap.backends import dispatch
from journeymap.plot import _theme
from journeymap.plot._stats import journey_map_table

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from journeymap.journeys import JourneySet

__all__ = ["journey_map"]


@dispatch(name="plot.journey_map")
def journey_map(
    js: JourneySet,
    *,
    level: Literal["touchpoint", "topic"] = "touchpoint",
    ax: Axes | None = None,
    # pain points
    top_pains: int = 3,
    # the interval
    seed: int = 0,
    title: str | None = None,
) -> Axes:
    """The classic journey-map layout, drawn from data.

    Stages run along x (bands, named on top) with their touchpoints beneath; the emotion lane
    shows each touchpoint's mean customer valence with its 95% interval (the one
    :func:`~journeymap.touchpoint_summary` reports; bootstrap resamples drawn with ``seed``),
    marker size by volume and colour on the valence scale; the ``top_pains`` (stage, touchpoint)
    cells of highest impact (volume x negativity, as in :func:`~journeymap.pain_points`) are
    ringed and labelled; the highest and lowest points are called out. ``level="topic"`` puts
    the customers' topics (from :func:`~journeymap.assign_topics`) beneath the stages instead of
    the touchpoints.

    Example:
        >>> import journeymap as jm
        >>> from journeymap.testing.data import planted_scores
        >>> js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(60, seed=0)))
        >>> ax = jm.plot.journey_map(js)
        >>> labels = [t.get_text() for t in ax.get_xticklabels()]
        >>> "billing" in {labels[round(a.xy[0])] for a in ax.texts if a.get_gid() == "annotation-pain"}
        True
    """
    table = journey_map_table(js, level=level, top_pains=top_pains, seed=seed)
    ax = _theme.get_ax(ax, figsize=(max(8.0, 0.9 * len(table) + 2), 5))
    if table.empty:
        return _theme.empty(ax, "scored customer messages")
    x = table["x"].to_numpy()
    for n, (stage, group) in enumerate(table.groupby("stage", sort=False)):
        lo, hi = group["x"].min() - 0.5, group["x"].max() + 0.5
        ax.axvspan(lo, hi, color="#f4f4f4" if n % 2 == 0 else "#e4e4e4", lw=0, zorder=0)
        ax.text((lo + hi) / 2, 1.04, _theme.wrap(str(stage), 14), ha="center", va="bottom", fontsize=9, fontweight="bold")
    ax.axhline(0, color=_theme.NEUTRAL, lw=0.8, ls="--", zorder=1)
    ax.fill_between(x, table["ci_low"], table["ci_high"], color=_theme.CUSTOMER, alpha=0.15, lw=0, zorder=1)
    ax.plot(x, table["mean_valence"], color=_theme.CUSTOMER, lw=1.5, zorder=2)
    sizes = 40 + 360 * (table["volume"] / table["volume"].max())
    points = ax.scatter(
        x, table["mean_valence"], s=sizes, c=table["mean_valence"], cmap=_theme.valence_cmap(),
        norm=_theme.valence_norm(), edgecolors="#333333", linewidths=0.6, zorder=3,
    )  # fmt: skip
    points.set_gid("touchpoints")
    pains = table[table["pain_point"]]
    ax.scatter(pains["x"], pains["mean_valence"], s=sizes[pains.index] * 2.2, facecolors="none",
               edgecolors=_theme.LOW, linewidths=1.8, zorder=4, label="pain point")  # fmt: skip
    for _, row in pains.iterrows():
        ax.annotate("pain point", xy=(row["x"], row["mean_valence"]), xytext=(0, -22), textcoords="offset points",
                    ha="center", va="top", fontsize=8, color=_theme.LOW, fontweight="bold", gid="annotation-pain")  # fmt: skip
    high, low = int(np.argmax(table["mean_valence"].to_numpy())), int(np.argmin(table["mean_valence"].to_numpy()))
    for pos, tag, colour, preferred in ((high, "high", _theme.HIGH, 16), (low, "low", _theme.LOW, -34)):
        row = table.iloc[pos]
        dy = -46 if tag == "low" and row["pain_point"] else preferred
        ax.annotate(f"{tag} {row['mean_valence']:+.2f}", xy=(row["x"], row["mean_valence"]), xytext=(0, dy),
                    textcoords="offset points", ha="center", fontsize=8, color=colour, gid=f"annotation-{tag}")  # fmt: skip
    ax.set_xticks(x, [_theme.wrap(str(t), 12) for t in table[level]])
    ax.set_xlim(x.min() - 0.5, x.max() + 0.5)
    ax.set_ylim(-1.05, 1.0)
    ax.set_ylabel("mean customer valence (95% interval)")
    ax.set_title(title if title is not None else f"Customer journey map: how customers feel at each stage and {level}", pad=30)
    for volume in sorted({int(table["volume"].max()), int(np.median(table["volume"]))}):
        ax.scatter([], [], s=40 + 360 * volume / table["volume"].max(), color=_theme.NEUTRAL, label=f"{volume:,} messages")
    ax.legend(loc="lower left", ncols=3, scatterpoints=1)
    _theme.style(ax)
    return ax
