"""Events, their types, and how they connect to actors, places, tags, sources and each other."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.event import listens_for
from sqlalchemy.orm import Mapped, mapped_column, relationship

from timeline_api.dates import span_class
from timeline_api.db import Base
from timeline_api.models.actors import Actor, Country
from timeline_api.models.common import (
    PRECISIONS,
    Digested,
    Timestamps,
    UTCDateTime,
    Versioned,
    one_of,
    slug_column,
)
from timeline_api.models.sources import Source
from timeline_api.models.tags import Tag

ROLES = (
    "accuser",
    "accused",
    "perpetrator",
    "target",
    "victim",
    "announcer",
    "source",
    "subject",
    "investigator",
    "court",
    "author",
    "participant",
    "denier",
)
LINK_KINDS = ("follows", "responds_to", "part_of", "related")


def live_index(name: str, *columns: str) -> Index:
    """An index of the events not soft-deleted (partial on both databases)."""
    live = text("deleted_at IS NULL")
    return Index(name, *columns, sqlite_where=live, postgresql_where=live)


def covering_live_index(name: str, *columns: str) -> Index:
    """A live index that answers its queries alone. It ends with deleted_at (always NULL in
    it): SQLite before 3.45 counts the `deleted_at IS NULL` a query repeats as a column to
    read, and without it would look every row up in the table."""
    return live_index(name, *columns, "deleted_at")


def event_window_columns() -> list[Column[Any]]:
    """The event's own span class, dates and deletion, copied into each row linking it to an
    actor, country or tag (revision 0009): a date window with such a filter is then one index
    range per span class on the link table (queries.linked), never a probe per event.
    services.rows writes them with the links; a trigger on events keeps them when it changes.
    """
    return [
        Column("span_class", SmallInteger, nullable=False),
        Column("earliest", Date, nullable=False),
        Column("latest", Date, nullable=False),
        Column("deleted_at", UTCDateTime()),
    ]


def link_window_indexes(table: str, key: str) -> list[Index]:
    """A link table's window indexes: its events of one actor, country or tag per span class,
    in start order and in end order (see queries.window)."""
    return [
        covering_live_index(
            f"ix_{table}_window_start", key, "span_class", "earliest", "latest", "event_id"
        ),
        covering_live_index(
            f"ix_{table}_window_end", key, "span_class", "latest", "earliest", "event_id"
        ),
    ]


event_countries = Table(
    "event_countries",
    Base.metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("country_code", ForeignKey("countries.code"), primary_key=True),
    *event_window_columns(),
    # Filters go from a country to its events: the index alone answers them.
    Index("ix_event_countries_country_event", "country_code", "event_id"),
    *link_window_indexes("event_countries", "country_code"),
)

event_tags = Table(
    "event_tags",
    Base.metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id"), primary_key=True),
    *event_window_columns(),
    Index("ix_event_tags_tag_event", "tag_id", "event_id"),
    *link_window_indexes("event_tags", "tag_id"),
)


WINDOW_TAIL = ("id", "type_id", "importance", "start_precision")
WINDOW_COLUMNS = ("earliest", "latest", *WINDOW_TAIL)


class EventType(Versioned, Digested, Base):
    __tablename__ = "event_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = slug_column()
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)


class Event(Versioned, Timestamps, Digested, Base):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("earliest <= latest", name="span_ordered"),
        CheckConstraint("importance BETWEEN 1 AND 5", name="importance_range"),
        one_of("start_precision", PRECISIONS, "start_precision"),
        one_of("end_precision", PRECISIONS, "end_precision"),
        CheckConstraint("(end_date IS NULL) = (end_precision IS NULL)", name="end_has_precision"),
        # Every list walks one of these in its order and stops after a page: no sort, no scan.
        # They hold live events only, which is all a list shows (see queries.window).
        covering_live_index("ix_events_start", "earliest", "latest", "id", "type_id"),
        covering_live_index("ix_events_end", "latest", "earliest", "id", "type_id"),
        live_index("ix_events_importance", "importance", "earliest", "id"),
        live_index("ix_events_title", "title", "id"),
        # A date window is one narrow range per span class, in start or end order; the
        # trailing columns let type, importance and per-month counts skip the table.
        covering_live_index("ix_events_window_start", "span_class", *WINDOW_COLUMNS),
        covering_live_index(
            "ix_events_window_end", "span_class", "latest", "earliest", *WINDOW_TAIL
        ),
        # A window with a type: the same ranges within one type (revision 0009).
        covering_live_index(
            "ix_events_type_window_start", "type_id", "span_class", "earliest", "latest", "id"
        ),
        covering_live_index(
            "ix_events_type_window_end", "type_id", "span_class", "latest", "earliest", "id"
        ),
        # The few deleted events: a search counts its matches in the full-text index (which
        # keeps deleted events) and takes these away, instead of looking up every match.
        Index(
            "ix_events_deleted",
            "id",
            sqlite_where=text("deleted_at IS NOT NULL"),
            postgresql_where=text("deleted_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = slug_column()
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text)
    text: Mapped[str | None] = mapped_column(Text)
    type_id: Mapped[int] = mapped_column(ForeignKey("event_types.id"), index=True)
    importance: Mapped[int] = mapped_column(SmallInteger, default=3)
    # Dates as entered ("2002" stays "2002"); "end" is a reserved word, hence end_date.
    start: Mapped[str] = mapped_column(String(10))
    start_precision: Mapped[str] = mapped_column(String(5))
    end: Mapped[str | None] = mapped_column("end_date", String(10))
    end_precision: Mapped[str | None] = mapped_column(String(5))
    is_approximate: Mapped[bool] = mapped_column(default=False)
    date_note: Mapped[str | None] = mapped_column(Text)
    # Widest days the dates can mean, so that range filters are plain index scans.
    earliest: Mapped[date] = mapped_column(Date)
    latest: Mapped[date] = mapped_column(Date)
    span_class: Mapped[int] = mapped_column(SmallInteger)  # see dates.span_class
    # Soft delete: hidden from lists, 410 on detail, restorable by an admin.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Folded words and stems of title, summary, text and the names of the event's type, tags
    # and actors (search.py, services.search_labels), written with the event by services.rows;
    # FTS5 (SQLite) or a tsvector (PostgreSQL) indexes it, kept in sync by triggers and a
    # generated column (see revision 0002).
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")

    type: Mapped[EventType] = relationship()
    actors: Mapped[list[EventActor]] = relationship(
        cascade="all, delete-orphan", order_by="EventActor.position"
    )
    countries: Mapped[list[Country]] = relationship(
        secondary=event_countries, order_by="Country.code"
    )
    tags: Mapped[list[Tag]] = relationship(secondary=event_tags, order_by="Tag.slug")
    citations: Mapped[list[Citation]] = relationship(
        cascade="all, delete-orphan", order_by="Citation.position"
    )
    alternative_dates: Mapped[list[AlternativeDate]] = relationship(
        cascade="all, delete-orphan", order_by="AlternativeDate.id"
    )
    links: Mapped[list[EventLink]] = relationship(
        foreign_keys="EventLink.from_event_id",
        cascade="all, delete-orphan",
        order_by="EventLink.id",
    )
    linked_from: Mapped[list[EventLink]] = relationship(
        foreign_keys="EventLink.to_event_id", order_by="EventLink.id", viewonly=True
    )

    @property
    def is_disputed(self) -> bool:
        """Whether any source claims other dates than the ones we kept."""
        return bool(self.alternative_dates)

    @property
    def connections(self) -> list[dict[str, Any]]:
        """Links in both directions: what this event follows, and what follows it."""
        outgoing = [
            {"kind": link.kind, "direction": "outgoing", "event": link.to_event}
            for link in self.links
            if link.to_event.deleted_at is None
        ]
        incoming = [
            {"kind": link.kind, "direction": "incoming", "event": link.from_event}
            for link in self.linked_from
            if link.from_event.deleted_at is None
        ]
        return outgoing + incoming


@listens_for(Event, "before_insert")
@listens_for(Event, "before_update")
def _fill_derived(_mapper: Any, _connection: Any, event: Event) -> None:
    """What the database derives from an event for its indexes, kept in step on every write.

    `search_text` is not among them: it needs the event's labels, and every write of an
    event's words goes through services.rows, which fills it; the ORM only hides and restores.
    """
    event.span_class = span_class(event.earliest, event.latest)


class EventCount(Base):
    """How many live events of each type start in each month (or year).

    Totals and per-year/month/type counts over the whole timeline read these few thousand
    rows instead of a million events. Triggers on `events` keep them (revision 0005), so every
    write path, bulk imports included, stays in step. `month` 0: a start known only to the
    year. Rows are never deleted; a count may drop to 0.
    """

    __tablename__ = "event_counts"

    year: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    type_id: Mapped[int] = mapped_column(primary_key=True)
    events: Mapped[int] = mapped_column(default=0)


class EventActor(Base):
    """An actor's part in an event."""

    __tablename__ = "event_actors"
    __table_args__ = (
        one_of("role", ROLES, "role"),
        # Filters go from an actor to its events: the index alone answers them.
        Index("ix_event_actors_actor_event", "actor_id", "event_id"),
        *link_window_indexes("event_actors", "actor_id"),
    )

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)
    # The event's, copied (see event_window_columns).
    span_class: Mapped[int] = mapped_column(SmallInteger)
    earliest: Mapped[date] = mapped_column(Date)
    latest: Mapped[date] = mapped_column(Date)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    actor: Mapped[Actor] = relationship()


