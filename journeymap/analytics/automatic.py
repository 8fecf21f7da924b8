"""Telling automatic brand replies (bots, auto-acknowledgements) from human ones: :class:`AutoReplyRule`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from journeymap.analytics._prep import journey_keys
from journeymap.analytics._replies import SYSTEM, ReplyContext, automatic_flags, is_system
from journeymap.exceptions import ArgumentTypeError, InvalidArgumentError

if TYPE_CHECKING:
    import numpy.typing as npt

    from journeymap.journeys import JourneySet

__all__ = ["AUTO_MIN_REPEATS", "AUTO_WITHIN", "AutoReplyRule", "check_auto", "reply_context", "rule_flags"]

#: A text the same brand account sends at least this many times can be automatic.
AUTO_MIN_REPEATS = 3
#: ... when those replies come, at the median, within this long of the message they answer.
AUTO_WITHIN = "1min"


@dataclass(frozen=True)
class AutoReplyRule:
    """Which brand replies are automatic: the actor ``bot`` or ``system``, or a canned text sent at machine speed.

    A brand event is automatic when its ``actor`` is ``bot`` or ``system`` (a ticketing
    system's auto-acknowledgement, trigger or status change, such as "Ticket reopened by
    requester": never a person's reply, whatever its text), or when the same brand account
    (``author_id``, else ``brand``) sent the same text at least ``min_repeats`` times, the texts
    compared after replacing @mentions, URLs and numbers (so "@12 Thanks, ticket 4411" and
    "@99 Thanks, ticket 17" are one text), *and* the median wait before those replies (from the
    customer message each answers) is at most ``within``.

    Why both conditions: repetition alone also catches people. Support teams answer from macros
    (in the TWCS sample AppleSupport sends "Thanks for reaching out to us. We are always happy
    to help. Send us a DM so we can look into this together." three times in 93 tweets, 6 to 7 hours after
    the customer; across the corpus, thousands of times), and a synthetic agent answering from
    templates repeats every template. What no person does is answer the same words to many
    customers within a minute of each of them: reading a tweet and typing takes longer (the
    fastest human reply in the TWCS sample took 50 seconds, a single reply; a median over
    several is slower still). Three repeats (not two) keep one agent who pastes the same macro
    twice, quickly, from being called a bot. A repeated reply *signed* by a person is that
    person's: its text carries the signature its ``agent_id`` ends with (on Twitter,
    :func:`~journeymap.read_twcs` reads "... -AC" into ``"<account>/AC"``), and the same agent
    also wrote words of their own (a text their account sent once, of three words or more,
    slower than ``within``). An id that only sends templates, empty or one-word replies or a
    notice at machine speed stays automatic, since a bot may carry an id too, and so does an
    acknowledgement stamped with an assignee's id that its text does not carry.
    ``within=None`` drops the speed condition
    (repetition alone), for sources where waits cannot be measured. Brand events without text
    (no ``text`` column, or a missing or blank text: an image, a DM card) are automatic only by actor.

    The text rule comes from Twitter, where the ``actor`` column is inferred. Where the source
    labels its bots itself (a live-chat tool whose operators send canned greetings by shortcut,
    seconds after the customer), trust the labels: ``AutoReplyRule(min_repeats=10**9)`` (no
    text repeats that often) leaves only the actors ``bot`` and ``system`` automatic.

    Attributes:
        min_repeats: how many times the account must send the text (default
            :data:`AUTO_MIN_REPEATS`, 3).
        within: the median wait at most (a duration; default :data:`AUTO_WITHIN`, one minute),
            or None.

    Examples:
        >>> import journeymap as jm
        >>> js = jm.build_journeys(jm.datasets.service_journeys(60, seed=0))  # Streamly's bot is planted
        >>> auto, why = jm.AutoReplyRule().flags(js.events)
        >>> bool((auto == js.events["true_automatic"]).all()), sorted(set(why[auto]))
        (True, ['repeated text'])
        >>> int(jm.AutoReplyRule(within=None).flags(js.events)[0].sum()) > int(auto.sum())  # templates repeat too
        True
    """

    min_repeats: int = AUTO_MIN_REPEATS
    within: str | pd.Timedelta | None = AUTO_WITHIN

    def __post_init__(self) -> None:
        if isinstance(self.min_repeats, bool) or not isinstance(self.min_repeats, int) or self.min_repeats < 1:
            msg = f"min_repeats must be a positive number of texts, got {self.min_repeats!r}"
            raise InvalidArgumentError(msg)
        if self.within is not None:
            try:
                ok = pd.Timedelta(self.within) >= pd.Timedelta(0)
            except (ValueError, TypeError):
                ok = False
            if not ok:
                msg = f"within must be a duration such as '1min' or None, got {self.within!r}"
                raise InvalidArgumentError(msg)

    def flags(self, events: pd.DataFrame) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.object_]]:
        """For the events of a JourneySet (sorted by journey and step): automatic (bool) and why.

        The reason is ``"bot"`` or ``"system"`` (the actor), ``"repeated text"`` or ``""``.
        """
        return self._flags(events, None)

    def _flags(self, events: pd.DataFrame, context: ReplyContext | None) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.object_]]:
        """:meth:`flags`, with the events' reply context when already computed."""
        within = None if self.within is None else pd.Timedelta(self.within)
        return automatic_flags(events, min_repeats=self.min_repeats, within=within, context=context)


