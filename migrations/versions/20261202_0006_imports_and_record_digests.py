"""Imports as records of their own, revisions naming their import, and a digest per record.

The digest columns are added with plain ALTER TABLE (no batch copy on SQLite), so that the
triggers on `events` (full-text search, and any added later) stay as they are.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import timeline_api.models.common

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DIGESTED = ("countries", "event_types", "tags", "sources", "actors", "events", "series")


def upgrade() -> None:
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("created_at", timeline_api.models.common.UTCDateTime(), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("file_format", sa.String(length=10), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imports")),
    )
    for table in DIGESTED:
        op.add_column(table, sa.Column("digest", sa.String(length=32), nullable=True))
    with op.batch_alter_table("revisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("import_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_revisions_import_id"), ["import_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_revisions_import_id_imports"), "imports", ["import_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("revisions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_revisions_import_id_imports"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_revisions_import_id"))
        batch_op.drop_column("import_id")
    for table in DIGESTED:
        op.drop_column(table, "digest")  # SQLite 3.35+ drops a plain column in place
    op.drop_table("imports")
