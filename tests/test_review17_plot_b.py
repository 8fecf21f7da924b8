"""Review 17 (plots, b): emotion_mix's colours told apart, unscored messages counted on the emotion
charts, trends' small bases and empty line, count arguments checked, time_patterns' volume without
scores, and jm.score's warning counting messages."""

from __future__ import annotations

import logging

import matplotlib as mpl

mpl.use("Agg")
import matplotlib.colors as mc
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import journeymap as jm
from journeymap import Taxonomy
from journeymap.exceptions import ArgumentTypeError, InvalidArgumentError
from journeymap.schema import is_score_column
from journeymap.testing.data import planted_scores

#: The least CIELAB distance (ΔE 1976) between any two colours emotion_mix shows. About 2.3 is
#: the smallest difference seen between two patches side by side; a bar's segments are matched
#: to legend swatches apart from them, which needs several times that: 10 is the usual "clearly
#: different at a glance" of categorical palettes (the reported pair, #ec9374 and #e58368, is 6.5).
MIN_DELTA_E = 10.0


@pytest.fixture(autouse=True)
def _close() -> None:
    yield
    plt.close("all")


def lab(colour: object) -> np.ndarray:
    rgb = np.array(mc.to_rgb(colour))
    lin = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = m @ lin / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def closest_pair(ax: plt.Axes) -> tuple[float, str, str]:
    colours = {b.get_label(): b.patches[0].get_facecolor() for b in ax.containers}
    names = list(colours)
    return min(
        (float(np.linalg.norm(lab(colours[a]) - lab(colours[b]))), a, b) for i, a in enumerate(names) for b in names[i + 1 :]
    )


def unscore(events: pd.DataFrame, hit: np.ndarray) -> pd.DataFrame:
    """``events`` with the customer rows ``hit`` as jm.score leaves a text in a language it does not read."""
    out = events.copy()
    at = (out["actor"].astype("string") == "customer").fillna(False).to_numpy(dtype=bool) & hit
    for column in out.columns:
        if is_score_column(column) or column in ("valence", "emotion", "sentiment", "scorer"):
            out[column] = out[column].mask(at)
    return out


@pytest.fixture(scope="module")
def big() -> jm.JourneySet:
    return planted_scores(jm.build_journeys(jm.datasets.service_journeys(200, seed=0)))


# -- 1. emotion_mix: every two emotions shown clearly apart -----------------------------------------


@pytest.mark.parametrize(
    ("n", "seed", "options"),
    [(200, 0, {}), (200, 0, {"level": "stage"}), (80, 3, {"top": 8}), (120, 5, {"top": 4}), (60, 1, {"taxonomy": "ekman"})],
)
def test_emotion_mix_colours_differ_clearly(n: int, seed: int, options: dict[str, object]) -> None:
    taxonomy = options.pop("taxonomy", "goemotions")
    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(n, seed=seed)), taxonomy=taxonomy)  # type: ignore[arg-type]
    d, a, b = closest_pair(jm.plot.emotion_mix(js, **options))  # type: ignore[arg-type]
    assert d >= MIN_DELTA_E, (a, b, d)  # before: disappointment and nervousness 6.5 apart


def test_emotion_mix_keeps_reds_for_negative_and_blues_for_positive(big: jm.JourneySet) -> None:
    ax = jm.plot.emotion_mix(big)
    colours = {b.get_label(): mc.to_rgb(b.patches[0].get_facecolor()) for b in ax.containers}
    for name, v in big.taxonomy.valence.items():  # type: ignore[union-attr]
        if name in colours and v != 0:
            r, _, bl = colours[name]
            assert (r > bl) == (v < 0), name
    # the most negative shown is the darkest red
    assert lab(colours["anger"])[0] < min(lab(colours[e])[0] for e in ("annoyance", "disappointment", "nervousness"))


# -- 2. unscored messages on the emotion charts ------------------------------------------------------


