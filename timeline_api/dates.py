"""Partial dates: a year, a month or a day, and the widest span of days each can mean."""

from __future__ import annotations

import calendar
import enum
import re
from dataclasses import dataclass
from datetime import date

# ASCII digits only: \d would also accept full-width and other Unicode digits.
_FORMS = re.compile(r"^(?P<year>[0-9]{4})(?:-(?P<month>[0-9]{2})(?:-(?P<day>[0-9]{2}))?)?$")


class Precision(enum.StrEnum):
    """How much of a date its source gives."""

    YEAR = "year"
    MONTH = "month"
    DAY = "day"


class InvalidDate(ValueError):
    """A string that is not a real YYYY, YYYY-MM or YYYY-MM-DD date."""


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date exactly as precise as its source: "2002", "2025-06" or "2025-06-05"."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> Precision:
        if self.day is not None:
            return Precision.DAY
        if self.month is not None:
            return Precision.MONTH
        return Precision.YEAR

    @property
    def first(self) -> date:
        """The earliest day this date can mean."""
        return date(self.year, self.month or 1, self.day or 1)

    @property
    def last(self) -> date:
        """The latest day this date can mean (inclusive)."""
        month = self.month or 12
        day = self.day or calendar.monthrange(self.year, month)[1]
        return date(self.year, month, day)

    def __str__(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text


def parse_partial_date(text: str) -> PartialDate:
    """Read "YYYY", "YYYY-MM" or "YYYY-MM-DD"; refuse anything else or an impossible day."""
    match = _FORMS.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise InvalidDate(f"is not a date: got {text!r}; use YYYY, YYYY-MM or YYYY-MM-DD")
    year = int(match["year"])
    month = int(match["month"]) if match["month"] else None
    day = int(match["day"]) if match["day"] else None
    if year < 1:
        raise InvalidDate(f"is not a date: got {text!r}; the year must be 0001 or later")
    try:
        date(year, 1 if month is None else month, 1 if day is None else day)
    except ValueError as error:
        raise InvalidDate(f"is not a real date: got {text!r} ({error})") from None
    return PartialDate(year, month, day)


@dataclass(frozen=True)
class DateSpan:
    """An inclusive range of days, from the first day of `start` to the last day of `end`."""

    first: date
    last: date

    @classmethod
    def of(cls, start: PartialDate, end: PartialDate | None = None) -> DateSpan:
        return cls(start.first, (end or start).last)


# Spans are sorted into classes by length (class k: shorter than 2**k days), so that "which
# events can overlap from..to" becomes one narrow index range per class instead of a scan of
# every event that started before `to`. 23 classes cover 0001-01-01..9999-12-31.
SPAN_CLASSES = range(23)


def span_class(first: date, last: date) -> int:
    """The class of a span: the number of bits in its length in days."""
    return (last - first).days.bit_length()


def earliest_start(first: date, klass: int) -> date:
    """The earliest start an event of class `klass` can have and still reach `first`."""
    ordinal = first.toordinal() - 2**klass + 1
    return date.fromordinal(max(ordinal, 1))


def latest_end(last: date, klass: int) -> date:
    """The latest end an event of class `klass` can have and still start by `last`."""
    ordinal = last.toordinal() + 2**klass - 1
    return date.fromordinal(min(ordinal, date.max.toordinal()))
