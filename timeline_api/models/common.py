"""Column helpers shared by the models."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import CheckConstraint, DateTime, Dialect, String, TypeDecorator, func
from sqlalchemy.orm import Mapped, mapped_column

from timeline_api.dates import Precision

SLUG_LENGTH = 120
PRECISIONS = tuple(p.value for p in Precision)


def slug_column() -> Mapped[str]:
    """The public, stable, human-readable id of a record."""
    return mapped_column(String(SLUG_LENGTH), unique=True)


def one_of(column: str, values: Iterable[str], name: str) -> CheckConstraint:
    """A CHECK that `column` holds one of `values` (portable, unlike native enums)."""
    quoted = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({quoted})", name=name)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that reads back in UTC on every database (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # SQLite's CURRENT_TIMESTAMP is UTC
        return value.astimezone(UTC)


class Timestamps:
    """When a record was created and last changed, set by the database."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), server_default=func.now(), onupdate=func.now()
    )
