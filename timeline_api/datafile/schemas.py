"""The data-file format (docs/data-format.md): one schema per list that loads and dumps.

Seed, import, export, the write endpoints' bodies and the history snapshots all go through these.
`load` gives an item with typed values (PartialDate, Decimal), tags and countries as sorted sets
and series points in period order, so that equal records load equal; `dump` gives the file form,
leaving out what is empty.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, ClassVar

from marshmallow import ValidationError, fields, post_dump, post_load, validate, validates_schema

from timeline_api.datafile.documents import MAX_NAME
from timeline_api.models.actors import ACTOR_KINDS
from timeline_api.models.events import LINK_KINDS, ROLES
from timeline_api.schemas.common import Documented
from timeline_api.schemas.fields import PartialDateField, Pattern, country_code, slug

Item = dict[str, Any]
Rules = tuple[Callable[[Item], None], ...]
# Series values are NUMERIC(20, 4): what would be rounded or overflow is refused, not changed.
_VALUE_PLACES = 4
_VALUE_DIGITS = 16

# Every string and list has a limit (issue 12): a 9 MB text made each search matching it spend
# seconds on its snippet, 2M aliases killed a worker. Each is far above what a real record
# needs (the seed's longest text is 584 characters, its longest list 6 items) and is in the
# OpenAPI document as maxLength / maxItems; docs/data-format.md lists them.
DESCRIPTION = 2_000  # descriptions, summaries, quotes
NOTE = 1_000  # notes on a citation or a date
TEXT = 20_000  # an event's longer text: about eight pages
ITEMS = 100  # actors, tags, countries, citations, links, aliases of one record
POINTS = 10_000  # a series' values: daily for 27 years


def _text(description: str, example: Any, length: int, **kwargs: Any) -> fields.String:
    return fields.String(
        validate=validate.Length(min=1, max=length),
        metadata={"description": description, "example": example},
        **kwargs,
    )


def _optional(description: str, example: Any, length: int) -> fields.String:
    return _text(description, example, length, allow_none=True)


def _date(description: str, example: str, **kwargs: Any) -> PartialDateField:
    return PartialDateField(metadata={"description": description, "example": example}, **kwargs)


def _list(inner: Any, description: str, most: int = ITEMS) -> fields.List:  # type: ignore[type-arg]
    return fields.List(
        inner,
        load_default=list,
        validate=validate.Length(max=most),
        metadata={"description": description},
    )


class FileItemSchema(Documented):
    """An item of a data file: `check` holds the rules across fields, `normalise` the canonical
    form; both run in marshmallow's hooks, and the fast loader calls them too."""

    # Rules across fields; each raises ValidationError naming the field at fault.
    rules: ClassVar[Rules] = ()

    def check(self, data: Item) -> None:
        """Apply every rule, raising one ValidationError with all that fail."""
        errors: dict[str, Any] = {}
        for rule in self.rules:
            try:
                rule(data)
            except ValidationError as error:
                errors.update(error.normalized_messages())  # type: ignore[no-untyped-call]
        if errors:
            raise ValidationError(errors)

    def normalise(self, data: Item) -> Item:
        """The loaded item in its canonical form (subclasses extend it)."""
        return data

    @validates_schema
    def _check(self, data: Item, **_kwargs: Any) -> None:
        self.check(data)

    @post_load
    def _normalise(self, data: Item, **_kwargs: Any) -> Item:
        return self.normalise(data)

    @post_dump
    def _compact(self, data: Item, **_kwargs: Any) -> Item:
        """Leave out empty optional members, as a hand-written file would."""
        return {key: value for key, value in data.items() if value is not None and value != []}


class NamedItemSchema(FileItemSchema):
    """A named label."""

    id = slug(description="Stable id: lowercase letters, digits, hyphens.", example="cyber")
    name = _text("Name.", "Cyber operations", 200, required=True)
    description = _optional(
        "What it covers.", "Intrusions, attacks and their attribution.", DESCRIPTION
    )


class TagItemSchema(NamedItemSchema):
    """A tag, as written and read."""


class EventTypeItemSchema(NamedItemSchema):
    """An event type, as written and read."""


class CountryItemSchema(FileItemSchema):
    """A country, as written and read."""

    code = country_code(
        required=True, metadata={"description": "ISO 3166-1 alpha-2.", "example": "TW"}
    )
    name = _text("English short name.", "Taiwan", 200, required=True)


