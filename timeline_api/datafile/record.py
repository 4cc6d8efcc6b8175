"""One record of a data file, as a reader yields it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Record:
    """One item of a file, where it is, and (CSV) the derived cells given for it."""

    kind: str  # the list: "events", "actors", ...
    raw: Any
    place: str | None  # "line 7", "row 3"; None for data that never was a file
    pointer: str  # "/events/12" in a mapping of lists; "" where the line or row is the item
    derived: Mapping[str, str] = field(default_factory=dict)
    may_hold_nul: bool = True  # False when the text it came from has no NUL (nor \\u0000)


def may_hold_nul(text: bytes | str) -> bool:
    """Whether text may hold a NUL, raw or escaped (cheap: most records have none)."""
    if isinstance(text, bytes):
        return b"\x00" in text or b"\\u0000" in text
    return "\x00" in text or "\\u0000" in text