@pytest.fixture(scope="module")
def half_read() -> jm.JourneySet:
    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(60, seed=1)))
    ev = js.events
    tp = ev["touchpoint"].astype("string")
    rng = np.random.default_rng(0)
    hit = ((tp == "billing") | ((tp == "refund") & (rng.random(len(ev)) < 0.5))).fillna(False).to_numpy(dtype=bool)
    return js.with_events(unscore(ev, hit))  # type: ignore[arg-type]


@pytest.mark.parametrize("chart", ["emotion_heatmap", "emotion_mix"])
def test_emotion_charts_count_unscored_and_name_rows_left_out(half_read: jm.JourneySet, chart: str) -> None:
    ax = getattr(jm.plot, chart)(half_read)
    summary = jm.touchpoint_summary(half_read)
    labels = {t.get_text().split(" (n=")[0].replace("\n", " "): t.get_text() for t in ax.get_yticklabels()}
    unscored = int(summary.loc["refund", "n_unscored"])
    assert unscored > 0
    assert labels["refund"].endswith(f"(n={int(summary.loc['refund', 'volume'])} +{unscored} not scored)")
    assert "not scored" not in labels[next(k for k in labels if k != "refund")]
    assert "billing" not in labels
    texts = [ax.get_xlabel(), *(t.get_text() for t in ax.figure.texts)]
    billing = int(summary.loc["billing", "n_unscored"])
    assert any(f"billing ({billing} not scored)" in t.replace("\n", " ") for t in texts), texts
    base = ax.get_xlabel() if chart == "emotion_mix" else ax.figure.axes[-1].get_ylabel()
    assert "scored customer messages" in base.replace("\n", " ")


# -- 3. trends: no line to draw, and small bases -----------------------------------------------------


def test_trends_says_when_nothing_is_scored() -> None:
    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(30, seed=0)))
    none = js.with_events(unscore(js.events, np.ones(len(js.events), dtype=bool)))  # type: ignore[arg-type]
    ax = jm.plot.trends(none, metric="share_negative")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["customer messages"]
    assert [t.get_text() for t in ax.right_ax.texts] == ["no scored customer messages to show"]


def test_trends_fades_a_value_on_few_scored_messages() -> None:
    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(30, seed=0)))
    table = jm.trends(js, freq="D")
    few = (table["scored"] > 0) & (table["scored"] < 3)
    assert few.any()
    ax = jm.plot.trends(js, freq="D", metric="share_negative")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "fewer than 3 scored messages (faded)" in labels
    solid = ax.right_ax.get_lines()[0].get_ydata()
    assert np.isnan(np.asarray(solid, dtype=float)[few.to_numpy()]).all()
    ax = jm.plot.trends(js, freq="D", metric="share_negative", min_count=1)
    assert not any("fewer than" in t.get_text() for t in ax.get_legend().get_texts())


def test_topic_trends_count_scored_messages_and_the_chart_fades_values_on_few() -> None:
    from journeymap.testing import HashingEncoder

    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(30, seed=0)))
    js = jm.assign_topics(js, encoder=HashingEncoder(), cache=False, n_topics=3)
    table = jm.topic_trends(js, freq="D")
    assert list(table.columns) == ["volume", "scored", "share", "share_negative", "mean_valence", "partial"]
    customer = js.events[(js.events["actor"] == "customer") & js.events["topic"].notna()]
    assert int(table["scored"].sum()) == int(customer["valence"].notna().sum())
    assert (table["scored"] <= table["volume"]).all()
    ax = jm.plot.topic_trends(js, freq="D", metric="share_negative", min_count=10_000)  # every value on too few
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "fewer than 10000 scored messages (faded)" in labels
    named = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert all(np.isnan(np.asarray(line.get_ydata(), dtype=float)).all() for line in named)  # nothing on the solid lines
    ax = jm.plot.topic_trends(js, freq="D", metric="share_negative", min_count=1)
    assert not any("fewer than" in t.get_text() for t in ax.get_legend().get_texts())
    ax = jm.plot.topic_trends(js, freq="D", metric="volume", min_count=10_000)  # counts are no share of a few
    assert not any("fewer than" in t.get_text() for t in ax.get_legend().get_texts())


