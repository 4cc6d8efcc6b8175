"""Loading a data file (docs/data-format.md): check all of it, then upsert by id."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from marshmallow import Schema
from sqlalchemy.orm import Session

from timeline_api.queries import export
from timeline_api.schemas.dataset import DatasetSchema
from timeline_api.services import history, records
from timeline_api.services.checks import ORDER, DatasetError, Problem, key_field, validate

__all__ = ["ORDER", "DatasetError", "Problem", "Summary", "apply", "load", "read_file", "validate"]


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


def read_file(path: Path) -> Any:
    """Parse a YAML or JSON file (by its suffix); a syntax error is a DatasetError."""
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as error:
        raise DatasetError([Problem("", f"cannot read {path}: {error}")]) from None


def load(session: Session, raw: Any, author: str = "import") -> Summary:
    """Validate `raw` whole, then write it in the session's transaction (caller commits)."""
    data = validate(session, raw)
    return apply(session, data, author)


@dataclass
class _Changes:
    """What a load changed, remembered so that each change gets its revision at the end."""

    before: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    actions: dict[tuple[str, str], str] = field(default_factory=dict)


def apply(
    session: Session,
    data: dict[str, Any],
    author: str = "import",
    on_item: Callable[[], Any] | None = None,
) -> Summary:
    """Upsert every item by id; an item equal to what is stored is left untouched.

    Every created or changed record gets a revision by `author`.
    """
    summary, changes = Summary(), _Changes()
    for name in ORDER:
        _upsert_list(session, name, data[name], summary, changes, on_item)
    for slug in records.link_events(session, data["events"]):
        changes.actions.setdefault(("events", slug), "relinked")
    _count_relinked(summary, changes)
    session.flush()
    _keep_revisions(session, changes, author)
    return summary


def _count_relinked(summary: Summary, changes: _Changes) -> None:
    """Events whose only change was their links were counted unchanged; count them updated."""
    relinked = [key for key, action in changes.actions.items() if action == "relinked"]
    summary.unchanged["events"] -= len(relinked)
    summary.updated["events"] += len(relinked)
    for key in relinked:
        changes.actions[key] = "update"


def _keep_revisions(session: Session, changes: _Changes, author: str) -> None:
    for name in ORDER:
        keys = [key for kind_name, key in changes.actions if kind_name == name]
        kind = records.KINDS[name]
        stored = records.find(session, kind, keys)
        for key in keys:
            history.record(
                session,
                name,
                key,
                changes.actions[(name, key)],
                author,
                changes.before.get((name, key)),
                kind.to_item(stored[key]),
            )
    session.flush()


def _upsert_list(
    session: Session,
    name: str,
    items: list[dict[str, Any]],
    summary: Summary,
    changes: _Changes,
    on_item: Callable[[], Any] | None,
) -> None:
    """Create or update each item, remembering what each change replaced."""
    kind = records.KINDS[name]
    schema: Schema = DatasetSchema().fields[name].inner.schema  # type: ignore[attr-defined]
    existing = records.find(session, kind, [item[key_field(name)] for item in items])
    for item in items:
        if on_item is not None:
            on_item()
        key = item[key_field(name)]
        record = existing.get(key)
        if record is None:
            session.add(kind.create(session, item))
            summary.created[name] += 1
            changes.actions[(name, key)] = "create"
            session.flush()
            continue
        before = kind.to_item(record)
        changes.before[(name, key)] = before
        if _same(schema, before, item):
            summary.unchanged[name] += 1
        else:
            kind.fill(session, record, item)
            summary.updated[name] += 1
            changes.actions[(name, key)] = "update"
        session.flush()


def _same(schema: Schema, stored: dict[str, Any], loaded: dict[str, Any]) -> bool:
    """Compare in file form; links are compared separately, once every event exists."""
    return _comparable(schema.dump(loaded)) == _comparable(stored)


def _comparable(item: dict[str, Any]) -> dict[str, Any]:
    """Tags and countries are sets: the database keeps them in id order."""
    item = export.compact_deep(item)
    item.pop("links", None)
    for name in ("tags", "countries"):
        if name in item:
            item[name] = sorted(set(item[name]))
    return item
