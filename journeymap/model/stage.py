"""Journey stages and the stage model that assigns them."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from journeymap.exceptions import InvalidArgumentError
from journeymap.model._base import Frozen

#: Stages of the default service-conversation model, in order.
#: ``first_response`` is the reply :func:`journeymap.response_times` times as ``first_response``
#: (in journeys by thread; see :class:`StageModel` for the three cases where they differ).
SERVICE_STAGES: tuple[tuple[str, str], ...] = (
    (
        "contact",
        (
            "Every step before the first response: the customer's opening messages, and brand messages that do not "
            "answer them in person (sent before the customer wrote, or by a bot or the system)."
        ),
    ),
    ("first_response", "The brand's first human reply (actor agent) after the customer's first message."),
    ("follow_up", "Every step after the first response and before the resolution."),
    (
        "resolution",
        (
            "The last step said by the customer or a person in a conversation the brand has answered, with any "
            "automatic (bot or system) steps after it."
        ),
    ),
)


class Stage(Frozen):
    """One journey stage; its place in the order comes from the StageModel that holds it.

    Examples:
        >>> from pydantic import ValidationError
        >>> purchase = Stage(name="purchase", description="The order is placed.")
        >>> {purchase: 3}[Stage(name="purchase", description="The order is placed.")]  # frozen: hashed and compared by value
        3
        >>> try:
        ...     Stage(name="")
        ... except ValidationError as error:
        ...     print(error.errors()[0]["type"])
        string_too_short
    """

    name: str = Field(min_length=1)
    description: str = ""


class StageModel(Frozen):
    """Ordered stages and how events are assigned to them.

    Three ways to assign (``assign``):

    * ``"service"``: the default for service conversations, from actor and position. The
      ``first_response`` is the journey's first human brand step (actor ``agent``: not
      ``customer``, ``bot`` or ``system``) after its first customer message, the reply
      :func:`~journeymap.response_times` times as ``first_response``. Every step before it
      is ``contact``: the customer's opening messages, and brand messages that do not answer
      them in person (a bot's greeting or a broadcast sent before the customer wrote, an
      automatic acknowledgement). After the first response, the last step said by the customer
      or a person is ``resolution``, with any automatic (``bot``, ``system``) steps after it,
      and the steps between are ``follow_up``. A journey without a human reply to the customer
      stays in ``contact``. Only the actor tells automatic replies here: a brand reply that
      :func:`~journeymap.response_times` finds automatic by its repeated text (an
      :class:`~journeymap.AutoReplyRule`) can still be the ``first_response`` stage, and in a
      journey by customer that spans several threads the stage is the first human reply in
      the journey, where :func:`~journeymap.response_times` times the first reply in the
      thread of the customer's first message; a journey that opens with a brand reply to a
      message outside the data has the stage on the reply after the customer's first message in
      the data, a follow-up that :func:`~journeymap.response_times` does not time
      (``opened_outside``) nor :func:`~journeymap.reply_table` flag.
    * ``"touchpoint"``: each event's touchpoint looked up in ``touchpoint_map``; touchpoints not in
      the map get ``default_stage`` (an error if that is None).
    * ``"column"``: the stage names are already in an events column (``column``): compute it
      with any rule you like, and declare the order here.

    Examples:
        >>> m = StageModel.from_touchpoints({"ad": "awareness", "checkout": "purchase"})
        >>> m.names
        ('awareness', 'purchase')
    """

    stages: tuple[Stage, ...] = Field(min_length=1)
    assign: Literal["service", "touchpoint", "column"] = "service"
    touchpoint_map: dict[str, str] = Field(default_factory=dict)
    default_stage: str | None = None
    column: str | None = None

    @model_validator(mode="after")
    def _check(self) -> StageModel:
        names = [s.name for s in self.stages]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            msg = f"stage names must be unique; repeated: {dupes}"
            raise InvalidArgumentError(msg)
        known = set(names)
        unknown = sorted({v for v in self.touchpoint_map.values() if v not in known})
        if unknown:
            msg = f"touchpoint_map names stages that are not in stages: {unknown}"
            raise InvalidArgumentError(msg)
        if self.default_stage is not None and self.default_stage not in known:
            msg = f"default_stage {self.default_stage!r} is not one of the stages {names}"
            raise InvalidArgumentError(msg)
        if self.assign == "service" and names != [n for n, _ in SERVICE_STAGES]:
            msg = f"assign='service' needs the service stages {[n for n, _ in SERVICE_STAGES]}"
            raise InvalidArgumentError(msg)
        if self.assign == "touchpoint" and not self.touchpoint_map:
            msg = "assign='touchpoint' needs a touchpoint_map"
            raise InvalidArgumentError(msg)
        if self.assign == "column" and not self.column:
            msg = "assign='column' needs the name of the column holding stage names"
            raise InvalidArgumentError(msg)
        return self

    @property
    def names(self) -> tuple[str, ...]:
        """Stage names in order."""
        return tuple(s.name for s in self.stages)

    @classmethod
    def service(cls) -> StageModel:
        """The default model for service conversations (see the class docstring)."""
        return cls(stages=tuple(Stage(name=n, description=d) for n, d in SERVICE_STAGES))

    @classmethod
    def from_touchpoints(
        cls,
        mapping: dict[str, str],
        *,
        order: list[str] | tuple[str, ...] | None = None,
        default_stage: str | None = None,
    ) -> StageModel:
        """A model from a touchpoint -> stage mapping; the order defaults to first appearance."""
        bad = {tp: st for tp, st in mapping.items() if not isinstance(tp, str) or not isinstance(st, str) or not st}
        if bad:
            msg = f"stages maps touchpoints to stages by name (text); these entries are not: {bad}"
            raise InvalidArgumentError(msg)
        names = list(order) if order is not None else list(dict.fromkeys(mapping.values()))
        if default_stage is not None and default_stage not in names:
            names.append(default_stage)
        return cls(
            stages=tuple(Stage(name=n) for n in names),
            assign="touchpoint",
            touchpoint_map=dict(mapping),
            default_stage=default_stage,
        )

    @classmethod
    def from_column(cls, column: str, order: list[str] | tuple[str, ...]) -> StageModel:
        """A model whose stages are read from ``column``, in the given order."""
        return cls(stages=tuple(Stage(name=n) for n in order), assign="column", column=column)
