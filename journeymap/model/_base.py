"""Shared configuration of the domain models: frozen, strict about unknown fields."""

from __future__ import annotations

from typing import Union

from pydantic import BaseModel, ConfigDict, ValidationError

#: A value allowed in free-form attributes (JSON scalars), so models stay JSON round-trippable.
Scalar = Union[str, int, float, bool, None]  # noqa: UP007 - pydantic evaluates this at runtime on 3.10


class Frozen(BaseModel):
    """Base of every journeymap model: immutable, hashable where fields allow, no extra fields."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)


def validation_problems(exc: ValidationError) -> str:
    """A pydantic ``ValidationError`` as one line: ``field: reason`` per problem, joined by ``; ``.

    Examples:
        >>> from pydantic import Field
        >>> class Model(Frozen):
        ...     name: str = Field(min_length=1)
        >>> try:
        ...     Model(name="")
        ... except ValidationError as exc:
        ...     print(validation_problems(exc))
        name: String should have at least 1 character
    """
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"])
        reason = str(error["msg"]).removeprefix("Value error, ")
        problems.append(f"{where}: {reason}" if where else reason)
    return "; ".join(problems)
