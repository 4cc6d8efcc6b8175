"""/v1/actors, /v1/sources, /v1/tags, /v1/event-types, /v1/countries."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Response, abort
from flask.views import MethodView
from sqlalchemy import select

from timeline_api import db
from timeline_api.api.base import Blueprint, path_id
from timeline_api.api.events import CSV_DOC, LIST_HEADERS, events_page
from timeline_api.api.paging import envelope
from timeline_api.models import Actor, EventType, Source, Tag
from timeline_api.queries import documents
from timeline_api.queries import lookups as queries
from timeline_api.schemas import lookups as schemas
from timeline_api.schemas.common import NoQuery, page_schema
from timeline_api.schemas.events import EventListArgs, EventPageSchema, EventQuery
from timeline_api.schemas.lookups import ListArgs, list_query

actors = Blueprint(
    "actors",
    __name__,
    url_prefix="/v1/actors",
    description=(
        "States, agencies, military units, groups, companies and public persons. No private "
        "individual is ever an actor."
    ),
)
sources = Blueprint(
    "sources",
    __name__,
    url_prefix="/v1/sources",
    description=("The documents and pages events cite."),
)
tags = Blueprint("tags", __name__, url_prefix="/v1/tags", description="Labels on events.")
event_types = Blueprint(
    "event-types", __name__, url_prefix="/v1/event-types", description=("Kinds of event.")
)
countries = Blueprint(
    "countries",
    __name__,
    url_prefix="/v1/countries",
    description=("Countries events and actors refer to (ISO 3166-1 alpha-2)."),
)
BLUEPRINTS = (actors, sources, tags, event_types, countries)
ACTOR_ID = path_id("actor", "icefcom")
SOURCE_ID = path_id("source", "intelnews-taiwan-soldiers-jailed-2025")
TAG_ID = path_id("tag", "cyber")
DOCUMENT_DOC = {
    "responses": {
        200: {
            "content": {
                "text/plain": {
                    "schema": {"type": "string"},
                    "example": "Source: intelNews, “Taiwan jails soldiers …”\n…",
                }
            }
        }
    }
}
EVENT_TYPE_ID = path_id("event type", "court-ruling")


def _page(statement: Any, model: Any, args: ListArgs) -> Any:
    page = queries.page(db.session(), statement, model, args.limit, args.after)
    body, headers = envelope(page, {"id": queries.by_slug(model)})
    return body, 200, headers


def found(model: Any, id: str) -> Any:
    """The record as its GET shows it (with its event count), or None."""
    record = queries.one(db.session(), model, id)
    if record is not None:
        record.event_count = queries.event_count(db.session(), record)
    return record


def _detail(model: Any, id: str, what: str) -> Any:
    record = found(model, id)
    if record is None:
        abort(404, f"No {what} has the id '{id}'.")
    return record


@actors.route("")
class ActorList(MethodView):
    @actors.arguments(list_query(Actor, "actors", **schemas.ACTOR_FILTERS), location="query")
    @actors.response(200, page_schema(schemas.ActorSchema, "actors"))
    def get(self, args: ListArgs) -> Any:
        """List actors

        Filter by `kind`, `country`, or `q` (words in the name or an alias).
        """
        found = args.filters
        statement = queries.actors(
            tuple(found.get("kind", ())), tuple(found.get("country", ())), found.get("q")
        )
        return _page(statement, Actor, args)


@actors.route("/<string:id>", parameters=[ACTOR_ID])
class ActorDetail(MethodView):
    @actors.arguments(NoQuery, location="query", as_kwargs=True)
    @actors.response(200, schemas.ActorDetailSchema)
    def get(self, id: str) -> Any:
        """Get one actor

        Name, kind, country, aliases, and how many events name it.
        """
        return _detail(Actor, id, "actor")


@actors.route("/<string:id>/events", parameters=[ACTOR_ID])
class ActorEvents(MethodView):
    @actors.arguments(EventQuery, location="query", as_kwargs=False)
    @actors.response(200, EventPageSchema, headers=LIST_HEADERS)
    @actors.doc(**CSV_DOC)
    def get(self, args: EventListArgs, id: str) -> Any:
        """List an actor's events

        The events naming this actor, in any role; the parameters of `/v1/events` apply,
        and `actor` is this one.
        """
        _detail(Actor, id, "actor")
        return events_page(replace(args, filters=replace(args.filters, actors=(id,))))


@sources.route("")
class SourceList(MethodView):
    @sources.arguments(
        list_query(Source, "sources", q=schemas.q_field("title, publisher or author", "intelNews")),
        location="query",
    )
    @sources.response(200, page_schema(schemas.SourceSchema, "sources"))
    def get(self, args: ListArgs) -> Any:
        """List sources

        The documents and pages events cite, in id order; `q` searches title, publisher
        and author.
        """
        return _page(queries.sources(args.filters.get("q")), Source, args)


@sources.route("/<string:id>", parameters=[SOURCE_ID])
class SourceDetail(MethodView):
    @sources.arguments(NoQuery, location="query", as_kwargs=True)
    @sources.response(200, schemas.SourceDetailSchema)
    def get(self, id: str) -> Any:
        """Get one source

        Publisher, title, author, address and date, and how many events cite it.
        """
        return _detail(Source, id, "source")


@sources.route("/<string:id>/document", parameters=[SOURCE_ID])
class SourceDocument(MethodView):
    @sources.response(200)
    @sources.doc(**DOCUMENT_DOC)
    def get(self, id: str) -> Any:
        """Get a source's stored text

        The document the source's quotes are checked against, as plain UTF-8 text: a note on
        its origin, then the text exactly as stored. A citation of this source gives its
        quote's `location`: `start` and `end` count characters (Unicode code points) from the
        start of this body, and `url` opens it at the quote. 404 when the source has no stored
        document (its `url` is then where to read it).
        """
        source = _detail(Source, id, "source")
        text = documents.body(source)
        if text is None:
            abort(404, f"The source '{id}' has no stored document; its url is where to read it.")
        return Response(text, mimetype="text/plain")


@tags.route("")
class TagList(MethodView):
    @tags.arguments(list_query(Tag, "tags"), location="query")
    @tags.response(200, page_schema(schemas.TagSchema, "tags"))
    def get(self, args: ListArgs) -> Any:
        """List tags

        Every tag, in id order.
        """
        return _page(select(Tag), Tag, args)


@tags.route("/<string:id>", parameters=[TAG_ID])
class TagDetail(MethodView):
    @tags.arguments(NoQuery, location="query", as_kwargs=True)
    @tags.response(200, schemas.TagDetailSchema)
    def get(self, id: str) -> Any:
        """Get one tag

        The tag, and how many events carry it.
        """
        return _detail(Tag, id, "tag")


@event_types.route("")
class EventTypeList(MethodView):
    @event_types.arguments(list_query(EventType, "event types"), location="query")
    @event_types.response(200, page_schema(schemas.EventTypeSchema, "event types"))
    def get(self, args: ListArgs) -> Any:
        """List event types

        Every kind of event, in id order.
        """
        return _page(select(EventType), EventType, args)


@event_types.route("/<string:id>", parameters=[EVENT_TYPE_ID])
class EventTypeDetail(MethodView):
    @event_types.arguments(NoQuery, location="query", as_kwargs=True)
    @event_types.response(200, schemas.EventTypeDetailSchema)
    def get(self, id: str) -> Any:
        """Get one event type

        The type, and how many events are of it.
        """
        return _detail(EventType, id, "event type")


@countries.route("")
class CountryList(MethodView):
    @countries.arguments(NoQuery, location="query", as_kwargs=True)
    @countries.response(200, schemas.CountryListSchema)
    def get(self) -> Any:
        """List countries

        Every country an event or actor refers to, by ISO 3166-1 alpha-2 code.
        """
        return {"data": queries.countries(db.session())}
