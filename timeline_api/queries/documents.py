"""A source's stored document as the API serves it, and where a quote lies in it.

The body is a short note on the text's origin, then the document exactly as stored. Offsets
count characters (Unicode code points, as Python indexes strings) from the start of that body,
so `body[start:end]` is the quoted passage as the document writes it (line breaks and
transcript timestamps included; docs/data-format.md says how a quote is matched).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from timeline_api.datafile.documents import locate, stored_text
from timeline_api.models import Source

RULE = "-" * 72
_EDGE_WORDS = 4  # words of a passage's first and last line that a link's text fragment names


@dataclass(frozen=True)
class Passage:
    """Where a quote lies in a served document, and the words it starts and ends with."""

    start: int
    end: int
    first_words: str
    last_words: str | None  # None when the passage is short enough to name whole


def body(source: Source) -> str | None:
    """What GET /v1/sources/{id}/document serves; None when the source has no stored text."""
    text = stored_text(source.document) if source.document else None
    return None if text is None else note(source) + text


def note(source: Source) -> str:
    """The origin and terms of a stored text, ahead of it."""
    described = " (a title of ours: the page has no headline we could use)"
    parts = [
        f"Source: {source.publisher}, “{source.title}”",
        described if source.title_is_descriptive else "",
        f", by {source.author}" if source.author else "",
        f", published {source.published}" if source.published else "",
        f", {source.url}" if source.url else "",
    ]
    return (
        "".join(parts)
        + f"\nStored document: {source.document}, kept as received so that every quote the"
        " timeline cites from it can be checked in context.\nThe text remains its publisher's;"
        " it is served for verification only. Offsets of citations count characters (Unicode"
        " code points) from the start of this body.\n" + RULE + "\n"
    )


def passage(source: Source, quote: str | None) -> Passage | None:
    """Where `quote` lies in `source`'s served document, or None (no document, no quote)."""
    if not quote or not source.document:
        return None
    served = body(source)
    if served is None:
        return None
    return _passage(served, len(served) - len(stored_text(source.document) or ""), quote)


@lru_cache(maxsize=4096)
def _passage(served: str, offset: int, quote: str) -> Passage | None:
    found = locate(quote, served[offset:])
    if found is None:
        return None
    start, end = found[0] + offset, found[1] + offset
    lines = [line.split() for line in served[start:end].splitlines()]
    lines = [words for words in lines if words]
    if len(lines) == 1 and len(lines[0]) <= 2 * _EDGE_WORDS:
        return Passage(start, end, " ".join(lines[0]), None)
    first = " ".join(lines[0][:_EDGE_WORDS])
    last = " ".join(lines[-1][-_EDGE_WORDS:])
    return Passage(start, end, first, last)
