"""Checking a file in a second process while the first writes what it has checked.

An import checks every record before it writes any, and both halves are Python: on two cores
one of them sat idle. From the CLI the check now runs in a child process (forked, so it shares
the loaded code), which sends each batch of checked records down a pipe as soon as it has
them; the parent writes them meanwhile, into SQLite's staging tables or PostgreSQL's open
transaction. Nothing written is visible before the parent commits, and it commits only after
the child has read the whole file and reported no problem: all or nothing holds as before.

The parent writes lists in loading order (countries before actors, actors before events), so
it can write as the file streams only while the file comes in that order, as `export` writes
it. When a record comes out of order the child says so and stops; the parent rolls back and
imports the file the usual way, checked whole first (`Reordered`).

The child's reads must never wait for the parent. On SQLite the parent writes into staging
tables of its own connection until the check is over. On PostgreSQL the parent's rows lock only
themselves, which readers do not wait for; but a first load drops indexes and foreign keys in
its open transaction (services.bulk_indexes), which locks the very tables the child looks
references up in: the child would wait for the parent's commit, and the parent for the child's
verdict, a deadlock across two processes that no database can see. So on PostgreSQL only an
NDJSON file that is no first load (its events counted first, `events_in`) is written alongside;
the writing side never drops an index there.

When the child finds a problem it stops sending records, goes on checking to the end and
sends the problems. When the parent's write fails (a reference to a record nobody defines
makes a lookup fail before the check has reached the end), the child's verdict wins: its
problems say which line is wrong.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection as Pipe
from typing import Any

import orjson
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from timeline_api.datafile import ORDER, DatasetError, Problem, Record, readers
from timeline_api.db import make_engine
from timeline_api.services.bulk import Dumped

BATCH = 2000  # records per message: a megabyte or two
# check(session, records, sink, report): imports._check, given so as not to import it back.
Check = Callable[[Session, Iterable[Record | Problem], Any, Callable[[int], None] | None], None]


class Reordered(Exception):
    """The file's lists are not in loading order: it must be checked whole before writing."""


class CheckFailed(RuntimeError):
    """The checking process stopped without a verdict (an error, or killed)."""


def available(session: Session) -> bool:
    """Whether this session's database can be checked from a forked process: an SQLite file or
    a server (not an in-memory database, nor a connection a caller handed in)."""
    bind = session.get_bind()
    if not hasattr(os, "fork") or not isinstance(bind, Engine):
        return False
    sqlite = bind.url.get_backend_name() == "sqlite"
    return not sqlite or bind.url.database not in (None, "", ":memory:")


def events_in(file: Any) -> int:
    """How many lines of an NDJSON file start an event record: a count in C, about a second
    for a million events, to decide before the check whether an import is a first load."""
    found, tail, marker = 0, b"\n", b'\n{"events"'
    with file.open() as stream:
        while chunk := stream.read(1 << 20):
            data = tail + chunk
            found += data.count(marker)
            tail = data[-(len(marker) - 1) :]  # too short to hold a whole marker twice
    return found


class Checker:
    """The child process checking a file; iterate `batches()`, then read `digest`."""

    def __init__(self, session: Session, file: Any, check: Check) -> None:
        self.digest = ""
        self.position = 0  # bytes of the file the child has read
        bind = session.get_bind()
        assert isinstance(bind, Engine)
        url = bind.url.render_as_string(hide_password=False)
        context = multiprocessing.get_context("fork")
        self._pipe, child_end = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_child, args=(child_end, self._pipe, url, file, check), daemon=True
        )
        self._process.start()
        child_end.close()  # the child's end: its exit closes the pipe for good
        self._done = False

    def __enter__(self) -> Checker:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._process.is_alive():
            self._process.kill()  # an error on our side: its verdict is no longer wanted
        self._process.join()
        self._pipe.close()

    def batches(self) -> Iterator[tuple[str, list[Dumped]]]:
        """Checked records in runs of one list; raises the child's verdict at the end."""
        while not self._done:
            message = self._receive()
            if message[0] == "batch":
                _tag, kind, items, self.position = message
                yield kind, [Dumped(orjson.loads(text), text, digest) for text, digest in items]
            else:
                self._conclude(message)

    def verdict(self) -> None:
        """After a failed write: raise what the child found, if anything (DatasetError,
        Reordered); return when it found the file good, or has already said what it found."""
        for _batch in self.batches():
            pass

    def _receive(self) -> tuple[Any, ...]:
        try:
            message: tuple[Any, ...] = self._pipe.recv()
        except EOFError:
            self._done = True
            raise CheckFailed("the checking process ended without a verdict") from None
        return message

    def _conclude(self, message: tuple[Any, ...]) -> None:
        self._done = True
        if message[0] == "done":
            self.digest = message[1]
        elif message[0] == "problems":
            raise DatasetError(message[1], message[2])
        elif message[0] == "reorder":
            raise Reordered()
        else:
            raise CheckFailed(f"checking the file failed: {message[1]}")


class _Sender:
    """What `check` fills (as it would a spill): batches sent to the parent as they fill."""

    def __init__(self, pipe: Pipe, source: readers.Input) -> None:
        self._pipe = pipe
        self._source = source
        self._kind: str | None = None
        self._items: list[tuple[str, str]] = []

    def add(self, kind: str, dumped: Dumped) -> None:
        if kind != self._kind:
            if self._kind is not None and ORDER.index(kind) < ORDER.index(self._kind):
                raise Reordered()
            self.flush()
            self._kind = kind
        self._items.append((dumped.text, dumped.digest))
        if len(self._items) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self._items:
            self._pipe.send(("batch", self._kind, self._items, self._source.position))
            self._items = []


def _child(pipe: Pipe, parent_end: Pipe, url: str, file: Any, check: Check) -> None:
    """The checking process: its own engine, the file read once, a verdict at the end."""
    # Forked, it holds the parent's end of the pipe too: with that closed here, the parent's
    # death (a kill) closes the pipe, and the next send ends this process (BrokenPipeError).
    parent_end.close()
    engine = make_engine(url, statement_timeout_ms=0)
    try:
        with Session(engine) as session, file.open() as stream:
            source = readers.Input(stream, file.size or 0)
            sender = _Sender(pipe, source)
            check(session, readers.read(source, file.format), sender, None)
            sender.flush()
            pipe.send(("done", source.sha256.hexdigest()))
    except DatasetError as error:
        pipe.send(("problems", error.problems, error.omitted))
    except Reordered:
        pipe.send(("reorder",))
    except (BrokenPipeError, KeyboardInterrupt):
        pass  # the parent is gone, or was interrupted too (Ctrl-C): it says what happened
    except Exception as error:  # told to the parent, which reports it
        pipe.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        engine.dispose()
        pipe.close()
