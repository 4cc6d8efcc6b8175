"""Sources: the documents and pages that events cite."""

from __future__ import annotations

from sqlalchemy import String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from timeline_api.db import Base
from timeline_api.models.common import (
    PRECISIONS,
    Digested,
    Timestamps,
    Versioned,
    one_of,
    slug_column,
)


class Source(Versioned, Timestamps, Digested, Base):
    __tablename__ = "sources"
    __table_args__ = (one_of("published_precision", PRECISIONS, "published_precision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = slug_column()
    publisher: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(500))
    # True when the title is ours (the page has no headline, or it was not seen): a reader must
    # not take it for the publisher's words.
    title_is_descriptive: Mapped[bool] = mapped_column(default=False, server_default=false())
    author: Mapped[str | None] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(2000))
    published: Mapped[str | None] = mapped_column(String(10))  # a partial date, as entered
    published_precision: Mapped[str | None] = mapped_column(String(5))
    # The stored document holding this source's text; quotes citing it are checked against it.
    document: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
