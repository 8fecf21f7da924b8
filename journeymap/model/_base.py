"""Shared configuration of the domain models: frozen, strict about unknown fields."""

from __future__ import annotations

from typing import Union

from pydantic import BaseModel, ConfigDict

#: A value allowed in free-form attributes (JSON scalars), so models stay JSON round-trippable.
Scalar = Union[str, int, float, bool, None]  # noqa: UP007 - pydantic evaluates this at runtime on 3.10


class Frozen(BaseModel):
    """Base of every journeymap model: immutable, hashable where fields allow, no extra fields."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)
