"""Full-text search, the same on SQLite (FTS5) and PostgreSQL (tsvector).

Both engines index `events.search_text`, which Python fills with the event's words folded to
lowercase and stripped of accents, separated by single spaces. Queries are parsed here into the
same words, so that tokenising, case and accents behave alike whichever engine runs the search.
Pure Python: no Flask, no database.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

_WORD = re.compile(r"[^\W_]+")
_TERM = re.compile(r'"(?P<phrase>[^"]*)"(?P<phrase_star>\*?)|(?P<word>[^\s"]+)')
# Engine syntax we do not offer; every word must match anyway, so these are dropped.
_OPERATORS = {"AND", "OR", "NOT", "NEAR"}
# As long as the longest text an event may have (datafile.schemas.TEXT); texts stored before
# that limit may be longer, and a match past it gives no snippet from that text.
SNIPPET_SCAN = 20_000


def fold(word: str) -> str:
    """Lowercase, without accents: "Défense" → "defense"."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def words(text: str | None) -> list[str]:
    """The folded words of `text`, as both engines will see them."""
    if not text:
        return []
    if text.isascii():  # the common case, ten times faster: no accents to strip
        return _WORD.findall(text.lower())
    return [fold(match) for match in _WORD.findall(text)]


def search_text(*parts: str | None) -> str:
    """What an event's full-text index holds: its words, folded, one space apart."""
    return " ".join(word for part in parts for word in words(part))


@dataclass(frozen=True)
class Term:
    """Words that must occur together, in order; the last may be a prefix (`espion*`)."""

    words: tuple[str, ...]
    is_prefix: bool = False


@dataclass(frozen=True)
class Query:
    """Every term must match."""

    terms: tuple[Term, ...]

    def fts5(self) -> str:
        """An FTS5 MATCH expression: `"secret army" AND "espion"*`."""
        return " AND ".join(
            '"' + " ".join(term.words) + '"' + ("*" if term.is_prefix else "")
            for term in self.terms
        )

    def tsquery(self) -> str:
        """A PostgreSQL to_tsquery('simple', ...) expression: `secret <-> army & espion:*`."""
        parts = []
        for term in self.terms:
            last = len(term.words) - 1
            tokens = [
                f"{word}:*" if term.is_prefix and index == last else word
                for index, word in enumerate(term.words)
            ]
            parts.append(" <-> ".join(tokens))
        return " & ".join(f"({part})" for part in parts)

    def matches(self, word: str) -> bool:
        """Whether a folded word of a text is one this query looks for (for highlighting)."""
        return any(
            word == wanted
            or (term.is_prefix and index == len(term.words) - 1 and word.startswith(wanted))
            for term in self.terms
            for index, wanted in enumerate(term.words)
        )


def parse(text: str) -> Query | None:
    """Read what a user typed; None when it holds no word to search for.

    `"..."` is a phrase, a trailing `*` a prefix, and everything else plain words: an
    unbalanced quote, punctuation or an SQL fragment never becomes syntax, and the operators
    AND, OR, NOT and NEAR (in capitals) are ignored.
    """
    terms: list[Term] = []
    balanced = text if text.count('"') % 2 == 0 else text.replace('"', " ")
    for match in _TERM.finditer(balanced):
        if match["phrase"] is not None:
            found = tuple(words(match["phrase"]))
            star = bool(match["phrase_star"])
        else:
            raw = match["word"]
            found = () if raw in _OPERATORS else tuple(words(raw))
            star = raw.endswith("*")
        if found:
            terms.append(Term(found, star))
    return Query(tuple(terms)) if terms else None


def snippet(query: Query, texts: Iterable[str | None], width: int = 24) -> str | None:
    """About `width` words around the first match, matches wrapped in <mark>, HTML-escaped.

    Only the first SNIPPET_SCAN characters of each text are looked at, and only up to the first
    match, so the time a snippet takes is bounded whatever the text (a 9 MB one took 9 s)."""
    for text in texts:
        tokens = re.split(r"(\s+)", (text or "")[:SNIPPET_SCAN])
        first = next((i for i, token in enumerate(tokens) if _hits(query, token)), None)
        if first is None:
            continue
        start = max(0, first - width)
        end = min(len(tokens), first + width)
        shown = "".join(
            f"<mark>{html.escape(token, quote=False)}</mark>"
            if _hits(query, token)
            else html.escape(token, quote=False)
            for token in tokens[start:end]
        ).strip()
        return ("… " if start else "") + shown + (" …" if end < len(tokens) else "")
    return None


def _hits(query: Query, token: str) -> bool:
    return any(query.matches(word) for word in words(token))
