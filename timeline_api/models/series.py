"""Series: numbers over time, each point citing its source."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from timeline_api.db import Base
from timeline_api.models.common import (
    PRECISIONS,
    Digested,
    Timestamps,
    Versioned,
    one_of,
    slug_column,
)
from timeline_api.models.sources import Source


class Series(Versioned, Timestamps, Digested, Base):
    __tablename__ = "series"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = slug_column()
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(100))

    points: Mapped[list[SeriesPoint]] = relationship(
        cascade="all, delete-orphan", order_by="SeriesPoint.earliest"
    )


class SeriesPoint(Base):
    __tablename__ = "series_points"
    __table_args__ = (
        UniqueConstraint("series_id", "period"),
        one_of("precision", PRECISIONS, "precision"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(10))  # a partial date, as entered
    precision: Mapped[str] = mapped_column(String(5))
    earliest: Mapped[date] = mapped_column(Date)
    latest: Mapped[date] = mapped_column(Date)
    value: Mapped[Decimal] = mapped_column(Numeric(20, 4))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    quote: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)

    source: Mapped[Source] = relationship()
