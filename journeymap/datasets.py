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

And four cases real service data has (each on by default, each with its option; they are drawn
from a random stream of their own and get event ids of their own, so the rows above are the same
with or without them):

* **Bystanders** (``bystanders=``): in some public threads another customer chimes in ("same
  here") and the brand sometimes answers them; their own journey when built by thread.
* **A bot** (``bot=``): ``Streamly`` acknowledges every thread's first message within seconds
  with the same text; ``true_automatic`` marks those rows (``actor`` stays ``agent``, as in
  sources that do not say).
* **Agents who sign** (``agents=``): ``NovaTel`` and ``Parcelo`` agents sign their replies
  (``^KD``) and the ``agent_id`` column names them (``"NovaTel/KD"``); Streamly's replies are
  unsigned.
* **Broadcasts** (``broadcasts=``, off by default): each brand posts outage notices
  (``touchpoint`` ``broadcast``, the brand account as ``customer_id``) that customers reply
  to. Off because they add a touchpoint (a stage map by touchpoint would miss it) and journeys
  without a customer message, which existing figures and examples do not expect; pass
  ``broadcasts=2``.

The generator's intended emotion of every message (a GoEmotions label) is kept in
``true_emotion`` and its valence in ``true_valence``, so analytics can be tested without a model.
The valence is the label's in :data:`~journeymap.emotions.taxonomy.GOEMOTIONS_VALENCE`, the
table the scorers use: there is one notion of valence.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from journeymap._flags import check_flag
from journeymap.emotions.taxonomy import GOEMOTIONS_VALENCE
from journeymap.exceptions import ArgumentTypeError, InvalidArgumentError
from journeymap.io.validation import validate_events
from journeymap.schema import CANONICAL_COLUMNS

if TYPE_CHECKING:
    from collections.abc import Callable

    from journeymap.io.eventlog import EventLog

__all__ = ["BOT_TEXT", "PLANTED", "service_journeys"]

#: The planted effects, for tests and docs.
PLANTED: dict[str, object] = {
    "pain_point": "billing",
    "night_hours": (22, 23, 0, 1, 2, 3, 4, 5),
    "night_slowdown": 4.0,
    "worse_segment": ("tier", "free"),
    "bot_brand": "Streamly",
    "signing_brands": ("NovaTel", "Parcelo"),
}
#: The bot's acknowledgement and the broadcasts (outage notices) of the synthetic brands.
BOT_TEXT = "@{cust} thanks for getting in touch! we've got your message and an agent will reply as soon as possible."
_BROADCASTS = (
    "we're aware some customers can't log in right now. our team is working on a fix and we'll update here.",
    "heads up: planned maintenance tonight from 01:00 to 03:00, some services may be unavailable.",
)
_BROADCAST_REPLIES = {
    "annoyance": ("@{brand} still broken for me, any update?", "@{brand} this keeps happening. when will it be fixed?"),
    "neutral": ("@{brand} thanks for the heads up", "@{brand} is this why my {thing} isn't loading?"),
}
_BYSTANDER = (
    "@{brand} same here, my {thing} is a mess too 😡",
    "@{brand} me too!! having the exact same problem with my {thing}",
)
_AGENTS = {"NovaTel": ("KD", "AM", "JR", "Tess"), "Parcelo": ("LB", "Omar", "SP")}

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
    # one template (a choice of one draws nothing from the stream): the answer that fixes a
    # recovering thread's only message, which the customer does not answer
    "resolved": ("@{cust} sorry for the wait: your {thing} is sorted now. let us know if anything else comes up.",),
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
    bystanders: float = 0.1,
    bot: bool = True,
    agents: bool = True,
    broadcasts: int = 0,
) -> EventLog:
    """A synthetic social customer-service log with planted effects (see the module docstring).

    Args:
        n_customers: number of customers (at least 1); each has one to four conversations
            (about six events per customer on average).
        seed: random seed, a non-negative int; the same arguments always give the same log.
        start: first day of the period: a date, read as UTC (a time with an offset is converted to UTC).
        days: length of the period in days (at least 1).
        bystanders: the share of public threads in which another customer chimes in (0 for none).
        bot: whether ``Streamly`` acknowledges each thread's first message automatically.
        agents: whether ``NovaTel`` and ``Parcelo`` agents sign their replies (``agent_id``).
        broadcasts: outage notices per brand that customers reply to (default 0: none).

    Returns:
        An :class:`~journeymap.EventLog` with the canonical columns (``agent_id`` included) plus
        ``brand``, ``tier``, ``region``, ``device``, ``true_emotion``, ``true_valence`` and
        ``true_automatic``.

    Examples:
        >>> log = service_journeys(n_customers=10, seed=3)
        >>> sorted(log.events["actor"].unique())
        ['agent', 'customer']
    """
    bot, agents = check_flag(bot, "bot"), check_flag(agents, "agents")
    n_customers, seed = _whole(n_customers, "n_customers", 1), _whole(seed, "seed", 0)
    days, broadcasts = _whole(days, "days", 1), _whole(broadcasts, "broadcasts", 0)
    if isinstance(bystanders, (bool, np.bool_)) or not isinstance(bystanders, (int, float, np.integer, np.floating)):
        msg = f"bystanders must be a share (a number in [0, 1]), got {type(bystanders).__name__} {bystanders!r}"
        raise ArgumentTypeError(msg)
    if not 0 <= bystanders <= 1:
        msg = f"bystanders must be a share in [0, 1], got {bystanders!r}"
        raise InvalidArgumentError(msg)
    try:
        first_day = pd.Timestamp(start)
    except (TypeError, ValueError) as error:
        msg = f"start must be a date such as '2024-03-04', got {start!r} ({error})"
        raise InvalidArgumentError(msg) from None
    if pd.isna(first_day):
        msg = f"start must be a date such as '2024-03-04', got {start!r}"
        raise InvalidArgumentError(msg)
    first_day = first_day.tz_localize("UTC") if first_day.tzinfo is None else first_day.tz_convert("UTC")
    rng = np.random.default_rng(seed)
    extra = np.random.default_rng([seed, 1])  # the added cases' own stream: the rows above stay the same
    signer = np.random.default_rng([seed, 2])  # who signs the customers' threads: the same with or without the added cases
    origin = first_day.value // 10**9
    hour_p = _hour_weights()
    tiers = rng.choice(["free", "plus", "premium"], size=n_customers, p=[0.4, 0.4, 0.2])
    regions = rng.choice(["north", "south", "east", "west"], size=n_customers)
    devices = rng.choice(["ios", "android", "web"], size=n_customers, p=[0.4, 0.4, 0.2])
    n_threads = np.minimum(1 + rng.poisson(0.6, size=n_customers), 4)
    recover_p = {"free": 0.3, "plus": 0.7, "premium": 0.75}

    cols: dict[str, list[object]] = {
        k: []
        for k in (
            *(c for c in CANONICAL_COLUMNS if c != "stage"),
            "brand",
            "tier",
            "region",
            "device",
            "true_emotion",
            "true_automatic",
        )
    }
    counters: dict[str, int] = {}

    def emit(prefix: str = "e", **values: object) -> str:
        counter = counters.get(prefix, 0)
        event_id = f"{prefix}{counter:08d}"
        counters[prefix] = counter + 1
        cols["event_id"].append(event_id)
        values.setdefault("true_automatic", False)
        for key, column in cols.items():
            if key != "event_id":
                column.append(values.get(key))
        return event_id

    def signed(brand: str, text: str, stream: np.random.Generator = extra) -> tuple[str, str | None]:
        if not agents or brand not in _AGENTS:
            return text, None
        who = str(stream.choice(_AGENTS[brand]))
        return f"{text} ^{who}", f"{brand}/{who}"

    def attributes() -> dict[str, str]:
        return {
            "tier": str(extra.choice(["free", "plus", "premium"], p=[0.4, 0.4, 0.2])),
            "region": str(extra.choice(["north", "south", "east", "west"])),
            "device": str(extra.choice(["ios", "android", "web"], p=[0.4, 0.4, 0.2])),
        }

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
                if turn == 0 and bot and brand == PLANTED["bot_brand"]:
                    emit(
                        prefix="a",
                        timestamp=t + int(extra.integers(2, 20)),
                        actor="agent",
                        channel=channel,
                        text=BOT_TEXT.format(cust=cust),
                        thread_id=parent,
                        in_reply_to=parent,
                        true_emotion="neutral",
                        true_automatic=True,
                        **common,
                    )
                if turn == 0 and bystanders > 0 and extra.random() < bystanders:
                    _bystander(
                        emit, extra, signed=signed, attributes=attributes, t=t, opener=parent,
                        brand=brand, channel=channel, touchpoint=touchpoint, thing=thing,
                    )  # fmt: skip
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
                elif last and recovers:  # a one-message thread (a thanks at the end of a longer one ends it above)
                    kind = "resolved"
                else:
                    kind = "caring" if emotion in _NEGATIVE else "neutral"
                reply, agent = signed(brand, str(rng.choice(_BRAND_TEMPLATES[kind])).format(cust=cust, thing=thing), signer)
                parent = emit(
                    agent_id=agent,
                    timestamp=t,
                    actor="agent",
                    channel="dm" if moved_to_dm else channel,
                    text=reply,
                    thread_id=thread_id,
                    in_reply_to=parent,
                    true_emotion="caring" if kind == "dm" or emotion in _NEGATIVE else "neutral",
                    **common,
                )
                moved_to_dm = moved_to_dm or kind == "dm"
                t += int(rng.lognormal(np.log(30 * 60), 0.8))
    for brand in BRANDS:
        for _ in range(broadcasts):
            t = origin + int(extra.integers(days * 86400))
            _broadcast(emit, extra, signed=signed, attributes=attributes, t=t, brand=brand)
    frame = pd.DataFrame(cols)
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], unit="s", utc=True)
    frame["true_valence"] = frame["true_emotion"].map(GOEMOTIONS_VALENCE).astype("float64")
    frame["true_automatic"] = frame["true_automatic"].astype(bool)
    return validate_events(frame, on_error="raise")