class ActorItemSchema(FileItemSchema):
    """An actor, as written and read. Never a private individual."""

    id = slug(description="Stable id.", example="icefcom")
    name = _text(
        "Name.", "Information, Communications and Electronic Force Command", 200, required=True
    )
    kind = fields.String(
        required=True,
        validate=validate.OneOf(ACTOR_KINDS),
        metadata={"description": ", ".join(ACTOR_KINDS) + ".", "example": "military_unit"},
    )
    country = country_code(
        allow_none=True, metadata={"description": "ISO 3166-1 alpha-2.", "example": "TW"}
    )
    description = _optional(
        "Who they are.", "Taiwan's cyber and electronic warfare command.", DESCRIPTION
    )
    aliases = _list(_text("An alias.", "ICEFCOM", 200), "Other names and spellings.")


class SourceItemSchema(FileItemSchema):
    """A source, as written and read."""

    id = slug(description="Stable id.", example="intelnews-taiwan-soldiers-jailed-2025")
    publisher = _text("Who published it.", "intelNews", 200, required=True)
    title = _text(
        "The publisher's headline, or ours when `title_is_descriptive`.",
        "Taiwan jails soldiers guarding president’s office",
        500,
        required=True,
    )
    title_is_descriptive = fields.Boolean(
        metadata={
            "description": "True when the title is ours, not the publisher's (optional; "
            "default false).",
            "example": True,
        }
    )
    author = _optional("Author, if known.", "Joseph Fitsanakis", 200)
    url = fields.Url(
        allow_none=True,
        validate=validate.Length(max=2000),
        metadata={
            "format": "uri",  # fields.Url says "url", which JSON Schema does not know
            "description": "Address; never a page republishing personal data.",
            "example": "https://focustaiwan.tw/cross-strait/202506050011",
        },
    )
    published = _date("Publication date, as precise as known.", "2025-03-31", allow_none=True)
    document = fields.String(
        allow_none=True,
        validate=(
            validate.Length(max=MAX_NAME),
            Pattern(r"^[\w.-]+\.txt$", error="must be a .txt name"),
        ),
        metadata={
            "description": "The stored document its quotes must occur in, word for word.",
            "example": "002_e20ddba488680f31.txt",
        },
    )
    description = _optional("Notes on the source.", None, DESCRIPTION)


def quote_or_note(data: Item) -> None:
    """A citation says something: its quote, or a note on what it supports."""
    if not data.get("quote") and not data.get("note"):
        raise ValidationError("give a quote, a note, or both", "quote")


def check_span(data: Item) -> None:
    """An end is not before its start."""
    start, end = data.get("start"), data.get("end")
    if start is not None and end is not None and end.last < start.first:
        raise ValidationError("must not be before start", "end")


class QuotedItemSchema(FileItemSchema):
    """A reference to a source: the passage word for word, or a note on what it supports."""

    source = slug(description="The source's id.", example="intelnews-taiwan-soldiers-jailed-2025")
    quote = _optional(
        "The passage, word for word; required for a stored document.",
        "the court sentenced the soldiers to between 70 and 84 months in prison",
        DESCRIPTION,
    )
    note = _optional("What it supports.", "Dates the court statement.", NOTE)

    rules: ClassVar[Rules] = (quote_or_note,)


class SpanItemSchema(FileItemSchema):
    """A start and an optional end, each YYYY, YYYY-MM or YYYY-MM-DD."""

    start = _date("Start, as precise as the source allows.", "2022", required=True)
    end = _date("End of a period; omit for an instant.", "2024", allow_none=True)

    rules: ClassVar[Rules] = (check_span,)


class AlternativeDateItemSchema(QuotedItemSchema, SpanItemSchema):
    """A date another source claims, kept to show the conflict."""

    rules: ClassVar[Rules] = (quote_or_note, check_span)


class EventActorItemSchema(FileItemSchema):
    """An actor's role in an event."""

    actor = slug(description="The actor's id.", example="icefcom")
    role = fields.String(
        required=True,
        validate=validate.OneOf(ROLES),
        metadata={"description": ", ".join(ROLES) + ".", "example": "target"},
    )


class LinkItemSchema(FileItemSchema):
    """ "This event <kind> the event `to`"."""

    to = slug(description="The other event's id.", example="tw-four-soldiers-espionage-2022-2024")
    kind = fields.String(
        required=True,
        validate=validate.OneOf(LINK_KINDS),
        metadata={"description": ", ".join(LINK_KINDS) + ".", "example": "follows"},
    )


