"""Domain errors raised by the data functions; the API maps them to HTTP in one place."""

from __future__ import annotations

from enum import Enum
from typing import Final, Literal


class NotFoundError(LookupError):
    """A row the caller named by id does not exist."""

    def __init__(self, entity: str, id_: int) -> None:
        super().__init__(f"{entity} {id_} not found")
        self.entity = entity
        self.id = id_


class _Unset(Enum):
    UNSET = "UNSET"


# Default of optional update arguments: tells "leave as is" apart from "set to None".
UNSET: Final = _Unset.UNSET
Unset = Literal[_Unset.UNSET]
