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
    text = stored_text(name)
    return None if text is None else normalise(text)


def quote_is_verbatim(quote: str, document: str) -> bool:
    text = document_text(document)
    return text is not None and normalise(quote) in text


@lru_cache(maxsize=32)  # bounded: names that are not a document are asked too
def stored_text(name: str) -> str | None:
    """A stored document's text as received, or None when there is no such document."""
    if "/" in name or "\\" in name or "\x00" in name or len(name) > MAX_NAME:
        return None
    try:
        return (DOCUMENTS / name).read_text(encoding="utf-8")
    except OSError:  # none by that name (or one the file system cannot even look up)
        return None


def locate(quote: str, text: str) -> tuple[int, int] | None:
    """Where `quote` first occurs in `text` as *How quotes are matched* reads both: the
    character offsets [start, end) in `text` itself, or None when it does not occur."""
    wanted = normalise(quote)
    folded, origins = _normalised_with_origins(text)
    found = folded.find(wanted) if wanted else -1
    if found < 0:
        return None
    return origins[found], origins[found + len(wanted) - 1] + 1


def _normalised_with_origins(text: str) -> tuple[str, list[int]]:
    """`normalise(text)`, and for each of its characters the offset it comes from in `text`."""
    dropped = [False] * len(text)
    for match in _TIMESTAMP.finditer(text):
        dropped[match.start() : match.end()] = [True] * (match.end() - match.start())
    out: list[str] = []
    origins: list[int] = []
    space_at: int | None = None
    for at, char in enumerate(text):
        if dropped[at]:
            continue
        if char.isspace():  # U+00A0 included: str.split() folds the same characters
            space_at = at if space_at is None else space_at
            continue
        if space_at is not None and out:
            out.append(" ")
            origins.append(space_at)
        space_at = None
        out.append(char)
        origins.append(at)
    return "".join(out), origins
