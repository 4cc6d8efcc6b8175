"""Import: check the whole file first, then write it in one transaction, or nothing at all.

The file is read once, as a stream. Each record is loaded and checked, and kept in file form in
unnamed temporary files (the spill, one per list); memory holds ids, never records. Only when
the whole file has no problem is the spill written to the database, list by list in loading
order, in batches (services/bulk.py).
"""

from __future__ import annotations

import struct
import tempfile
import warnings
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

import orjson
from sqlalchemy import Connection, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from timeline_api.datafile import FORMATS, ORDER, DatasetError, Problem, Record, checks, readers
from timeline_api.models import Event, Import, Source
from timeline_api.models.common import DIGEST_LENGTH
from timeline_api.queries import stored
from timeline_api.services import alongside as parallel
from timeline_api.services import bulk_indexes, event_counts, fulltext_sync
from timeline_api.services.bulk import Dumped, Summary, Writer
from timeline_api.services.staging import ChangedMeanwhile, Staging

__all__ = ["DatasetError", "File", "Summary", "load", "run"]
BATCH = 2000  # records per batch: a few MB at most
_HEADER = struct.Struct("<I")  # a spilled record: the length of its text
# (what is being done, how far it got, of how much, records so far)
Progress = Callable[[str, int, int, int], Any]


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
        column, found, ordered = stored.key_column(name), set[str](), sorted(keys)
        for start in range(0, len(ordered), 900):
            chunk = ordered[start : start + 900]
            query = select(column).where(column.in_(chunk))
            if name == "events":  # a deleted event is gone for readers: nothing may link to it
                query = query.where(Event.deleted_at.is_(None))
            found.update(self.session.scalars(query))
        return found

    def documents(self) -> dict[str, str]:
        rows = self.session.execute(
            select(Source.slug, Source.document).where(Source.document.is_not(None))
        )
        return {slug: document for slug, document in rows if document is not None}


class Spill:
    """Checked records in file form, one unnamed temporary file per list (gone with the
    process, however it ends)."""

    def __init__(self) -> None:
        self._files: dict[str, IO[bytes]] = {}
        self.count = 0
        self.counts: Counter[str] = Counter()

    def __enter__(self) -> Spill:
        return self

    def __exit__(self, *_exc: object) -> None:
        for file in self._files.values():
            file.close()

    def add(self, kind: str, dumped: Dumped) -> None:
        file = self._files.get(kind)
        if file is None:
            file = self._files[kind] = tempfile.TemporaryFile()  # noqa: SIM115  (closed on exit)
        # The item as its JSON text only (what its revision keeps): orjson reads it back faster
        # than marshal would.
        text = dumped.text.encode()
        file.write(_HEADER.pack(len(text)) + dumped.digest.encode() + text)
        self.count += 1
        self.counts[kind] += 1

    def batches(self) -> Iterator[tuple[str, list[Dumped]]]:
        """The records in loading order, in runs of one list, BATCH at most."""
        for kind in ORDER:
            file = self._files.get(kind)
            if file is None:
                continue
            file.seek(0)
            batch: list[Dumped] = []
            while header := file.read(_HEADER.size):
                [length] = _HEADER.unpack(header)
                digest = file.read(DIGEST_LENGTH).decode()
                text = file.read(length)
                batch.append(Dumped(orjson.loads(text), text.decode(), digest))
                if len(batch) >= BATCH:
                    yield kind, batch
                    batch = []
            if batch:
                yield kind, batch


def run(
    session: Session,
    file: File,
    author: str,
    dry_run: bool = False,
    progress: Progress | None = None,
    alongside: bool = False,
) -> Summary:
    """Import `file` and commit; with `dry_run`, or on any problem, roll everything back.

    An import that changes nothing leaves no trace, not even its import record. With
    `alongside` (the CLI's imports), the file is checked in a second process while this one
    writes what has been checked (services.alongside); a dry run, a file whose lists are out of
    loading order, and on PostgreSQL a first load, are checked whole first.
    """
    if file.format not in FORMATS:
        raise DatasetError(
            [Problem("", f"unknown format '{file.format}': use one of {', '.join(FORMATS)}")]
        )
    summary = None
    if alongside and not dry_run and _alongside_possible(session, file):
        try:
            summary = _import_alongside(session, file, author, progress)
        except parallel.Reordered:
            summary = None  # checked whole first, below
    if summary is None:
        summary = _import_after_check(session, file, author, dry_run, progress)
    if not dry_run and sum(summary.created.values()) >= FRESH_STATISTICS:
        _refresh_statistics(session)
    return summary


def _alongside_possible(session: Session, file: File) -> bool:
    if not parallel.available(session):
        return False
    if session.get_bind().dialect.name == "sqlite":
        return True
    if file.format != "ndjson":  # PostgreSQL: only where a first load is cheap to rule out
        return False
    try:
        return not bulk_indexes.is_bulk(session.connection(), parallel.events_in(file))
    finally:
        session.rollback()  # no transaction open while the checking process is forked


