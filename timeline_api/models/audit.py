"""API tokens, and the revision kept for every change to every record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from timeline_api.db import Base
from timeline_api.models.common import UTCDateTime, one_of

SCOPES = ("read", "write", "admin")
ACTIONS = ("create", "update", "delete", "restore")
RECORD_TYPES = ("countries", "event_types", "tags", "sources", "actors", "events", "series")


class ApiToken(Base):
    """A bearer token; only its SHA-256 is stored, the token itself is shown once."""

    __tablename__ = "api_tokens"
    __table_args__ = (one_of("scope", SCOPES, "scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(10))  # admin > write > read
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Import(Base):
    """One load of a data file (import, seed): who, when, which file, and what it did.

    Its revisions name it, so that a bulk load is one thing to look up, not a million.
    """

    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    author: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    file_name: Mapped[str] = mapped_column(String(500))
    file_format: Mapped[str] = mapped_column(String(10))
    sha256: Mapped[str] = mapped_column(String(64))  # of the file's bytes
    # {"created": {"events": 2}, "updated": {...}, "unchanged": {...}}
    counts: Mapped[dict[str, Any]] = mapped_column(JSON)


class Revision(Base):
    """One change to one record: who, when, and the record before and after (file format).

    Its id orders every change ever made, so that `/v1/changes?since=ID` resumes exactly.
    """

    __tablename__ = "revisions"
    __table_args__ = (
        one_of("action", ACTIONS, "action"),
        one_of("record_type", RECORD_TYPES, "record_type"),
        Index("ix_revisions_record", "record_type", "record_id", "id"),
    )

    # BIGINT on PostgreSQL; INTEGER on SQLite, where only that is an auto-incrementing rowid.
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    record_type: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(10))
    author: Mapped[str] = mapped_column(String(100))  # a token's name, or "seed", "cli"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The import that made this change; NULL for a change made through the API.
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"), index=True)
