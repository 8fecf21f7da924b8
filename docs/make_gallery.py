"""Render the chart gallery for the docs: ``python docs/make_gallery.py [OUT_DIR]``.

Uses the built-in synthetic data set scored with the default model (offline), and the TWCS
sample in ../shared/data when it is beside the checkout.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import matplotlib as mpl

mpl.use("Agg")

import journeymap as jm

logger = logging.getLogger("gallery")


def main(out: Path) -> None:
    """Write one PNG per chart into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    js = jm.score(jm.build_journeys(jm.datasets.service_journeys(300, seed=1)))
    metrics = jm.journey_metrics(js)
    example = metrics[metrics["recovered"] & (metrics["n_steps"] >= 6)].index[0]
    charts = {
        "journey.png": lambda: jm.plot.journey(js[example]),
        "journey_map.png": lambda: jm.plot.journey_map(js),
        "graph_stage.png": lambda: jm.plot.graph(jm.journey_graph(js, level="stage")),
        "emotion_heatmap.png": lambda: jm.plot.emotion_heatmap(js, level="stage"),
        "emotion_mix.png": lambda: jm.plot.emotion_mix(js, level="stage"),
        "time_patterns.png": lambda: jm.plot.time_patterns(js),
    }
    twcs = Path(__file__).resolve().parents[2] / "shared" / "data" / "twcs_sample" / "sample.csv"
    if twcs.is_file():
        tw = jm.score(jm.build_journeys(jm.read_twcs(twcs)))
        charts["graph_twcs.png"] = lambda: jm.plot.graph(jm.journey_graph(tw))
        charts["journey_twcs.png"] = lambda: jm.plot.journey(tw[str(tw.journeys["n_steps"].idxmax())])
    for name, draw in charts.items():
        ax = draw()
        ax.figure.savefig(out / name, dpi=80)
        mpl.pyplot.close(ax.figure)
        logger.info("wrote %s", out / name)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "gallery")
