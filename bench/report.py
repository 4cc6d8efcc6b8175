"""The measurements, the markdown table for docs/performance.md, and the targets of issue 7."""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from bench.servers import DATASETTE as DATASETTE_VERSION
from bench.workload import PAGE
from bench.wrk import Cell

OURS, DATASETTE = "ours", "datasette"
SQLITE, POSTGRESQL = "sqlite", "postgresql"
WINDOW_AIM = 250  # req/s for a date window at 8 clients, 1M events, SQLite
RSS_LIMIT_MB = 150


@dataclass(frozen=True)
class Key:
    """Which cell: dataset size, database, server, request row, connections."""

    size: int
    database: str
    server: str
    row: str
    connections: int


@dataclass
class Results:
    """Everything one run measured."""

    commit: str
    sizes: list[int]
    rows: list[tuple[str, str]] = field(default_factory=list)  # (name, group), table order
    cells: dict[Key, Cell] = field(default_factory=dict)
    failures: dict[Key, str] = field(default_factory=dict)
    rss_mb: dict[str, list[float]] = field(default_factory=dict)  # "1000000 sqlite ours"
    scans: dict[str, list[str]] = field(default_factory=dict)  # row → plan lines scanning
    import_seconds: dict[str, float] = field(default_factory=dict)

    def cell(self, *key: str | int) -> Cell | None:
        return self.cells.get(Key(*key))  # type: ignore[arg-type]

    def to_json(self) -> str:
        data = {
            **{name: getattr(self, name) for name in ("commit", "sizes", "rows", "rss_mb")},
            "cells": [{**asdict(k), **asdict(v)} for k, v in self.cells.items()],
            "failures": [{**asdict(k), "error": v} for k, v in self.failures.items()],
            "scans": self.scans,
            "import_seconds": self.import_seconds,
        }
        return json.dumps(data, indent=1)


def _figures(cell: Cell | None, failed: bool) -> tuple[str, str]:
    if failed:
        return "**error**", "—"
    if cell is None:
        return "—", "—"
    return f"{cell.per_second:,.1f}", f"{cell.p50_ms:,.0f} / {cell.p99_ms:,.0f}"


