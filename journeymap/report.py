"""One self-contained HTML report: :func:`report`."""

from __future__ import annotations

import base64
import html
import io
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from journeymap.analytics import journey_graph, journey_metrics, pain_points, touchpoint_summary, triage
from journeymap.backends import dispatch

if TYPE_CHECKING:
    from journeymap.journeys import JourneySet

logger = logging.getLogger(__name__)

__all__ = ["report"]

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1100px;color:#222}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
img{max-width:100%;height:auto}table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}
th,td{border-bottom:1px solid #eee;padding:.25rem .5rem;text-align:left;vertical-align:top}
.note{color:#666;font-size:.85rem}
"""


def _png(ax: Any) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    ax.figure.savefig(buffer, format="png", dpi=80)
    plt.close(ax.figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _figure(ax: Any, alt: str) -> str:
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{_png(ax)}">'


def _table(frame: pd.DataFrame, *, max_rows: int = 15) -> str:
    shown = frame.head(max_rows).copy()
    for col in shown.columns:
        if pd.api.types.is_float_dtype(shown[col].dtype):
            shown[col] = shown[col].round(3)
    return shown.to_html(escape=True, border=0, na_rep="", index=True)


@dispatch
def report(
    js: JourneySet, path: str | Path, *, title: str = "Customer emotion journey report", examples: int = 3, seed: int = 0
) -> Path:
    """Write one self-contained HTML file: journey map, graph, pain points, triage, time patterns, examples.

    Figures are embedded as PNG data URIs and the page loads nothing from the network. Every
    piece of customer text (and every label from the data) is HTML-escaped, so a tweet containing
    ``<script>`` shows as text.

    Args:
        js: scored journeys.
        path: the HTML file to write (its folder is created).
        title: the page title.
        examples: how many example journeys to draw (the most negative-to-positive recoveries first).
        seed: the seed of the intervals' bootstrap resamples and of the graph layout.

    Returns:
        The path written.

    Example:
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

    with mpl.rc_context({"backend": "Agg"}):
        metrics = journey_metrics(js)
        sections = [f"<h1>{html.escape(title)}</h1>"]
        sections.append(
            f'<p class="note">{len(js):,} journeys, {len(js.events):,} events, '
            f"{int(js.events['valence'].notna().sum()):,} scored messages; scorer "
            f"{html.escape(', '.join(js.events['scorer'].dropna().unique()[:3]))}.</p>"
        )
        sections += ["<h2>Journey map</h2>", _figure(plot.journey_map(js, seed=seed), "journey map")]
        sections += ["<h2>Pain points</h2>", _table(pain_points(js, seed=seed))]
        sections += ["<h2>Touchpoints</h2>", _table(touchpoint_summary(js, seed=seed))]
        graph = journey_graph(js, level="stage", seed=seed)
        sections += ["<h2>Journey graph</h2>", _figure(plot.graph(graph, seed=seed), "journey graph")]
        open_items = triage(js, top=20)[["rank", "priority", "customer_id", "timestamp", "text", "emotion", "reason"]]
        sections += ["<h2>Triage: open messages, most urgent first</h2>", _table(open_items.set_index("rank"), max_rows=20)]
        sections += ["<h2>When customers write</h2>", _figure(plot.time_patterns(js), "time patterns")]
        sections += ["<h2>Emotions by stage</h2>", _figure(plot.emotion_mix(js, level="stage"), "emotion mix")]
        sections.append("<h2>Example journeys</h2>")
        ranked = metrics[metrics["n_customer_steps"] >= 2].sort_values(
            ["recovered", "net_change", "n_steps"], ascending=[False, False, False]
        )
        for journey_id in ranked.index[:examples]:
            sections.append(_figure(plot.journey(js[str(journey_id)]), f"journey {journey_id}"))
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">"
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>\n" + "\n".join(sections) + "\n</body></html>\n"
    )
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    logger.info("wrote the report to %s", out)
    return out
