"""Built-in data: a synthetic social-customer-service log with planted, known effects.

:func:`service_journeys` writes threads between customers and three brands' support accounts
on twitter, facebook and instagram, in six service areas (touchpoints). Customers write the way
customers write (lower case, emoji, "!!!"); brands answer after a delay; some conversations move
to private messages (channel ``dm``). Three effects are planted, so demos and tests know the
truth they should find:

* **Pain point**: ``billing`` conversations open angry or annoyed far more often than any
  other touchpoint, and end negative more often.
* **Night replies are slower**: a brand reply to a message sent between 22:00 and 06:00 UTC
  takes about four times as long (median about 80 minutes instead of 20).
* **A segment fares worse**: customers on the ``free`` tier recover far less often (their
  last message stays negative) than ``plus`` and ``premium`` customers.

The generator's intended emotion of every message (a GoEmotions label) is kept in
``true_emotion`` and its valence in ``true_valence``, so analytics can be tested without a model.
The valence is the label's in :data:`~journeymap.emotions.taxonomy.GOEMOTIONS_VALENCE`, the
table the scorers use: there is one notion of valence.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from journeymap.emotions.taxonomy import GOEMOTIONS_VALENCE
from journeymap.io.validation import validate_events
from journeymap.schema import CANONICAL_COLUMNS

if TYPE_CHECKING:
    from journeymap.io.eventlog import EventLog

__all__ = ["PLANTED", "service_journeys"]

#: The planted effects, for tests and docs.
PLANTED: dict[str, object] = {
    "pain_point": "billing",
    "night_hours": (22, 23, 0, 1, 2, 3, 4, 5),
    "night_slowdown": 4.0,
    "worse_segment": ("tier", "free"),
}

BRANDS = ("NovaTel", "Parcelo", "Streamly")
CHANNELS = ("twitter", "facebook", "instagram")
TOUCHPOINTS = ("billing", "delivery", "app", "account", "store", "refund")
_TOUCHPOINT_P = (0.2, 0.2, 0.2, 0.15, 0.15, 0.1)
_THING = {
    "billing": ("bill", "invoice", "charge on my card", "monthly bill"),
    "delivery": ("parcel", "delivery", "package", "order"),
    "app": ("app", "update", "login screen", "app on my phone"),
    "account": ("account", "password reset", "profile", "account settings"),
    "store": ("store visit", "shop on main street", "store staff", "in-store pickup"),
    "refund": ("refund", "return", "money back", "refund request"),
}
_CUSTOMER_TEMPLATES = {
    "anger": (
        "@{brand} this is ridiculous, my {thing} is wrong AGAIN 😡",
        "@{brand} absolutely furious. third time i've had to chase my {thing}!!!",
        "@{brand} worst service ever, fix my {thing} now",
        "@{brand} i am so angry, nobody is helping with my {thing}",
    ),
    "annoyance": (
        "@{brand} still waiting on my {thing}... getting really annoying",
        "@{brand} ugh, the {thing} thing again. seriously?",
        "@{brand} why is my {thing} always such a hassle 🙄",
        "@{brand} this {thing} issue is so irritating",
    ),
    "disappointment": (
        "@{brand} really disappointed with how my {thing} was handled",
        "@{brand} expected better tbh. my {thing} is a letdown",
        "@{brand} so let down by the {thing}, not what you promised",
    ),
    "sadness": (
        "@{brand} honestly so sad, my {thing} was for my mum's birthday 😢",
        "@{brand} feeling pretty miserable about this {thing}",
    ),
    "nervousness": (
        "@{brand} a bit worried about my {thing}, is it going to be ok?",
        "@{brand} nervous that my {thing} won't be sorted in time",
    ),
    "confusion": (
        "@{brand} i don't understand my {thing}, what does this mean?",
        "@{brand} confused about the {thing}, can someone explain?",
    ),
    "neutral": (
        "@{brand} hi, quick question about my {thing}",
        "@{brand} checking on the status of my {thing}",
        "@{brand} can you look at my {thing} please",
    ),
    "curiosity": ("@{brand} how does the {thing} work exactly? curious",),
    "gratitude": (
        "@{brand} thank you so much, {thing} sorted! 🙏",
        "@{brand} thanks for the help with my {thing}, really appreciate it",
        "@{brand} cheers, that fixed my {thing}. thanks!",
    ),
    "joy": (
        "@{brand} yes!! my {thing} works now, love it 😍",
        "@{brand} so happy, the {thing} is perfect now!",
    ),
    "relief": ("@{brand} phew, what a relief that my {thing} is fixed",),
}
_BRAND_TEMPLATES = {
    "caring": (
        "@{cust} sorry to hear about your {thing}. we're on it and will update you shortly.",
        "@{cust} we're sorry for the trouble with your {thing}. let's get this fixed for you.",
    ),
    "dm": ("@{cust} sorry about your {thing}! please send us a DM with your account details and we'll sort it.",),
    "neutral": (
        "@{cust} thanks for reaching out. could you tell us more about the {thing}?",
        "@{cust} we've checked your {thing} and passed it to the team.",
    ),
    "gratitude": ("@{cust} glad we could help with your {thing}! have a great day.",),
}
# The emotions the generator draws for a bad and for a good moment (with the probabilities
# below); their valences are GOEMOTIONS_VALENCE's, all beyond the schema's thresholds.
_NEGATIVE = ("anger", "annoyance", "disappointment", "sadness")
_POSITIVE = ("gratitude", "joy", "relief")


def _hour_weights() -> np.ndarray:
    hours = np.arange(24)
    weights = 0.25 + np.exp(-0.5 * ((hours - 14) / 4.5) ** 2)
    normalised: np.ndarray = weights / weights.sum()
    return normalised


def service_journeys(  # noqa: PLR0912, PLR0915 - a generator read top to bottom
    n_customers: int = 500,
    seed: int = 0,
    *,
    start: str = "2024-03-04",
    days: int = 28,
) -> EventLog:
    """A synthetic social customer-service log with planted effects (see the module docstring).

    Args:
        n_customers: number of customers; each has one to four conversations (about eight
            events per customer on average).
        seed: random seed; the same arguments always give the same log.
        start: first day (UTC) of the period.
        days: length of the period in days.

    Returns:
        An :class:`~journeymap.EventLog` with the canonical columns plus ``brand``, ``tier``,
        ``region``, ``device``, ``true_emotion`` and ``true_valence``.

    Example:
        >>> log = service_journeys(n_customers=10, seed=3)
        >>> sorted(log.events["actor"].unique())
        ['agent', 'customer']
    """
    if n_customers < 1:
        msg = f"n_customers must be at least 1, got {n_customers}"
        raise ValueError(msg)
    rng = np.random.default_rng(seed)
    origin = pd.Timestamp(start, tz="UTC").value // 10**9
    hour_p = _hour_weights()
    tiers = rng.choice(["free", "plus", "premium"], size=n_customers, p=[0.4, 0.4, 0.2])
    regions = rng.choice(["north", "south", "east", "west"], size=n_customers)
    devices = rng.choice(["ios", "android", "web"], size=n_customers, p=[0.4, 0.4, 0.2])
    n_threads = np.minimum(1 + rng.poisson(0.6, size=n_customers), 4)
    recover_p = {"free": 0.3, "plus": 0.7, "premium": 0.75}

    cols: dict[str, list[object]] = {
        k: []
        for k in (
            *(c for c in CANONICAL_COLUMNS if c not in ("stage", "agent_id")),
            "brand",
            "tier",
            "region",
            "device",
            "true_emotion",
        )
    }
    counter = 0

    def emit(**values: object) -> str:
        nonlocal counter
        event_id = f"e{counter:08d}"
        counter += 1
        cols["event_id"].append(event_id)
        for key, value in values.items():
            cols[key].append(value)
        return event_id

    for c in range(n_customers):
        cust = f"c{c:06d}"
        tier = str(tiers[c])
        for _ in range(int(n_threads[c])):
            brand = str(rng.choice(BRANDS))
            channel = str(rng.choice(CHANNELS, p=[0.6, 0.25, 0.15]))
            touchpoint = str(rng.choice(TOUCHPOINTS, p=_TOUCHPOINT_P))
            thing = str(rng.choice(_THING[touchpoint]))
            day = int(rng.integers(days))
            hour = int(rng.choice(24, p=hour_p))
            t = origin + day * 86400 + hour * 3600 + int(rng.integers(3600))
            pain = touchpoint == PLANTED["pain_point"]
            p_negative = 0.85 if pain else 0.4
            if rng.random() < p_negative:
                first = str(rng.choice(_NEGATIVE, p=[0.45, 0.3, 0.15, 0.1] if pain else [0.15, 0.35, 0.3, 0.2]))
            else:
                first = str(rng.choice(["neutral", "confusion", "nervousness", "curiosity"], p=[0.5, 0.2, 0.2, 0.1]))
            recovers = rng.random() < recover_p[tier] * (0.75 if pain else 1.0)
            turns = 1 + int(rng.binomial(3, 0.4))
            common = {
                "customer_id": cust,
                "brand": brand,
                "touchpoint": touchpoint,
                "tier": tier,
                "region": str(regions[c]),
                "device": str(devices[c]),
            }
            thread_id: str | None = None
            parent: str | None = None
            moved_to_dm = False
            for turn in range(turns):
                last = turn == turns - 1
                if turn == 0:
                    emotion = first
                elif last and turns > 1:
                    emotion = str(rng.choice(_POSITIVE)) if recovers else str(rng.choice(_NEGATIVE[:3]))
                else:
                    emotion = str(rng.choice(["neutral", "confusion", "annoyance", "nervousness"]))
                text = str(rng.choice(_CUSTOMER_TEMPLATES[emotion])).format(brand=brand, thing=thing)
                parent = emit(
                    timestamp=t,
                    actor="customer",
                    channel="dm" if moved_to_dm else channel,
                    text=text,
                    thread_id=thread_id,
                    in_reply_to=parent,
                    true_emotion=emotion,
                    **common,
                )
                thread_id = thread_id or parent
                if last and emotion in _POSITIVE:
                    break
                if rng.random() > (0.7 if last else 0.92):
                    break  # unanswered: work for triage
                night = (t // 3600) % 24 in PLANTED["night_hours"]  # type: ignore[operator]
                median = 20 * 60 * (PLANTED["night_slowdown"] if night else 1.0)  # type: ignore[operator]
                t += int(rng.lognormal(np.log(median), 0.6))
                if turn == 0 and not moved_to_dm and rng.random() < 0.3:
                    kind = "dm"
                elif last and recovers:
                    kind = "gratitude"
                else:
                    kind = "caring" if emotion in _NEGATIVE else "neutral"
                reply = str(rng.choice(_BRAND_TEMPLATES[kind])).format(cust=cust, thing=thing)
                parent = emit(
                    timestamp=t,
                    actor="agent",
                    channel="dm" if moved_to_dm else channel,
                    text=reply,
                    thread_id=thread_id,
                    in_reply_to=parent,
                    true_emotion="caring" if kind in {"caring", "dm"} else kind,
                    **common,
                )
                moved_to_dm = moved_to_dm or kind == "dm"
                t += int(rng.lognormal(np.log(30 * 60), 0.8))
    frame = pd.DataFrame(cols)
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], unit="s", utc=True)
    frame["true_valence"] = frame["true_emotion"].map(GOEMOTIONS_VALENCE).astype("float64")
    return validate_events(frame, on_error="raise")