def _import_after_check(
    session: Session, file: File, author: str, dry_run: bool, progress: Progress | None
) -> Summary:
    """Check the whole file into the spill, then write the spill."""
    with Spill() as spill:
        with file.open() as stream:
            source = readers.Input(stream, file.size or 0)
            records = readers.read(source, file.format)
            try:
                _check(session, records, spill, _reporter(progress, source))
            finally:
                session.rollback()  # end the read transaction: writing starts afresh
            digest = source.sha256.hexdigest()
        with _transaction(session) as (writing, staging):
            summary = _write_import(
                writing, file, author, digest, spill, progress, staging, dry_run
            )
            _end(writing, keep=summary.changed and not dry_run)
    return summary


def _import_alongside(
    session: Session, file: File, author: str, progress: Progress | None
) -> Summary:
    """Write the records a second process has checked, as it checks them; commit once it has
    found the whole file good."""
    with (
        parallel.Checker(session, file, _check) as checker,
        _transaction(session) as (writing, staging),
    ):
        try:
            summary = _write_alongside(writing, file, author, checker, progress, staging)
        except (parallel.Reordered, parallel.CheckFailed):
            raise
        except Exception:  # the check's problems, or the write's failure
            writing.rollback()
            checker.verdict()  # a problem the check finds says more than the write's failure
            raise
        _end(writing, keep=summary.changed)
        return summary


@contextmanager
def _transaction(session: Session) -> Iterator[tuple[Session, Staging | None]]:
    """The import's writing session and, on SQLite, its staging area: rolled back on any
    error, the staging tables gone whatever happens. The caller ends it (`_end`)."""
    with _writing_session(session) as writing:
        staging = Staging(writing) if writing.get_bind().dialect.name == "sqlite" else None
        try:
            yield writing, staging
        except BaseException:
            writing.rollback()
            raise
        finally:
            if staging is not None:
                staging.drop()


def _end(writing: Session, keep: bool) -> None:
    """Commit, or roll back an import that changes nothing (it leaves no trace)."""
    if keep:
        writing.commit()
    else:
        writing.rollback()


# From this many new records on, an import refreshes the planner's statistics: the plans of
# the read path (which index a page walks) depend on them, and SQLite never gathers its own.
FRESH_STATISTICS = 10_000


def _refresh_statistics(session: Session) -> None:
    """ANALYZE after a large import; on PostgreSQL VACUUM too, which marks the new rows'
    pages all-visible, so that the read path's index-only scans need not visit the table.

    The import is committed by now: if this fails (a lock, a timeout), the data stays and only
    the statistics wait for autovacuum or the next large import.
    """
    try:
        if session.get_bind().dialect.name == "sqlite":
            # A sample of each index (analysis_limit) is enough and keeps this to a second or two.
            session.execute(text("PRAGMA analysis_limit = 1000"))
            session.execute(text("ANALYZE"))
            session.commit()
            return
        session.commit()
        with session.get_bind().engine.connect() as connection:  # VACUUM: outside a transaction
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            connection.exec_driver_sql("SET statement_timeout = 0")
            connection.exec_driver_sql("VACUUM (ANALYZE)")
            connection.exec_driver_sql("RESET statement_timeout")
    except DBAPIError as error:
        session.rollback()
        warnings.warn(
            f"imported, but the planner statistics were not refreshed: {error.orig}", stacklevel=2
        )


def load(session: Session, data: dict[str, list[Any]], author: str = "import") -> Summary:
    """Check and write a data file given as a mapping of lists (the caller commits)."""
    with Spill() as spill:
        _check(session, _in_memory(data), spill)
        return _write(session, Writer(session, author), spill)


def _check(
    session: Session,
    records: Iterable[Record | Problem],
    spill: Spill,
    report: Callable[[int], None] | None = None,
) -> None:
    """Check every record, keeping each in the spill; DatasetError listing the problems."""
    check = checks.FileCheck(StoredData(session))
    for n, entry in enumerate(records):
        loaded = check.add(entry)
        if loaded is not None and not check.log:  # after a problem, only checking goes on
            kind = entry.kind  # type: ignore[union-attr]  # loaded: a Record
            spill.add(kind, Dumped.of(kind, loaded))
        if report is not None and n % 1000 == 0:
            report(n)
    check.finish()


def _reporter(progress: Progress | None, source: readers.Input) -> Callable[[int], None] | None:
    if progress is None:
        return None
    size = source.size
    return lambda records: progress("checking", source.position, size, records)


@contextmanager
def _writing_session(session: Session) -> Iterator[Session]:
    """On SQLite, a session that keeps one connection from staging to swap: temporary tables
    belong to the connection that made them, and a plain session may change connections at
    each commit. On PostgreSQL, `session` itself."""
    bind = session.get_bind()
    if bind.dialect.name != "sqlite" or isinstance(bind, Connection):
        yield session
        return
    with bind.connect() as connection, Session(bind=connection) as pinned:
        yield pinned