def table(results: Results, size: int) -> str:
    """One markdown table for one dataset size: Datasette, ours on SQLite, ours on PostgreSQL."""
    lines = [
        f"#### {size:,} events",
        "",
        "| request | clients | Datasette req/s | p50 / p99 ms | ours (SQLite) req/s "
        "| p50 / p99 ms | ours ÷ Datasette | ours (PostgreSQL) req/s | p50 / p99 ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    connections = sorted({key.connections for key in results.cells})
    for name, _group in results.rows:
        for clients in connections:
            columns = []
            for database, server in ((SQLITE, DATASETTE), (SQLITE, OURS), (POSTGRESQL, OURS)):
                key = Key(size, database, server, name, clients)
                columns.append(_figures(results.cells.get(key), key in results.failures))
            theirs = results.cell(size, SQLITE, DATASETTE, name, clients)
            ours = results.cell(size, SQLITE, OURS, name, clients)
            ratio = (
                f"{ours.per_second / theirs.per_second:,.2f}x"
                if ours and theirs and theirs.per_second
                else "—"
            )
            lines.append(
                f"| {name} | {clients} | {columns[0][0]} | {columns[0][1]} | {columns[1][0]} "
                f"| {columns[1][1]} | {ratio} | {columns[2][0]} | {columns[2][1]} |"
            )
    return "\n".join(lines)


@dataclass(frozen=True)
class Check:
    """One target for one row (or for the whole run when `row` is empty)."""

    row: str
    target: str
    ok: bool
    figure: str

    def mark(self) -> str:
        return f"{'ok' if self.ok else '**MISSED**'} {self.figure}"


VERSUS, SCALING, TAIL, GROWTH, PORTABLE = (
    "vs Datasette (ours / needed req/s)",
    "more clients (req/s at most / fewest)",
    "p99 ≤ 3 x p50 (ms)",
    "cost growth from smallest size (≤ 1.3x)",
    "PostgreSQL ≥ SQLite ÷ 1.5 (req/s)",
)
# Which Datasette row a row is measured against, and by what factor it must beat it.
VERSUS_RULES = {"window": (None, 1), "filter": ("window + type", 5), "search": (None, 2),
                "count": (None, 10)}  # fmt: skip


class Targets:
    """The targets of issue 7, read at the largest size, on SQLite, at the most connections."""

    def __init__(self, results: Results) -> None:
        self.results = results
        self.size, self.small = max(results.sizes), min(results.sizes)
        connections = sorted({key.connections for key in results.cells}) or [8]
        self.most, self.fewest = connections[-1], connections[0]

    def rate(self, row: str, server: str = OURS, database: str = SQLITE, size: int = 0,
             clients: int = 0) -> float:  # fmt: skip
        cell = self.results.cell(size or self.size, database, server, row, clients or self.most)
        return cell.per_second if cell else 0.0

    def checks(self) -> Iterator[Check]:
        for name, group in self.results.rows:
            yield from self.row_checks(name, group)
        window = self.rate("date window")
        yield Check("", f"date window ≥ {WINDOW_AIM} req/s", window >= WINDOW_AIM,
                    f"{window:,.1f} req/s")  # fmt: skip
        for server, sizes in self.results.rss_mb.items():
            if server.endswith(OURS) and sizes:
                yield Check("", f"RSS per worker < {RSS_LIMIT_MB} MB ({server})",
                            max(sizes) < RSS_LIMIT_MB, f"{max(sizes):,.0f} MB")  # fmt: skip
        if self.results.scans:
            scanning = [f"{row}: {', '.join(found)}" for row, found in
                        self.results.scans.items() if found]  # fmt: skip
            yield Check("", "no request scans the events table (SQLite plans)", not scanning,
                        "; ".join(scanning) or "none does")  # fmt: skip

    def row_checks(self, name: str, group: str) -> Iterator[Check]:
        ours = self.rate(name)
        versus, factor = VERSUS_RULES[group]
        theirs = self.rate(versus or name, DATASETTE)
        if theirs:
            yield Check(name, VERSUS, ours >= factor * theirs,
                        f"{ours:,.1f} / {factor * theirs:,.1f}")  # fmt: skip
        if self.fewest < self.most and self.rate(name, clients=self.fewest):
            fewest = self.rate(name, clients=self.fewest)
            yield Check(name, SCALING, ours >= fewest, f"{ours:,.1f} / {fewest:,.1f}")
        cell = self.results.cell(self.size, SQLITE, OURS, name, self.most)
        if cell and cell.requests:
            yield Check(name, TAIL, cell.p99_ms <= 3 * cell.p50_ms,
                        f"{cell.p99_ms:,.0f} / {cell.p50_ms:,.0f}")  # fmt: skip
        before = self.rate(name, size=self.small)
        if self.small < self.size and before and ours:
            growth = before / ours  # the cost of one request at size ÷ at the smallest size
            yield Check(name, GROWTH, growth <= 1.3, f"x{growth:,.2f}")
        postgresql = self.rate(name, database=POSTGRESQL)
        if postgresql and ours:
            yield Check(name, PORTABLE, postgresql * 1.5 >= ours,
                        f"{postgresql:,.1f} / {ours:,.1f}")  # fmt: skip


def targets_section(results: Results) -> tuple[str, bool]:
    """The targets as a markdown table and list, and whether every one was met."""
    found = Targets(results)
    checks = list(found.checks())
    columns = [VERSUS, SCALING, TAIL, GROWTH, PORTABLE]
    marks = {(check.row, check.target): check.mark() for check in checks}
    lines = [
        f"Targets at {found.size:,} events, SQLite, {found.most} clients:",
        "",
        "| request | " + " | ".join(columns) + " |",
        "|---|" + "---:|" * len(columns),
    ]
    for name, _group in results.rows:
        cells = [marks.get((name, column), "—") for column in columns]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("")
    lines += [f"- {check.target}: {check.mark()}" for check in checks if not check.row]
    return "\n".join(lines), all(check.ok for check in checks)


def _notes(results: Results) -> list[str]:
    """Import speed, memory and errors, one paragraph each."""
    imports = [
        f"{int(size):,} events into {database} in {seconds:,.0f} s "
        f"({int(size) / seconds:,.0f} events/s)"
        for (size, database), seconds in (
            (key.split(), value) for key, value in results.import_seconds.items()
        )
    ]  # keys are "<size> <database>"
    memory = [
        f"{key}: {', '.join(f'{mb:,.0f}' for mb in values)}"
        for key, values in results.rss_mb.items()
    ]
    errors = sorted(
        {
            f"{k.server} on {k.row} ({k.size:,}, {k.database}): {v}"
            for k, v in results.failures.items()
        }
    )
    paragraphs = [
        ("Import (`timeline-api import`): ", imports),
        ("Largest RSS per process (MB): ", memory),
        ("**Errors**: ", errors),
    ]
    return [f"{title}{'; '.join(items)}.\n" for title, items in paragraphs if items]


def markdown(results: Results, command: str, duration: int) -> str:
    """The section docs/performance.md shows: how it was run, the tables, the targets."""
    cpu = platform.processor() or platform.machine()
    section, _met = targets_section(results)
    return (
        "\n".join(
            [
                f"### {datetime.now(UTC):%Y-%m-%d}, commit {results.commit}",
                "",
                f"`{command}` on {os.cpu_count()} cores ({cpu}), shared with wrk; "
                f"{DATASETTE_VERSION}; {duration} s per cell, cells interleaved; pages of {PAGE}; "
                "req/s, then latency p50 / p99 in ms.",
                "",
                *[table(results, size) + "\n" for size in results.sizes],
                *_notes(results),
                "#### Targets (issue 7)",
                "",
                section,
            ]
        )
        + "\n"
    )
