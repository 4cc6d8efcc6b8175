"""Import: read a file twice, streaming; check all of it first, then write it in one
transaction, or nothing at all.

The first pass loads and checks every record and keeps only ids; the second loads them again
and writes them in batches (services/bulk.py). Memory holds a batch, never the file. The file's
SHA-256 is taken on both passes: a file that changed in between is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from timeline_api.datafile import (
    FORMATS,
    ORDER,
    DatasetError,
    Item,
    Problem,
    Record,
    checks,
    readers,
)
from timeline_api.models import Import, Source
from timeline_api.queries import stored
from timeline_api.services import fulltext_sync
from timeline_api.services.bulk import Summary, Writer

__all__ = ["DatasetError", "File", "Summary", "load", "run"]
BATCH = 2000  # records per batch: a few MB at most


@dataclass(frozen=True)
class File:
    """A data file to import: its name (for the record and messages), format and bytes."""

    name: str
    format: str
    open: Callable[[], AbstractContextManager[IO[bytes]]]
    size: int | None = None


class StoredData:
    """What the checks ask of the database (datafile.checks.Stored)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def existing(self, name: str, keys: Collection[str]) -> set[str]:
        column, found = stored.key_column(name), set[str]()
        ordered = sorted(keys)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            found.update(self.session.scalars(select(column).where(column.in_(chunk))))
        return found

    def documents(self) -> dict[str, str]:
        rows = self.session.execute(
            select(Source.slug, Source.document).where(Source.document.is_not(None))
        )
        return {slug: document for slug, document in rows if document is not None}


Progress = Callable[[str, int, int], Any]  # (what is being done, bytes read, records read)


def run(
    session: Session,
    file: File,
    author: str,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> Summary:
    """Import `file` and commit; with `dry_run`, or on any problem, roll everything back."""
    if file.format not in FORMATS:
        raise DatasetError(
            [Problem("", f"unknown format '{file.format}': use one of {', '.join(FORMATS)}")]
        )
    digest = _check(session, file, progress)
    try:
        summary = _write(session, file, author, digest, progress)
    except BaseException:
        session.rollback()
        raise
    if dry_run or not summary.changed:  # an import that changes nothing leaves no trace
        session.rollback()
    else:
        session.commit()
    return summary


def _check(session: Session, file: File, progress: Progress | None) -> str:
    """Check the whole file; its SHA-256, or DatasetError listing the problems."""
    check = checks.FileCheck(StoredData(session))
    with file.open() as stream:
        source = readers.Input(stream)
        for n, entry in enumerate(readers.read(source, file.format)):
            check.add(entry)
            if progress is not None and n % 1000 == 0:
                progress("checking", source.position, n)
        digest = source.sha256.hexdigest()
    try:
        check.finish()
    finally:
        session.rollback()  # end the read transaction: the write pass starts afresh
    return digest


def _write(
    session: Session, file: File, author: str, digest: str, progress: Progress | None
) -> Summary:
    record = Import(
        author=author,
        created_at=datetime.now(UTC),
        file_name=file.name[:500],
        file_format=file.format,
        sha256=digest,
        counts={},
    )
    session.add(record)
    session.flush()  # the first write: the transaction holds everything from here on
    writer = Writer(session, author, record.id)
    with file.open() as stream, fulltext_sync.deferred(session):
        source = readers.Input(stream)
        entries = readers.read(source, file.format)
        done = 0
        for kind, batch in _batches(_records(entries)):
            _put(writer, kind, batch)
            done += len(batch)
            if progress is not None:
                progress("writing", source.position, done)
        _put_links(writer)
        if source.sha256.hexdigest() != digest:
            raise DatasetError([Problem("", "the file changed while it was imported; try again")])
    session.execute(
        update(Import).where(Import.id == record.id).values(counts=writer.summary.as_dict())
    )
    return writer.summary


def _records(entries: Iterable[Record | Problem]) -> Iterator[Record]:
    for entry in entries:
        if isinstance(entry, Problem):  # the check pass read the same bytes without one
            raise DatasetError([entry])
        yield entry


def _batches(records: Iterable[Record]) -> Iterator[tuple[str, list[Item]]]:
    """Loaded items in runs of one list, BATCH at most."""
    kind, batch = "", list[Item]()
    for record in records:
        if (record.kind != kind or len(batch) >= BATCH) and batch:
            yield kind, batch
            batch = []
        kind = record.kind
        batch.append(checks.load(record.kind, record.raw))
    if batch:
        yield kind, batch


def _put(writer: Writer, kind: str, batch: list[Item]) -> None:
    try:
        writer.put(kind, batch)
    except (IntegrityError, LookupError) as error:
        raise _conflict(error) from None


def _put_links(writer: Writer) -> None:
    try:
        writer.link()
    except (IntegrityError, LookupError) as error:
        raise _conflict(error) from None


def _conflict(error: Exception) -> DatasetError:
    """A rule the checks missed, or a record changed meanwhile: refuse, never half-write."""
    reason = type(getattr(error, "orig", None) or error).__name__
    return DatasetError(
        [Problem("", f"conflicts with data already stored; nothing was written ({reason})")]
    )


def load(session: Session, data: dict[str, list[Any]], author: str = "import") -> Summary:
    """Check and write a data file given as a mapping of lists (caller commits)."""
    records = _in_memory(data)
    checks.check_items(StoredData(session), records())
    writer = Writer(session, author)
    with fulltext_sync.deferred(session):
        for kind, batch in _batches(records()):  # type: ignore[arg-type]
            _put(writer, kind, batch)
        _put_links(writer)
    return writer.summary


def _in_memory(data: Any) -> Callable[[], Iterator[Record | Problem]]:
    def records() -> Iterator[Record | Problem]:
        if not isinstance(data, dict):
            yield Problem("", "the file must hold a mapping of lists")
            return
        for name, items in data.items():
            if name not in ORDER:
                yield Problem(f"/{name}", f"is not a list of the format {ORDER}")
            elif not isinstance(items, list):
                yield Problem(f"/{name}", "must be a list")
        for name in ORDER:
            items = data.get(name)
            for index, item in enumerate(items if isinstance(items, list) else []):
                yield Record(name, item, None, f"/{name}/{index}")

    return records