def _write_import(
    session: Session,
    file: File,
    author: str,
    digest: str,
    spill: Spill,
    progress: Progress | None,
    staging: Staging | None,
    dry_run: bool,
) -> Summary:
    """Write the spill under an import record naming the file: on PostgreSQL straight into
    the tables; on SQLite staged first, then swapped in (services.staging). An import that
    changes nothing makes no import record (the caller rolls it back)."""
    if staging is not None:
        staging.begin()
        writer = Writer(session, author, staging=staging)
        _put_all(writer, spill.batches(), progress, spill.count)
        session.commit()  # the staged rows only: not one table has been written yet
        if dry_run or not writer.summary.changed:  # a dry run never takes the write lock
            return writer.summary
        record = _import_record(session, file, author, digest)  # the write lock from here on
        with _bulk(session, spill.counts["events"]):
            _guarded(lambda: staging.swap(record.id, writer.now))
    else:
        record = _import_record(session, file, author, digest)
        # A batch of a large import may take longer than a request may; for this one only.
        session.execute(text("SET LOCAL statement_timeout = 0"))
        writer = Writer(session, author, record.id)
        with _bulk(session, spill.counts["events"]):
            _put_all(writer, spill.batches(), progress, spill.count)
    counts = update(Import).where(Import.id == record.id).values(counts=writer.summary.as_dict())
    session.execute(counts)
    return writer.summary


def _write_alongside(
    session: Session,
    file: File,
    author: str,
    checker: parallel.Checker,
    progress: Progress | None,
    staging: Staging | None,
) -> Summary:
    """As `_write_import`, from the checking process's batches as they come. On PostgreSQL
    never a first load: no index is dropped (services.alongside)."""
    batches = _progressing(checker, file, progress)
    if staging is None:
        record = _import_record(session, file, author, "")  # the file's digest comes last
        session.execute(text("SET LOCAL statement_timeout = 0"))
        writer = Writer(session, author, record.id)
        with event_counts.deferred(session.connection()):
            _put_all(writer, batches)
        sha256 = checker.digest
    else:
        staging.begin()
        writer = Writer(session, author, staging=staging)
        events = _put_all(writer, batches)
        session.commit()  # the staged rows only: not one table has been written yet
        if not writer.summary.changed:
            return writer.summary
        if progress is not None:
            progress("finishing", 0, 1, sum(writer.summary.created.values()))
        record = _import_record(session, file, author, checker.digest)  # the write lock
        with _bulk(session, events):
            _guarded(lambda: staging.swap(record.id, writer.now))
        sha256 = record.sha256
    counts = writer.summary.as_dict()
    done = update(Import).where(Import.id == record.id).values(counts=counts, sha256=sha256)
    session.execute(done)
    return writer.summary


def _progressing(
    checker: parallel.Checker, file: File, progress: Progress | None
) -> Iterator[tuple[str, list[Dumped]]]:
    records = 0
    for kind, batch in checker.batches():
        yield kind, batch
        records += len(batch)
        if progress is not None:
            progress("importing", checker.position, file.size or 0, records)


def _import_record(session: Session, file: File, author: str, digest: str) -> Import:
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
    return record


@contextmanager
def _bulk(session: Session, events: int) -> Iterator[None]:
    """Full-text index, counts and (for a first load) secondary indexes made once, at the end."""
    connection = session.connection()
    with (
        fulltext_sync.deferred(session),
        event_counts.deferred(connection),
        bulk_indexes.rebuilt_after(connection, events),
    ):
        yield


def _write(session: Session, writer: Writer, spill: Spill) -> Summary:
    with _bulk(session, spill.counts["events"]):
        _put_all(writer, spill.batches())
    return writer.summary


def _put_all(
    writer: Writer,
    batches: Iterable[tuple[str, list[Dumped]]],
    progress: Progress | None = None,
    total: int = 0,
) -> int:
    """Write every batch, then the links between events; how many events there were."""
    done = events = 0
    for kind, batch in batches:
        if kind == "events":
            events += len(batch)
        _guarded(lambda: writer.put(kind, batch))  # noqa: B023  (called at once)
        done += len(batch)
        if progress is not None:
            progress("writing", done, total, done)
    _guarded(writer.link)
    return events


def _guarded(write: Callable[[], None]) -> None:
    """A rule the checks missed, or a record changed meanwhile: refuse, never half-write."""
    try:
        write()
    except (IntegrityError, LookupError) as error:
        reason = type(getattr(error, "orig", None) or error).__name__
        raise DatasetError(
            [Problem("", f"conflicts with data already stored; nothing was written ({reason})")]
        ) from None
    except ChangedMeanwhile as changed:
        raise DatasetError(
            [
                Problem("", f"{reason}; nothing was written: import the file again")
                for reason in changed.reasons
            ]
        ) from None


def _in_memory(data: Any) -> Iterator[Record | Problem]:
    """A mapping of lists as records, in loading order."""
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
