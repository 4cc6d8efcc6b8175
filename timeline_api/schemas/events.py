"""Events: the list's query arguments, a list item, the full record, a page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from timeline_api.dates import PartialDate
from timeline_api.models.common import PRECISIONS
from timeline_api.models.events import LINK_KINDS
from timeline_api.queries.events import ORDERS, EventFilters
from timeline_api.queries.included import INCLUDES
from timeline_api.schemas.common import Documented, Shown, page_schema
from timeline_api.schemas.fields import SLUG_PATTERN, Pattern, QueryDateField
from timeline_api.schemas.paging import (
    Repeated,
    cursor_field,
    decode_cursor,
    limit_field,
)
from timeline_api.schemas.refs import (
    ActorRoleSchema,
    CountryRefSchema,
    EventRefSchema,
    QuoteLocation,
    SourceRefSchema,
    TagRefSchema,
    TypeRefSchema,
)
from timeline_api.search import parse

SLUG = Pattern(SLUG_PATTERN, error="is not an id (lowercase letters, digits, hyphens)")
COUNTRY = Pattern(r"^[A-Za-z]{2}$", error="is not an ISO 3166-1 alpha-2 code such as TW")


def _ids(what: str, example: str) -> Repeated:
    return Repeated(
        fields.String(validate=SLUG),
        metadata={
            "description": f"Only events with any of these {what}; repeat the parameter or "
            "separate ids by commas.",
            "example": [example],
        },
    )


def _every(what: str, parameter: str, value: fields.String, example: list[str]) -> Repeated:
    return Repeated(
        value,
        data_key=f"{parameter}_all",
        metadata={
            "description": f"Only events with every one of these {what} (all of them, where "
            f"`{parameter}` asks for any of them); repeat the parameter or separate by commas.",
            "example": example,
        },
    )


DATE_FORMS = (
    "YYYY, YYYY-MM or YYYY-MM-DD, or an ISO 8601 date-time such as 2024-01-01T00:00:00.000Z "
    "whose date is used as written (the day in the time zone it gives: never shifted to UTC; "
    "a bracketed zone name such as `[Asia/Taipei]` must be one the server knows)"
)


class EventFilterQuery(Documented):
    """Which events: by date range, type, actor, country, tag, words, dispute."""

    from_ = QueryDateField(
        data_key="from",
        metadata={
            "description": f"Events that can overlap this date or later: {DATE_FORMS}. "
            "A partial date means its whole year or month.",
            "example": "2022",
        },
    )
    to = QueryDateField(
        metadata={
            "description": f"Events that can overlap this date or earlier: {DATE_FORMS}; "
            "`to=2024` includes 31 December 2024.",
            "example": "2024",
        }
    )
    # The examples all fit one seeded event (tw-four-soldiers-espionage-2022-2024), so that the
    # docs' "Try it out", which sends every example at once, finds something.
    type = _ids("event type ids", "espionage-case")
    actor = _ids("actor ids", "icefcom")
    country = Repeated(
        fields.String(validate=COUNTRY),
        metadata={
            "description": "Only events in any of these countries (ISO 3166-1 alpha-2).",
            "example": ["TW"],
        },
    )
    tag = _ids("tag ids", "military-insiders")
    actor_all = _every("actors", "actor", fields.String(validate=SLUG), ["icefcom", "tw-mnd"])
    country_all = _every("countries", "country", fields.String(validate=COUNTRY), ["TW", "CN"])
    tag_all = _every("tags", "tag", fields.String(validate=SLUG), ["military-insiders", "icefcom"])
    min_importance = fields.Integer(
        strict=False,
        validate=validate.Range(1, 5, error="must be between 1 and 5"),
        metadata={
            "description": "Only events of at least this importance (1 minor .. 5 major): "
            "fewer, bigger events for a zoomed-out view.",
            "example": 4,
        },
    )
    q = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={
            "description": "Full-text search in title, summary, text and the names of the "
            "event's type, tags and actors (with aliases): every word must occur (any case, "
            "accents ignored). A word finds its other English forms (`spying`: spy, spies, "
            'spied; spy and espionage find each other); `"secret army"` is a phrase of exact '
            "words, `espion*` a prefix as typed. Other punctuation and SQL are read as plain "
            "words; AND, OR, NOT in capitals are ignored. Each result gets a `snippet`; "
            "`sort=relevance` puts the best first.",
            "example": "soldier*",
        },
    )
    disputed = fields.Boolean(
        metadata={
            "description": "`true`: only events whose date a source disputes; `false`: only the "
            "others.",
            "example": True,
        }
    )

    @validates_schema
    def _ordered(self, data: dict[str, Any], **_kwargs: Any) -> None:
        start: PartialDate | None = data.get("from_")
        end: PartialDate | None = data.get("to")
        if start is not None and end is not None and start.first > end.last:
            raise ValidationError(f"must not be after 'to' ({end})", "from")
        if data.get("q") and parse(data["q"]) is None:
            raise ValidationError("has no word to search for", "q")

    @staticmethod
    def filters(data: dict[str, Any], **paging: Any) -> EventFilters:
        start, end = data.get("from_"), data.get("to")
        return EventFilters(
            first=start.first if start else None,
            last=end.last if end else None,
            types=tuple(data.get("type", ())),
            actors=tuple(data.get("actor", ())),
            countries=tuple(code.upper() for code in data.get("country", ())),
            tags=tuple(data.get("tag", ())),
            search=parse(data["q"]) if data.get("q") else None,
            is_disputed=data.get("disputed"),
            min_importance=data.get("min_importance"),
            every_actor=tuple(data.get("actor_all", ())),
            every_country=tuple(code.upper() for code in data.get("country_all", ())),
            every_tag=tuple(data.get("tag_all", ())),
            **paging,
        )


FORMATS = ("json", "csv", "timelinejs", "ics", "ndjson")
# What `fields=` can keep: a list item's members (`id` is always kept).
LIST_FIELDS = (
    "title",
    "summary",
    "type",
    "importance",
    "start",
    "start_precision",
    "end",
    "end_precision",
    "earliest",
    "latest",
    "is_approximate",
    "date_note",
    "disputed",
    "actors",
    "countries",
    "tags",
    "snippet",
    "updated_at",
    *INCLUDES,
)


@dataclass(frozen=True)
class EventListArgs:
    """An events list request: which events, and how to give them."""

    filters: EventFilters
    include: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()  # empty: every member
    format: str | None = None  # None: by the Accept header
    rows: str = "events"  # CSV: a row per event, or per citation


class EventQuery(EventFilterQuery):
    """Filters, order, page and shape of an events list."""

    sort = fields.String(
        load_default="start",
        validate=validate.OneOf(list(ORDERS)),
        metadata={
            "description": "Order: `start`, `end`, `importance`, `title`, each with `-` for "
            "descending, or `relevance` (with `q`). Partial dates sort by their earliest (or "
            "latest) day.",
            "example": "-start",
        },
    )
    limit = limit_field()
    cursor = cursor_field()
    format = fields.String(
        validate=validate.OneOf(FORMATS),
        metadata={  # no example: the docs would fill it in, and show another format than JSON
            "description": "`csv`: a flat CSV with a header row (or send `Accept: text/csv`); "
            "`timelinejs`: the page as TimelineJS 3 JSON (`application/vnd.timelinejs+json`, "
            "also by Accept); `ics`: the page as iCalendar all-day "
            "events (or `Accept: text/calendar`); `ndjson`: every matching event, one JSON "
            "object a line, streamed without paging (`limit` and `cursor` do not apply; or "
            "`Accept: application/x-ndjson`).",
        },
    )
    include = Repeated(
        fields.String(validate=validate.OneOf(INCLUDES)),
        metadata={
            "description": "Add to each event its `citations` (source and quote) and/or its "
            "`links` to other events, as the detail gives them; a page then costs three more "
            "queries, whatever its size. With CSV, `citations` adds a column `citations_text`, "
            "each citation on a line of its own: “quote” — publisher: title, date, address (the "
            "page, or the stored document opened at the quote); an import ignores that column.",
            "example": ["citations", "links"],
        },
    )
    fields_ = Repeated(
        fields.String(validate=validate.OneOf(LIST_FIELDS)),
        data_key="fields",
        metadata={
            "description": "Only these members of each event (`id` always comes too), e.g. "
            "`fields=title,start,end` for a timeline's markers. Name `citations` or `links` "
            "here only with `include`.",
            "example": ["title", "start", "end"],
        },
    )
    rows = fields.String(
        validate=validate.OneOf(["events", "citations"]),
        metadata={
            "description": "With CSV: `citations` gives one row per citation and alternative "
            "date of the page's events instead of one per event, each with its quote and its "
            "source's publisher, title, date, url and stored-document link (a report to check "
            "sources; not a file to import).",
            "example": "events",
        },
    )

    @validates_schema
    def _searched(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data.get("sort") == "relevance" and not data.get("q"):
            raise ValidationError("relevance needs a search: give `q` too", "sort")

    @validates_schema
    def _included(self, data: dict[str, Any], **_kwargs: Any) -> None:
        missing = [
            name
            for name in data.get("fields_", ())
            if name in INCLUDES and name not in data.get("include", ())
        ]
        if missing:
            raise ValidationError(f"names {missing[0]!r}: add include={missing[0]} too", "fields")

    @post_load
    def _filters(self, data: dict[str, Any], **_kwargs: Any) -> EventListArgs:
        order = ORDERS[data["sort"]]
        cursor = data.get("cursor")
        filters = self.filters(
            data,
            sort=order.name,
            limit=data["limit"],
            after=decode_cursor(cursor, order) if cursor else None,
        )
        return EventListArgs(
            filters,
            tuple(dict.fromkeys(data.get("include", ()))),
            tuple(dict.fromkeys(data.get("fields_", ()))),
            data.get("format"),
            data.get("rows", "events"),
        )


class AlternativeDateSchema(Shown):
    """A date another source gives for the event, which we did not keep."""

    start = fields.String(metadata={"description": "As the source gives it.", "example": "2002"})
    start_precision = fields.String(
        validate=validate.OneOf(PRECISIONS),
        metadata={"description": "year, month or day.", "example": "year"},
    )
    end = fields.String(
        allow_none=True, metadata={"description": "As the source gives it.", "example": "2024"}
    )
    end_precision = fields.String(
        allow_none=True,
        validate=validate.OneOf(PRECISIONS),
        metadata={"description": "year, month or day.", "example": "year"},
    )
    source = fields.Nested(SourceRefSchema, metadata={"description": "Who claims this date."})
    quote = fields.String(
        allow_none=True,
        metadata={
            "description": "The claim, word for word.",
            "example": "The espionage arrangement ... lasted between 2002 to 2024, the court "
            "heard.",
        },
    )
    note = fields.String(
        allow_none=True,
        metadata={
            "description": "Why we did not keep it.",
            "example": "Court reports say 2022-2024.",
        },
    )
    location = QuoteLocation(
        metadata={
            "description": "Where the quote lies in the source's stored document; null when "
            "the source has none."
        }
    )


class EventSchema(Shown):
    """An event as a list shows it."""

    optional: ClassVar[tuple[str, ...]] = ("snippet",)

    id = fields.String(
        attribute="slug",
        metadata={
            "description": "Stable, readable id.",
            "example": "tw-four-soldiers-sentenced-2025",
        },
    )
    title = fields.String(
        metadata={
            "description": "Short title.",
            "example": "Taipei court jails four soldiers for spying",
        }
    )
    summary = fields.String(
        metadata={
            "description": "One or two sentences.",
            "example": "The Taipei District Court sentenced ...",
        }
    )
    type = fields.Nested(TypeRefSchema, metadata={"description": "What kind of event."})
    importance = fields.Integer(metadata={"description": "1 (minor) to 5 (major).", "example": 4})
    start = fields.String(
        metadata={
            "description": "Start as precise as the sources allow: YYYY, YYYY-MM or YYYY-MM-DD.",
            "example": "2022",
        }
    )
    start_precision = fields.String(
        validate=validate.OneOf(PRECISIONS),
        metadata={"description": "year, month or day.", "example": "year"},
    )
    end = fields.String(
        allow_none=True,
        metadata={"description": "End of a period; null for an instant.", "example": "2024"},
    )
    end_precision = fields.String(
        allow_none=True,
        validate=validate.OneOf(PRECISIONS),
        metadata={"description": "year, month or day; null for an instant.", "example": "year"},
    )
    earliest = fields.Date(
        metadata={"description": "The first day `start` can mean.", "example": "2022-01-01"}
    )
    latest = fields.Date(
        metadata={"description": "The last day the event can reach.", "example": "2024-12-31"}
    )
    is_approximate = fields.Boolean(
        metadata={
            "description": "True when the date is a best estimate (see `date_note`).",
            "example": False,
        }
    )
    date_note = fields.String(
        allow_none=True,
        metadata={"description": "How the date is known.", "example": "Court statement, via AFP."},
    )
    disputed = fields.Boolean(
        attribute="is_disputed",
        metadata={
            "description": "True when a source gives other dates (see `alternative_dates`).",
            "example": True,
        },
    )
    actors = fields.List(
        fields.Nested(ActorRoleSchema), metadata={"description": "Who took part, and how."}
    )
    countries = fields.List(
        fields.Nested(CountryRefSchema),
        metadata={"description": "Where it happened or whom it concerned."},
    )
    tags = fields.List(fields.Nested(TagRefSchema), metadata={"description": "Labels."})
    snippet = fields.String(
        metadata={
            "description": "Only with `q`: where the words were found, HTML-escaped, with each "
            "match in `<mark>`.",
            "example": "… photographed internal military information …",
        }
    )
    updated_at = fields.DateTime(
        metadata={
            "description": "Last change to this record.",
            "example": "2026-11-23T11:00:00+00:00",
        }
    )


class CitationSchema(Shown):
    """A source supporting the event, with the passage that says so."""

    source = fields.Nested(SourceRefSchema, metadata={"description": "The source cited."})
    quote = fields.String(
        allow_none=True,
        metadata={
            "description": "The supporting passage, word for word.",
            "example": "the court sentenced the soldiers to between 70 and 84 months in prison",
        },
    )
    note = fields.String(
        allow_none=True,
        metadata={
            "description": "What the citation supports.",
            "example": "Dates the court statement.",
        },
    )
    location = QuoteLocation(
        metadata={
            "description": "Where the quote lies in the source's stored document; null when "
            "the source has none."
        }
    )


class LinkSchema(Shown):
    """A connection to another event."""

    kind = fields.String(
        validate=validate.OneOf(LINK_KINDS),
        metadata={"description": "follows, responds_to, part_of or related.", "example": "follows"},
    )
    direction = fields.String(
        validate=validate.OneOf(["outgoing", "incoming"]),
        metadata={
            "description": "`outgoing`: this event <kind> the other; `incoming`: the other <kind> "
            "this one.",
            "example": "outgoing",
        },
    )
    event = fields.Nested(EventRefSchema, metadata={"description": "The other event."})


class EventDetailSchema(EventSchema):
    """The full event: text, actors, places, tags, citations, disputed dates, links."""

    optional: ClassVar[tuple[str, ...]] = ("snippet",)  # a search's only; never trimmed

    text = fields.String(
        allow_none=True, metadata={"description": "Longer text, if any.", "example": None}
    )
    citations = fields.List(
        fields.Nested(CitationSchema),
        metadata={"description": "Every source for the event; at least one."},
    )
    alternative_dates = fields.List(
        fields.Nested(AlternativeDateSchema),
        metadata={"description": "Dates other sources claim; empty unless `disputed`."},
    )
    links = fields.List(
        fields.Nested(LinkSchema),
        attribute="connections",
        metadata={"description": "Related events, both directions."},
    )
    created_at = fields.DateTime(
        metadata={
            "description": "When the record was made.",
            "example": "2026-11-23T11:00:00+00:00",
        }
    )


class EventListItemSchema(EventSchema):
    """An event as a list shows it, with what `include` asked for."""

    # `fields=` may leave out any member but `id`; `include` adds citations and links.
    optional: ClassVar[tuple[str, ...]] = (
        *(name for name in EventSchema._declared_fields if name != "id"),
        "citations",
        "links",
    )

    citations = fields.List(
        fields.Nested(CitationSchema),
        metadata={"description": "Only with `include=citations`: every source for the event."},
    )
    links = fields.List(
        fields.Nested(LinkSchema),
        attribute="connections",
        metadata={"description": "Only with `include=links`: related events, both directions."},
    )


EventPageSchema = page_schema(EventListItemSchema, "events", "EventPageSchema")
