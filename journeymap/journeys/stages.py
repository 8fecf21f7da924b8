"""Stage assignment: the stage of every event under a :class:`~journeymap.model.StageModel`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from journeymap.exceptions import ArgumentTypeError, SchemaError
from journeymap.journeys._table import actor_mask, customer_mask, group_bounds
from journeymap.model import StageModel

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["assign_stages", "resolve_stages"]


def resolve_stages(stages: StageModel | Mapping[str, str] | None) -> StageModel:
    """The StageModel for ``build_journeys``'s ``stages`` argument.

    Examples:
        >>> resolve_stages({"faq": "research", "chat": "support"}).names
        ('research', 'support')
    """
    if stages is None:
        return StageModel.service()
    if isinstance(stages, StageModel):
        return stages
    if isinstance(stages, Mapping):
        return StageModel.from_touchpoints(dict(stages))
    msg = f"stages must be a StageModel, a touchpoint->stage mapping or None, got {type(stages).__name__}"
    raise ArgumentTypeError(msg)


def _missing_at(values: pd.Series, column: str) -> list[str]:
    """The message part naming the rows (the events' index: input row numbers) where ``column`` is missing."""
    missing = values.isna().to_numpy(dtype=bool)
    if not missing.any():
        return []
    rows = values.index[missing]
    more = f" and {len(rows) - 10} more" if len(rows) > 10 else ""
    return [f"column {column!r} is missing (NA) at rows {rows[:10].tolist()}{more}"]


def _by_touchpoint(events: pd.DataFrame, stages: StageModel, dtype: pd.CategoricalDtype) -> pd.Series:
    names = events["touchpoint"].map(stages.touchpoint_map)
    if stages.default_stage is not None:
        names = names.fillna(stages.default_stage)
    if names.isna().any():
        touchpoints = events["touchpoint"]
        unmapped = sorted(set(touchpoints[names.isna()].dropna().astype(str)))
        parts = [f"touchpoints without a stage in touchpoint_map (and no default_stage): {unmapped[:10]}"] if unmapped else []
        parts += _missing_at(touchpoints, "touchpoint")
        msg = "; ".join(parts) + " (give the StageModel a default_stage to place them)"
        raise SchemaError(msg)
    return names.astype(dtype)


def _by_column(events: pd.DataFrame, stages: StageModel, dtype: pd.CategoricalDtype) -> pd.Series:
    column = str(stages.column)
    if column not in events.columns:
        msg = f"StageModel reads stages from column {column!r}, which the events do not have"
        raise SchemaError(msg)
    values = events[column].astype("string")
    unknown = sorted(set(values[~values.isin(stages.names)].dropna()))
    if unknown or values.isna().any():
        parts = (
            [f"column {column!r} holds stage names not in the StageModel {list(stages.names)}: {unknown[:10]}"] if unknown else []
        )
        parts += _missing_at(values, column)
        msg = "; ".join(parts) + f" (every event needs one of {list(stages.names)})"
        raise SchemaError(msg)
    return values.astype(dtype)


def _opens_outside(events: pd.DataFrame, codes: npt.NDArray[np.int64], starts: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """Per journey: whether its first step is a brand reply to a message that is none of the journey's events."""
    opens = np.zeros(len(starts), dtype=bool)
    if "in_reply_to" not in events.columns or "event_id" not in events.columns:
        return opens
    reply_to = events["in_reply_to"].iloc[starts]  # the two columns read, not a copy of every column's first rows
    candidate = ~customer_mask(events["actor"].iloc[starts]) & reply_to.notna().to_numpy(dtype=bool)
    if not candidate.any():
        return opens
    journeys = np.flatnonzero(candidate)
    in_candidate = np.zeros(len(starts), dtype=bool)
    in_candidate[journeys] = True
    rows = np.flatnonzero(in_candidate[codes])
    own = pd.DataFrame({"j": codes[rows], "id": events["event_id"].iloc[rows].astype("string").to_numpy()})
    asked = pd.DataFrame({"j": journeys, "id": reply_to.iloc[journeys].astype("string").to_numpy()})
    found = asked.merge(own.drop_duplicates(), on=["j", "id"], how="left", indicator=True)["_merge"].to_numpy() == "both"
    opens[journeys[~found]] = True
    return opens


def _by_service_position(events: pd.DataFrame, dtype: pd.CategoricalDtype) -> pd.Series:
    """contact, first_response, follow_up, resolution: from the actor and the position in the journey.

    ``first_response`` is the journey's first *human* brand step (an actor other than customer,
    bot and system) after its first customer message: in a journey of one conversation, the
    reply :func:`~journeymap.response_times` times as ``first_response``; in a journey by
    customer over several threads (or brands), it may answer another thread than the first
    message's, which the stages, read from the steps alone, do not tell apart. A journey that
    opens with a brand reply to a message outside it (its ``in_reply_to`` names no event of the
    journey: a slice of a corpus, ``opened_outside``) has its first contact outside, so its
    first human step, from that reply on, is its ``first_response`` (its time unknown) and the
    customer's next message a follow-up, as :func:`~journeymap.reply_table` flags it. Every step
    before it is ``contact``: the customer's opening messages, and brand messages that are no
    human answer to them (a greeting or broadcast sent before the customer wrote, automatic
    acknowledgements of a bot or system). Only the actor is read, not
    :class:`~journeymap.AutoReplyRule`: an acknowledgement repeated from an agent's account is
    the ``first_response`` here, though :func:`~journeymap.response_times` counts no reply in it
    (the report's definition of the stages says so). After it, the journey's last step of the customer or a person is
    ``resolution``, with any automatic steps after it (a ticketing tool's "ticket closed", a
    bot's survey invitation: not the end of what was said), and the steps between are
    ``follow_up``. A journey without such a reply is all ``contact``.
    """
    codes = pd.factorize(events["journey_id"], sort=False)[0].astype(np.int64)
    starts, lengths = group_bounds(codes)
    n = len(events)
    pos = np.arange(n, dtype=np.int64)
    actor = events["actor"]
    customer = customer_mask(actor)
    human = ~customer & ~actor_mask(actor, "bot") & ~actor_mask(actor, "system")

    def first_where(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
        """Each row's journey's first position where ``mask`` holds, or n (none)."""
        if not n:
            return np.zeros(0, dtype=np.int64)
        return np.repeat(np.minimum.reduceat(np.where(mask, pos, n), starts), lengths)

    first_response_row = first_where(human & (pos > first_where(customer)))
    if n:  # a journey opened outside: its first human step, from the first (the reply to the message outside)
        opens = np.repeat(_opens_outside(events, codes, starts), lengths)
        first_response_row = np.where(opens, first_where(human), first_response_row)
    # the last step of the customer or a person: trailing automatic steps join its resolution
    said = customer | human
    last_said = np.repeat(np.maximum.reduceat(np.where(said, pos, -1), starts), lengths) if n else pos
    # category codes, not 1M strings: names the stage model lacks get -1 (missing), as before
    names = pd.Index(["contact", "first_response", "resolution", "follow_up"])
    code = dict(zip(names, dtype.categories.get_indexer(names)))
    service_codes = np.select(
        [pos < first_response_row, pos == first_response_row, pos >= last_said],
        [code["contact"], code["first_response"], code["resolution"]],
        default=code["follow_up"],
    ).astype(np.int64)
    return pd.Series(pd.Categorical.from_codes(service_codes, dtype=dtype), index=events.index)


def assign_stages(events: pd.DataFrame, stages: StageModel) -> pd.Series:
    """Stage of every event (events sorted by journey and step), as an ordered categorical.

    Examples:
        >>> import journeymap as jm
        >>> js = jm.build_journeys(jm.datasets.service_journeys(5, seed=0))
        >>> assign_stages(js.events, StageModel.service()).iloc[0]
        'contact'
    """
    dtype = pd.CategoricalDtype(list(stages.names), ordered=True)
    if stages.assign == "touchpoint":
        return _by_touchpoint(events, stages, dtype)
    if stages.assign == "column":
        return _by_column(events, stages, dtype)
    return _by_service_position(events, dtype)
