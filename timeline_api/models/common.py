"""Column helpers shared by the models."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, Dialect, String, TypeDecorator, func
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from timeline_api.dates import Precision

SLUG_LENGTH = 120
DIGEST_LENGTH = 32  # hexadecimal BLAKE2b of 16 bytes
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

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None or value.tzinfo is None:
            return value
        utc = value.astimezone(UTC)
        # SQLite keeps text without a zone: store UTC so that text order is time order.
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # SQLite's CURRENT_TIMESTAMP is UTC
        return value.astimezone(UTC)


class Versioned:
    """A counter SQLAlchemy checks and bumps on every UPDATE: a write based on a stale read
    matches no row and fails (StaleDataError) instead of overwriting someone else's change."""

    version: Mapped[int] = mapped_column(default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


class Digested:
    """A digest of the record in data-file form, kept on every write, so that an import finds
    the records it would not change by comparing digests instead of loading each record.
    NULL where unknown (a row written before revision 0006): such rows are compared in full."""

    digest: Mapped[str | None] = mapped_column(String(DIGEST_LENGTH))


class Timestamps:
    """When a record was created and last changed, set by the database."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), server_default=func.now(), onupdate=func.now()
    )
