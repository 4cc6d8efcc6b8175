"""One record of a data file, as a reader yields it."""

from __future__ import annotations

import re
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
    # False when the text it came from has no NUL nor surrogate, raw or escaped
    may_hold_unstorable: bool = True


# \u0000 and the surrogates' escapes, \ud800 to \udfff (text from UTF-8 holds no raw surrogate).
_ESCAPES = re.compile(r"\\u(0000|[dD][89a-fA-F])")
_RAW_ESCAPES = re.compile(rb"\\u(0000|[dD][89a-fA-F])")


def may_hold_unstorable(text: bytes | str) -> bool:
    """Whether text may hold a NUL or a lone surrogate, raw or escaped (cheap: most have none)."""
    if isinstance(text, bytes):
        return b"\x00" in text or _RAW_ESCAPES.search(text) is not None
    return "\x00" in text or _ESCAPES.search(text) is not None
