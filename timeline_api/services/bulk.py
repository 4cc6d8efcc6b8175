"""Writing checked items in batches with Core statements: insert what is new, update what
changed, leave alone what a digest says is the same, and keep a revision of every change.

Every write of a record goes through here: an import of a million, and the write endpoints'
one. Nothing commits: the caller owns the transaction.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CursorResult,
    Text,
    bindparam,
    cast,
    column,
    delete,
    insert,
    select,
    table,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from timeline_api.datafile import SCHEMAS, key_field
from timeline_api.datafile.checks import TARGETS, references
from timeline_api.datafile.fastload import dump
from timeline_api.models import Event
from timeline_api.models.common import UTCDateTime
from timeline_api.queries import stored
from timeline_api.services import rows

Item = dict[str, Any]
_CHUNK = 500  # keys per IN list: far below any engine's limit on bound variables
_REMEMBERED = 200_000  # database ids kept per list before the cache starts again


@dataclass
class Summary:
    """What a load did, per list: created, updated, unchanged."""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(+self.created or +self.updated)

    def as_dict(self) -> dict[str, dict[str, int]]:
        """Counts per list, leaving out lists with none."""
        return {name: dict(+getattr(self, name)) for name in ("created", "updated", "unchanged")}


@dataclass(frozen=True)
class Dumped:
    """An item in file form: as JSON text (kept in revisions) and its digest."""

    item: Item
    text: str
    digest: str

    @classmethod
    def of(cls, name: str, loaded: Item) -> Dumped:
        item = dump(SCHEMAS[name], loaded)
        text = json.dumps(item, ensure_ascii=False, separators=(",", ":"))
        return cls(item, text, hashlib.blake2b(text.encode(), digest_size=16).hexdigest())


@dataclass(frozen=True)
class Stored:
    """What a batch needs to know of a record already stored."""

    id: Any
    digest: str | None
    version: int | None


class Ids:
    """Database ids by public id, asked of the database a batch at a time and remembered."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._known: dict[str, dict[str, int]] = {name: {} for name in SCHEMAS}

    def __call__(self, name: str, key: str) -> int:
        return self._known[name][key]

    def fetch(self, name: str, keys: Iterable[str]) -> set[str]:
        """Learn the ids of `keys`; the keys no record has."""
        known = self._known[name]
        missing = {key for key in keys if key not in known}
        if not missing:
            return set()
        if len(known) + len(missing) > _REMEMBERED:
            known.clear()
        model, key_column = stored.MODELS[name], stored.key_column(name)
        for chunk in _chunks(sorted(missing)):
            found = select(key_column, model.id).where(key_column.in_(chunk))
            known.update({row[0]: row[1] for row in self._session.execute(found)})
        return {key for key in missing if key not in known}

    def learn(self, name: str, pairs: Iterable[tuple[str, int]]) -> None:
        self._known[name].update(pairs)


def _chunks(keys: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(keys), _CHUNK):
        yield keys[start : start + _CHUNK]


# Revisions as Core writes them: `after` and `before` arrive as JSON text already.
_REVISIONS = table(
    "revisions",
    *(column(name) for name in ("record_type", "record_id", "action", "author", "import_id")),
    column("created_at", UTCDateTime()),
    column("before", Text),
    column("after", Text),
)