# -- 4. count arguments ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "name", "error"),
    [
        (lambda js: jm.plot.emotion_heatmap(js, top=0), "top", InvalidArgumentError),
        (lambda js: jm.plot.emotion_heatmap(js, top=-1), "top", InvalidArgumentError),
        (lambda js: jm.plot.emotion_heatmap(js, top=2.5), "top", ArgumentTypeError),
        (lambda js: jm.plot.emotion_mix(js, top=-1), "top", InvalidArgumentError),
        (lambda js: jm.plot.journey_map(js, top_pains=-1), "top_pains", InvalidArgumentError),
        (lambda js: jm.plot.topic_trends(js, top=-2), "top", InvalidArgumentError),
        (lambda js: jm.plot.time_patterns(js, min_count=-3), "min_count", InvalidArgumentError),
        (lambda js: jm.plot.trends(js, min_count=0), "min_count", InvalidArgumentError),
        (lambda js: jm.plot.journey(js[js.journey_ids[0]], quote_chars=-1), "quote_chars", InvalidArgumentError),
    ],
)
def test_plot_count_arguments_are_checked(call: object, name: str, error: type[Exception]) -> None:
    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(20, seed=0)))
    with pytest.raises(error, match=rf"^{name} must be"):
        call(js)  # type: ignore[operator]


def test_interactive_count_arguments_are_checked() -> None:
    pytest.importorskip("plotly")
    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(20, seed=0)))
    with pytest.raises(InvalidArgumentError, match=r"^max_values must be"):
        jm.plot.interactive_map(js, max_values=0)
    with pytest.raises(InvalidArgumentError, match=r"^n_quotes must be"):
        jm.plot.interactive_graph(js, n_quotes=-1)


# -- 5. time_patterns' volume needs no scores -------------------------------------------------------


def test_time_patterns_volume_of_unscored_journeys() -> None:
    u = jm.build_journeys(jm.datasets.service_journeys(30, seed=1))
    ax = jm.plot.time_patterns(u, metric="volume")
    assert int(np.nansum(ax.images[0].get_array())) == int((u.events["actor"] == "customer").sum())
    table = jm.time_patterns(u)
    assert table["share_negative"].isna().all() and int(table["volume"].sum()) > 0
    with pytest.raises(jm.SchemaError, match="needs emotion columns"):
        jm.plot.time_patterns(u, metric="share_negative")


def test_distributed_time_patterns_of_unscored_journeys_as_on_one_machine() -> None:
    pytest.importorskip("dask")
    import journeymap.distributed as jmd

    log = jm.datasets.service_journeys(20, seed=0)
    djs = jmd.build_journeys(jmd.from_pandas(log, npartitions=2))
    pd.testing.assert_frame_equal(jmd.time_patterns(djs), jm.time_patterns(jm.build_journeys(log)))


# -- 6. jm.score counts the messages left unscored ---------------------------------------------------


class English:
    """Reads English only: every text neutral."""

    id = "test.english.v1"
    taxonomy = Taxonomy.sentiment()
    languages = ("en",)

    def score(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), len(self.taxonomy.labels)), dtype=np.float32)
        out[:, 3] = 1.0
        return out


@pytest.mark.langid_model
def test_score_warning_counts_messages_not_texts(caplog: pytest.LogCaptureFixture) -> None:
    ev = jm.datasets.service_journeys(30, seed=1).events
    c = (ev["actor"].astype("string") == "customer") & (ev["touchpoint"] == "billing")
    ev.loc[c, "text"] = "Estoy muy enfadado, nadie me ayuda con mi factura desde hace una semana"
    with caplog.at_level(logging.WARNING, logger="journeymap"):
        js = jm.score(jm.build_journeys(ev), English(), cache=False)
    n = int(js.events["score_note"].str.startswith("language").fillna(False).sum())
    assert n == int(c.sum()) > 1
    assert f"{n} message(s) left unscored (1 distinct text(s))" in caplog.text  # before: "1 text(s) left unscored"
