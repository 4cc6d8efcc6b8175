"""Keeping the full-text index in step with a bulk write."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session


@contextmanager
def deferred(session: Session) -> Iterator[None]:
    """Index the events written inside, in bulk where the engine allows (TODO)."""
    del session
    yield