class Writer:
    """Upserts checked items, list by list, inside the session's transaction."""

    def __init__(self, session: Session, author: str, import_id: int | None = None) -> None:
        self.session = session
        self.author = author
        self.import_id = import_id
        self.summary = Summary()
        self.ids = Ids(session)
        self._now = datetime.now(UTC)
        self._links: list[tuple[int, str, str]] = []  # (from event id, to event key, kind)
        self._revisions: list[dict[str, Any]] = []
        self._postgres = session.get_bind().dialect.name == "postgresql"

    def put(
        self,
        name: str,
        items: Sequence[Item],
        action: str | None = None,
        versions: dict[str, int] | None = None,
    ) -> list[Any]:
        """Create or update each item by its id; the database ids, in order.

        `action` names the revisions (default: create or update); `versions`, when given, are
        the versions the caller read, and an update of any other version is refused.
        """
        if not items:
            return []
        dumped = [Dumped.of(name, item) for item in items]
        keys = [item[key_field(name)] for item in items]
        found = self._stored(name, keys)
        new = [n for n, key in enumerate(keys) if key not in found]
        changed = [
            n
            for n, key in enumerate(keys)
            if key in found and not self._same(name, found[key], dumped[n])
        ]
        self.summary.created[name] += len(new)
        self.summary.updated[name] += len(changed)
        self.summary.unchanged[name] += len(items) - len(new) - len(changed)
        self._prepare(name, [items[n] for n in (*new, *changed)])
        before = self._before(name, [found[keys[n]].id for n in changed])
        created = self._insert(name, [items[n] for n in new], [dumped[n] for n in new])
        self._update(
            name, [items[n] for n in changed], [dumped[n] for n in changed], found, versions
        )
        ids = {keys[n]: id for n, id in zip(new, created, strict=True)}
        ids.update({key: stored.id for key, stored in found.items()})
        self._children(name, [(ids[keys[n]], items[n]) for n in (*new, *changed)], bool(changed))
        for n in new:
            self._revise(name, keys[n], action or "create", None, dumped[n].text)
        for n, previous in zip(changed, before, strict=True):
            self._revise(name, keys[n], action or "update", previous, dumped[n].text)
        if action is not None:  # a restore records itself even when nothing changed
            for n, key in enumerate(keys):
                if n not in new and n not in changed:
                    self._revise(name, key, action, dumped[n].text, dumped[n].text)
        self._flush_revisions()
        return [ids[key] for key in keys]

    def _stored(self, name: str, keys: list[str]) -> dict[str, Stored]:
        model, key_column = stored.MODELS[name], stored.key_column(name)
        own_id = key_column if name == "countries" else model.id
        version = getattr(model, "version", None)
        columns = [key_column, own_id, model.digest, *([version] if version is not None else [])]
        found = {}
        for chunk in _chunks(keys):
            for row in self.session.execute(select(*columns).where(key_column.in_(chunk))):
                found[row[0]] = Stored(row[1], row[2], row[3] if version is not None else None)
        return found

    def _same(self, name: str, record: Stored, dumped: Dumped) -> bool:
        if record.digest is not None:
            return record.digest == dumped.digest
        # Written before digests were kept: compare with the record itself (rare, so one query).
        [item] = stored.items(self.session, name, [record.id])
        return Dumped.of(name, item).digest == dumped.digest

    def _prepare(self, name: str, items: list[Item]) -> None:
        """Learn the database ids of everything these items name (countries go by code)."""
        wanted: dict[str, set[str]] = {}
        for item in items:
            for _pointer, target, key in references(name, item):
                if target not in ("country", "event"):
                    wanted.setdefault(TARGETS[target], set()).add(key)
        for target, keys in wanted.items():
            missing = self.ids.fetch(target, keys)
            if missing:
                raise LookupError(f"no {target} with id {sorted(missing)[0]!r} is stored")

    def _before(self, name: str, ids: list[Any]) -> list[str]:
        found = []
        for chunk in _chunks(ids):
            found += [
                Dumped.of(name, item).text for item in stored.items(self.session, name, chunk)
            ]
        return found

    def _insert(self, name: str, items: list[Item], dumped: list[Dumped]) -> list[Any]:
        if not items:
            return []
        mapping = rows.MAPPINGS[name]
        values = [
            {**mapping.row(item, self.ids), "digest": d.digest}
            for item, d in zip(items, dumped, strict=True)
        ]
        if name == "countries":
            self.session.execute(insert(mapping.table), values)
            return [item["code"] for item in items]
        statement = insert(mapping.table).returning(
            mapping.table.c.id, sort_by_parameter_order=True
        )
        created = list(self.session.scalars(statement, values))
        if name != "events":  # events are too many to remember; lookups are asked for again
            self.ids.learn(name, zip((item["id"] for item in items), created, strict=True))
        return created

    def _update(
        self,
        name: str,
        items: list[Item],
        dumped: list[Dumped],
        found: dict[str, Stored],
        versions: dict[str, int] | None,
    ) -> None:
        if not items:
            return
        mapping = rows.MAPPINGS[name]
        columns = mapping.table.c
        key = key_field(name)
        values = []
        for item, d in zip(items, dumped, strict=True):
            row = {**mapping.row(item, self.ids), "digest": d.digest, "_id": found[item[key]].id}
            if versions is not None:
                row["_version"] = versions[item[key]]
            values.append(row)
        statement = update(mapping.table)
        if name == "countries":
            statement = statement.where(columns.code == bindparam("_id"))
        else:
            statement = statement.where(columns.id == bindparam("_id"))
        if "version" in columns:
            statement = statement.values(version=columns.version + 1)
            if versions is not None:  # an editor's write: only over the version they read
                statement = statement.where(columns.version == bindparam("_version"))
        if "updated_at" in columns:
            statement = statement.values(updated_at=self._now)
        result: CursorResult[Any] = self.session.execute(statement, values)  # type: ignore[assignment]
        if versions is not None and result.rowcount != len(values):
            raise StaleDataError(f"{name}: the record changed while this change was written")

    def _children(self, name: str, records: list[tuple[Any, Item]], replacing: bool) -> None:
        mapping = rows.MAPPINGS[name]
        parents = [id for id, _item in records]
        for children in mapping.children:
            if replacing:
                for chunk in _chunks(parents):
                    column_ = children.table.c[children.parent]
                    self.session.execute(delete(children.table).where(column_.in_(chunk)))
            values = [row for id, item in records for row in children.rows(item, id, self.ids)]
            if values:
                self.session.execute(insert(children.table), values)
        if name == "events":
            self._links += [(id, to, kind) for id, item in records for to, kind in rows.links(item)]
            if len(self._links) >= 10 * _CHUNK:
                self.link(final=False)

    def link(self, final: bool = True) -> None:
        """Write the links whose target exists by now; with `final`, all of them."""
        targets = self._event_ids({to for _id, to, _kind in self._links})
        ready = [(id, to, kind) for id, to, kind in self._links if to in targets]
        self._links = [(id, to, kind) for id, to, kind in self._links if to not in targets]
        if final and self._links:
            raise LookupError(f"no event with id {self._links[0][1]!r} is stored")
        if ready:
            values = [
                {"from_event_id": id, "to_event_id": targets[to], "kind": kind}
                for id, to, kind in ready
            ]
            self.session.execute(insert(rows.LINKS.table), values)

    def _event_ids(self, keys: set[str]) -> dict[str, int]:
        """The database ids of those of these events that are stored by now."""
        found: dict[str, int] = {}
        for chunk in _chunks(sorted(keys)):
            statement = select(Event.slug, Event.id).where(Event.slug.in_(chunk))
            found.update({row[0]: row[1] for row in self.session.execute(statement)})
        return found

    def _revise(
        self, name: str, key: str, action: str, before: str | None, after: str | None
    ) -> None:
        self._revisions.append(
            {
                "record_type": name,
                "record_id": key,
                "action": action,
                "author": self.author,
                "created_at": self._now,
                "import_id": self.import_id,
                "before_json": before,
                "after_json": after,
            }
        )

    def _flush_revisions(self) -> None:
        if not self._revisions:
            return
        before, after = bindparam("before_json", type_=Text), bindparam("after_json", type_=Text)
        if self._postgres:  # text into a json column needs saying so
            statement = insert(_REVISIONS).values(
                before=cast(before, JSON), after=cast(after, JSON)
            )
        else:
            statement = insert(_REVISIONS).values(before=before, after=after)
        self.session.execute(statement, self._revisions)
        self._revisions = []
