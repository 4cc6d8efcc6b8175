"""A progress bar for long commands: on a terminal only, with the rate and the time left."""

from __future__ import annotations

import sys
import time
from contextlib import ExitStack
from typing import Any

import click


class Progress:
    """Called as progress(phase, done, total, records): one bar per phase, on stderr.

    When stderr is not a terminal (a log, a pipe) each phase is one line as it starts.
    """

    def __init__(self, quiet: bool | None = None) -> None:
        self.quiet = not sys.stderr.isatty() if quiet is None else quiet
        self._stack = ExitStack()
        self._phase: str | None = None
        self._bar: Any = None
        self._done = 0
        self._started = time.monotonic()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stack.close()

    def __call__(self, phase: str, done: int, total: int, records: int) -> None:
        if self.quiet:
            if phase != self._phase:
                click.echo(f"{phase} ...", err=True)
                self._phase = phase
            return
        if phase != self._phase:
            self._stack.close()
            self._stack = ExitStack()
            bar = click.progressbar(
                length=max(total, 1),
                label=f"{phase:<8}",
                file=sys.stderr,
                show_eta=True,
                item_show_func=self._rate,
            )
            self._bar = self._stack.enter_context(bar)
            self._phase, self._done, self._started = phase, 0, time.monotonic()
        self._bar.update(max(done - self._done, 0), records)
        self._done = max(done, self._done)

    def _rate(self, records: int | None) -> str | None:
        if records is None:
            return None
        elapsed = max(time.monotonic() - self._started, 1e-6)
        return f"{records:,} records, {records / elapsed:,.0f}/s"
