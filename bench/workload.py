"""The requests of the HTTP bench: one row per kind of question, asked of both servers alike.

Each row holds a few hundred request paths drawn from the dataset's shape (bench.shape), so
that wrk cycles through many windows, types and words instead of hammering one cached answer.
Our API and Datasette get the same windows and values, each in its own URL language.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import quote, urlencode

from bench import shape

PATHS_PER_ROW = 400
PAGE = 50
DATASETTE_DB = "bench"  # Datasette names a database after its file: bench.sqlite3


@dataclass(frozen=True)
class Ids:
    """Datasette filters on the integer keys our API hides behind slugs."""

    types: Mapping[str, int]
    actors: Mapping[str, int]
    tags: Mapping[str, int]


@dataclass(frozen=True)
class Row:
    """One kind of request: paths for our API and, when it can answer, for Datasette."""

    name: str
    group: str  # "window", "filter", "search" or "count": which target applies
    ours: list[str]
    datasette: list[str] | None
    datasette_note: str = ""


@dataclass(frozen=True)
class Draw:
    """Random values a request is made of; the same for both servers."""

    first: date
    last: date
    type: str
    actor: str
    tag: str
    country: str
    word: str


def draws(seed: int, count: int = PATHS_PER_ROW) -> list[Draw]:
    """`count` windows of 30 to 365 days, with Zipf-weighted types, actors, tags, words."""
    rng = random.Random(seed)
    found = shape.lookups()
    pools = {
        "types": [item["id"] for item in found.event_types],
        "actors": [item["id"] for item in found.actors],
        "tags": [item["id"] for item in found.tags],
        "countries": [item["code"] for item in found.countries],
        "words": shape.vocabulary()[shape.SEARCHABLE_FROM_RANK :],
    }
    weights = {name: shape.zipf_weights(len(values)) for name, values in pools.items()}

    def pick(name: str) -> str:
        return rng.choices(pools[name], cum_weights=weights[name])[0]

    latest_first = shape.LAST_DAY.toordinal() - 365
    result = []
    for _ in range(count):
        first = date.fromordinal(rng.randint(shape.FIRST_DAY.toordinal(), latest_first))
        last = first + timedelta(days=rng.randint(30, 365) - 1)
        result.append(
            Draw(first, last, pick("types"), pick("actors"), pick("tags"), pick("countries"),
                 pick("words"))
        )  # fmt: skip
    return result


def _ours(path: str, **params: object) -> str:
    return f"{path}?{urlencode(params)}"


def _window(draw: Draw, **params: object) -> str:
    return _ours("/v1/events", **{"from": draw.first, "to": draw.last}, **params, limit=PAGE)


def _table(**params: object) -> str:
    """Datasette's table page: start inside the window, by start date, 50 rows, no suggestions."""
    return f"/{DATASETTE_DB}/events.json?" + urlencode(
        {"_size": PAGE, "_nosuggest": 1, "_sort": "earliest", **params}
    )


def _in_window(draw: Draw, **params: object) -> str:
    return _table(earliest__gte=draw.first, earliest__lte=draw.last, **params)


def _through(draw: Draw, table: str, column: str, value: object) -> str:
    """The window joined to a link table: Datasette's `_through`.

    Datasette 0.65 names the `_through` parameter p0, as it names the first column filter,
    so the window is given as `_where` instead of `earliest__gte`/`__lte`.
    """
    through = json.dumps({"table": table, "column": column, "value": str(value)})
    where = f"earliest >= '{draw.first}' and earliest <= '{draw.last}'"
    return _table(_where=where, _through=through)


def _sql(sql: str, **params: object) -> str:
    """Datasette's arbitrary SQL page."""
    return f"/{DATASETTE_DB}.json?" + urlencode(
        {"sql": " ".join(sql.split()), **params}, quote_via=quote
    )


YEAR = "strftime('%Y', earliest)"
MONTH = "strftime('%Y-%m', earliest)"
RELEVANCE_SQL = """select events.* from events_fts join events on events.id = events_fts.rowid
    where events_fts match :q order by events_fts.rank limit 50"""


def _group_sql(key: str, where: str = "") -> str:
    return f"select {key} as key, count(*) as n from events {where} group by key order by key"


def rows(seed: int, ids: Ids) -> list[Row]:
    """Every row of the bench, in the order of the table."""
    found = draws(seed)

    def both(
        name: str, group: str, ours: Callable[[Draw], str], theirs: Callable[[Draw], str] | None
    ) -> Row:
        return Row(
            name, group, [ours(d) for d in found], [theirs(d) for d in found] if theirs else None
        )

    return [
        both("date window", "window", _window, _in_window),
        both("window + type", "filter", lambda d: _window(d, type=d.type),
             lambda d: _in_window(d, type_id=ids.types[d.type])),
        both("window + actor", "filter", lambda d: _window(d, actor=d.actor),
             lambda d: _through(d, "event_actors", "actor_id", ids.actors[d.actor])),
        both("window + tag", "filter", lambda d: _window(d, tag=d.tag),
             lambda d: _through(d, "event_tags", "tag_id", ids.tags[d.tag])),
        both("window + country", "filter", lambda d: _window(d, country=d.country),
             lambda d: _through(d, "event_countries", "country_code", d.country)),
        both("search, by date", "search",
             lambda d: _ours("/v1/events", q=d.word, limit=PAGE),
             lambda d: _table(_search=d.word)),
        both("search, by relevance", "search",
             lambda d: _ours("/v1/events", q=d.word, sort="relevance", limit=PAGE),
             lambda d: _sql(RELEVANCE_SQL, q=f'"{d.word}"')),
        both("count per year", "count",
             lambda d: _ours("/v1/stats/events", by="year"),
             lambda d: _sql(_group_sql(YEAR))),
        both("count per year, one type", "count",
             lambda d: _ours("/v1/stats/events", by="year", type=d.type),
             lambda d: _sql(_group_sql(YEAR, "where type_id = :t"), t=ids.types[d.type])),
        both("count per month, one type", "count",
             lambda d: _ours("/v1/stats/events", by="month", type=d.type),
             lambda d: _sql(_group_sql(MONTH, "where type_id = :t"), t=ids.types[d.type])),
        both("count per type", "count",
             lambda d: _ours("/v1/stats/events", by="type"),
             lambda d: _sql(_group_sql("type_id"))),
        both("count per type, window", "count",
             lambda d: _ours("/v1/stats/events", by="type", **{"from": d.first, "to": d.last}),
             lambda d: _sql(_group_sql("type_id", "where earliest between :a and :b"),
                            a=d.first, b=d.last)),
    ]  # fmt: skip