def _whole(value: object, name: str, minimum: int) -> int:
    """``value`` as an int of at least ``minimum``; an error naming ``name`` otherwise."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        msg = f"{name} must be a whole number (an int), got {type(value).__name__} {value!r}"
        raise ArgumentTypeError(msg)
    if value < minimum:
        msg = f"{name} must be at least {minimum}, got {value!r}"
        raise InvalidArgumentError(msg)
    return int(value)


def _bystander(
    emit: Callable[..., str],
    rng: np.random.Generator,
    *,
    signed: Callable[[str, str], tuple[str, str | None]],
    attributes: Callable[[], dict[str, str]],
    t: int,
    opener: str,
    brand: str,
    channel: str,
    touchpoint: str,
    thing: str,
) -> None:
    """Another customer chimes in on a thread's first message; the brand answers them half the time."""
    who = f"b{int(rng.integers(10**6)):06d}"
    common = {"customer_id": who, "brand": brand, "touchpoint": touchpoint, "channel": channel, "thread_id": opener}
    common.update(attributes())
    t += int(rng.integers(5 * 60, 60 * 60))
    said = emit(
        prefix="x",
        timestamp=t,
        actor="customer",
        text=str(rng.choice(_BYSTANDER)).format(brand=brand, thing=thing),
        in_reply_to=opener,
        true_emotion="annoyance",
        **common,
    )
    if rng.random() < 0.5:
        text, agent = signed(brand, str(rng.choice(_BRAND_TEMPLATES["caring"])).format(cust=who, thing=thing))
        emit(
            prefix="x",
            timestamp=t + int(rng.lognormal(np.log(30 * 60), 0.6)),
            actor="agent",
            text=text,
            agent_id=agent,
            in_reply_to=said,
            true_emotion="caring",
            **common,
        )


