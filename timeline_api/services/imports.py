"""Import: a whole file checked first, then upserted in one transaction, or nothing at all."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from timeline_api.services import dataset, formats
from timeline_api.services.dataset import DatasetError, Problem, Summary


def run(
    session: Session,
    text: str,
    fmt: str,
    author: str,
    dry_run: bool = False,
    progress: Callable[[int], Any] | None = None,
) -> Summary:
    """Import `text` and commit; with `dry_run`, or on any problem, roll everything back.

    Problems are reported with their line (NDJSON) or row (CSV) where the format has them.
    """
    if fmt not in formats.FORMATS:
        raise DatasetError(
            [Problem("", f"unknown format '{fmt}': use one of {', '.join(formats.FORMATS)}")]
        )
    parsed = formats.parse(text, fmt)
    try:
        data = dataset.validate(session, parsed.data)
    except DatasetError as error:
        session.rollback()
        raise DatasetError([parsed.locate(problem) for problem in error.problems]) from None
    bar = progress(sum(len(items) for items in data.values())) if progress else None
    try:
        with bar if bar is not None else contextlib.nullcontext():
            step = (lambda: bar.update(1)) if bar is not None else None
            summary = dataset.apply(session, data, author, on_item=step)
    except IntegrityError as error:  # a rule the checks missed: refuse, never half-write
        session.rollback()
        raise DatasetError(
            [
                Problem(
                    "",
                    "conflicts with data already stored; nothing was "
                    f"written ({type(error.orig).__name__})",
                )
            ]
        ) from None
    except BaseException:
        session.rollback()
        raise
    if dry_run:
        session.rollback()
    else:
        session.commit()
    return summary