class Citation(Base):
    """A source supporting an event, with the passage that says so."""

    __tablename__ = "citations"
    __table_args__ = (
        CheckConstraint("quote IS NOT NULL OR note IS NOT NULL", name="quote_or_note"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    quote: Mapped[str | None] = mapped_column(Text)  # word for word
    note: Mapped[str | None] = mapped_column(Text)  # what the citation supports
    position: Mapped[int] = mapped_column(default=0)

    source: Mapped[Source] = relationship()


class AlternativeDate(Base):
    """A date another source claims for an event, kept so that the conflict stays visible."""

    __tablename__ = "alternative_dates"
    __table_args__ = (
        one_of("start_precision", PRECISIONS, "start_precision"),
        one_of("end_precision", PRECISIONS, "end_precision"),
        CheckConstraint("(end_date IS NULL) = (end_precision IS NULL)", name="end_has_precision"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    start: Mapped[str] = mapped_column(String(10))
    start_precision: Mapped[str] = mapped_column(String(5))
    end: Mapped[str | None] = mapped_column("end_date", String(10))
    end_precision: Mapped[str | None] = mapped_column(String(5))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    quote: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)

    source: Mapped[Source] = relationship()


class EventLink(Base):
    """ "This event <kind> that one": follows, responds to, is part of, is related to."""

    __tablename__ = "event_links"
    __table_args__ = (
        one_of("kind", LINK_KINDS, "kind"),
        CheckConstraint("from_event_id <> to_event_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    from_event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), index=True
    )
    to_event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))

    from_event: Mapped[Event] = relationship(foreign_keys=[from_event_id], viewonly=True)
    to_event: Mapped[Event] = relationship(foreign_keys=[to_event_id], viewonly=True)
