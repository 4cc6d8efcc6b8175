"""Full-text search, the same on SQLite (FTS5) and PostgreSQL (tsvector).

Both engines index `events.search_text`, which Python fills with the event's words folded to
lowercase and stripped of accents, separated by single spaces, followed by the English stems of
those words that differ from the word (`spying` adds `spi`). Queries are parsed here into the
same words and stems, so that tokenising, case, accents and stemming behave alike whichever
engine runs the search. Pure Python: no Flask, no database.

How a query matches (docs/search.md says it for users):
- a plain word matches every word with the same English stem: `spying` finds spy, spies, spied;
  a few stems also find their synonyms (`SYNONYMS`: `spying` finds espionage too);
- `word*` matches the words starting with `word`, as written (`spy*` finds spyware, not spies);
- `"a phrase"` matches those words exactly, together and in order.
"""

from __future__ import annotations

import html
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

_WORD = re.compile(r"[^\W_]+")
_TERM = re.compile(r'"(?P<phrase>[^"]*)"(?P<phrase_star>\*?)|(?P<word>[^\s"]+)')
# Engine syntax we do not offer; every word must match anyway, so these are dropped.
_OPERATORS = {"AND", "OR", "NOT", "NEAR"}
# Stems that find each other: what a journalist means is not always the same word.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "spi": ("spi", "espionag"),  # spy, spies, spying, spied
    "espionag": ("espionag", "spi"),
}

_stemmer = snowballstemmer.stemmer("english")
_stemming = threading.Lock()  # a stemmer keeps its word in itself while it works
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


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The English (Snowball) stem of a folded word: "spying" → "spi"."""
    with _stemming:
        return str(_stemmer.stemWord(word))


def search_text(*parts: str | None) -> str:
    """What an event's full-text index holds: its words, folded, then the stems that differ
    from their word (each once), one space apart."""
    found = [word for part in parts for word in words(part)]
    unique = dict.fromkeys(found)  # in order, so that the text is the same on every run
    stems = dict.fromkeys(s for s in map(stem, unique) if s not in unique)
    return " ".join([*found, *stems])


@dataclass(frozen=True)
class Term:
    """Words that must occur together, in order; the last may be a prefix (`espion*`).

    A single plain word matches by its stem: `stems` holds the stems it accepts.
    """

    words: tuple[str, ...]
    is_prefix: bool = False
    stems: tuple[str, ...] = ()

    def fts5(self) -> str:
        if self.stems:
            return "(" + " OR ".join(f'"{s}"' for s in self.stems) + ")"
        return '"' + " ".join(self.words) + '"' + ("*" if self.is_prefix else "")

    def tsquery(self) -> str:
        if self.stems:
            return " | ".join(self.stems)
        last = len(self.words) - 1
        tokens = [
            f"{word}:*" if self.is_prefix and index == last else word
            for index, word in enumerate(self.words)
        ]
        return " <-> ".join(tokens)

    def accepts(self, index: int, word: str) -> bool:
        """Whether `word` may stand at position `index` of this term."""
        if self.stems:
            return stem(word) in self.stems
        if self.is_prefix and index == len(self.words) - 1:
            return word.startswith(self.words[index])
        return word == self.words[index]


@dataclass(frozen=True)
class Query:
    """Every term must match."""

    terms: tuple[Term, ...]

    def fts5(self) -> str:
        """An FTS5 MATCH expression: `"secret army" AND ("spi" OR "espionag") AND "espion"*`."""
        return " AND ".join(term.fts5() for term in self.terms)

    def tsquery(self) -> str:
        """A to_tsquery('simple', ...) expression: `(secret <-> army) & (spi | espionag)`."""
        return " & ".join(f"({term.tsquery()})" for term in self.terms)


def _term(found: tuple[str, ...], star: bool, is_phrase: bool) -> Term:
    if len(found) == 1 and not star and not is_phrase:
        root = stem(found[0])
        return Term(found, stems=SYNONYMS.get(root, (root,)))
    return Term(found, star)


def parse(text: str) -> Query | None:
    """Read what a user typed; None when it holds no word to search for.

    `"..."` is a phrase, a trailing `*` a prefix, and everything else plain words: an
    unbalanced quote, punctuation or an SQL fragment never becomes syntax, and the operators
    AND, OR, NOT and NEAR (in capitals) are ignored. A word written with punctuation inside
    (`cross-strait`, `U.S.`) is a phrase of its parts.
    """
    terms: list[Term] = []
    balanced = text if text.count('"') % 2 == 0 else text.replace('"', " ")
    for match in _TERM.finditer(balanced):
        if match["phrase"] is not None:
            found = tuple(words(match["phrase"]))
            star, is_phrase = bool(match["phrase_star"]), True
        else:
            raw = match["word"]
            found = () if raw in _OPERATORS else tuple(words(raw))
            star, is_phrase = raw.endswith("*"), False
        if found:
            terms.append(_term(found, star, is_phrase))
    return Query(tuple(terms)) if terms else None


def snippet(query: Query, texts: Iterable[str | None], width: int = 12) -> str | None:
    """About `width` words either side of the first match, HTML-escaped, each match in one
    <mark>: the words only, not their punctuation, and a phrase as a whole.

    Only the first SNIPPET_SCAN characters of each text are looked at, so the time a snippet
    takes is bounded whatever the text (a 9 MB one took 9 s)."""
    for text in texts:
        if not text:
            continue
        text = text[:SNIPPET_SCAN]
        spans = [(m.start(), m.end(), fold(m.group())) for m in _WORD.finditer(text)]
        hits = _matched_spans(query, [folded for _start, _end, folded in spans])
        if not hits:
            continue
        first = max(0, hits[0][0] - width)
        last = min(len(spans), hits[0][0] + width)
        begin = spans[first][0] if first else 0
        end = spans[last - 1][1] if last < len(spans) else len(text)
        marks = [(spans[a][0], spans[b - 1][1]) for a, b in _merged(hits, spans, text)]
        shown = _marked(text, begin, end, marks).strip()
        return ("… " if first else "") + shown + (" …" if last < len(spans) else "")
    return None


def _matched_spans(query: Query, folded: list[str]) -> list[tuple[int, int]]:
    """Word ranges [start, end) where a term matches, in text order."""
    found = set()
    for term in query.terms:
        size = len(term.words) if not term.stems else 1
        for start in range(len(folded) - size + 1):
            if all(term.accepts(i, folded[start + i]) for i in range(size)):
                found.add((start, start + size))
    return sorted(found)


def _merged(
    hits: list[tuple[int, int]], spans: list[tuple[int, int, str]], text: str
) -> list[tuple[int, int]]:
    """Word ranges joined where they overlap or only white space lies between them."""
    merged: list[tuple[int, int]] = []
    for start, end in hits:
        if merged and (start < merged[-1][1] or _adjacent(merged[-1][1], start, spans, text)):
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _adjacent(end: int, start: int, spans: list[tuple[int, int, str]], text: str) -> bool:
    """Whether word `start` comes right after word `end - 1`, with white space only between."""
    return start == end and not text[spans[end - 1][1] : spans[start][0]].strip()


def _marked(text: str, begin: int, end: int, marks: list[tuple[int, int]]) -> str:
    out, at = [], begin
    for start, stop in marks:
        if stop <= begin or start >= end:
            continue
        out.append(html.escape(text[at:start], quote=False))
        out.append(f"<mark>{html.escape(text[start:stop], quote=False)}</mark>")
        at = stop
    out.append(html.escape(text[at:end], quote=False))
    return "".join(out)
