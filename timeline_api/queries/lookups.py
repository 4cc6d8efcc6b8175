"""Actors, sources, tags, event types, countries: lists by id and single records."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from timeline_api.models import (
    Actor,
    ActorAlias,
    Citation,
    Country,
    Event,
    EventActor,
    Series,
    SeriesPoint,
    Source,
    Tag,
    event_tags,
)
from timeline_api.queries.paging import Key, Order, Page, fetch_page

T = TypeVar("T")


def by_slug(model: Any) -> Order:
    """Records in id order: stable, and what a cursor can resume from."""
    return Order("id", ((model.slug, False),))


def page(
    session: Session, statement: Select[T], model: Any, limit: int, after: Key | None
) -> Page[T]:
    return fetch_page(session, statement, by_slug(model), limit, after)


def _contains(column: Any, text: str) -> Any:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")


def actors(kinds: tuple[str, ...], countries: tuple[str, ...], q: str | None) -> Select[Any]:
    statement = select(Actor).options(selectinload(Actor.aliases))
    if kinds:
        statement = statement.where(Actor.kind.in_(kinds))
    if countries:
        statement = statement.where(Actor.country_code.in_(countries))
    if q:
        aliased = select(ActorAlias.actor_id).where(_contains(ActorAlias.alias, q))
        statement = statement.where(or_(_contains(Actor.name, q), Actor.id.in_(aliased)))
    return statement


def sources(q: str | None) -> Select[Any]:
    statement = select(Source)
    if q:
        statement = statement.where(
            or_(
                _contains(Source.title, q),
                _contains(Source.publisher, q),
                _contains(Source.author, q),
            )
        )
    return statement


def one(session: Session, model: Any, slug: str) -> Any:
    options = [selectinload(Actor.aliases)] if model is Actor else []
    return session.scalar(select(model).where(model.slug == slug).options(*options))


def event_count(session: Session, record: Any) -> int:
    """How many events name this actor, cite this source, carry this tag or type."""
    if isinstance(record, Actor):
        naming = select(EventActor.event_id).where(EventActor.actor_id == record.id)
    elif isinstance(record, Source):
        naming = select(Citation.event_id).where(Citation.source_id == record.id)
    elif isinstance(record, Tag):
        naming = select(event_tags.c.event_id).where(event_tags.c.tag_id == record.id)
    else:
        naming = select(Event.id).where(Event.type_id == record.id)
    visible = select(func.count(Event.id)).where(  # deleted events no longer count
        Event.id.in_(naming), Event.deleted_at.is_(None)
    )
    return session.scalar(visible) or 0


def countries(session: Session) -> list[Country]:
    return list(session.scalars(select(Country).order_by(Country.code)))


def all_series(session: Session) -> list[Series]:
    return list(session.scalars(select(Series).order_by(Series.slug)))


def series(session: Session, slug: str) -> Series | None:
    loading = selectinload(Series.points).selectinload(SeriesPoint.source)
    return session.scalar(select(Series).where(Series.slug == slug).options(loading))