class EventItemSchema(FileItemSchema):
    """An event, as written and read: every field validated, unknown fields refused."""

    id = slug(description="Stable id.", example="tw-four-soldiers-sentenced-2025")
    title = _text("Short title.", "Taipei court jails four soldiers for spying", 300, required=True)
    summary = _text(
        "One or two sentences.",
        "The Taipei District Court sentenced ...",
        DESCRIPTION,
        required=True,
    )
    text = _optional("Longer text.", None, TEXT)
    type = slug(description="An event type's id.", example="court-ruling")
    importance = fields.Integer(
        required=True,
        validate=validate.Range(1, 5),
        strict=True,
        metadata={"description": "1 (minor) to 5 (major).", "example": 4},
    )
    # Declared here, not inherited from SpanItemSchema, so that a dumped event starts with its id.
    start = SpanItemSchema._declared_fields["start"]
    end = SpanItemSchema._declared_fields["end"]
    is_approximate = fields.Boolean(
        load_default=False,
        metadata={"description": "The date is a best estimate.", "example": False},
    )
    date_note = _optional("How the date is known.", "Court statement, via AFP.", NOTE)
    actors = _list(fields.Nested(EventActorItemSchema), "Actors and their roles.")
    countries = _list(country_code(), "ISO 3166-1 alpha-2 codes.")
    tags = _list(slug(), "Tag ids.")
    citations = fields.List(
        fields.Nested(QuotedItemSchema),
        required=True,
        validate=(
            validate.Length(min=1, error="every event needs at least one citation"),
            validate.Length(max=ITEMS),
        ),
        metadata={"description": "At least one source."},
    )
    alternative_dates = _list(
        fields.Nested(AlternativeDateItemSchema), "Dates other sources claim."
    )
    links = _list(fields.Nested(LinkItemSchema), "Links to other events.")

    rules: ClassVar[Rules] = (check_span,)

    def normalise(self, data: Item) -> Item:
        # Tags and countries are sets; the database keeps them in id order.
        for name in ("tags", "countries"):
            if name in data:
                data[name] = sorted(set(data[name]))
        return super().normalise(data)


class Number(fields.Decimal):
    """A number kept exactly (at most 4 decimal places); dumps as a JSON integer when whole."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_nan=False, **kwargs)

    def _validated(self, value: Any) -> Decimal:
        number = super()._validated(value)
        exponent = number.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -_VALUE_PLACES:
            raise ValidationError(f"must have at most {_VALUE_PLACES} decimal places")
        if abs(number) >= Decimal(10) ** _VALUE_DIGITS:
            raise ValidationError(f"must be less than 10**{_VALUE_DIGITS}")
        return number

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        number = Decimal(value)
        return int(number) if number == number.to_integral_value() else float(number)


class PointItemSchema(QuotedItemSchema):
    """One value of a series, citing its source."""

    period = _date("The year, month or day.", "2024", required=True)
    value = Number(required=True, metadata={"description": "The value.", "example": 64})


class SeriesItemSchema(FileItemSchema):
    """A series, as written and read, with all its points."""

    id = slug(description="Stable id.", example="tw-nsb-chinese-espionage-prosecutions")
    title = _text("Title.", "People prosecuted for Chinese espionage in Taiwan", 300, required=True)
    description = _optional("What is counted.", None, DESCRIPTION)
    unit = _text("Unit of the values.", "people", 100, required=True)
    points = _list(fields.Nested(PointItemSchema), "The values, any order.", POINTS)

    def normalise(self, data: Item) -> Item:
        # Kept in period order: "2023" < "2024" < "2024-01" < "2024-01-05", as stored.
        data["points"] = sorted(data.get("points", []), key=lambda point: str(point["period"]))
        return super().normalise(data)


# The lists of a file, in the order a loader needs them, and the schema of each list's items.
SCHEMAS: dict[str, FileItemSchema] = {
    "countries": CountryItemSchema(),
    "event_types": EventTypeItemSchema(),
    "tags": TagItemSchema(),
    "sources": SourceItemSchema(),
    "actors": ActorItemSchema(),
    "events": EventItemSchema(),
    "series": SeriesItemSchema(),
}
ORDER = tuple(SCHEMAS)


def key_field(name: str) -> str:
    """The member that identifies an item of the list `name`."""
    return "code" if name == "countries" else "id"
