"""Comparing customer segments: :func:`compare_segments`."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from journeymap.analytics._checks import check_column_name
from journeymap.analytics._durations import DURATION_DTYPE, seconds_as_durations
from journeymap.analytics._prep import require_journeys
from journeymap.analytics._stats import cluster_diff_p
from journeymap.analytics.metrics import journey_metrics
from journeymap.analytics.replies import no_value
from journeymap.backends import dispatch
from journeymap.exceptions import InvalidArgumentError, SchemaError
from journeymap.journeys._table import customer_mask

if TYPE_CHECKING:
    import numpy.typing as npt

    from journeymap.journeys import JourneySet

logger = logging.getLogger(__name__)

__all__ = ["MIN_SEGMENT_SIZE", "adjust_p_values", "compare_segments"]

#: A segment with fewer units (customers, by default; with a value of the measure) than this is not tested.
MIN_SEGMENT_SIZE = 5


def adjust_p_values(p: np.ndarray, method: Literal["holm", "bh"] | None) -> np.ndarray:
    """P-values adjusted for many comparisons: Holm (family-wise error) or Benjamini-Hochberg (false discovery rate).

    NaN p-values (untested groups) stay NaN and do not count as comparisons; ``None`` returns a copy.

    Examples:
        >>> adjust_p_values(np.array([0.01, 0.04, np.nan, 0.03]), "holm").round(3).tolist()
        [0.03, 0.06, nan, 0.06]
        >>> adjust_p_values(np.array([0.01, 0.04, np.nan, 0.03]), "bh").round(3).tolist()
        [0.03, 0.04, nan, 0.04]
    """
    p = np.asarray(p, dtype=np.float64)
    out = p.copy()
    if method is None:
        return out
    if method not in ("holm", "bh"):
        msg = f"correction must be 'holm', 'bh' or None, got {method!r}"
        raise InvalidArgumentError(msg)
    tested = np.flatnonzero(~np.isnan(p))
    m = len(tested)
    if m == 0:
        return out
    order = tested[np.argsort(p[tested], kind="stable")]
    ranked = p[order]
    if method == "holm":
        adjusted = np.maximum.accumulate(ranked * (m - np.arange(m)))
    else:
        adjusted = np.minimum.accumulate((ranked * m / np.arange(1, m + 1))[::-1])[::-1]
    out[order] = np.minimum(adjusted, 1.0)
    return out


def _cohens_d(a: np.ndarray, b: np.ndarray) -> float:
    if len(a) < 2 or len(b) < 2:
        return float("nan")
    if np.ptp(a) == 0 and np.ptp(b) == 0:  # no spread: a difference is all effect (not a rounding remainder's)
        return float(np.copysign(np.inf, a[0] - b[0])) if a[0] != b[0] else float("nan")
    pooled = np.sqrt(((len(a) - 1) * a.var(ddof=1) + (len(b) - 1) * b.var(ddof=1)) / (len(a) + len(b) - 2))
    diff = float(a.mean() - b.mean())
    if pooled > 0:
        return diff / float(pooled)
    return float(np.copysign(np.inf, diff)) if diff else float("nan")  # no spread: a difference is all effect


def _share(flags: pd.Series) -> float:
    """The share of True among ``flags``; NaN for none (a segment without a scored journey)."""
    return float(flags.astype(bool).mean()) if len(flags) else float("nan")


def _is_measure(column: pd.Series) -> bool:
    """Whether a :func:`journey_metrics` column can be compared: numbers (booleans as shares) or durations."""
    dtype = column.dtype
    return bool(pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype))


def _adjusted(
    p_values: np.ndarray,
    correction: Literal["holm", "bh"] | None,
    measured_codes: np.ndarray,
) -> np.ndarray:
    """``p_adjusted``: the p-values corrected for the comparisons made, where two segments are one comparison.

    ``measured_codes`` holds the segment code (its position in the table's groups) of each journey
    with a value of the measure. With two segments that both hold the measure, each against the
    rest is the same test: one comparison.
    """
    adjusted = adjust_p_values(p_values, correction)  # the correction is checked whatever the count
    present = np.unique(measured_codes)
    if len(present) == 2 and int((~np.isnan(p_values)).sum()) == 2:  # a segment without the measure is no comparison
        return p_values.copy()
    return adjusted


def _measure_values(metrics: pd.DataFrame, measure: str) -> tuple[pd.Series, bool]:
    """The measure as numbers (a time measure in seconds; ``recovered`` only where it can be told), and whether it is a time."""
    timed = bool(pd.api.types.is_timedelta64_dtype(metrics[measure].dtype))
    values = metrics[measure].dt.total_seconds() if timed else metrics[measure].astype("float64")
    if measure == "recovered":  # as recovery_rate: only where the data can tell (recovery_known)
        values = values.where(metrics["recovery_known"].to_numpy(dtype=bool))
    return values, timed


def _unit_counts(cluster: np.ndarray, segment: np.ndarray) -> tuple[pd.Series, pd.Series, int]:
    """Per segment code, its units and those of its units with no journey elsewhere; and the number of units."""
    pairs = pd.DataFrame({"unit": cluster, "segment": segment}).drop_duplicates()
    spans = pairs["unit"].map(pairs["unit"].value_counts()) > 1
    return pairs["segment"].value_counts(), pairs.loc[~spans, "segment"].value_counts(), int(pairs["unit"].nunique())


def _omnibus(p_values: list[float]) -> float:
    """Whether any segment differs: the smallest p-value times the number of tests (Bonferroni's union-intersection test).

    Examples:
        >>> _omnibus([0.01, 0.2, 0.5]), _omnibus([0.3]), _omnibus([0.6, 0.9])
        (0.03, nan, 1.0)
    """
    tested = np.asarray(p_values, dtype=float)
    if len(tested) < 2 or np.isnan(tested).all():
        return float("nan")
    return float(min(1.0, np.nanmin(tested) * len(tested)))


def _check_min_size(min_size: object) -> None:
    if isinstance(min_size, bool) or not isinstance(min_size, int) or min_size < 1:
        msg = f"min_size must be a positive number of units (customers, by default), got {min_size!r}"
        raise InvalidArgumentError(msg)


def _no_segments(index: pd.Index, *, timed: bool) -> pd.DataFrame:
    """The table without rows (``index`` is empty, of the segments' dtype): :func:`compare_segments`' columns and dtypes."""
    return pd.DataFrame(
        {
            "n_journeys": pd.Series(dtype="int64"),
            "n_units": pd.Series(dtype="int64"),
            **{c: pd.Series(dtype="float64") for c in ("mean_valence", "end_valence", "share_negative_end", "recovery_rate")},
            "diff_vs_rest": pd.Series(dtype=DURATION_DTYPE if timed else "float64"),
            "effect_size": pd.Series(dtype="float64"),
            "testable": pd.Series(dtype=bool),
            "p_value": pd.Series(dtype="float64"),
            "omnibus_p": pd.Series(dtype="float64"),
        },
        index=index,
    )


def _segment_values(values: pd.Series) -> tuple[pd.Series, bool]:
    """The journeys' segment values as grouped, and whether they are read as text.

    A column's own type is kept, as pandas' ``groupby`` keeps it: numbers (an NPS score as
    ``Int64``), booleans, times, and categoricals of them or ordered ones (in their categories'
    order). Text (``str``, ``string``, ``object``, an unordered categorical of text) is read as
    strings, put in order by :func:`_natural_order`.

    Examples:
        >>> nps = pd.Series([10, 9, None], dtype="Int64")
        >>> _segment_values(nps)[0].dtype, _segment_values(pd.Series(["a", None]))[1]
        (Int64Dtype(), True)
    """
    dtype = values.dtype
    textual = pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)
    if isinstance(dtype, pd.CategoricalDtype):
        categories = dtype.categories.dtype
        textual = not dtype.ordered and (pd.api.types.is_object_dtype(categories) or pd.api.types.is_string_dtype(categories))
    return (values.astype("string"), True) if textual else (values, False)


def _segment_table(rows: dict[Any, dict[str, Any]], values: pd.Series, *, textual: bool, timed: bool, by: str) -> pd.DataFrame:
    """:func:`compare_segments`' rows (in the order of ``values``' groupby) as its table, in order.

    The index holds the segment values in their own dtype (text as ``string``, the events' text
    dtype); ``diff_vs_rest`` of a time measure (in seconds in ``rows``) becomes a Timedelta. The
    journeys without a value (the missing key, which ``rows`` holds last) come last: as
    ``"(no <by>)"`` where the values are text, as :func:`service_levels` names them, else as the
    dtype's missing value (``<NA>``, ``NaT``), as pandas' ``groupby(dropna=False)`` keeps it.
    """
    keys = list(rows)
    unvalued = bool(keys) and bool(pd.isna(keys[-1]))
    if textual and unvalued:
        keys[-1] = no_value(by)
    index = pd.Index(keys, dtype="string" if textual else values.dtype)
    out = pd.DataFrame.from_dict(rows, orient="index").set_axis(index)
    if not len(out):  # no segment: the same columns, no rows (as the other analytics do)
        out = _no_segments(index, timed=timed)
    elif timed:  # [ns], as every duration of the library (pd.to_timedelta picks [us] for whole seconds)
        out["diff_vs_rest"] = seconds_as_durations(out["diff_vs_rest"].astype("float64"))
    if textual:
        valued = len(out) - int(unvalued)
        out = out.iloc[[*_natural_order(out.index[:valued]), *range(valued, len(out))]]
    return out


def _natural_order(keys: pd.Index) -> np.ndarray:
    """Positions that put text segment values in order: by number where every one is a number, else as text.

    Attributes read from text files are text, so an NPS score of "10" would sort between "1" and "2".

    Examples:
        >>> _natural_order(pd.Index(["0", "10", "2", "9.5"])).tolist(), _natural_order(pd.Index(["b", "a"])).tolist()
        ([0, 2, 3, 1], [1, 0])
    """
    numbers = pd.to_numeric(pd.Series(keys, dtype=object), errors="coerce")
    if len(keys) and numbers.notna().all():
        return np.argsort(numbers.to_numpy(dtype=float), kind="stable")
    return np.argsort(np.asarray(keys.astype(str), dtype=object), kind="stable")


def _nullable(values: pd.Series) -> pd.Series:
    """Numpy booleans and integers in their nullable forms (``boolean``, ``Int64``), which hold a missing value as NA.

    A journey without a customer step has no segment: reindexed, a ``bool`` column became
    ``object`` (then read as text) and an ``int64`` one ``float64``. Always nullable, the segment
    index has one type whatever the other journeys hold.

    Examples:
        >>> _nullable(pd.Series([True, False])).dtype, _nullable(pd.Series([3], dtype="uint8")).dtype
        (BooleanDtype, UInt8Dtype())
    """
    dtype = values.dtype
    if not isinstance(dtype, np.dtype) or dtype.kind not in ("b", "i", "u"):
        return values
    nullable: Any = "boolean" if dtype.kind == "b" else f"{'U' if dtype.kind == 'u' else ''}Int{dtype.itemsize * 8}"
    out: pd.Series = values.astype(nullable)
    return out


def _first_customer_value(events: pd.DataFrame, customer: np.ndarray, column: str) -> pd.Series:
    """Per journey, the value of ``column`` at its first customer step, missing or not (events are in step order)."""
    first = events.loc[customer, ["journey_id", column]].drop_duplicates("journey_id", keep="first")
    return first.set_index("journey_id")[column]


def _among(index: pd.Index, labels: pd.Index) -> npt.NDArray[np.bool_]:
    """Whether each label of ``index`` (unique) is one of ``labels``: ``index.isin(labels)`` by its hash table.

    (``Index.isin`` of Arrow text goes through Python objects: 1.4 s on 275,000 journeys.)
    """
    found = np.zeros(len(index), dtype=bool)
    at = index.get_indexer(labels)
    found[at[at >= 0]] = True
    return found


def _units(metrics: pd.DataFrame, events: pd.DataFrame, customer: np.ndarray, units: str | None) -> pd.Series:
    """The sampling unit of each journey as an integer code (``units``); a journey without one, or ``units=None``, is its own."""
    if units is None:
        return pd.Series(np.arange(len(metrics), dtype=np.int64), index=metrics.index)
    check_column_name(units, "units", what="a column name or None")
    if units not in events.columns:
        msg = f"compare_segments: no column {units!r} (units) in the events; columns: {list(events.columns)}"
        raise SchemaError(msg)
    codes = pd.factorize(_first_customer_value(events, customer, units).reindex(metrics.index))[0].astype(np.int64)
    missing = codes < 0
    codes[missing] = codes.max(initial=-1) + 1 + np.arange(int(missing.sum()))  # each journey without one: its own
    return pd.Series(codes, index=metrics.index)


@dispatch
def compare_segments(
    js: JourneySet,
    by: str,
    *,
    measure: str = "end_valence",
    correction: Literal["holm", "bh"] | None = "holm",
    min_size: int = MIN_SEGMENT_SIZE,
    units: str | None = "customer_id",
) -> pd.DataFrame:
    """Journey measures per segment, each segment tested against the rest.

    ``by`` says what rows are grouped by, as in pandas' ``groupby(by=...)``: here a column. A
    journey's segment is the value of column ``by`` at its first customer step (a customer
    attribute such as tier or region; ``by="topic"``, after :func:`~journeymap.assign_topics`,
    compares journeys by what the customer first wrote about); the result is indexed by the
    segment value, the index named after the column, in order. The values keep the column's
    type, as pandas' ``groupby`` keeps it: an ``Int64`` NPS score stays a number (``seg.loc[10]``),
    a boolean a boolean, and an ordered categorical keeps its dtype and its categories' order.
    Text (``str``, ``string``, ``object``, an unordered categorical of text) gives a ``string``
    index (the dtype of the events' text columns and of the other tables' labels), in order by
    number where every value is one (an NPS score read as "10" after "9"), else as text. A journey
    whose first customer step has no value of the column is kept, in a segment of its own, last:
    ``"(no <column>)"`` (``"(no tier)"``, as :func:`service_levels` names it) where the values are
    text, else the column type's missing value (``<NA>``, ``NaT``, as pandas'
    ``groupby(dropna=False)`` keeps it); it is tested against the rest and is part of every other
    segment's rest. A journey without a customer step (a broadcast) has no segment and is left out;
    where no journey has a value, the table is empty, with a warning.
    Per segment: ``n_journeys``, ``mean_valence``
    and ``end_valence`` (means over journeys of each journey's mean and end valence: every
    journey counts once, however many messages it has), ``share_negative_end`` (of the scored journeys, those whose last scored
    step is negative: :func:`journey_metrics`' ``end_sentiment``), ``recovery_rate`` (of the
    journeys whose recovery can be told, ``recovery_known``: a negative moment, a reply, and the
    customer's word after it, the share that recovered; NaN where none can);
    then, for ``measure`` (a numeric or duration :func:`journey_metrics` column, default
    ``end_valence``; ``end_sentiment`` and ``customer_id`` are labels, not measures), over the
    journeys that have it (for ``measure="recovered"``, those whose recovery can be told, as in
    ``recovery_rate``): the difference of its mean to that of the other segments' journeys
    (``diff_vs_rest``; a Timedelta for a time measure such as ``duration``), Cohen's d of that
    difference (``effect_size``), and the two-sided p-value of the difference (``p_value``, and
    ``p_adjusted``, below). ``omnibus_p`` (the same on every row) tests whether any testable
    segment's mean differs from the rest: the smallest ``p_value`` times the number of tested
    segments, capped at 1 (Bonferroni's union-intersection test; NaN with fewer than two).

    Testing every segment against the rest makes many comparisons, so ``p_adjusted`` corrects
    the p-values for them: ``correction="holm"`` (default; Holm's step-down, controls the chance
    of any false positive), ``"bh"`` (Benjamini-Hochberg, controls the share of false
    positives) or None (no correction). With two segments, each against the rest is one and the
    same test, counted once (``p_adjusted`` is ``p_value``). A segment with fewer than
    ``min_size`` units (below; never fewer than two) with a value of the measure, or a rest
    with fewer, is not tested
    (``testable`` False; NaN effect size and p-values) and not counted as a comparison;
    ``omnibus_p`` uses the testable segments only.

    ``units`` (as seaborn's ``units=``) names the sampling unit: journeys of one customer are not
    independent (a customer with one bad journey tends to have others), and tests that count
    them as independent call differences that are not there: 12% and 20% of the time, against
    the nominal 5%, at customer correlations of 0.2 and 0.5 in a simulation
    (``docs/architecture.md``). So the tests keep each unit's journeys together (default
    ``units="customer_id"``): ``p_value`` is that of a regression of the measure on the
    segment with the cluster-robust standard error (the sandwich over units, each side's
    units corrected by g/(g-1) for that side's count, as Welch's test corrects each variance),
    Student's t with one degree of freedom fewer than the units on the smaller side
    (``n_units``: the segment's units with a value of the measure). This holds whether a
    customer's journeys all fall in one segment (a tier) or in several
    (``by="topic"``: the comparison within customers is kept). Another column of the events
    names another unit (its value at the journey's first customer step, as for ``by``; a
    journey without one is a unit of its own); ``units=None`` counts journeys as independent
    (a heteroscedasticity-robust, Welch-type test). These are tests of means: they suit
    valence, shares and counts; a heavy-tailed duration is better compared with its median.

    Examples:
        >>> import journeymap as jm
        >>> from journeymap.testing.data import planted_scores
        >>> js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(60, seed=0)))
        >>> segments = jm.compare_segments(js, "tier")
        >>> segments.index.name, sorted(segments.index)
        ('tier', ['free', 'plus', 'premium'])
        >>> int(segments["n_journeys"].sum()) == len(js)
        True
    """
    events = require_journeys(js, "compare_segments").events
    check_column_name(by, "by", context="compare_segments compares by one column")
    check_column_name(measure, "measure", what="the name of a journey_metrics column")
    if by not in events.columns:
        hint = ": run journeymap.assign_topics(js) first" if by == "topic" else f"; columns: {list(events.columns)}"
        msg = f"compare_segments: no column {by!r} in the events{hint}"
        raise SchemaError(msg)
    metrics = journey_metrics(js)
    measures = [c for c in metrics.columns if _is_measure(metrics[c])]
    if measure not in measures:
        why = "holds labels, not numbers or durations" if measure in metrics.columns else "is not a journey_metrics column"
        msg = f"measure={measure!r} {why}; measure must be one of: {', '.join(measures)}"
        raise InvalidArgumentError(msg)
    customer = customer_mask(events["actor"])
    first = _nullable(_first_customer_value(events, customer, by))  # a journey without a customer step has no value
    metrics["segment"], textual = _segment_values(first.reindex(metrics.index))
    unit_of = _units(metrics, events, customer, units)
    if len(metrics) and metrics["segment"].isna().all():
        logger.warning(
            "compare_segments: column %r has no value on any journey's first customer message (segments are read "
            "there); no segments to compare",
            by,
        )
        metrics = metrics.iloc[:0]
    # a journey without a value at its first customer step is a segment of its own ("(no tier)", as in
    # service_levels); one without a customer step (a broadcast) has no segment, and is left out
    metrics = metrics[_among(metrics.index, first.index)]
    # a time measure (duration, time_to_recover) is tested in seconds and its difference given as a Timedelta
    values, timed = _measure_values(metrics, measure)
    measured = values.notna().to_numpy(dtype=bool)
    # (observed: an unused category is no segment; sort: by value, a categorical in its categories' order, the missing last)
    grouped = metrics.groupby("segment", sort=True, observed=True, dropna=False)
    # not list(grouped): its length hint reads len(grouped), which pandas 2.2 cannot give with a missing categorical key
    groups = [(key, group) for key, group in grouped]
    _check_min_size(min_size)
    code = grouped.ngroup().to_numpy(dtype=np.int64)  # each journey's position in groups
    unit = unit_of.reindex(metrics.index).to_numpy(dtype=np.int64)
    y, seg, cluster = values.to_numpy(dtype=float)[measured], code[measured], unit[measured]
    units_in, only_in, n_units = _unit_counts(cluster, seg)
    rows = {}
    tested: list[float] = []
    for position, (key, g) in enumerate(groups):
        # the descriptive columns describe every journey of the segment; the test, those with a measure
        inside = seg == position
        n_in = int(units_in.get(position, 0))
        n_out = n_units - int(only_in.get(position, 0))  # the units with a journey outside the segment
        testable = min(n_in, n_out) >= max(min_size, 2)  # a test needs two units a side, whatever min_size says
        diff = float(y[inside].mean() - y[~inside].mean()) if inside.any() and (~inside).any() else np.nan
        p = cluster_diff_p(y, inside, cluster) if testable else np.nan
        tested += [p] if testable else []
        rows[key] = {
            "n_journeys": len(g),
            "n_units": n_in,
            "mean_valence": float(g["mean_valence"].mean()),
            "end_valence": float(g["end_valence"].mean()),
            "share_negative_end": _share(g["end_sentiment"].dropna() == "negative"),
            "recovery_rate": _share(g.loc[g["recovery_known"], "recovered"]),
            "diff_vs_rest": diff,
            "effect_size": _cohens_d(y[inside], y[~inside]) if testable else np.nan,
            "testable": testable,
            "p_value": p,
        }
    omnibus = _omnibus(tested)
    for row in rows.values():
        row["omnibus_p"] = omnibus
    out = _segment_table(rows, metrics["segment"], textual=textual, timed=timed, by=by)
    position = list(out.columns).index("p_value") + 1
    out.insert(position, "p_adjusted", _adjusted(out["p_value"].to_numpy(dtype=float), correction, seg))
    out["testable"] = out["testable"].astype(bool)
    out.index.name = by
    return out