def rule_key(rule: AutoReplyRule | None) -> tuple[tuple[object, ...], bool]:
    """What selects the flags of a rule of :class:`AutoReplyRule`'s own, and whether that is the default rule.

    Equal rules written differently (``within="1min"`` and ``"60s"``; None and ``AutoReplyRule()``)
    give one key, so they share one memoized result.

    Examples:
        >>> rule_key(AutoReplyRule(within="60s")) == rule_key(None)
        True
        >>> rule_key(AutoReplyRule(min_repeats=9))[1]
        False
    """
    rule = rule or AutoReplyRule()
    key = (type(rule).__qualname__, rule.min_repeats, None if rule.within is None else pd.Timedelta(rule.within))
    return key, key == _DEFAULT_KEY


_DEFAULT_KEY = (AutoReplyRule.__qualname__, AUTO_MIN_REPEATS, pd.Timedelta(AUTO_WITHIN))


def reply_context(js: JourneySet) -> ReplyContext:
    """The :class:`~journeymap.analytics._replies.ReplyContext` of ``js.events``, computed once per JourneySet."""
    return js.cached("reply_context", lambda: ReplyContext.of(js.events, journey=journey_keys(js)[0]))


def outcome_conversations(js: JourneySet) -> npt.NDArray[np.int64]:
    """The outcome conversations of ``js``'s events (``ReplyContext.outcome_conversations``), computed once per JourneySet."""
    return js.cached("outcome_conversations", lambda: reply_context(js).outcome_conversations())


def rule_flags(js: JourneySet, rule: AutoReplyRule | None) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.object_]]:
    """``rule.flags(js.events)`` (default rule: :class:`AutoReplyRule`), computed once per JourneySet and rule.

    Response times, triage, the reply table and the service league all ask for the same flags;
    the arrays are shared, so callers must not change them.
    """
    rule = check_auto(rule) or AutoReplyRule()
    if type(rule).flags is not AutoReplyRule.flags:  # a subclass with its own rule: ask it
        auto, reason = rule.flags(js.events)
        auto, reason = np.asarray(auto, dtype=bool), np.asarray(reason, dtype=object)  # a list is fine too
        # a system event is never a person's reply, whatever the rule says
        system = is_system(js.events) & ~auto
        if not system.any():
            return auto, reason
        return auto | system, np.where(system, SYSTEM, reason).astype(object)

    def compute() -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.object_]]:
        auto, reason = rule._flags(js.events, reply_context(js))
        auto.flags.writeable = False
        reason.flags.writeable = False
        return auto, reason

    key, default = rule_key(rule)
    return js.cached(("automatic_flags", key), compute, variant=not default)  # other rules: only the last few kept


def check_auto(auto: Any) -> AutoReplyRule | None:
    """``auto`` itself; TypeError unless it is None or an :class:`~journeymap.AutoReplyRule` (or has its ``flags``)."""
    if auto is None or isinstance(auto, AutoReplyRule) or callable(getattr(type(auto), "flags", None)):
        return auto  # type: ignore[no-any-return]
    msg = (
        "auto must be None (the default rule) or an AutoReplyRule, e.g. jm.AutoReplyRule(min_repeats=4), "
        f"got {type(auto).__name__} {auto!r}"
    )
    raise ArgumentTypeError(msg)
