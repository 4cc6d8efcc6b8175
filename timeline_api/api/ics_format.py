"""Events as iCalendar (RFC 5545): all-day events over each event's widest span.

A calendar has no partial dates, so each event runs from `earliest` to `latest` (DTEND is the
day after, as all-day events end exclusively): a year-only event spans its year, and its
description says how precise the sources are.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from timeline_api.queries.listing import Record

PRODUCT = "-//timeline-api//events//EN"


def render(records: list[Record], event_url: str) -> str:
    """A VCALENDAR of the events; `event_url` with `{id}` is each event's address."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT}",
        "CALSCALE:GREGORIAN",
        "X-WR-CALNAME:timeline-api events",
    ]
    for record in records:
        lines += _event(record, event_url.replace("{id}", record["slug"]))
    lines.append("END:VCALENDAR")
    return "".join(_folded(line) + "\r\n" for line in lines)


def _event(record: Record, url: str) -> list[str]:
    stamp = record["updated_at"].astimezone(UTC) if record["updated_at"] else datetime.now(UTC)
    return [
        "BEGIN:VEVENT",
        f"UID:{record['slug']}@timeline-api",
        f"DTSTAMP:{stamp:%Y%m%dT%H%M%SZ}",
        f"DTSTART;VALUE=DATE:{_day(record['earliest'])}",
        f"DTEND;VALUE=DATE:{_day(_day_after(record['latest']))}",
        f"SUMMARY:{_text(record['title'])}",
        f"DESCRIPTION:{_text(_description(record))}",
        f"CATEGORIES:{_text(record['type']['name'])}",
        f"URL:{url}",
        "END:VEVENT",
    ]


def precision_note(record: Record) -> str:
    """How precise the dates are, in words: what the all-day span cannot say."""
    dates = record["start"] + (f" to {record['end']}" if record["end"] else "")
    precisions = [record["start_precision"]]
    if record["end_precision"] and record["end_precision"] != record["start_precision"]:
        precisions.append(record["end_precision"])
    known = " and ".join(f"to the {precision}" for precision in precisions)
    note = f"Date as the sources give it: {dates} (known {known})"
    if record["is_approximate"]:
        note += ", approximate"
    return note + "."


def _description(record: Record) -> str:
    return f"{record['summary'] or ''}\n\n{precision_note(record)}".strip()


def _day_after(day: date) -> date:
    """DTEND is exclusive; the calendar's last day has no day after, so it ends there."""
    return day if day == date.max else day + timedelta(days=1)


def _day(day: date) -> str:
    return f"{day:%Y%m%d}"


def _text(value: str) -> str:
    """A TEXT value escaped as RFC 5545 §3.3.11 says."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _folded(line: str) -> str:
    """Lines of at most 75 octets, continued with CRLF and a space (never inside a character)."""
    parts: list[str] = []
    current = ""
    for character in line:
        limit = 75 if not parts else 74  # a continuation starts with the space
        if len((current + character).encode()) > limit:
            parts.append(current)
            current = character
        else:
            current += character
    parts.append(current)
    return "\r\n ".join(parts)
