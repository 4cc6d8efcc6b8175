"""The stored source documents, and whether a quote occurs in one word for word."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

DOCUMENTS = Path(__file__).resolve().parent.parent / "seed" / "documents"
MAX_NAME = 100  # file systems refuse names over 255 bytes; ours are about 25 characters
_TIMESTAMP = re.compile(r"(?m)^[0-9]{2}:[0-9]{2}")  # ASCII digits: \d would take any script's


def normalise(text: str) -> str:
    """Drop transcript timestamps at line starts and fold every run of white space to one space.

    Transcripts break sentences across timestamped lines; this is the only liberty taken, so a
    quote still has to match the document character for character otherwise.
    """
    return " ".join(_TIMESTAMP.sub("", text).replace("\u00a0", " ").split())


@lru_cache(maxsize=32)  # a few documents exist; names that are not one are asked too
def document_text(name: str) -> str | None:
    """The normalised text of a stored document, or None when there is no such document."""
    if "/" in name or "\\" in name or "\x00" in name or len(name) > MAX_NAME:
        return None
    try:
        return normalise((DOCUMENTS / name).read_text(encoding="utf-8"))
    except OSError:  # none by that name (or one the file system cannot even look up)
        return None


def quote_is_verbatim(quote: str, document: str) -> bool:
    text = document_text(document)
    return text is not None and normalise(quote) in text