def _broadcast(
    emit: Callable[..., str],
    rng: np.random.Generator,
    *,
    signed: Callable[[str, str], tuple[str, str | None]],
    attributes: Callable[[], dict[str, str]],
    t: int,
    brand: str,
) -> None:
    """A brand's outage notice, two to four customers' replies to it, and the brand's answers to some."""
    post = emit(
        prefix="n",
        timestamp=t,
        actor="agent",
        customer_id=brand,
        brand=brand,
        channel="twitter",
        touchpoint="broadcast",
        text=str(rng.choice(_BROADCASTS)),
        true_emotion="neutral",
    )
    for _ in range(int(rng.integers(2, 5))):
        who = f"r{int(rng.integers(10**6)):06d}"
        emotion = str(rng.choice(["annoyance", "neutral"], p=[0.35, 0.65]))
        common = {"customer_id": who, "brand": brand, "channel": "twitter", "touchpoint": "broadcast", "thread_id": post}
        common.update(attributes())
        at = t + int(rng.integers(60, 6 * 3600))
        text = str(rng.choice(_BROADCAST_REPLIES[emotion])).format(brand=brand, thing="app")
        said = emit(prefix="n", timestamp=at, actor="customer", text=text, in_reply_to=post, true_emotion=emotion, **common)
        if rng.random() < 0.5:
            reply, agent = signed(brand, str(rng.choice(_BRAND_TEMPLATES["neutral"])).format(cust=who, thing="app"))
            emit(
                prefix="n",
                timestamp=at + int(rng.lognormal(np.log(30 * 60), 0.6)),
                actor="agent",
                text=reply,
                agent_id=agent,
                in_reply_to=said,
                true_emotion="neutral",
                **common,
            )
