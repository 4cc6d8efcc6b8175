"""Covering indexes for the actor, tag and country filters: the index alone lists the events.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 12:39:01.354566
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("event_actors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_actors_actor_id"))
        batch_op.create_index("ix_event_actors_actor_event", ["actor_id", "event_id"], unique=False)

    with op.batch_alter_table("event_countries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_countries_country_code"))
        batch_op.create_index(
            "ix_event_countries_country_event", ["country_code", "event_id"], unique=False
        )

    with op.batch_alter_table("event_tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_tags_tag_id"))
        batch_op.create_index("ix_event_tags_tag_event", ["tag_id", "event_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("event_tags", schema=None) as batch_op:
        batch_op.drop_index("ix_event_tags_tag_event")
        batch_op.create_index(batch_op.f("ix_event_tags_tag_id"), ["tag_id"], unique=False)

    with op.batch_alter_table("event_countries", schema=None) as batch_op:
        batch_op.drop_index("ix_event_countries_country_event")
        batch_op.create_index(
            batch_op.f("ix_event_countries_country_code"), ["country_code"], unique=False
        )

    with op.batch_alter_table("event_actors", schema=None) as batch_op:
        batch_op.drop_index("ix_event_actors_actor_event")
        batch_op.create_index(batch_op.f("ix_event_actors_actor_id"), ["actor_id"], unique=False)
