"""Actors (states, agencies, units, groups, companies, public persons) and countries."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from timeline_api.db import Base
from timeline_api.models.common import Digested, Timestamps, Versioned, one_of, slug_column

ACTOR_KINDS = (
    "state",
    "agency",
    "military_unit",
    "group",
    "company",
    "organisation",
    "person",
)


class Country(Digested, Base):
    """An ISO 3166-1 alpha-2 country."""

    __tablename__ = "countries"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class Actor(Versioned, Timestamps, Digested, Base):
    __tablename__ = "actors"
    __table_args__ = (one_of("kind", ACTOR_KINDS, "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = slug_column()
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    country_code: Mapped[str | None] = mapped_column(ForeignKey("countries.code"), index=True)
    description: Mapped[str | None] = mapped_column(Text)

    aliases: Mapped[list[ActorAlias]] = relationship(
        cascade="all, delete-orphan", order_by="ActorAlias.id"
    )


class ActorAlias(Base):
    """Another name an actor is known by (spellings, acronyms, translations)."""

    __tablename__ = "actor_aliases"
    __table_args__ = (UniqueConstraint("actor_id", "alias"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"))
    alias: Mapped[str] = mapped_column(String(200))
