"""A realistic generated dataset in the NDJSON data format, the same for the same seed.

    python -m bench.generate --events 1000000 --seed 1 --output events.ndjson

One record per line, `{"<list>": {item}}`, lists in the order a loader needs them (countries,
event types, tags, sources, actors, events, series), as `timeline-api export` writes them and
`timeline-api import` reads them. The shape: 30 % periods lasting a day to 20 years (log-uniform),
the rest instants; dates known to the day, month or year; 12 event types; Zipf-weighted actors
(300 public institutions), countries and tags; titles and summaries drawn from a 6,000-word Zipf
vocabulary; every event cites a source by a note; some dates are disputed, some events linked.
Written as it is drawn, in constant memory.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import IO, Any

from bench import shape
from timeline_api.models.events import LINK_KINDS, ROLES

PERIOD_SHARE = 0.3
LONGEST_PERIOD_DAYS = 20 * 365 + 5
PRECISIONS = ("day", "month", "year")
PRECISION_WEIGHTS = (70, 20, 10)
DISPUTED_SHARE = 0.03
LINKED_SHARE = 0.05
LINK_REACH = 5000  # links point back at most this many events
BATCH = 2000

Record = tuple[str, dict[str, Any]]


def partial(day: date, precision: str) -> str:
    """`day` written to `precision`: "2002", "2002-06" or "2002-06-05"."""
    text = day.isoformat()
    return text if precision == "day" else text[:7] if precision == "month" else text[:4]


class EventDrawer:
    """Draws events one after another; the same seed gives the same events."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        found = shape.lookups()
        self.types = [item["id"] for item in found.event_types]
        self.actors = [item["id"] for item in found.actors]
        self.countries = [item["code"] for item in found.countries]
        self.tags = [item["id"] for item in found.tags]
        self.sources = [item["id"] for item in found.sources]
        self.words = shape.vocabulary()
        self.weights = {
            name: shape.zipf_weights(len(values))
            for name, values in (
                ("actors", self.actors),
                ("countries", self.countries),
                ("tags", self.tags),
                ("sources", self.sources),
                ("words", self.words),
                ("types", self.types),
            )
        }
        self.first = shape.FIRST_DAY.toordinal()
        self.last = shape.LAST_DAY.toordinal()

    def _some(self, name: str, values: list[str], low: int, high: int) -> list[str]:
        """Between `low` and `high` distinct values, Zipf-weighted."""
        drawn = self.rng.choices(
            values, cum_weights=self.weights[name], k=self.rng.randint(low, high)
        )
        return list(dict.fromkeys(drawn))

    def _text(self, low: int, high: int) -> str:
        words = self.rng.choices(
            self.words, cum_weights=self.weights["words"], k=self.rng.randint(low, high)
        )
        return " ".join(words).capitalize()

    def _precision(self) -> str:
        return self.rng.choices(PRECISIONS, PRECISION_WEIGHTS)[0]

    def _span(self) -> dict[str, str]:
        start = date.fromordinal(self.rng.randint(self.first, self.last))
        span = {"start": partial(start, self._precision())}
        if self.rng.random() < PERIOD_SHARE:
            days = round(math.exp(self.rng.uniform(0, math.log(LONGEST_PERIOD_DAYS))))
            span["end"] = partial(start + timedelta(days=days), self._precision())
        return span

    def event(self, number: int) -> dict[str, Any]:
        """The event numbered `number` (from 0)."""
        rng = self.rng
        item: dict[str, Any] = {
            "id": f"event-{number}",
            "title": self._text(4, 10),
            "summary": self._text(12, 36) + ".",
            "type": rng.choices(self.types, cum_weights=self.weights["types"])[0],
            "importance": rng.choices((1, 2, 3, 4, 5), (40, 30, 15, 10, 5))[0],
            **self._span(),
        }
        if rng.random() < 0.05:
            item["is_approximate"] = True
            item["date_note"] = "Estimated from a relative date in the source."
        item["actors"] = [
            {"actor": actor, "role": rng.choice(ROLES)}
            for actor in self._some("actors", self.actors, 1, 3)
        ]
        item["countries"] = self._some("countries", self.countries, 1, 2)
        item["tags"] = self._some("tags", self.tags, 0, 3)
        item["citations"] = [
            {"source": source, "note": "Generated citation."}
            for source in self._some("sources", self.sources, 1, 2)
        ]
        if rng.random() < DISPUTED_SHARE:
            other = {"start": self._span()["start"]}
            source = rng.choice(self.sources)
            item["alternative_dates"] = [
                {**other, "source": source, "note": "Another source dates it differently."}
            ]
        if number and rng.random() < LINKED_SHARE:
            target = number - rng.randint(1, min(number, LINK_REACH))
            item["links"] = [{"to": f"event-{target}", "kind": rng.choice(LINK_KINDS)}]
        return item


def series() -> Iterator[dict[str, Any]]:
    """A few yearly series, so that every list of the format appears."""
    rng = random.Random(0)
    years = range(shape.FIRST_DAY.year, shape.LAST_DAY.year + 1)
    for number, (unit, title) in enumerate(
        (("cases", "Espionage cases per year"), ("people", "People expelled per year"))
    ):
        yield {
            "id": f"series-{number}",
            "title": title,
            "unit": unit,
            "points": [
                {
                    "period": str(year),
                    "value": rng.randint(0, 200),
                    "source": "source-1",
                    "note": "Generated count.",
                }
                for year in years
            ],
        }


def records(count: int, seed: int) -> Iterator[Record]:
    """Every record of the dataset, in load order."""
    found = shape.lookups()
    for name in ("countries", "event_types", "tags", "sources", "actors"):
        for item in getattr(found, name):
            yield name, item
    drawer = EventDrawer(seed)
    for number in range(count):
        yield "events", drawer.event(number)
    for item in series():
        yield "series", item


def write(count: int, seed: int, out: IO[str], progress: bool = False) -> None:
    """Write the dataset as NDJSON to `out`, in batches of lines."""
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    lines: list[str] = []
    started = time.monotonic()
    for index, (name, item) in enumerate(records(count, seed), start=1):
        lines.append(encode({name: item}) + "\n")
        if len(lines) == BATCH:
            out.writelines(lines)
            lines.clear()
        if progress and index % 200_000 == 0:
            print(f"  generated {index:,} records", file=sys.stderr)
    out.writelines(lines)
    if progress:
        print(f"  {count:,} events in {time.monotonic() - started:.0f} s", file=sys.stderr)


def generate(count: int, seed: int, output: Path, progress: bool = False) -> Path:
    """Write the dataset to `output` through a temporary file: a cut run leaves no half file."""
    partial_file = output.with_name(output.name + ".part")
    with partial_file.open("w", encoding="utf-8") as out:
        write(count, seed, out, progress)
    partial_file.replace(output)
    return output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--output", type=Path, help="File to write (default stdout).")
    args = parser.parse_args()
    if args.output is None:
        write(args.events, args.seed, sys.stdout)
    else:
        generate(args.events, args.seed, args.output, progress=True)


if __name__ == "__main__":
    main()
